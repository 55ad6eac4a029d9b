// Runs a dialer in virtual time: the clock jumps from one wake-up to the next, and between jumps the runner waits
// until the dialer's database work has settled, so every call sees the virtual time it would see in real time.
// Used by `ringcast demo` and by tests; production uses the system clock and none of this.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { VirtualClock } from '../domain/clock.js';
import type { Dialer } from './dialer.js';

/** Waits until the dialer has had no store operation in flight for a few event-loop turns. */
export async function settle(dialer: Dialer, quietTurns = 3): Promise<void> {
  for (let quiet = 0; quiet < quietTurns; ) {
    await nextTurn();
    quiet = dialer.pendingOps === 0 ? quiet + 1 : 0;
  }
}

export interface VirtualRunOptions {
  clock: VirtualClock;
  dialer: Dialer;
  /** Checked after each settled step; the run ends when it resolves true. */
  until: () => Promise<boolean> | boolean;
  /** Refuse to run past this instant (a guard against a campaign that never ends). */
  deadline: Date;
  onStep?: () => Promise<void> | void;
}

export async function runInVirtualTime(options: VirtualRunOptions): Promise<{ steps: number }> {
  const { clock, dialer } = options;
  if (dialer.status === 'idle') dialer.start();
  let steps = 0;
  for (;;) {
    await settle(dialer);
    if (options.onStep) {
      await options.onStep();
      // What the step did (a wake-up, a status change) runs before the clock may move.
      await settle(dialer);
    }
    if (await options.until()) return { steps };
    const next = clock.nextWakeMs();
    if (next === undefined) throw new Error('virtual time: nothing is scheduled and the run is not finished');
    if (next > options.deadline.getTime()) throw new Error(`virtual time: passed the deadline ${options.deadline.toISOString()}`);
    clock.advanceTo(next);
    steps++;
  }
}
