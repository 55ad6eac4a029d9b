// Where in the 20 ms frame interval each stream of a media worker sends: a new stream's first frame goes at the
// least used 1 ms phase of the next 20 ms (0-19 ms after it starts), so that streams started together do not send
// together for the rest of their calls. The worker sends every frame due in a wake-up one after another (~10-12 us
// each on two cores): 500 streams in one phase make the last frame of every round ~6 ms late, where 25 per phase make
// it ~0.3 ms. Streams started one by one spread by themselves; streams started in one burst (a trunk answering many
// calls at once, or the requests of one event-loop turn reaching the worker in one message, message-batch.ts) did not:
// the media benchmark's 1,000 calls went from p99 1.0-1.5 ms to 1.1-4.7 ms when its starts began arriving together.
// Pure: the caller gives the time and keeps each stream's phase to release it.

export class FramePhases {
  /** Streams sending in each phase slot. */
  private readonly counts: number[];
  private readonly slotMs: number;

  constructor(
    private readonly periodMs = 20,
    slots = 20,
  ) {
    if (!Number.isInteger(slots) || slots < 1 || !(periodMs > 0)) throw new RangeError('periodMs must be positive and slots a positive integer');
    this.counts = new Array<number>(slots).fill(0);
    this.slotMs = periodMs / slots;
  }

  /**
   * The instant (at or after `nowMs`, less than a period later) a new stream's first frame should go: the start of
   * the least used slot, the earliest of equally used ones. The slot counts the stream until release().
   */
  take(nowMs: number): number {
    let bestOffset = 0;
    let bestCount = Number.POSITIVE_INFINITY;
    for (let offset = 0; offset < this.counts.length; offset++) {
      const count = this.counts[this.slotOf(nowMs + offset * this.slotMs)]!;
      if (count < bestCount) {
        bestCount = count;
        bestOffset = offset;
      }
    }
    const atMs = nowMs + bestOffset * this.slotMs;
    this.counts[this.slotOf(atMs)]!++;
    return atMs;
  }

  /** A stream whose first frame take() placed at `atMs` has stopped sending. */
  release(atMs: number): void {
    const slot = this.slotOf(atMs);
    if (this.counts[slot]! > 0) this.counts[slot]!--;
  }

  /** How many streams each slot holds (tests, diagnostics). */
  load(): readonly number[] {
    return [...this.counts];
  }

  private slotOf(atMs: number): number {
    const phaseMs = ((atMs % this.periodMs) + this.periodMs) % this.periodMs;
    return Math.min(this.counts.length - 1, Math.floor(phaseMs / this.slotMs));
  }
}
