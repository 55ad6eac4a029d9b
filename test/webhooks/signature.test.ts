import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { parseSignatureHeader, signatureHeader, signatureOf, verifySignature } from '../../src/webhooks/signature.js';

const body = '{"id":"e1","type":"call.completed"}';

describe('webhook signature', () => {
  it('is HMAC-SHA256 of "<t>.<body>" in hex, in the t=...,v1=... form', () => {
    const expected = createHmac('sha256', 'whsec_a').update(`1700000000.${body}`).digest('hex');
    expect(signatureOf('whsec_a', 1700000000, body)).toBe(expected);
    expect(signatureHeader(['whsec_a'], 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies within the replay window and refuses a stale timestamp, another secret or a changed body', () => {
    const header = signatureHeader(['whsec_a'], 1700000000, body);
    expect(verifySignature('whsec_a', header, body, 1700000100)).toEqual({ ok: true, timestampS: 1700000000 });
    expect(verifySignature('whsec_a', header, body, 1700000301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature('whsec_b', header, body, 1700000000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature('whsec_a', header, `${body} `, 1700000000)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('during a rotation carries two v1= entries and either secret verifies', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], 1700000000, body);
    expect(parseSignatureHeader(header)?.v1).toHaveLength(2);
    expect(verifySignature('whsec_new', header, body, 1700000000).ok).toBe(true);
    expect(verifySignature('whsec_old', header, body, 1700000000).ok).toBe(true);
  });

  it('reads malformed headers as malformed, never throws', () => {
    for (const header of ['', 't=abc,v1=00', 'v1=' + 'a'.repeat(64), 't=1', 'garbage', 't=1,v1=zz']) {
      expect(verifySignature('s', header, body, 1)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe("the README's receiver example", () => {
  it('verifies what Ringcast signs and refuses a wrong secret, a changed body and an old timestamp', async () => {
    const readme = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
    const section = readme.slice(readme.indexOf('## Webhooks'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    const { createHmac: hmac, timingSafeEqual } = await import('node:crypto');
    const body = code.replace(/^import .*$/m, '');
    const verify = new Function('createHmac', 'timingSafeEqual', `${body}; return verifyRingcast;`)(hmac, timingSafeEqual) as (
      secret: string,
      header: string,
      rawBody: string,
    ) => boolean;
    const nowS = Math.floor(Date.now() / 1000);
    const raw = '{"id":"x"}';
    const header = signatureHeader(['whsec_new', 'whsec_old'], nowS, raw);
    expect(verify('whsec_new', header, raw)).toBe(true);
    expect(verify('whsec_old', header, raw)).toBe(true);
    expect(verify('whsec_other', header, raw)).toBe(false);
    expect(verify('whsec_new', header, `${raw} `)).toBe(false);
    expect(verify('whsec_new', signatureHeader(['whsec_new'], nowS - 301, raw), raw)).toBe(false);
    expect(verify('whsec_new', 't=1,v1=zz', raw)).toBe(false);
  });
});
