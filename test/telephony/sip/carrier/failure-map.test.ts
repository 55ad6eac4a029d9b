import { describe, expect, it } from 'vitest';
import { failureForStatus, isTrunkFailure } from '../../../../src/telephony/sip/carrier/failure-map.js';

describe('SIP final responses as call outcomes', () => {
  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [408, 'no_answer'],
    [480, 'no_answer'],
    [487, 'no_answer'],
    [603, 'rejected'],
    [404, 'invalid_number'],
    [484, 'invalid_number'],
    [604, 'invalid_number'],
    [403, 'failed'],
    [500, 'failed'],
    [503, 'failed'],
    [488, 'failed'],
  ] as const)('%i is %s', (status, failure) => {
    expect(failureForStatus(status)).toBe(failure);
  });

  it('tries another trunk only for trunk-side failures', () => {
    expect([500, 502, 503, 504].every(isTrunkFailure)).toBe(true);
    expect([486, 404, 603, 480, 403].some(isTrunkFailure)).toBe(false);
  });
});
