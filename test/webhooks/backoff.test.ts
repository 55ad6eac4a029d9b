import { describe, expect, it } from 'vitest';
import {
  BACKOFF_CAP_S,
  DISABLE_AFTER_CONSECUTIVE_FAILURES,
  RETRY_FOR_S,
  backoffDelayS,
  isRetryable,
  nextStep,
  parseRetryAfter,
  shouldDisableEndpoint,
} from '../../src/webhooks/backoff.js';

const t0 = new Date('2026-12-01T00:00:00Z');
const plus = (s: number) => new Date(t0.getTime() + s * 1000);

describe('webhook backoff', () => {
  it('doubles from 30 s with equal jitter, capped at an hour', () => {
    expect(backoffDelayS(1, 0)).toBe(15);
    expect(backoffDelayS(1, 0.999)).toBeCloseTo(30, 0);
    expect(backoffDelayS(2, 0)).toBe(30);
    expect(backoffDelayS(3, 0.5)).toBe(90);
    expect(backoffDelayS(50, 0)).toBe(BACKOFF_CAP_S / 2);
    expect(backoffDelayS(50, 0.9999)).toBeLessThanOrEqual(BACKOFF_CAP_S);
  });

  it('retries timeouts, connection errors, 5xx, 408 and 429; not other 4xx nor refused URLs', () => {
    expect(isRetryable({ kind: 'timeout' })).toBe(true);
    expect(isRetryable({ kind: 'network', message: 'ECONNREFUSED' })).toBe(true);
    for (const code of [500, 502, 503, 408, 429]) expect(isRetryable({ kind: 'response', statusCode: code })).toBe(true);
    for (const code of [400, 401, 403, 404, 410, 422]) expect(isRetryable({ kind: 'response', statusCode: code })).toBe(false);
    expect(isRetryable({ kind: 'refused', message: 'private' })).toBe(false);
  });

  it('keeps retrying for more than 24 hours, then fails the delivery', () => {
    let now = t0;
    let attempt = 0;
    for (;;) {
      attempt += 1;
      const step = nextStep({ kind: 'timeout' }, attempt, t0, now, 0.5);
      if (step.kind !== 'retry') {
        expect(step.kind).toBe('failed');
        break;
      }
      now = step.at;
    }
    expect(now.getTime() - t0.getTime()).toBeGreaterThan(24 * 3600 * 1000);
    expect(now.getTime() - t0.getTime()).toBeLessThanOrEqual(RETRY_FOR_S * 1000);
  });

  it('a 2xx is delivered, a 404 fails at once, and Retry-After wins when longer', () => {
    expect(nextStep({ kind: 'response', statusCode: 204 }, 1, t0, t0, 0)).toEqual({ kind: 'delivered' });
    expect(nextStep({ kind: 'response', statusCode: 404 }, 1, t0, t0, 0)).toEqual({ kind: 'failed' });
    expect(nextStep({ kind: 'response', statusCode: 429, retryAfterS: 600 }, 1, t0, t0, 0)).toEqual({ kind: 'retry', at: plus(600) });
    expect(nextStep({ kind: 'response', statusCode: 429, retryAfterS: 1 }, 1, t0, t0, 0)).toEqual({ kind: 'retry', at: plus(15) });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120', t0)).toBe(120);
    expect(parseRetryAfter(plus(90).toUTCString(), t0)).toBe(90);
    expect(parseRetryAfter('soon', t0)).toBeNull();
    expect(parseRetryAfter(null, t0)).toBeNull();
  });

  it('disables an endpoint after N failed attempts in a row spread over a day', () => {
    expect(shouldDisableEndpoint(DISABLE_AFTER_CONSECUTIVE_FAILURES, t0, plus(24 * 3600))).toBe(true);
    expect(shouldDisableEndpoint(DISABLE_AFTER_CONSECUTIVE_FAILURES - 1, t0, plus(48 * 3600))).toBe(false);
    expect(shouldDisableEndpoint(DISABLE_AFTER_CONSECUTIVE_FAILURES * 5, t0, plus(3600))).toBe(false);
  });
});
