import { describe, it, expect } from 'vitest';
import { parseSipMessage } from '../../../src/telephony/sip/message/parser.js';
import { serializeSipMessage } from '../../../src/telephony/sip/message/serializer.js';
import { getHeader, getHeaders, type SipMessage } from '../../../src/telephony/sip/message/types.js';
import { loadSipFixture, loadSipFixtures } from './fixtures.js';

function mustParse(buf: Buffer): SipMessage {
  const r = parseSipMessage(buf);
  if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
  return r.message;
}

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'));

describe('SIP message round trips over fixtures', () => {
  const fixtures = loadSipFixtures();
  it('has the expected fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(11);
    for (const [, bytes] of fixtures) expect(bytes.includes('\r\n\r\n')).toBe(true);
  });
  for (const [name, bytes] of fixtures) {
    it(`parse -> serialize -> parse keeps the structure of ${name}`, () => {
      const first = mustParse(bytes);
      const second = mustParse(serializeSipMessage(first));
      expect(second).toEqual(first);
      expect(serializeSipMessage(second).equals(serializeSipMessage(first))).toBe(true);
    });
  }
  it('serialises an already canonical message byte for byte', () => {
    const bytes = loadSipFixture('invite-sdp.txt');
    expect(serializeSipMessage(mustParse(bytes)).equals(bytes)).toBe(true);
  });
});

