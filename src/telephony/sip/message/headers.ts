/**
 * Parsers for the header fields a user agent needs (RFC 3261 sections 19.1,
 * 20 and the ABNF of section 25). Each returns a result or an error and never
 * throws: header values come from the network.
 */
import { ParseMemo } from './parse-memo.js';
import { splitHeaderValues } from './types.js';

export type HeaderResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parameters in order of appearance; names lower-cased; a flag parameter (";lr") has value null. */
export type SipParams = Array<[name: string, value: string | null]>;

export function getParam(params: SipParams, name: string): string | null | undefined {
  const key = name.toLowerCase();
  for (const [n, v] of params) if (n === key) return v;
  return undefined;
}

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  /** Host name, IPv4 address, or IPv6 address without the brackets. */
  host: string;
  port?: number;
  params: SipParams;
  /** Raw "?..." part without the question mark, when present. */
  headers?: string;
}

export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  /** The URI exactly as written. */
  uriText: string;
  /** Header parameters after the address (tag, expires, q...). */
  params: SipParams;
}

export interface Via {
  protocolName: string;
  protocolVersion: string;
  transport: string;
  host: string;
  port?: number;
  params: SipParams;
  branch?: string;
  received?: string;
  /** RFC 3581: `;rport` without a value is a request (true); with a value, the source port. */
  rport?: number | true;
}

export interface CSeq {
  seq: number;
  method: string;
}

const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9\-.]*[A-Za-z0-9.])?$/;
const IPV6_RE = /^[0-9A-Fa-f:.]+$/;

function err(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/**
 * The index of the next `sep` in text[from, ...) that is not inside a quoted string, or text.length when there is none.
 * RFC 3261 section 25.1: quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE
 */
function nextUnquoted(text: string, sep: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) return i;
  }
  return text.length;
}

const QUOTED_VALUE_RE = /^"(?:[^"\\]|\\.)*"$/;

/**
 * Parses ";a=b;c" (text after the element; may be empty). Each parameter is cut from the text by position, not split
 * into an array of parts first: parseParams runs for every URI and name-addr read (twenty times a call in the SIP
 * benchmark), where it was the largest allocator among the header parsers.
 */
export function parseParams(text: string): HeaderResult<SipParams> {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { ok: true, value: [] };
  if (trimmed[0] !== ';') return err(`expected ';' before parameters: ${JSON.stringify(trimmed.slice(0, 40))}`);
  const params: SipParams = [];
  for (let start = 1; start <= trimmed.length; ) {
    const end = nextUnquoted(trimmed, ';', start);
    const eq = trimmed.indexOf('=', start);
    const hasValue = eq >= 0 && eq < end;
    const name = trimmed.slice(start, hasValue ? eq : end).trim();
    if (!TOKEN_RE.test(name)) return err(`bad parameter name: ${JSON.stringify(trimmed.slice(start, Math.min(end, start + 40)))}`);
    const value = hasValue ? trimmed.slice(eq + 1, end).trim() : null;
    if (value !== null && value.length === 0) return err(`empty value for parameter ${name}`);
    if (value !== null && value.startsWith('"') && !QUOTED_VALUE_RE.test(value)) {
      return err(`unterminated quoted value for parameter ${name}`);
    }
    params.push([name.toLowerCase(), value]);
    start = end + 1;
  }
  return { ok: true, value: params };
}

/** host = hostname / IPv4address / IPv6reference; port = 1*DIGIT. Returns the host without brackets. */
function parseHostPort(text: string): HeaderResult<{ host: string; port?: number }> {
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return err('unterminated IPv6 reference');
    host = text.slice(1, close);
    if (!IPV6_RE.test(host) || !host.includes(':')) return err(`bad IPv6 address: ${JSON.stringify(host)}`);
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? '' : text.slice(colon);
    if (!HOSTNAME_RE.test(host)) return err(`bad host: ${JSON.stringify(host.slice(0, 60))}`);
  }
  if (rest.length === 0) return { ok: true, value: { host } };
  if (!/^:[0-9]{1,5}$/.test(rest)) return err(`bad port: ${JSON.stringify(rest.slice(0, 20))}`);
  const port = Number(rest.slice(1));
  if (port > 65535) return err(`port out of range: ${port}`);
  return { ok: true, value: { host, port } };
}

