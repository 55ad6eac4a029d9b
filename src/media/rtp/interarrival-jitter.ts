// RFC 3550 section 6.4.1 (and appendix A.8): the interarrival jitter of a received RTP stream, the mean deviation of
// the difference in packet spacing at the receiver compared with the sender, smoothed with gain 1/16:
//   D(i-1, i) = (R_i - R_(i-1)) - (S_i - S_(i-1))      J = J + (|D(i-1, i)| - J) / 16
// in RTP timestamp units. It is kept per stream (a new SSRC starts again) and reported in milliseconds for the
// Prometheus jitter histogram.

const TIMESTAMP_SPAN = 2 ** 32;
const HALF_TIMESTAMP_SPAN = 2 ** 31;

/** The signed difference of two 32-bit RTP timestamps (the timestamp wraps, RFC 3550 section 5.1). */
function timestampDelta(current: number, previous: number): number {
  const delta = (current - previous) % TIMESTAMP_SPAN;
  if (delta >= HALF_TIMESTAMP_SPAN) return delta - TIMESTAMP_SPAN;
  if (delta < -HALF_TIMESTAMP_SPAN) return delta + TIMESTAMP_SPAN;
  return delta;
}

export class InterarrivalJitter {
  // Two numbers rather than an object: this runs for every packet of every call.
  private previousArrivalUnits = Number.NaN;
  private previousTimestamp = 0;
  /** J, in timestamp units. */
  private jitterUnits = 0;

  constructor(private readonly clockRateHz: number) {}

  /** A packet of the stream arrived at `arrivalMs` (any monotonic clock) carrying `timestamp`. */
  packet(arrivalMs: number, timestamp: number): void {
    const arrivalUnits = (arrivalMs * this.clockRateHz) / 1000;
    if (!Number.isNaN(this.previousArrivalUnits)) {
      const d = arrivalUnits - this.previousArrivalUnits - timestampDelta(timestamp, this.previousTimestamp);
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
    }
    this.previousArrivalUnits = arrivalUnits;
    this.previousTimestamp = timestamp;
  }

  /** A new stream (another SSRC) begins: its spacing has nothing to do with the last one's. */
  reset(): void {
    this.previousArrivalUnits = Number.NaN;
    this.jitterUnits = 0;
  }

  get jitterMs(): number {
    return (this.jitterUnits * 1000) / this.clockRateHz;
  }
}
