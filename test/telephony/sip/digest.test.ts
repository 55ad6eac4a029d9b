import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildDigestAuthorization,
  computeDigestResponse,
  DigestNonceCounter,
  formatNonceCount,
  parseDigestChallenge,
  selectDigestChallenge,
  selectDigestChallengesByRealm,
} from '../../../src/telephony/sip/auth/digest.js';
import { parseSipMessage } from '../../../src/telephony/sip/message/parser.js';
import { getHeader } from '../../../src/telephony/sip/message/types.js';
import { loadSipFixture } from './fixtures.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** Reads `name="value"` or `name=value` from an Authorization value. */
function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[ ,])${name}=(?:"([^"]*)"|([^,\\s]+))`).exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

describe('parseDigestChallenge (RFC 2617 section 3.2.1)', () => {
  it('reads the challenge of a captured 401', () => {
    const parsed = parseSipMessage(loadSipFixture('401-www-authenticate.txt'));
    if (!parsed.ok) throw new Error(parsed.error);
    const value = getHeader(parsed.message.headers, 'WWW-Authenticate') ?? '';
    expect(ok(parseDigestChallenge(value))).toEqual({
      realm: 'sip.example.com', nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359', opaque: '', algorithm: 'MD5', qop: ['auth'], stale: false,
    });
  });

  it('reads MD5-sess, SHA-256, qop lists, stale=true, escaped quotes, and defaults to MD5', () => {
    expect(ok(parseDigestChallenge('Digest realm="a", nonce="n", algorithm=MD5-sess, qop="auth,auth-int", stale=true'))).toMatchObject({
      algorithm: 'MD5-sess', qop: ['auth', 'auth-int'], stale: true,
    });
    expect(ok(parseDigestChallenge('digest realm="r \\"x\\"",nonce=abc,algorithm=sha-256')).realm).toBe('r "x"');
    expect(ok(parseDigestChallenge('Digest realm="r",nonce=abc,algorithm=sha-256')).algorithm).toBe('SHA-256');
    expect(ok(parseDigestChallenge('Digest realm="r", nonce="abc"'))).toEqual({ realm: 'r', nonce: 'abc', algorithm: 'MD5', qop: [], stale: false });
  });

  it('rejects other schemes, unknown algorithms and missing nonce, without throwing', () => {
    expect(parseDigestChallenge('Basic realm="x"').ok).toBe(false);
    expect(parseDigestChallenge('Digest realm="x", nonce="n", algorithm=SHA-512-256').ok).toBe(false);
    expect(parseDigestChallenge('Digest realm="x"').ok).toBe(false);
    expect(parseDigestChallenge('Digest realm="x, nonce=').ok).toBe(false);
    for (const junk of ['', ',,,', '=', 'Digest =', '"', 'Digest realm', 'x'.repeat(10_000)]) {
      expect(() => parseDigestChallenge(junk)).not.toThrow();
    }
  });

  it('takes the first challenge it can answer, per realm (RFC 8760 section 2.4)', () => {
    const values = ['Digest realm="a", nonce="1", algorithm=SHA-512-256', 'Digest realm="a", nonce="2", algorithm=SHA-256', 'Digest realm="a", nonce="3"'];
    expect(ok(selectDigestChallenge(values)).nonce).toBe('2');
    const two = selectDigestChallengesByRealm(['Digest realm="a", nonce="1", Digest realm="b", nonce="2"', 'Digest realm="a", nonce="3"']);
    expect(two.map((c) => [c.realm, c.nonce])).toEqual([['a', '1'], ['b', '2']]);
  });
});

describe('Digest responses', () => {
  it('matches the worked example of RFC 2617 section 3.5', () => {
    const challenge = ok(parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    ));
    const value = buildDigestAuthorization({
      challenge, username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', cnonce: '0a4f113b', nonceCount: 1,
    });
    expect(param(value, 'response')).toBe('6629fae49393a05397450978507c4ef1');
    expect(value).toBe(
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", ' +
        'response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001',
    );
  });

  it('matches the SHA-256 and MD5 examples of RFC 7616 section 3.9.1', () => {
    const base = 'Digest realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaR5x2x1e9M7z3jJ4Q0zmLkXGzzZw7x3qKBOHwtkMpQ9Jz5kq2h6AxUOu6W5xL3SH6"';
    const input = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', nonceCount: 1, qop: 'auth' as const };
    expect(computeDigestResponse({ ...input, challenge: ok(parseDigestChallenge(`${base}, algorithm=SHA-256`)) })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
    expect(computeDigestResponse({ ...input, challenge: ok(parseDigestChallenge(`${base}, algorithm=MD5`)) })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('answers a challenge without qop the RFC 2069 way: no cnonce, no nc', () => {
    const challenge = ok(parseDigestChallenge('Digest realm="sip.example.com", nonce="abc"'));
    const value = buildDigestAuthorization({ challenge, username: 'u', password: 'p', method: 'INVITE', uri: 'sip:1@x' });
    expect(value).not.toMatch(/cnonce|nc=|qop=/);
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const expected = md5(`${md5('u:sip.example.com:p')}:abc:${md5('INVITE:sip:1@x')}`);
    expect(param(value, 'response')).toBe(expected);
  });

  it('uses the body for auth-int and the cnonce in HA1 for -sess', () => {
    const intOnly = ok(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"'));
    const a = buildDigestAuthorization({ challenge: intOnly, username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x', body: 'v=0', cnonce: 'c' });
    const b = buildDigestAuthorization({ challenge: intOnly, username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x', body: 'v=1', cnonce: 'c' });
    expect(param(a, 'qop')).toBe('auth-int');
    expect(param(a, 'response')).not.toBe(param(b, 'response'));
    const sess = ok(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess'));
    const c1 = buildDigestAuthorization({ challenge: sess, username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x', cnonce: 'c1' });
    const c2 = buildDigestAuthorization({ challenge: sess, username: 'u', password: 'p', method: 'INVITE', uri: 'sip:x', cnonce: 'c2' });
    expect(param(c1, 'algorithm')).toBe('MD5-sess');
    expect(param(c1, 'response')).not.toBe(param(c2, 'response'));
  });

  it('counts uses of a nonce as 8 hex digits', () => {
    const counter = new DigestNonceCounter(2);
    expect([counter.next('a'), counter.next('a'), counter.next('b'), counter.next('a')]).toEqual([1, 2, 1, 3]);
    counter.next('c'); // forgets the oldest, b
    expect(counter.next('b')).toBe(1);
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(255)).toBe('000000ff');
  });
});
