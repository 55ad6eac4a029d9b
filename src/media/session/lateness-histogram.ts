// How late the media worker sent its frames: a histogram of 0.1 ms buckets up to 100 ms (one bucket past it), so
// every frame is counted (50 a second per call: thousands a second per worker) at the cost of an array increment, and
// percentiles are read without keeping or sorting samples. A percentile is its bucket's upper edge: at most 0.1 ms
// above the true value.
const BUCKET_MS = 0.1;
const BUCKETS = 1000;

export interface LatenessSummary {
  samples: number;
  meanMs: number;
  p99Ms: number;
  maxMs: number;
}

export class LatenessHistogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  private samples = 0;
  private sumMs = 0;
  private maxMs = 0;

  add(latenessMs: number): void {
    const ms = latenessMs > 0 ? latenessMs : 0;
    this.counts[Math.min(BUCKETS, Math.floor(ms / BUCKET_MS))]!++;
    this.samples++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.samples = 0;
    this.sumMs = 0;
    this.maxMs = 0;
  }

  summary(): LatenessSummary {
    return { samples: this.samples, meanMs: this.samples > 0 ? this.sumMs / this.samples : 0, p99Ms: this.percentileMs(0.99), maxMs: this.maxMs };
  }

  /** The smallest bucket edge below which at least `fraction` of the samples fall (the maximum past the last bucket). */
  percentileMs(fraction: number): number {
    if (this.samples === 0) return 0;
    const wanted = Math.ceil(this.samples * fraction);
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= wanted) return Math.min((bucket + 1) * BUCKET_MS, this.maxMs);
    }
    return this.maxMs;
  }
}
