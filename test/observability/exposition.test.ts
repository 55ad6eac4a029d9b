// The test reader of the Prometheus text format: which series it takes to be monotonic (counters, histogram parts)
// and which not (gauges), so the load test's "counters never decrease" checks what it says.
import { describe, expect, it } from 'vitest';
import { familyOf, monotonicSeries, parseExposition } from './exposition.js';

const TEXT = `# HELP jobs_total Jobs done
# TYPE jobs_total counter
jobs_total{queue="b",kind="x"} 3
# HELP up_now Things up
# TYPE up_now gauge
up_now 2
# HELP wait_seconds Waits
# TYPE wait_seconds histogram
wait_seconds_bucket{le="0.1"} 1
wait_seconds_bucket{le="+Inf"} 2
wait_seconds_sum 0.35
wait_seconds_count 2
`;

describe('exposition reader', () => {
  it('names the family of a histogram part, and none for a sample without a TYPE', () => {
    const exposition = parseExposition(TEXT);
    expect(familyOf(exposition, 'wait_seconds_count')).toBe('wait_seconds');
    expect(familyOf(exposition, 'jobs_total')).toBe('jobs_total');
    expect(familyOf(exposition, 'other_count')).toBeUndefined();
  });

  it('takes counters and histogram parts as monotonic, keyed by name and sorted labels, and leaves gauges out', () => {
    expect(monotonicSeries(parseExposition(TEXT))).toEqual(
      new Map([
        ['jobs_total{kind="x",queue="b"}', 3],
        ['wait_seconds_bucket{le="0.1"}', 1],
        ['wait_seconds_bucket{le="+Inf"}', 2],
        ['wait_seconds_sum{}', 0.35],
        ['wait_seconds_count{}', 2],
      ]),
    );
  });

  it('refuses a line that is not Prometheus text', () => {
    expect(() => parseExposition('jobs_total{queue="b" 3\n')).toThrow(/not Prometheus text/);
  });
});
