// RTP packets (RFC 3550 section 5.1): round trips of every header feature, a captured packet byte for byte, and
// malformed input of every kind answered with an error code, never a throw.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket, type RtpPacketInit } from '../../src/media/rtp/rtp-packet.js';

const capturedDtmf = readFileSync(new URL('../fixtures/rtp/sipp-dtmf-2833-1.hex', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => Uint8Array.from(Buffer.from(line, 'hex')));

function parsed(bytes: Uint8Array): RtpPacket {
  const result = parseRtpPacket(bytes);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.packet;
}

/** A small deterministic generator (xorshift32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

describe('parseRtpPacket', () => {
  it('reads a captured packet (sipp, RFC 4733 event, marker set)', () => {
    const packet = parsed(capturedDtmf[0]!);
    expect(packet).toMatchObject({
      marker: true,
      payloadType: 101,
      sequenceNumber: 0x1f30,
      timestamp: 0x33e0,
      ssrc: 0x0e05384e,
      csrcs: [],
      paddingBytes: 0,
    });
    expect(Array.from(packet.payload)).toEqual([0x01, 0x0a, 0x00, 0x00]);
    expect(packet.extension).toBeUndefined();
    expect(parsed(capturedDtmf[1]!).marker).toBe(false);
  });

  it('serialises the captured packets back to the same bytes', () => {
    for (const bytes of capturedDtmf) expect(serializeRtpPacket(parsed(bytes))).toEqual(bytes);
  });

  it('round-trips CSRCs, a header extension, padding and the extreme field values', () => {
    const init: RtpPacketInit = {
      marker: true,
      payloadType: 127,
      sequenceNumber: 0xffff,
      timestamp: 0xffffffff,
      ssrc: 0x80000001,
      csrcs: Array.from({ length: 15 }, (_, i) => 0x01010101 * (i + 1)),
      extension: { profile: 0xbede, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
      payload: Uint8Array.from({ length: 160 }, (_, i) => i),
      paddingBytes: 3,
    };
    const bytes = serializeRtpPacket(init);
    expect(bytes).toHaveLength(12 + 15 * 4 + 4 + 8 + 160 + 3);
    expect(bytes[0]).toBe(0b1011_1111); // V=2, P, X, CC=15
    expect(bytes[bytes.length - 1]).toBe(3);
    // The padding before its count is zeros (the packet's memory comes from Node's pool, not zero-filled).
    expect(Array.from(bytes.subarray(-3, -1))).toEqual([0, 0]);
    const packet = parsed(bytes);
    expect(packet).toMatchObject({ marker: true, payloadType: 127, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 0x80000001, paddingBytes: 3 });
    expect(packet.csrcs).toEqual(init.csrcs);
    expect(packet.extension?.profile).toBe(0xbede);
    expect(Array.from(packet.extension!.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(packet.payload)).toEqual(Array.from(init.payload));
    expect(serializeRtpPacket(packet)).toEqual(bytes);
  });

  it('accepts an empty payload and an empty extension', () => {
    const packet = parsed(serializeRtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, extension: { profile: 1, data: new Uint8Array(0) }, payload: new Uint8Array(0) }));
    expect(packet.payload).toHaveLength(0);
    expect(packet.extension?.data).toHaveLength(0);
  });

  it('answers truncated and malformed packets with a code', () => {
    const good = serializeRtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: new Uint8Array(4) });
    const withFlags = (flags: number, bytes = good) => Uint8Array.from(bytes, (byte, i) => (i === 0 ? flags : byte));
    const cases: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'RTP_TOO_SHORT'],
      ['11 bytes', good.subarray(0, 11), 'RTP_TOO_SHORT'],
      ['version 1', withFlags(0x40), 'RTP_BAD_VERSION'],
      ['version 0 (e.g. STUN)', withFlags(0x00), 'RTP_BAD_VERSION'],
      ['15 CSRCs announced, one present', withFlags(0x8f), 'RTP_CSRC_TRUNCATED'],
      ['extension without its header', withFlags(0x90, good.subarray(0, 14)), 'RTP_EXTENSION_TRUNCATED'],
      ['padding count 0', withFlags(0xa0, Uint8Array.from([...good.subarray(0, 15), 0])), 'RTP_BAD_PADDING'],
      ['padding longer than the packet body', withFlags(0xa0, Uint8Array.from([...good.subarray(0, 15), 5])), 'RTP_BAD_PADDING'],
    ];
    const longExtension = Uint8Array.from([0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0x00, 0x10, 1, 2, 3, 4]);
    cases.push(['extension longer than the packet', longExtension, 'RTP_EXTENSION_TRUNCATED']);
    for (const [name, bytes, code] of cases) {
      const result = parseRtpPacket(bytes);
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.code, name).toBe(code);
    }
  });

  it('padding may take the whole body after the header', () => {
    const bytes = Uint8Array.from([0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
    const packet = parsed(bytes);
    expect(packet.payload).toHaveLength(0);
    expect(packet.paddingBytes).toBe(4);
  });

  it('reads packets inside a larger buffer (a Node Buffer from the pool) at their own offset', () => {
    const pool = new Uint8Array(64);
    pool.set(capturedDtmf[7]!, 17);
    const packet = parsed(pool.subarray(17, 17 + capturedDtmf[7]!.length));
    expect(packet.sequenceNumber).toBe(0x1f37);
    expect(Array.from(packet.payload)).toEqual([0x01, 0x8a, 0x08, 0xc0]);
  });

  it('never throws on random bytes, nor on random corruptions of valid packets (fuzz)', () => {
    const next = random(20240601);
    const base = serializeRtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [7, 8], extension: { profile: 1, data: new Uint8Array(4) }, payload: new Uint8Array(20), paddingBytes: 2 });
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = Uint8Array.from({ length: Math.floor(next() * 80) }, () => Math.floor(next() * 256));
      } else {
        bytes = base.slice(0, Math.floor(next() * (base.length + 1)));
        for (let flips = 0; flips < 3 && bytes.length > 0; flips++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      }
      const result = parseRtpPacket(bytes);
      if (result.ok) {
        accepted++;
        const { payload, paddingBytes, extension, csrcs } = result.packet;
        const headerBytes = 12 + csrcs.length * 4 + (extension ? 4 + extension.data.length : 0);
        expect(headerBytes + payload.length + paddingBytes).toBe(bytes.length);
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('serializeRtpPacket', () => {
  it('throws RangeError for values our own code must never produce', () => {
    const base = { payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: new Uint8Array(0) };
    expect(() => serializeRtpPacket({ ...base, payloadType: 128 })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, sequenceNumber: 65536 })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, timestamp: -1 })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, csrcs: new Array(16).fill(0) })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, extension: { profile: 0, data: new Uint8Array(3) } })).toThrow(RangeError);
  });
});
