/**
 * SIP message parser (RFC 3261 section 7, ABNF in section 25).
 *
 *   generic-message = start-line *message-header CRLF [ message-body ]
 *   Request-Line    = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line     = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *
 * Bytes from the network are untrusted: every read is length-checked, sizes are
 * capped, and bad input becomes a coded error result. Nothing here throws.
 *
 * Line endings: the ABNF requires CRLF. We also accept a bare LF as a line
 * terminator (robustness principle; hand-written test peers and some devices
 * send it). The serializer always writes CRLF.
 */
import {
  expandHeaderName,
  getHeaders,
  type SipHeader,
  type SipMessage,
} from './types.js';

export type SipParseErrorCode =
  | 'too-large'
  | 'malformed-start-line'
  | 'malformed-header'
  | 'too-many-headers'
  | 'bad-content-length'
  | 'truncated';

export type SipParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; error: string; code: SipParseErrorCode };

export interface SipParseOptions {
  /** Whole message (head + body). Default 65,535: the largest UDP payload. */
  maxMessageBytes?: number;
  /** Header fields after unfolding. Default 100. */
  maxHeaders?: number;
  /** Start line plus header section, including line terminators. Default 16,384. */
  maxHeaderBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 65_535;
export const DEFAULT_MAX_HEADERS = 100;
export const DEFAULT_MAX_HEADER_BYTES = 16_384;

const CR = 0x0d;
const LF = 0x0a;

interface ResolvedLimits {
  maxMessageBytes: number;
  maxHeaders: number;
  maxHeaderBytes: number;
}

export function resolveLimits(options: SipParseOptions | undefined): ResolvedLimits {
  return {
    maxMessageBytes: positiveOr(options?.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES),
    maxHeaders: positiveOr(options?.maxHeaders, DEFAULT_MAX_HEADERS),
    maxHeaderBytes: positiveOr(options?.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES),
  };
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

export function fail(code: SipParseErrorCode, error: string): { ok: false; error: string; code: SipParseErrorCode } {
  return { ok: false, error, code };
}

/**
 * RFC 3261 section 7.5: "Implementations processing SIP messages over
 * stream-oriented transports MUST ignore any CRLF appearing before the
 * start-line". We do the same for datagrams (RFC 5626 keepalives are CRLFs).
 */
export function skipLeadingLineBreaks(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && (buf[i] === CR || buf[i] === LF)) i++;
  return i;
}

/**
 * Finds the empty line that ends the header section, starting at `from`.
 * Returns the offset of the first body byte, or -1 when the section is not
 * complete within `limit` bytes of the buffer.
 */
export function findBodyStart(buf: Buffer, from: number, limit: number): number {
  const end = Math.min(buf.length, limit);
  for (let i = from; i < end; i++) {
    if (buf[i] !== LF) continue;
    const next = i + 1;
    if (next < buf.length && buf[next] === LF) return next + 1;
    if (next + 1 < buf.length && buf[next] === CR && buf[next + 1] === LF) return next + 2;
  }
  return -1;
}

export interface ParsedHead {
  startLine:
    | { kind: 'request'; method: string; uri: string; version: string }
    | { kind: 'response'; status: number; reason: string; version: string };
  headers: SipHeader[];
  /** undefined when the message has no Content-Length header. */
  contentLength: number | undefined;
}

// RFC 3261 section 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const VERSION_RE = /^SIP\/[0-9]+\.[0-9]+$/i;
// Any control character except HT is not allowed in a start line or header field.
const CONTROL_RE = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parses the start line and headers in buf[from, bodyStart). bodyStart is the
 * value returned by findBodyStart (just past the empty line).
 */
export function parseHead(buf: Buffer, from: number, bodyStart: number, limits: ResolvedLimits): { ok: true; head: ParsedHead } | { ok: false; error: string; code: SipParseErrorCode } {
  const text = buf.toString('utf8', from, bodyStart);
  const lines = text.split(/\r?\n/);
  // The split leaves two empty strings for the final terminator and the empty line.
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const first = lines[0];
  if (first === undefined || first.length === 0) return fail('malformed-start-line', 'empty start line');
  if (CONTROL_RE.test(first)) return fail('malformed-start-line', 'control character in start line');
  const startLine = parseStartLine(first);
  if (startLine === undefined) return fail('malformed-start-line', `cannot parse start line: ${preview(first)}`);

  // RFC 3261 section 7.3.1: a header field can be folded onto several lines
  // when each continuation line begins with SP or HT; it is equivalent to one
  // line with the line break replaced by a single SP.
  const headers: SipHeader[] = [];
  let current: string | undefined;
  const flush = (): { ok: false; error: string; code: SipParseErrorCode } | undefined => {
    if (current === undefined) return undefined;
    const colon = current.indexOf(':');
    if (colon <= 0) return fail('malformed-header', `header without a name: ${preview(current)}`);
    // HCOLON = *( SP / HTAB ) ":" SWS
    const name = current.slice(0, colon).replace(/[ \t]+$/, '');
    if (!TOKEN_RE.test(name)) return fail('malformed-header', `bad header name: ${preview(name)}`);
    if (headers.length >= limits.maxHeaders) return fail('too-many-headers', `more than ${limits.maxHeaders} headers`);
    const value = current.slice(colon + 1).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
    headers.push([expandHeaderName(name), value]);
    current = undefined;
    return undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (CONTROL_RE.test(line)) return fail('malformed-header', 'control character in header');
    if (line.length > 0 && (line[0] === ' ' || line[0] === '\t')) {
      if (current === undefined) return fail('malformed-header', 'continuation line before any header');
      current = current.replace(/[ \t]+$/, '') + ' ' + line.replace(/^[ \t]+/, '');
      continue;
    }
    const error = flush();
    if (error) return error;
    current = line;
  }
  const error = flush();
  if (error) return error;

  // RFC 3261 section 20.14: Content-Length = ( "Content-Length" / "l" ) HCOLON 1*DIGIT
  let contentLength: number | undefined;
  for (const raw of getHeaders(headers, 'Content-Length')) {
    if (!/^[0-9]{1,10}$/.test(raw)) return fail('bad-content-length', `bad Content-Length: ${preview(raw)}`);
    const n = Number(raw);
    if (contentLength !== undefined && contentLength !== n) return fail('bad-content-length', 'conflicting Content-Length headers');
    contentLength = n;
  }
  return { ok: true, head: { startLine, headers, contentLength } };
}

function parseStartLine(line: string): ParsedHead['startLine'] | undefined {
  if (/^SIP\//i.test(line)) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const m = /^(SIP\/[0-9]+\.[0-9]+) ([1-6][0-9][0-9])(?: (.*))?$/i.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined) return undefined;
    return { kind: 'response', version: m[1], status: Number(m[2]), reason: m[3] ?? '' };
  }
  const parts = line.split(' ');
  if (parts.length !== 3) return undefined;
  const [method, uri, version] = parts as [string, string, string];
  if (!TOKEN_RE.test(method) || uri.length === 0 || !VERSION_RE.test(version)) return undefined;
  if (!/^[A-Za-z][A-Za-z0-9+\-.]*:/.test(uri)) return undefined;
  return { kind: 'request', method, uri, version };
}

export function buildMessage(head: ParsedHead, body: Buffer): SipMessage {
  const s = head.startLine;
  if (s.kind === 'request') {
    return { kind: 'request', method: s.method, uri: s.uri, version: s.version, headers: head.headers, body };
  }
  return { kind: 'response', status: s.status, reason: s.reason, version: s.version, headers: head.headers, body };
}

export function preview(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 60) + '...' : s);
}