/**
 * RFC 3261 section 19.1.1 / 25.1:
 *   SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 */
export function parseSipUri(text: string): HeaderResult<SipUri> {
  const m = /^(sips?):(.*)$/i.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return err(`not a sip or sips URI: ${JSON.stringify(text.slice(0, 60))}`);
  const scheme = m[1].toLowerCase() as 'sip' | 'sips';
  let rest = m[2];
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (colon >= 0) password = userinfo.slice(colon + 1);
    if (user.length === 0) return err('empty user part before @');
    if (/[\s<>"]/.test(userinfo)) return err('bad character in user part');
  }
  const semi = rest.indexOf(';');
  const hostport = semi < 0 ? rest : rest.slice(0, semi);
  const hp = parseHostPort(hostport);
  if (!hp.ok) return hp;
  const params = parseParams(semi < 0 ? '' : rest.slice(semi));
  if (!params.ok) return params;
  const uri: SipUri = { scheme, host: hp.value.host, params: params.value };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (hp.value.port !== undefined) uri.port = hp.value.port;
  if (headers !== undefined) uri.headers = headers;
  return { ok: true, value: uri };
}

/** Writes a SipUri back to text (IPv6 hosts get their brackets back). */
export function formatSipUri(uri: SipUri): string {
  let s = `${uri.scheme}:`;
  if (uri.user !== undefined) s += uri.user + (uri.password !== undefined ? `:${uri.password}` : '') + '@';
  s += uri.host.includes(':') ? `[${uri.host}]` : uri.host;
  if (uri.port !== undefined) s += `:${uri.port}`;
  for (const [n, v] of uri.params) s += v === null ? `;${n}` : `;${n}=${v}`;
  if (uri.headers !== undefined) s += `?${uri.headers}`;
  return s;
}

function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, '$1');
}

/**
 * RFC 3261 section 20.10 / 25.1:
 *   ( name-addr / addr-spec ) *( SEMI param )
 *   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 * With a bare addr-spec, everything after the first ';' is a header parameter
 * (section 20.10: URI parameters would be ambiguous there).
 */
