// message/sipfrag bodies (RFC 3420) as REFER's NOTIFYs carry them: the status line, or an error result, never a throw.
import { describe, expect, it } from 'vitest';
import { isSipfragContentType, parseSipfragStatus } from '../../../src/telephony/sip/message/sipfrag.js';

describe('parseSipfragStatus', () => {
  it.each([
    ['SIP/2.0 100 Trying\r\n', 100, 'Trying'],
    ['SIP/2.0 180 Ringing', 180, 'Ringing'],
    ['SIP/2.0 200 OK\r\nContact: <sip:x@example.com>\r\n\r\n', 200, 'OK'],
    ['\r\nSIP/2.0 486 Busy Here\n', 486, 'Busy Here'],
    ['sip/2.0 603 Decline', 603, 'Decline'],
    ['SIP/2.0 503', 503, ''],
    ['SIP/2.0   404   Not  Found  ', 404, 'Not  Found'],
  ])('reads %j', (body, status, reason) => {
    expect(parseSipfragStatus(Buffer.from(body))).toEqual({ ok: true, value: { version: 'SIP/2.0', status, reason } });
    expect(parseSipfragStatus(body)).toMatchObject({ ok: true, value: { status } });
  });

  it.each([
    ['garbage', 'hello there'],
    ['a request line', 'INVITE sip:bob@example.com SIP/2.0\r\n'],
    ['headers only', 'Contact: <sip:x@example.com>\r\n'],
    ['a code out of range', 'SIP/2.0 700 Nope'],
    ['a short code', 'SIP/2.0 20 OK'],
    ['no version', '200 OK'],
    ['blank lines', '\r\n\r\n  \r\n'],
    ['binary', '\u0000\u0001\u00ff\ufffd'],
  ])('refuses %s', (_what, body) => {
    const result = parseSipfragStatus(Buffer.from(body, 'utf8'));
    expect(result.ok).toBe(false);
  });

  it('refuses a missing or empty body, and a huge one, without throwing', () => {
    expect(parseSipfragStatus(undefined)).toEqual({ ok: false, error: 'no body' });
    expect(parseSipfragStatus(null)).toEqual({ ok: false, error: 'no body' });
    expect(parseSipfragStatus(Buffer.alloc(0))).toEqual({ ok: false, error: 'empty body' });
    expect(parseSipfragStatus('')).toEqual({ ok: false, error: 'empty body' });
    expect(parseSipfragStatus(Buffer.alloc(1_000_000, 0x41)).ok).toBe(false);
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(Array.from({ length: i % 64 }, (_, j) => (i * 31 + j * 17) % 256));
      expect(() => parseSipfragStatus(bytes)).not.toThrow();
    }
  });
});

describe('isSipfragContentType', () => {
  it('matches message/sipfrag with or without parameters, in any case', () => {
    expect(isSipfragContentType('message/sipfrag')).toBe(true);
    expect(isSipfragContentType('Message/SipFrag;version=2.0')).toBe(true);
    expect(isSipfragContentType(' message/sipfrag ; version=2.0')).toBe(true);
    expect(isSipfragContentType('application/sdp')).toBe(false);
    expect(isSipfragContentType(undefined)).toBe(false);
  });
});
