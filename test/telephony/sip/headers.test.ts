import { describe, it, expect } from 'vitest';
import {
  formatSipUri,
  getParam,
  parseContact,
  parseCSeq,
  parseFromTo,
  parseNameAddr,
  parseNameAddrList,
  parseSipUri,
  parseVia,
} from '../../../src/telephony/sip/message/headers.js';
import { parseSipMessage } from '../../../src/telephony/sip/message/parser.js';
import { getHeader, getHeaders, headerNamesEqual, splitHeaderValues } from '../../../src/telephony/sip/message/types.js';
import { loadSipFixture } from './fixtures.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('parseSipUri (19.1.1)', () => {
  it('parses user, host, port and uri parameters', () => {
    const u = ok(parseSipUri('sip:+4420791234@127.0.0.1:5070;transport=udp;lr'));
    expect(u).toEqual({
      scheme: 'sip', user: '+4420791234', host: '127.0.0.1', port: 5070,
      params: [['transport', 'udp'], ['lr', null]],
    });
    expect(getParam(u.params, 'LR')).toBeNull();
  });
  it('parses sips, passwords, IPv6 references and URI headers', () => {
    expect(ok(parseSipUri('SIPS:alice:secret@[2001:db8::1]:5061?subject=x'))).toEqual({
      scheme: 'sips', user: 'alice', password: 'secret', host: '2001:db8::1', port: 5061, params: [], headers: 'subject=x',
    });
    expect(ok(parseSipUri('sip:[::1]')).host).toBe('::1');
    expect(ok(parseSipUri('sip:proxy.example.com')).port).toBeUndefined();
  });
  it('formats back to the same text', () => {
    for (const t of ['sip:a@[2001:db8::1]:5060;lr', 'sips:b:p@host.example;transport=tls?x=y', 'sip:10.0.0.1']) {
      expect(formatSipUri(ok(parseSipUri(t)))).toBe(t);
    }
  });
  it('answers bad URIs with an error', () => {
    for (const t of ['tel:+123', 'sip:', 'sip:@host', 'sip:a@[::1', 'sip:a@host:99999', 'sip:a@host:x', 'sip:a@ho st', 'sip:a@h;=1', 'sip:a@[zz]']) {
      expect([t, parseSipUri(t).ok]).toEqual([t, false]);
    }
  });
});

describe('name-addr headers (20.10, 20.20, 20.39)', () => {
  it('parses From with a quoted display name and tag', () => {
    const f = ok(parseFromTo('"Ringcast \\"Out\\"" <sip:+4420790000@127.0.0.1>;tag=1928301774'));
    expect(f.displayName).toBe('Ringcast "Out"');
    expect(f.tag).toBe('1928301774');
    expect(f.uri.user).toBe('+4420790000');
  });
  it('parses token display names and bare addr-spec (params belong to the header)', () => {
    const t = ok(parseFromTo('Bob <sip:bob@biloxi.example.com>'));
    expect([t.displayName, t.tag]).toEqual(['Bob', undefined]);
    const bare = ok(parseNameAddr('sip:bob@biloxi.example.com;tag=abc'));
    expect(bare.uri.params).toEqual([]);
    expect(getParam(bare.params, 'tag')).toBe('abc');
  });
  it('keeps URI parameters inside <> apart from header parameters', () => {
    const c = ok(parseNameAddr('<sip:a@b;transport=tcp>;expires=60;q=0.5'));
    expect(c.uri.params).toEqual([['transport', 'tcp']]);
    expect(c.params).toEqual([['expires', '60'], ['q', '0.5']]);
    expect(c.uriText).toBe('sip:a@b;transport=tcp');
  });
  it('parses Record-Route lists from several lines and values', () => {
    const m = parseSipMessage(loadSipFixture('200-ok-record-route.txt'));
    if (!m.ok) throw new Error(m.error);
    const rr = ok(parseNameAddrList(getHeaders(m.message.headers, 'Record-Route')));
    expect(rr.map((r) => [r.uri.host, r.uri.port, getParam(r.uri.params, 'lr')])).toEqual([
      ['10.0.0.5', undefined, null],
      ['2001:db8::10', 5060, null],
      ['proxy2.example.com', undefined, null],
    ]);
  });
  it('parses Contact including "*"', () => {
    expect(ok(parseContact('*'))).toBe('star');
    const c = ok(parseContact('"A, B" <sip:a@b>, <sip:c@d>'));
    expect(c !== 'star' && c.map((x) => x.displayName ?? x.uri.user)).toEqual(['A, B', 'c']);
  });
  it('answers malformed name-addrs with an error', () => {
    for (const t of ['"unterminated <sip:a@b>', '<sip:a@b', 'Bob sip:a@b', '"A" x <sip:a@b>', '<http://x>', '<sip:a@b>;', '<sip:a@b>garbage', 'Bo@b <sip:a@b>']) {
      expect([t, parseNameAddr(t).ok]).toEqual([t, false]);
    }
  });
});

