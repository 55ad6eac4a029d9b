// Time is injected everywhere so that tests and `ringcast demo` can run in virtual time: the dialer, the carriers and
// the API read `now()` and wait with `sleep()` of the clock they were given, never Date.now() or setTimeout directly.

export interface Clock {
  now(): Date;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
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
  atMs: number;
  seq: number;
  resolve: () => void;
  /** Aborted while asleep: left in the heap and skipped when it reaches the top. */
  cancelled: boolean;
}

/** Earlier first; among timers due at one instant, the one that went to sleep first. */
const before = (a: VirtualTimer, b: VirtualTimer) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);

/**
 * A clock that moves only when told to. Sleepers wake in time order as it advances, so a two-day campaign runs in
 * seconds of wall time with the same code paths as real time. The sleepers are kept in a binary heap: a two-day
 * campaign in virtual time has a thousand calls asleep at once and moves the clock a hundred thousand times, and
 * scanning every sleeper at each move (as an array did) was a cost of its own (issue 10).
 */
export class VirtualClock implements Clock {
  private epochMs: number;
  private readonly heap: VirtualTimer[] = [];
  private live = 0;
  private seq = 0;

  constructor(start: Date | string) {
    this.epochMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.epochMs);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        timer.cancelled = true;
        this.live--;
        reject(signal!.reason);
      };
      // The listener goes when the sleep ends, or long-lived signals collect one per sleep.
      const timer: VirtualTimer = {
        atMs: this.epochMs + Math.max(0, ms),
        seq: this.seq++,
        cancelled: false,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.push(timer);
      this.live++;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** How many sleepers are waiting on this clock. */
  get sleepers(): number {
    return this.live;
  }

  /** When the earliest sleeper wakes, or undefined if none sleeps. */
  nextWakeMs(): number | undefined {
    return this.top()?.atMs;
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

  private wakeAt(atMs: number): void {
    this.epochMs = Math.max(this.epochMs, atMs);
    const due: VirtualTimer[] = [];
    for (let timer = this.top(); timer !== undefined && timer.atMs <= atMs; timer = this.top()) {
      this.pop();
      this.live--;
      due.push(timer);
    }
    for (const timer of due) timer.resolve();
  }

  advanceMs(ms: number): void {
    this.advanceTo(this.epochMs + ms);
  }

  /** Jumps to an instant without waking anyone early: for tests that set "now". */
  set(to: Date | string): void {
    this.advanceTo(new Date(to).getTime());
  }

  /** The earliest sleeper still asleep (cancelled ones at the top are dropped on the way). */
  private top(): VirtualTimer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): VirtualTimer | undefined {
    const heap = this.heap;
    const first = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return first;
  }
}

/** Kept for tests written before timers existed: a virtual clock they move by hand. */
export { VirtualClock as ManualClock };
