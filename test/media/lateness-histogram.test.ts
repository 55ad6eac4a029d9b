// The media worker's send-lateness histogram: every frame counted, percentiles from 0.1 ms buckets.
import { describe, expect, it } from 'vitest';
import { LatenessHistogram } from '../../src/media/session/lateness-histogram.js';

describe('LatenessHistogram', () => {
  it('reads the p99 to within a bucket (0.1 ms), with the mean and maximum exact', () => {
    const histogram = new LatenessHistogram();
    // 990 frames on time or nearly, 10 late by 7.25 ms: the 99th percentile is where the late ones start.
    for (let i = 0; i < 990; i++) histogram.add((i % 10) * 0.01);
    for (let i = 0; i < 10; i++) histogram.add(7.25);
    const summary = histogram.summary();
    expect(summary.samples).toBe(1000);
    expect(summary.maxMs).toBe(7.25);
    expect(summary.meanMs).toBeCloseTo((990 * 0.045 + 10 * 7.25) / 1000, 10);
    expect(summary.p99Ms).toBeCloseTo(0.1, 10);
    histogram.add(7.25);
    expect(histogram.summary().p99Ms).toBe(7.25);
  });

  it('counts early frames as on time, keeps the very late in its last bucket, and starts again on reset', () => {
    const histogram = new LatenessHistogram();
    histogram.add(-0.4);
    histogram.add(250);
    expect(histogram.summary()).toEqual({ samples: 2, meanMs: 125, p99Ms: 250, maxMs: 250 });
    expect(histogram.percentileMs(0.5)).toBeCloseTo(0.1, 10);
    histogram.reset();
    expect(histogram.summary()).toEqual({ samples: 0, meanMs: 0, p99Ms: 0, maxMs: 0 });
  });
});
