import { describe, it, expect } from 'vitest';
import { parseSipMessage, type SipParseResult } from '../../../src/telephony/sip/message/parser.js';
import { serializeSipMessage } from '../../../src/telephony/sip/message/serializer.js';
import { SipStreamFramer } from '../../../src/telephony/sip/message/stream-framer.js';
import { getHeaders, headerNamesEqual, type SipMessage } from '../../../src/telephony/sip/message/types.js';
import { parseCSeq, parseNameAddrList, parseSipUri, parseVia } from '../../../src/telephony/sip/message/headers.js';
import { loadSipFixtures } from './fixtures.js';

const CODES = new Set(['too-large', 'malformed-start-line', 'malformed-header', 'too-many-headers', 'bad-content-length', 'truncated']);

/** xorshift32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const INTERESTING = ['\r\n', '\n', '\r', ' ', '\t', ':', ';', ',', '<', '>', '"', '\\', '@', '[', ']', '=', '\0', 'SIP/2.0', 'Content-Length: ', 'l: 99999', 'v: ', '\r\n\r\n', '\u00ff', '9999999999'];

function mutate(input: Buffer, rand: () => number): Buffer {
  const bytes = [...input];
  const ops = 1 + Math.floor(rand() * 8);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rand() * (bytes.length + 1));
    const op = Math.floor(rand() * 6);
    if (op === 0 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(rand() * 256);
    else if (op === 1) bytes.splice(at, 1 + Math.floor(rand() * 16));
    else if (op === 2) bytes.splice(at, 0, ...Buffer.from(INTERESTING[Math.floor(rand() * INTERESTING.length)] ?? ''));
    else if (op === 3) bytes.length = at;
    else if (op === 4) {
      const from = Math.floor(rand() * bytes.length);
      bytes.splice(at, 0, ...bytes.slice(from, from + Math.floor(rand() * 64)));
    } else bytes.splice(at, 0, Math.floor(rand() * 256));
  }
  return Buffer.from(bytes);
}

/** The serializer rewrites Content-Length (and adds it when absent); everything else must survive. */
function withoutContentLength(m: SipMessage): SipMessage {
  return { ...m, headers: m.headers.filter(([n]) => !headerNamesEqual(n, 'Content-Length')) };
}

function checkResult(r: SipParseResult): void {
  if (r.ok) {
    // A message we accepted must serialise and parse again.
    const again = parseSipMessage(serializeSipMessage(r.message), { maxMessageBytes: 1 << 20, maxHeaderBytes: 1 << 20 });
    expect(again.ok).toBe(true);
    if (again.ok) expect(withoutContentLength(again.message)).toEqual(withoutContentLength(r.message));
    // Header parsers must not throw either.
    parseVia(getHeaders(r.message.headers, 'Via'));
    parseNameAddrList(getHeaders(r.message.headers, 'Record-Route'));
    for (const v of getHeaders(r.message.headers, 'CSeq')) parseCSeq(v);
    if (r.message.kind === 'request') parseSipUri(r.message.uri);
  } else {
    expect(CODES.has(r.code)).toBe(true);
    // The parser's last-resort catch must never be what answered.
    expect(r.error).not.toMatch(/^internal/);
    expect(typeof r.error).toBe('string');
  }
}

describe('SIP parser fuzzing', () => {
  const seeds = loadSipFixtures().map(([, b]) => b);

  it('never throws on 6,000 mutated and random inputs (seed 0x5eed)', () => {
    const rand = prng(0x5eed);
    const tally = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      let input: Buffer;
      if (i % 5 === 0) {
        input = Buffer.alloc(Math.floor(rand() * 512));
        for (let j = 0; j < input.length; j++) input[j] = Math.floor(rand() * 256);
      } else {
        input = mutate(seeds[i % seeds.length] ?? Buffer.alloc(0), rand);
      }
      let r: SipParseResult | undefined;
      try {
        r = parseSipMessage(input, i % 7 === 0 ? { maxHeaders: 5, maxHeaderBytes: 300, maxMessageBytes: 600 } : undefined);
      } catch (err) {
        throw new Error(`input #${i} threw: ${String(err)}; ${JSON.stringify(input.toString('latin1'))}`);
      }
      checkResult(r);
      const key = r.ok ? 'ok' : r.code;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    // The mutations reach both accepting and rejecting paths.
    expect(tally.get('ok') ?? 0).toBeGreaterThan(100);
    expect(tally.size).toBeGreaterThan(3);
  });

  it('never throws when 1,000 mutated streams are fed to the framer in random chunks', () => {
    const rand = prng(0xf00d);
    for (let i = 0; i < 1000; i++) {
      const stream = Buffer.concat([
        mutate(seeds[i % seeds.length] ?? Buffer.alloc(0), rand),
        Buffer.from('\r\n\r\n'),
        seeds[(i + 3) % seeds.length] ?? Buffer.alloc(0),
      ]);
      const f = new SipStreamFramer({ maxMessageBytes: 2048 });
      let offset = 0;
      while (offset < stream.length) {
        const n = 1 + Math.floor(rand() * 300);
        for (const r of f.push(stream.subarray(offset, offset + n))) checkResult(r);
        offset += n;
      }
      expect(f.bufferedBytes).toBeLessThanOrEqual(2048);
    }
  });
});
