import { describe, expect, it } from 'vitest';
import { fullBucket, takeToken } from '../../src/domain/limits/token-bucket.js';

describe('token bucket', () => {
  it('allows a burst of the minute allowance, then refuses with the wait for one token', () => {
    const bucket = fullBucket(60, 0);
    for (let i = 0; i < 60; i++) expect(takeToken(bucket, 60, 0).allowed).toBe(true);
    const refused = takeToken(bucket, 60, 0);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterS: 1, resetS: 60 });
  });

  it('refills at the rate and never above the limit', () => {
    const bucket = fullBucket(6, 0);
    for (let i = 0; i < 6; i++) takeToken(bucket, 6, 0);
    expect(takeToken(bucket, 6, 5_000).allowed).toBe(false);
    expect(takeToken(bucket, 6, 10_000).allowed).toBe(true);
    const later = takeToken(bucket, 6, 10 * 60_000);
    expect(later.remaining).toBe(5);
  });
});
