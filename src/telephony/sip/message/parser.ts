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
  // Buffer.indexOf finds each LF natively; a loop over the bytes in JavaScript was a seventh of a datagram's parse.
  for (let i = buf.indexOf(LF, from); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) {
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
const SP = 0x20;
const HT = 0x09;

/** CONTROL_RE without CR and LF, the two a head's line breaks are made of. */
const CONTROL_BUT_LINE_BREAK_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * Whether the head holds a character CONTROL_RE refuses in a line, where line breaks are allowed: a CR only just before
 * an LF (lines end at CRLF or a bare LF). A head without one passes CONTROL_RE line by line, so its lines need no test
 * of their own. A character class and indexOf: one expression with the CR's lookahead took a quarter of parseHead, a
 * loop over the characters as long.
 */
function hasControlCharacter(text: string): boolean {
  if (CONTROL_BUT_LINE_BREAK_RE.test(text)) return true;
  for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', cr + 1)) {
    if (text.charCodeAt(cr + 1) !== LF) return true;
  }
  return false;
}

/** The index just past the last character of text[from, to) that is not SP or HT (from when there is none). */
function trimEnd(text: string, from: number, to: number): number {
  let end = to;
  while (end > from) {
    const c = text.charCodeAt(end - 1);
    if (c !== SP && c !== HT) break;
    end--;
  }
  return end;
}

/** The index of the first character of text[from, to) that is not SP or HT (to when there is none). */
function trimStart(text: string, from: number, to: number): number {
  let start = from;
  while (start < to) {
    const c = text.charCodeAt(start);
    if (c !== SP && c !== HT) break;
    start++;
  }
  return start;
}

// Lines end at LF; a CR just before it belongs to the terminator.

/** Where the line after the one starting at `start` begins (text.length for the last). */
function nextLine(text: string, start: number): number {
  const lf = text.indexOf('\n', start);
  return lf < 0 ? text.length : lf + 1;
}

/** The end of the line text[start, next), its terminator left out. */
function lineEnd(text: string, start: number, next: number): number {
  const lf = next - 1;
  if (lf < start || text.charCodeAt(lf) !== LF) return next;
  return lf > start && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}

/**
 * Parses the start line and headers in buf[from, bodyStart). bodyStart is the value returned by findBodyStart (just
 * past the empty line).
 *
 * One pass over the decoded head by index: lines are found with indexOf and headers cut and trimmed by position.
 * Splitting the head into an array of lines and trimming each with regular expressions made a string per step; in the
 * SIP benchmark's allocation profile parseHead was the largest allocator of the main thread (6.4% of its bytes). A
 * 200 OK with SDP (a datagram of 460 bytes) took 6.1-6.5 us to parse that way and takes 3.7-4.4 us this way (2 x AMD
 * EPYC, alternated in one process, session 31).
 */
export function parseHead(buf: Buffer, from: number, bodyStart: number, limits: ResolvedLimits): { ok: true; head: ParsedHead } | { ok: false; error: string; code: SipParseErrorCode } {
  const text = buf.toString('utf8', from, bodyStart);
  // A line may hold a control character only when the head does.
  const checkLines = hasControlCharacter(text);
  const firstNext = nextLine(text, 0);
  const first = text.slice(0, lineEnd(text, 0, firstNext));
  if (first.length === 0) return fail('malformed-start-line', 'empty start line');
  if (checkLines && CONTROL_RE.test(first)) return fail('malformed-start-line', 'control character in start line');
  const startLine = parseStartLine(first);
  if (startLine === undefined) return fail('malformed-start-line', `cannot parse start line: ${preview(first)}`);

  // RFC 3261 section 7.3.1: a header field can be folded onto several lines when each continuation line begins with
  // SP or HT; it is equivalent to one line with the line break replaced by a single SP. `folded` holds such a header
  // once a continuation line was seen; an unfolded one (nearly every header) stays as its position in the text.
  const headers: SipHeader[] = [];
  let currentStart = -1;
  let currentEnd = -1;
  let folded: string | undefined;
  const flush = (): { ok: false; error: string; code: SipParseErrorCode } | undefined => {
    if (currentStart < 0) return undefined;
    const field = folded ?? text;
    const fieldStart = folded === undefined ? currentStart : 0;
    const fieldEnd = folded === undefined ? currentEnd : folded.length;
    currentStart = -1;
    folded = undefined;
    const colonAt = field.indexOf(':', fieldStart);
    const colon = colonAt < 0 || colonAt >= fieldEnd ? -1 : colonAt - fieldStart;
    if (colon <= 0) return fail('malformed-header', `header without a name: ${preview(field.slice(fieldStart, fieldEnd))}`);
    // HCOLON = *( SP / HTAB ) ":" SWS
    const name = field.slice(fieldStart, trimEnd(field, fieldStart, colonAt));
    if (!TOKEN_RE.test(name)) return fail('malformed-header', `bad header name: ${preview(name)}`);
    if (headers.length >= limits.maxHeaders) return fail('too-many-headers', `more than ${limits.maxHeaders} headers`);
    const valueStart = trimStart(field, colonAt + 1, fieldEnd);
    headers.push([expandHeaderName(name), field.slice(valueStart, trimEnd(field, valueStart, fieldEnd))]);
    return undefined;
  };
  let at = firstNext;
  while (at < text.length) {
    const lineStart = at;
    at = nextLine(text, lineStart);
    const end = lineEnd(text, lineStart, at);
    // The empty line that ends the head (and anything after it: findBodyStart ends the text there).
    if (end === lineStart && at >= text.length) break;
    if (checkLines && CONTROL_RE.test(text.slice(lineStart, end))) return fail('malformed-header', 'control character in header');
    const c = end > lineStart ? text.charCodeAt(lineStart) : -1;
    if (c === SP || c === HT) {
      if (currentStart < 0) return fail('malformed-header', 'continuation line before any header');
      const sofar = folded ?? text.slice(currentStart, currentEnd);
      folded = sofar.slice(0, trimEnd(sofar, 0, sofar.length)) + ' ' + text.slice(trimStart(text, lineStart, end), end);
      continue;
    }
    const error = flush();
    if (error) return error;
    currentStart = lineStart;
    currentEnd = end;
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
