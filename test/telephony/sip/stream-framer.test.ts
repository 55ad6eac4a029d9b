import { describe, it, expect } from 'vitest';
import { parseSipMessage, type SipParseResult } from '../../../src/telephony/sip/message/parser.js';
import { SipStreamFramer } from '../../../src/telephony/sip/message/stream-framer.js';
import type { SipMessage } from '../../../src/telephony/sip/message/types.js';
import { loadSipFixture } from './fixtures.js';

const invite = loadSipFixture('invite-sdp.txt');
const ringing = loadSipFixture('180-ringing.txt');

function messages(results: SipParseResult[]): SipMessage[] {
  return results.map((r) => {
    if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
    return r.message;
  });
}

function expected(buf: Buffer): SipMessage {
  const r = parseSipMessage(buf);
  if (!r.ok) throw new Error(r.error);
  return r.message;
}

describe('SipStreamFramer (RFC 3261 18.3)', () => {
  it('frames a message split at every byte offset', () => {
    const stream = Buffer.concat([invite, ringing]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new SipStreamFramer();
      const out = messages([...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))]);
      expect(out).toEqual([expected(invite), expected(ringing)]);
      expect(f.bufferedBytes).toBe(0);
    }
  });

  it('frames a message fed one byte at a time', () => {
    const f = new SipStreamFramer();
    const out: SipParseResult[] = [];
    for (const byte of invite) out.push(...f.push(Buffer.from([byte])));
    expect(messages(out)).toEqual([expected(invite)]);
  });

  it('returns two messages from one chunk, in order', () => {
    const f = new SipStreamFramer();
    expect(messages(f.push(Buffer.concat([ringing, invite])))).toEqual([expected(ringing), expected(invite)]);
  });

  it('skips CRLF keepalives between messages (RFC 5626 3.5.1)', () => {
    const f = new SipStreamFramer();
    const ka = Buffer.from('\r\n\r\n');
    const pong = Buffer.from('\r\n');
    const out = messages([
      ...f.push(ka),
      ...f.push(Buffer.concat([invite, ka, pong])),
      ...f.push(ka),
      ...f.push(ringing),
    ]);
    expect(out).toEqual([expected(invite), expected(ringing)]);
    expect(f.keepalivesSkipped).toBeGreaterThan(0);
    expect(f.bufferedBytes).toBe(0);
  });

  it('requires Content-Length on a stream and stops after an error', () => {
    const f = new SipStreamFramer();
    const out = f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n'));
    expect(out).toHaveLength(1);
    expect(out[0]?.ok === false && out[0].code).toBe('bad-content-length');
    expect(f.failed).toBe(true);
    expect(f.push(invite)).toEqual([]);
  });

  it('delivers messages before an error in the same chunk', () => {
    const f = new SipStreamFramer();
    const out = f.push(Buffer.concat([invite, Buffer.from('garbage line\r\n\r\n')]));
    expect(out.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'malformed-start-line']);
  });

  it('caps buffered bytes: an endless header section', () => {
    const f = new SipStreamFramer({ maxHeaderBytes: 1024 });
    const out: SipParseResult[] = [];
    out.push(...f.push(Buffer.from('INVITE sip:a@b SIP/2.0\r\n')));
    for (let i = 0; i < 100 && out.length === 0; i++) out.push(...f.push(Buffer.from('X-Pad: aaaaaaaaaaaaaaaaaaaa\r\n')));
    expect(out.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['too-large']);
    expect(f.bufferedBytes).toBe(0);
  });

  it('caps the declared message size before buffering the body', () => {
    const f = new SipStreamFramer({ maxMessageBytes: 4096 });
    const out = f.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1000000\r\n\r\nabc'));
    expect(out.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['too-large']);
  });

  it('caps buffered bytes with maxBufferedBytes', () => {
    const f = new SipStreamFramer({ maxBufferedBytes: invite.length - 1 });
    const out = f.push(invite);
    expect(out.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['too-large']);
  });
});
