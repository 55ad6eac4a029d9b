// Time is injected everywhere so that tests and `ringcast demo` can run in virtual time: the dialer, the carriers and
// the API read `now()` and wait with `sleep()` of the clock they were given, never Date.now() or setTimeout directly.
import { DueQueue } from './due-queue.js';
import type { CancelSignal } from './cancellation.js';

export interface Clock {
  now(): Date;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: CancelSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

interface VirtualTimer {
  resolve: () => void;
  reject: (reason: unknown) => void;
  /** The signal that may cut the sleep short. */
  signal: CancelSignal | undefined;
  /** Aborted while asleep: left in the queue and dropped when it comes to the front. */
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Sleepers wake in time order (those due at one instant in the order they went
 * to sleep) as it advances, so a two-day campaign runs in seconds of wall time with the same code paths as real time.
 */
export class VirtualClock implements Clock {
  private epochMs: number;
  private readonly timers = new DueQueue<VirtualTimer>();
  private live = 0;
  /**
   * The sleepers of each signal, so that a signal has one 'abort' listener however many sleeps it cuts short: a
   * simulated call sleeps several times on its own signal, and an EventTarget listener added and removed per sleep
   * was a quarter of the clock's and the signals' share of the dialer's CPU in the virtual-time campaign (session 16
   * profile on PostgreSQL: 1.35 s of ~10 s busy; 1.0 s with one listener per signal).
   */
  private readonly sleepersBySignal = new WeakMap<CancelSignal, Set<VirtualTimer>>();

  constructor(start: Date | string) {
    this.epochMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.epochMs);
  }

  sleep(ms: number, signal?: CancelSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: VirtualTimer = { resolve, reject, signal, cancelled: false };
      this.timers.push(timer, this.epochMs + Math.max(0, ms));
      this.live++;
      if (signal) this.sleepersOf(signal).add(timer);
    });
  }

  /** The signal's set of sleepers, made (with the signal's one listener) on its first sleep. */
  private sleepersOf(signal: CancelSignal): Set<VirtualTimer> {
    let sleepers = this.sleepersBySignal.get(signal);
    if (!sleepers) {
      const ofSignal = (sleepers = new Set());
      this.sleepersBySignal.set(signal, ofSignal);
      signal.addEventListener(
        'abort',
        () => {
          for (const timer of ofSignal) {
            timer.cancelled = true;
            this.live--;
            timer.reject(signal.reason);
          }
          ofSignal.clear();
        },
        { once: true },
      );
    }
    return sleepers;
  }

  /** How many sleepers are waiting on this clock. */
  get sleepers(): number {
    return this.live;
  }

  /** When the earliest sleeper wakes, or undefined if none sleeps. */
  nextWakeMs(): number | undefined {
    while (this.timers.peek()?.item.cancelled) this.timers.pop();
    return this.timers.peek()?.dueMs;
  }

  /**
   * Moves to `to` (never backwards), waking every sleeper due by then in time order. Woken code runs after this
   * returns, so code that sleeps again must be driven by `runTo`, which settles between wake-ups.
   */
  advanceTo(to: Date | number): void {
    const targetMs = typeof to === 'number' ? to : to.getTime();
    for (let next = this.nextWakeMs(); next !== undefined && next <= targetMs; next = this.nextWakeMs()) this.wakeAt(next);
    this.epochMs = Math.max(this.epochMs, targetMs);
  }

  /**
   * Moves to `to` one wake-up instant at a time, awaiting `settle` after each so that woken code can do its I/O and
   * go back to sleep at the right virtual time before the clock moves on.
   */
  async runTo(to: Date | number, settle: () => Promise<void>): Promise<void> {
    const targetMs = typeof to === 'number' ? to : to.getTime();
    for (let next = this.nextWakeMs(); next !== undefined && next <= targetMs; next = this.nextWakeMs()) {
      this.wakeAt(next);
      await settle();
    }
    this.epochMs = Math.max(this.epochMs, targetMs);
  }

  /** Wakes every sleeper due by `atMs`, in order, with the clock at `atMs`. */
  private wakeAt(atMs: number): void {
    this.epochMs = Math.max(this.epochMs, atMs);
    const due: VirtualTimer[] = [];
    while (this.timers.peekDueMs() <= atMs) {
      const { item } = this.timers.pop()!;
      if (item.cancelled) continue;
      this.live--;
      due.push(item);
    }
    for (const timer of due) {
      if (timer.signal) this.sleepersBySignal.get(timer.signal)?.delete(timer);
      timer.resolve();
    }
  }

  advanceMs(ms: number): void {
    this.advanceTo(this.epochMs + ms);
  }

  /** Jumps to an instant without waking anyone early: for tests that set "now". */
  set(to: Date | string): void {
    this.advanceTo(new Date(to).getTime());
  }
}

/** Kept for tests written before timers existed: a virtual clock they move by hand. */
export { VirtualClock as ManualClock };
