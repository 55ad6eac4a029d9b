// Runs dialers in virtual time: the clock jumps from one wake-up to the next, and between jumps the runner waits
// until the dialers' database work has settled, so every call sees the virtual time it would see in real time.
// Used by `ringcast demo` and by tests; production uses the system clock and none of this.
import type { VirtualClock } from '../domain/clock.js';
import type { Dialer, DialerConfig } from './dialer.js';

/**
 * Dialer settings that gather a long virtual-time run's work into passes a virtual second apart. In real time a pass
 * per call end costs nothing; in virtual time every call ends at its own instant, and each pass, result write and
 * retry claimed on its own was a round of queries: a 100,000-number campaign of 160,000 calls made 15,000 claims of
 * ~10 numbers and 16,500 result writes (bench/dialer-virtual-time.ts). Here a freed line waits at most a second for
 * the next pass, a result at most a second for the others written with it (its line is held meanwhile), and a retry
 * at most 5 s past its due time (retries are minutes apart): the campaign makes the same calls, and its lines are
 * busy ~1.5% less of the time with calls of a minute.
 */
export const VIRTUAL_TIME_BATCHING = { minPassIntervalMs: 1_000, recordLingerMs: 1_000, dueBatchMs: 5_000 } as const satisfies Partial<DialerConfig>;

/**
 * Waits until no dialer has had a store operation in flight for a few event-loop turns. While one is in flight it
 * waits for that to end rather than turning the event loop: on PostgreSQL a statement takes a round trip, and turning
 * the loop meanwhile was a busy wait, 52 turns (each a poll of the sockets, a system call) per clock step of the
 * virtual-time campaign, on the core PostgreSQL needed.
 */
export function settle(dialers: Dialer | readonly Dialer[], quietTurns = 3): Promise<void> {
  const all = Array.isArray(dialers) ? dialers : [dialers as Dialer];
  // Callbacks rather than an await per turn: a virtual-time campaign settles once per clock step (224,707 steps for
  // 100,000 numbers), three turns each, and a promise per turn was 66 MB of its allocation (sampling heap profile).
  return new Promise<void>((resolve) => {
    let quiet = 0;
    const check = (): void => {
      const busy = all.find((dialer) => dialer.pendingOps > 0);
      if (busy) {
        quiet = 0;
        void busy.whenNoPendingOps().then(check);
        return;
      }
      setImmediate(afterTurn);
    };
    const afterTurn = (): void => {
      quiet = all.every((dialer) => dialer.pendingOps === 0) ? quiet + 1 : 0;
      if (quiet >= quietTurns) resolve();
      else check();
    };
    if (quietTurns <= 0) resolve();
    else check();
  });
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