describe('parseVia (20.42, RFC 3581)', () => {
  it('parses sent-by, branch, received and rport', () => {
    const [v] = ok(parseVia('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK776asdhds;rport=5062;received=10.1.1.1'));
    expect(v).toMatchObject({
      protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '127.0.0.1', port: 5060,
      branch: 'z9hG4bK776asdhds', rport: 5062, received: '10.1.1.1',
    });
    const [r] = ok(parseVia('SIP / 2.0 / tcp [2001:db8::1];rport;branch=z9hG4bKx'));
    expect(r).toMatchObject({ transport: 'TCP', host: '2001:db8::1', rport: true, branch: 'z9hG4bKx' });
    expect(r?.port).toBeUndefined();
  });
  it('parses several Via values in one header and across lines', () => {
    const m = parseSipMessage(loadSipFixture('compact-folded.txt'));
    if (!m.ok) throw new Error(m.error);
    const vias = ok(parseVia(getHeaders(m.message.headers, 'Via')));
    expect(vias.map((v) => v.host)).toEqual(['pc33.atlanta.example.com', 'bigbox3.site3.atlanta.example.com']);
    const two = ok(parseVia('SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/UDP b.example:5070;branch=z9hG4bK2'));
    expect(two.map((v) => [v.host, v.port, v.branch])).toEqual([
      ['a.example', undefined, 'z9hG4bK1'],
      ['b.example', 5070, 'z9hG4bK2'],
    ]);
  });
  it('answers malformed Via with an error', () => {
    for (const t of ['', 'SIP/2.0 host', 'SIP/2.0/UDP', 'SIP/2.0/UDP host:port', 'SIP/2.0/UDP host;rport=abc', 'SIP/2.0/UDP host;rport=70000', 'SIP/2.0/UDP [::1;branch=x']) {
      expect([t, parseVia(t).ok]).toEqual([t, false]);
    }
  });
});

describe('parseCSeq (20.16)', () => {
  it('parses number and method', () => {
    expect(ok(parseCSeq('314159 INVITE'))).toEqual({ seq: 314159, method: 'INVITE' });
    expect(ok(parseCSeq(' 1   OPTIONS '))).toEqual({ seq: 1, method: 'OPTIONS' });
  });
  it('answers malformed CSeq with an error', () => {
    for (const t of ['', 'INVITE', '1', '-1 INVITE', '2147483648 INVITE', '1 IN VITE', 'x INVITE']) {
      expect([t, parseCSeq(t).ok]).toEqual([t, false]);
    }
  });
});

describe('header list helpers', () => {
  it('looks names up case-insensitively and by compact form', () => {
    const headers: Array<[string, string]> = [['Call-ID', 'x'], ['via', 'a'], ['Via', 'b']];
    expect(getHeader(headers, 'i')).toBe('x');
    expect(getHeader(headers, 'CALL-id')).toBe('x');
    expect(getHeaders(headers, 'V')).toEqual(['a', 'b']);
  });
  it('compares names the same once more spellings have been seen than it remembers', () => {
    // 2,000 spellings of made-up headers (a peer may send any): past the remembered ones, keys are computed afresh.
    for (let i = 0; i < 2000; i++) expect(headerNamesEqual(`X-Header-${i}`, `x-HEADER-${i}`)).toBe(true);
    expect(headerNamesEqual('X-Header-1999', 'X-Header-1998')).toBe(false);
    expect(headerNamesEqual('l', 'CONTENT-LENGTH')).toBe(true);
    expect(getHeader([['x-header-1500', 'late']], 'X-HEADER-1500')).toBe('late');
  });
  it('splits at top-level commas only', () => {
    expect(splitHeaderValues('"a,b" <sip:x@y;p="1,2">, <sip:z@w>')).toEqual(['"a,b" <sip:x@y;p="1,2">', '<sip:z@w>']);
  });
});
