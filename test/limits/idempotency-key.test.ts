import { describe, expect, it } from 'vitest';
import { isValidIdempotencyKey, judgeExistingKey, requestFingerprint } from '../../src/domain/limits/idempotency-key.js';

describe('Idempotency-Key rules', () => {
  it('accepts 1-255 printable ASCII characters only', () => {
    expect(isValidIdempotencyKey('a')).toBe(true);
    expect(isValidIdempotencyKey('order 42 / retry ~ ok')).toBe(true);
    expect(isValidIdempotencyKey('x'.repeat(255))).toBe(true);
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('x'.repeat(256))).toBe(false);
    expect(isValidIdempotencyKey('tab\there')).toBe(false);
    expect(isValidIdempotencyKey('clé')).toBe(false);
  });

  it('fingerprints method, path and body, each of which makes another request', () => {
    const base = requestFingerprint('POST', '/api/campaigns/voice', '{"a":1}');
    expect(requestFingerprint('post', '/api/campaigns/voice', '{"a":1}')).toBe(base);
    expect(requestFingerprint('PUT', '/api/campaigns/voice', '{"a":1}')).not.toBe(base);
    expect(requestFingerprint('POST', '/api/campaigns/voice/true', '{"a":1}')).not.toBe(base);
    expect(requestFingerprint('POST', '/api/campaigns/voice', '{"a":2}')).not.toBe(base);
  });

  it('judges a key already claimed: replay, mismatch or still in progress', () => {
    expect(judgeExistingKey({ requestHash: 'h', responseStatus: 201 }, 'h')).toBe('replay');
    expect(judgeExistingKey({ requestHash: 'h', responseStatus: null }, 'h')).toBe('in-progress');
    expect(judgeExistingKey({ requestHash: 'h', responseStatus: 201 }, 'other')).toBe('mismatch');
  });
});
