// A recently authenticated key is not looked up again, for at most AUTHENTICATED_KEY_TTL_MS, and forgetAll (a revoke
// or a client delete in this process) ends that at once.
import { describe, expect, it } from 'vitest';
import { AUTHENTICATED_KEY_TTL_MS, AuthenticatedKeys } from '../../src/store/repositories/authenticated-keys.js';

describe('AuthenticatedKeys', () => {
  it('keeps a lookup for the TTL and no longer', () => {
    let nowMs = 1_000;
    const keys = new AuthenticatedKeys(() => nowMs);
    expect(keys.get('digest')).toBeUndefined();
    keys.remember('digest', { clientId: 7, apiKeyId: 70 });
    expect(keys.get('digest')).toEqual({ clientId: 7, apiKeyId: 70 });
    nowMs += AUTHENTICATED_KEY_TTL_MS - 1;
    expect(keys.get('digest')).toEqual({ clientId: 7, apiKeyId: 70 });
    nowMs += 1;
    expect(keys.get('digest')).toBeUndefined();
  });

  it('forgets every key at once', () => {
    const keys = new AuthenticatedKeys(() => 0);
    keys.remember('a', { clientId: 1, apiKeyId: 10 });
    keys.remember('b', { clientId: 2, apiKeyId: 20 });
    keys.forgetAll();
    expect(keys.get('a')).toBeUndefined();
    expect(keys.get('b')).toBeUndefined();
  });
});