export function parseNameAddr(value: string): HeaderResult<NameAddr> {
  const text = value.trim();
  let displayName: string | undefined;
  let uriText: string;
  let after: string;
  let i = 0;
  if (text.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(text);
    if (!m) return err('unterminated quoted display name');
    displayName = unquote(m[0]);
    i = m[0].length;
  }
  const lt = text.indexOf('<', i);
  if (lt >= 0) {
    if (displayName === undefined) {
      const name = text.slice(0, lt).trim();
      if (name.length > 0) {
        // display-name = *(token LWS) / quoted-string
        if (!/^[A-Za-z0-9\-.!%*_+`'~ \t]+$/.test(name)) return err(`bad display name: ${JSON.stringify(name.slice(0, 40))}`);
        displayName = name;
      }
    } else if (text.slice(i, lt).trim().length > 0) {
      return err('text between display name and <');
    }
    const gt = text.indexOf('>', lt);
    if (gt < 0) return err('missing >');
    uriText = text.slice(lt + 1, gt);
    after = text.slice(gt + 1);
  } else {
    if (displayName !== undefined) return err('display name without <address>');
    const semi = text.indexOf(';');
    uriText = semi < 0 ? text : text.slice(0, semi);
    after = semi < 0 ? '' : text.slice(semi);
  }
  const uri = parseSipUri(uriText);
  if (!uri.ok) return uri;
  const params = parseParams(after);
  if (!params.ok) return params;
  const out: NameAddr = { uri: uri.value, uriText, params: params.value };
  if (displayName !== undefined) out.displayName = displayName;
  return { ok: true, value: out };
}

/** From / To: one name-addr; the tag is in params. */
export function parseFromTo(value: string): HeaderResult<NameAddr & { tag?: string }> {
  return fromToMemo.get(value);
}

const fromToMemo = new ParseMemo(parseFromToText);

function parseFromToText(value: string): HeaderResult<NameAddr & { tag?: string }> {
  const r = parseNameAddr(value);
  if (!r.ok) return r;
  const tag = getParam(r.value.params, 'tag');
  return { ok: true, value: tag ? { ...r.value, tag } : r.value };
}

/**
 * Route / Record-Route (and Contact): comma-separated name-addrs, one or
 * several header lines (section 7.3.1).
 */
export function parseNameAddrList(values: string | readonly string[]): HeaderResult<NameAddr[]> {
  if (typeof values === 'string') return nameAddrListMemo.get(values);
  if (values.length === 1 && values[0] !== undefined) return nameAddrListMemo.get(values[0]);
  return parseNameAddrLines(values);
}

const nameAddrListMemo = new ParseMemo((line: string) => parseNameAddrLines([line]));

function parseNameAddrLines(list: readonly string[]): HeaderResult<NameAddr[]> {
  const out: NameAddr[] = [];
  for (const line of list) {
    for (const item of splitHeaderValues(line)) {
      const r = parseNameAddr(item);
      if (!r.ok) return r;
      out.push(r.value);
    }
  }
  return { ok: true, value: out };
}

/** Contact (section 20.10): a name-addr list, or "*" (REGISTER only), returned as 'star'. */
export function parseContact(values: string | readonly string[]): HeaderResult<NameAddr[] | 'star'> {
  const list = typeof values === 'string' ? [values] : values;
  if (list.length === 1 && list[0]?.trim() === '*') return { ok: true, value: 'star' };
  return parseNameAddrList(list);
}

/**
 * RFC 3261 section 20.42 / 25.1:
 *   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 * Several via-parms may share one header line, separated by commas.
 */
export function parseVia(values: string | readonly string[]): HeaderResult<Via[]> {
  const list = typeof values === 'string' ? [values] : values;
  const out: Via[] = [];
  for (const line of list) {
    for (const item of splitHeaderValues(line)) {
      const r = parseOneVia(item);
      if (!r.ok) return r;
      out.push(r.value);
    }
  }
  if (out.length === 0) return err('empty Via');
  return { ok: true, value: out };
}

function parseOneVia(text: string): HeaderResult<Via> {
  const m = /^([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/;]+)\s+([^;]+)(.*)$/.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined || m[4] === undefined || m[5] === undefined) {
    return err(`bad Via: ${JSON.stringify(text.slice(0, 60))}`);
  }
  if (!TOKEN_RE.test(m[1]) || !TOKEN_RE.test(m[2]) || !TOKEN_RE.test(m[3])) return err('bad Via sent-protocol');
  const hp = parseHostPort(m[4].trim());
  if (!hp.ok) return hp;
  const params = parseParams(m[5]);
  if (!params.ok) return params;
  const via: Via = {
    protocolName: m[1].toUpperCase(),
    protocolVersion: m[2],
    transport: m[3].toUpperCase(),
    host: hp.value.host,
    params: params.value,
  };
  if (hp.value.port !== undefined) via.port = hp.value.port;
  const branch = getParam(params.value, 'branch');
  if (typeof branch === 'string') via.branch = branch;
  const received = getParam(params.value, 'received');
  if (typeof received === 'string') via.received = received;
  const rport = getParam(params.value, 'rport');
  if (rport === null) via.rport = true;
  else if (typeof rport === 'string') {
    if (!/^[0-9]{1,5}$/.test(rport) || Number(rport) > 65535) return err(`bad rport: ${JSON.stringify(rport)}`);
    via.rport = Number(rport);
  }
  return { ok: true, value: via };
}

/** RFC 3261 section 20.16: CSeq = 1*DIGIT LWS Method; the number is below 2**31 (section 8.1.1.5). */
export function parseCSeq(value: string): HeaderResult<CSeq> {
  return cseqMemo.get(value);
}

const cseqMemo = new ParseMemo(parseCSeqText);

function parseCSeqText(value: string): HeaderResult<CSeq> {
  const m = /^([0-9]{1,10})\s+(\S+)$/.exec(value.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return err(`bad CSeq: ${JSON.stringify(value.slice(0, 40))}`);
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) return err(`CSeq number out of range: ${m[1]}`);
  if (!TOKEN_RE.test(m[2])) return err(`bad CSeq method: ${JSON.stringify(m[2])}`);
  return { ok: true, value: { seq, method: m[2] } };
}
