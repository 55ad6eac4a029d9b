// settle (src/dialer/virtual-time.ts), what the virtual clock waits on between steps: it ends only after the given
// number of event-loop turns in a row with no dialer's store operation in flight, waits out an operation in flight
// (one that starts during the quiet turns too), and watches every dialer it is given. It reads only a dialer's
// pendingOps and whenNoPendingOps, so these stand-ins provide just those.
import { describe, expect, it } from 'vitest';
import { settle } from '../../src/dialer/virtual-time.js';
import type { Dialer } from '../../src/dialer/dialer.js';

class Operations {
  pendingOps = 0;
  private waiters: (() => void)[] = [];

  begin(): () => void {
    this.pendingOps++;
    return () => {
      if (--this.pendingOps > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    };
  }

  whenNoPendingOps(): Promise<void> {
    if (this.pendingOps === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get dialer(): Dialer {
    return this as unknown as Dialer;
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves with how many event-loop turns `promise` took to settle. */
async function turnsUntil(promise: Promise<void>): Promise<number> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let turns = 0; turns < 100; turns++) {
    await turn();
    if (settled) return turns + 1;
  }
  throw new Error('never settled');
}

describe('settle', () => {
  it('ends after the quiet turns asked for, and at once for none', async () => {
    const ops = new Operations();
    expect(await turnsUntil(settle(ops.dialer))).toBeGreaterThanOrEqual(3);
    expect(await turnsUntil(settle(ops.dialer, 1))).toBeLessThan(await turnsUntil(settle(ops.dialer, 5)));
    let settled = false;
    void settle(ops.dialer, 0).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(true);
  });

  it('waits for an operation in flight, and for one that starts during the quiet turns', async () => {
    const ops = new Operations();
    const endFirst = ops.begin();
    let settled = false;
    const settling = settle(ops.dialer).then(() => (settled = true));
    for (let i = 0; i < 10; i++) await turn();
    expect(settled).toBe(false);
    endFirst();
    // One turn into the quiet turns, a woken call starts another store operation.
    await turn();
    const endSecond = ops.begin();
    for (let i = 0; i < 10; i++) await turn();
    expect(settled).toBe(false);
    endSecond();
    await settling;
    expect(ops.pendingOps).toBe(0);
  });

  it('watches every dialer it is given', async () => {
    const quiet = new Operations();
    const busy = new Operations();
    const end = busy.begin();
    let settled = false;
    const settling = settle([quiet.dialer, busy.dialer]).then(() => (settled = true));
    for (let i = 0; i < 10; i++) await turn();
    expect(settled).toBe(false);
    end();
    await settling;
  });
});