describe('parseSipMessage', () => {
  it('parses an INVITE with an SDP body', () => {
    const m = mustParse(loadSipFixture('invite-sdp.txt'));
    expect(m.kind).toBe('request');
    if (m.kind !== 'request') return;
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:+4420791234@127.0.0.1:5070');
    expect(m.version).toBe('SIP/2.0');
    expect(getHeader(m.headers, 'content-type')).toBe('application/sdp');
    expect(m.body.toString()).toMatch(/^v=0\r\n/);
    expect(m.body.length).toBe(Number(getHeader(m.headers, 'Content-Length')));
  });

  it('parses status lines', () => {
    const m = mustParse(loadSipFixture('486-busy-here.txt'));
    expect(m.kind === 'response' && [m.status, m.reason]).toEqual([486, 'Busy Here']);
  });

  it('expands compact header names and unfolds continuation lines (7.3.1, 7.3.3)', () => {
    const m = mustParse(loadSipFixture('compact-folded.txt'));
    const names = m.headers.map(([n]) => n);
    expect(names).toEqual([
      'Via', 'Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Contact', 'Supported', 'Subject',
      'Content-Type', 'Content-Length',
    ]);
    expect(getHeaders(m.headers, 'v')).toEqual([
      'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8',
      'SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1',
    ]);
    expect(getHeader(m.headers, 'Supported')).toBe('timer, 100rel');
    expect(getHeader(m.headers, 's')).toBe('A call with a folded subject');
  });

  it('keeps comma-separated values as written', () => {
    const m = mustParse(loadSipFixture('200-ok-record-route.txt'));
    expect(getHeaders(m.headers, 'Record-Route')).toEqual([
      '<sip:10.0.0.5;lr;ftag=1928301774>',
      '<sip:[2001:db8::10]:5060;lr>, <sip:proxy2.example.com;lr;transport=tcp>',
    ]);
  });

  it('tolerates bare LF line endings and leading CRLFs', () => {
    const m = mustParse(Buffer.from('\r\n\r\nOPTIONS sip:a@b SIP/2.0\nCSeq: 1 OPTIONS\nContent-Length: 2\n\nhi'));
    expect(m.kind === 'request' && m.method).toBe('OPTIONS');
    expect(m.body.toString()).toBe('hi');
  });

  it('takes the body to the end of the datagram when Content-Length is absent (18.3)', () => {
    const m = mustParse(crlf('MESSAGE sip:a@b SIP/2.0\nCSeq: 1 MESSAGE\n\nhello'));
    expect(m.body.toString()).toBe('hello');
  });

  it('discards datagram bytes beyond Content-Length (18.3)', () => {
    const m = mustParse(crlf('MESSAGE sip:a@b SIP/2.0\nContent-Length: 3\n\nhello'));
    expect(m.body.toString()).toBe('hel');
  });

  it('rejects a body shorter than Content-Length as truncated', () => {
    const r = parseSipMessage(crlf('MESSAGE sip:a@b SIP/2.0\nContent-Length: 30\n\nhello'));
    expect(r.ok === false && r.code).toBe('truncated');
  });

  it('rejects bad or conflicting Content-Length', () => {
    for (const v of ['abc', '-1', '1.5', '99999999999']) {
      const r = parseSipMessage(crlf(`MESSAGE sip:a@b SIP/2.0\nContent-Length: ${v}\n\n`));
      expect(r.ok === false && r.code).toBe('bad-content-length');
    }
    const r = parseSipMessage(crlf('MESSAGE sip:a@b SIP/2.0\nContent-Length: 1\nl: 2\n\nab'));
    expect(r.ok === false && r.code).toBe('bad-content-length');
  });

  it('answers malformed start lines and headers with codes', () => {
    const cases: Array<[string, string]> = [
      ['INVITE sip:a@b\n\n', 'malformed-start-line'],
      ['INVITE  sip:a@b SIP/2.0\n\n', 'malformed-start-line'],
      ['SIP/2.0 99 Odd\n\n', 'malformed-start-line'],
      ['SIP/2.0 2000 OK\n\n', 'malformed-start-line'],
      ['HELLO world\n\n', 'malformed-start-line'],
      ['INVITE sip:a@b SIP/2.0\nNoColon\n\n', 'malformed-header'],
      ['INVITE sip:a@b SIP/2.0\n folded-first: x\n\n', 'malformed-header'],
      ['INVITE sip:a@b SIP/2.0\nBad Name: x\n\n', 'malformed-header'],
      ['INVITE sip:a@b SIP/2.0\nX: a\u0000b\n\n', 'malformed-header'],
      ['INVITE sip:a@b SIP/2.0\nVia: x\n', 'truncated'],
      ['', 'truncated'],
    ];
    for (const [text, code] of cases) {
      const r = parseSipMessage(crlf(text));
      expect([text, r.ok === false && r.code]).toEqual([text, code]);
    }
  });

  it('tells a control character in the start line from one in a header, a bare CR included', () => {
    const cases: Array<[string, string, string]> = [
      ['INVITE sip:a@b SIP/2.0\u0007\r\nX: 1\r\n\r\n', 'malformed-start-line', 'control character in start line'],
      ['INVITE sip:a@b SIP/2.0\r\nX: a\rb\r\n\r\n', 'malformed-header', 'control character in header'],
      ['INVITE sip:a@b SIP/2.0\r\nX: a\r\r\n\r\n', 'malformed-header', 'control character in header'],
      ['INVITE sip:a@b SIP/2.0\r\nX: a\u007f\r\n\r\n', 'malformed-header', 'control character in header'],
      // Lines are taken in order: a bad header is found when the next line begins, after that line's own check.
      ['INVITE sip:a@b SIP/2.0\r\nNoColon\r\nY: \u0001\r\n\r\n', 'malformed-header', 'control character in header'],
      ['INVITE sip:a@b SIP/2.0\r\nNoColon\r\nY: 1\r\n\r\n', 'malformed-header', 'header without a name: "NoColon"'],
    ];
    for (const [text, code, error] of cases) {
      const r = parseSipMessage(Buffer.from(text, 'latin1'));
      expect([text, r.ok === false && r.code, r.ok === false && r.error]).toEqual([text, code, error]);
    }
  });

  it('trims header names and values and unfolds continuations with SP and HT alike', () => {
    const m = mustParse(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nSubject \t:\t one  \r\n \t two\t\r\n\t three\r\nX:\r\nY:  \r\nZ: \r\n \r\n\r\n'));
    expect(m.headers).toEqual([['Subject', 'one two three'], ['X', ''], ['Y', ''], ['Z', '']]);
    // A bare LF ends lines as well as CRLF, in one message.
    const mixed = mustParse(Buffer.from('OPTIONS sip:a@b SIP/2.0\nA: 1\r\nB: 2\n\r\n'));
    expect(mixed.headers).toEqual([['A', '1'], ['B', '2']]);
  });

  it('keeps non-ASCII header text as UTF-8', () => {
    const m = mustParse(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nFrom: "Zoë Ångström" <sip:z@b>;tag=1\r\nContent-Length: 0\r\n\r\n'));
    expect(getHeader(m.headers, 'From')).toBe('"Zoë Ångström" <sip:z@b>;tag=1');
    expect(mustParse(serializeSipMessage(m))).toEqual(m);
  });

  it('empty reason phrase and empty header value round-trip', () => {
    const m = mustParse(crlf('SIP/2.0 200 \nSubject:\nContent-Length: 0\n\n'));
    expect(m.kind === 'response' && m.reason).toBe('');
    expect(mustParse(serializeSipMessage(m))).toEqual(m);
  });
});

describe('size caps', () => {
  const invite = loadSipFixture('invite-sdp.txt');
  it('rejects a message above maxMessageBytes', () => {
    const r = parseSipMessage(invite, { maxMessageBytes: invite.length - 1 });
    expect(r.ok === false && r.code).toBe('too-large');
    expect(parseSipMessage(invite, { maxMessageBytes: invite.length }).ok).toBe(true);
  });
  it('rejects a header section above maxHeaderBytes', () => {
    const r = parseSipMessage(invite, { maxHeaderBytes: 100 });
    expect(r.ok === false && r.code).toBe('too-large');
    const huge = Buffer.from('INVITE sip:a@b SIP/2.0\r\nX: ' + 'a'.repeat(20_000) + '\r\n\r\n');
    const r2 = parseSipMessage(huge);
    expect(r2.ok === false && r2.code).toBe('too-large');
  });
  it('rejects more than maxHeaders header fields', () => {
    const r = parseSipMessage(invite, { maxHeaders: 5 });
    expect(r.ok === false && r.code).toBe('too-many-headers');
    const many = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n' + 'X: 1\r\n'.repeat(101) + '\r\n');
    const r2 = parseSipMessage(many);
    expect(r2.ok === false && r2.code).toBe('too-many-headers');
  });
  it('rejects a default-size overflow (more than 65,535 bytes)', () => {
    const big = Buffer.concat([Buffer.from('MESSAGE sip:a@b SIP/2.0\r\n\r\n'), Buffer.alloc(70_000, 0x61)]);
    const r = parseSipMessage(big);
    expect(r.ok === false && r.code).toBe('too-large');
  });
});

describe('serializeSipMessage', () => {
  it('always writes the correct Content-Length, in place of any existing one', () => {
    const out = serializeSipMessage({
      kind: 'request', method: 'MESSAGE', uri: 'sip:a@b', version: 'SIP/2.0',
      headers: [['Content-Length', '99'], ['CSeq', '1 MESSAGE'], ['l', '7']],
      body: Buffer.from('héllo'),
    }).toString();
    expect(out).toBe('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 6\r\nCSeq: 1 MESSAGE\r\n\r\nhéllo');
  });
  it('appends Content-Length when missing', () => {
    const out = serializeSipMessage({
      kind: 'response', status: 100, reason: 'Trying', version: 'SIP/2.0', headers: [], body: Buffer.alloc(0),
    }).toString();
    expect(out).toBe('SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n');
  });
  it('names the field that holds a line break, wherever it is', () => {
    const base = { kind: 'request', method: 'OPTIONS', uri: 'sip:a@b', version: 'SIP/2.0', body: Buffer.alloc(0) } as const;
    expect(() => serializeSipMessage({ ...base, headers: [['X\n', 'v']] })).toThrow(/header name contains a line break/);
    expect(() => serializeSipMessage({ ...base, headers: [['A', '1'], ['X', 'v\r']] })).toThrow(/header value contains a line break: "v\\r"/);
    expect(() => serializeSipMessage({ ...base, uri: 'sip:a@b\r\nX: y', headers: [] })).toThrow(/start line contains a line break/);
    expect(() =>
      serializeSipMessage({ kind: 'response', status: 200, reason: 'O\nK', version: 'SIP/2.0', headers: [], body: Buffer.alloc(0) }),
    ).toThrow(/start line contains a line break/);
    // A Content-Length's own value is never written (the body's size is), so it cannot inject anything.
    const out = serializeSipMessage({ ...base, headers: [['Content-Length', '1\r\nX: y']], body: Buffer.from('ab') });
    expect(out.toString()).toBe('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nab');
  });
  it('writes a body after a head with non-ASCII text, byte for byte', () => {
    const body = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80]);
    const out = serializeSipMessage({ kind: 'request', method: 'MESSAGE', uri: 'sip:a@b', version: 'SIP/2.0', headers: [['Subject', 'Zoë']], body });
    expect(out.equals(Buffer.concat([Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nSubject: Zoë\r\nContent-Length: 5\r\n\r\n'), body]))).toBe(true);
  });
  it('refuses header values that would inject lines (a caller bug)', () => {
    expect(() =>
      serializeSipMessage({
        kind: 'response', status: 200, reason: 'OK', version: 'SIP/2.0', headers: [['X', 'a\r\nY: b']], body: Buffer.alloc(0),
      }),
    ).toThrow(TypeError);
  });
});