/**
 * Parses one complete SIP message held in a buffer (a UDP datagram).
 *
 * RFC 3261 section 18.3: on a datagram transport a missing Content-Length
 * means the body runs to the end of the datagram; if the datagram holds more
 * bytes than Content-Length says, the extra bytes are discarded; if it holds
 * fewer, the message is rejected (code 'truncated').
 */
export function parseSipMessage(buffer: Buffer, options?: SipParseOptions): SipParseResult {
  try {
    return parseDatagram(buffer, resolveLimits(options));
  } catch (err) {
    // Defensive: a bug must not crash the transport. Reported as malformed input.
    return fail('malformed-start-line', `internal parser error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseDatagram(buffer: Buffer, limits: ResolvedLimits): SipParseResult {
  if (!Buffer.isBuffer(buffer)) return fail('malformed-start-line', 'input is not a Buffer');
  if (buffer.length > limits.maxMessageBytes) {
    return fail('too-large', `message of ${buffer.length} bytes exceeds ${limits.maxMessageBytes}`);
  }
  const start = skipLeadingLineBreaks(buffer, 0);
  if (start >= buffer.length) return fail('truncated', 'empty message');
  const bodyStart = findBodyStart(buffer, start, start + limits.maxHeaderBytes);
  if (bodyStart < 0) {
    if (buffer.length - start >= limits.maxHeaderBytes) {
      return fail('too-large', `header section exceeds ${limits.maxHeaderBytes} bytes`);
    }
    return fail('truncated', 'no empty line after the headers');
  }
  if (bodyStart - start > limits.maxHeaderBytes) {
    return fail('too-large', `header section exceeds ${limits.maxHeaderBytes} bytes`);
  }
  const parsed = parseHead(buffer, start, bodyStart, limits);
  if (!parsed.ok) return parsed;
  const available = buffer.length - bodyStart;
  const cl = parsed.head.contentLength;
  let bodyLength = available;
  if (cl !== undefined) {
    if (cl > available) return fail('truncated', `Content-Length ${cl} but only ${available} body bytes`);
    bodyLength = cl;
  }
  const body = Buffer.from(buffer.subarray(bodyStart, bodyStart + bodyLength));
  return { ok: true, message: buildMessage(parsed.head, body) };
}
