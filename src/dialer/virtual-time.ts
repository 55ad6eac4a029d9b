// Runs dialers in virtual time: the clock jumps from one wake-up to the next, and between jumps the runner waits
// until the dialers' database work has settled, so every call sees the virtual time it would see in real time.
// Used by `ringcast demo` and by tests; production uses the system clock and none of this.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { VirtualClock } from '../domain/clock.js';
import type { Dialer } from './dialer.js';

/** Waits until no dialer has had a store operation in flight for a few event-loop turns. */
export async function settle(dialers: Dialer | readonly Dialer[], quietTurns = 3): Promise<void> {
  const all = Array.isArray(dialers) ? dialers : [dialers as Dialer];
  for (let quiet = 0; quiet < quietTurns; ) {
    await nextTurn();
    quiet = all.every((dialer) => dialer.pendingOps === 0) ? quiet + 1 : 0;
  }
}

export interface VirtualRunOptions {
  clock: VirtualClock;
  /** One dialer, or several sharing the database like separate processes. */
  dialer?: Dialer;
  dialers?: readonly Dialer[];
  /** Checked after each settled step; the run ends when it resolves true. */
  until: () => Promise<boolean> | boolean;
  /** Refuse to run past this instant (a guard against a campaign that never ends). */
  deadline: Date;
  /** Runs after each settled step, before `until`; what it starts is settled before the clock moves. */
  onStep?: () => Promise<void> | void;
}

export async function runInVirtualTime(options: VirtualRunOptions): Promise<{ steps: number }> {
  const { clock } = options;
  const dialers = options.dialers ?? (options.dialer ? [options.dialer] : []);
  if (dialers.length === 0) throw new Error('runInVirtualTime needs a dialer');
  for (const dialer of dialers) if (dialer.status === 'idle') dialer.start();
  let steps = 0;
  for (;;) {
    await settle(dialers);
    if (options.onStep) {
      await options.onStep();
      await settle(dialers);
    }
    if (await options.until()) return { steps };
    const next = clock.nextWakeMs();
    if (next === undefined) throw new Error('virtual time: nothing is scheduled and the run is not finished');
    if (next > options.deadline.getTime()) throw new Error(`virtual time: passed the deadline ${options.deadline.toISOString()}`);
    clock.advanceTo(next);
    steps++;
  }
}
