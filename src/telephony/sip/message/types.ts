/**
 * SIP message model (RFC 3261 section 7).
 *
 * Headers are kept as an ordered list of [name, value] pairs exactly as they
 * appeared (after unfolding and compact-form expansion), so that a message can
 * be re-serialised without reordering or merging. RFC 3261 section 7.3.1: the
 * relative order of header fields with the same name is significant, and
 * comma-separated values may equally be written as one line or several.
 */

export type SipHeader = [name: string, value: string];

export interface SipRequest {
  readonly kind: 'request';
  method: string;
  uri: string;
  version: string;
  headers: SipHeader[];
  body: Buffer;
}

export interface SipResponse {
  readonly kind: 'response';
  status: number;
  reason: string;
  version: string;
  headers: SipHeader[];
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/**
 * RFC 3261 section 7.3.3 (compact form) and section 20; `k` (Supported)
 * comes from section 20.37. Keys are lower case.
 */
export const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = Object.freeze({
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
});

/** Expands a compact header name to its long form; other names are returned unchanged. */
export function expandHeaderName(name: string): string {
  if (name.length !== 1) return name;
  return COMPACT_HEADER_NAMES[name.toLowerCase()] ?? name;
}

/** Header names seen, by spelling: their comparison key (long form, lower case). */
const headerKeys = new Map<string, string>();
/** Spellings kept: every name a peer sends is remembered up to here (so a peer cannot grow the map for ever). */
const MAX_HEADER_KEYS = 1024;

/**
 * The key two spellings of one header share: its long form in lower case. Kept per spelling: comparing names by
 * lower-casing both on every comparison made two strings each time, and a header lookup compares with every header of
 * the message (in the SIP benchmark's allocation profile, header lookups were 21 of the 418 MB allocated for 3,000
 * calls).
 */
function headerKey(name: string): string {
  let key = headerKeys.get(name);
  if (key === undefined) {
    key = expandHeaderName(name).toLowerCase();
    if (headerKeys.size < MAX_HEADER_KEYS) headerKeys.set(name, key);
  }
  return key;
}

/**
 * Whether two spellings may name one header: equal lengths, or one of them a compact form. Most names of a message
 * fail this against the name looked for, and need no lookup of their key.
 */
function mayBeSameHeader(a: string, b: string): boolean {
  return a.length === b.length || a.length === 1 || b.length === 1;
}

/** RFC 3261 section 7.3.1: field names are case-insensitive. Compact forms match their long names. */
export function headerNamesEqual(a: string, b: string): boolean {
  return a === b || (mayBeSameHeader(a, b) && headerKey(a) === headerKey(b));
}

/** First value of the named header, or undefined. */
export function getHeader(headers: readonly SipHeader[], name: string): string | undefined {
  const wanted = headerKey(name);
  for (const [n, v] of headers) {
    if (n === name || (mayBeSameHeader(n, name) && headerKey(n) === wanted)) return v;
  }
  return undefined;
}

/** Every value of the named header, in message order (one entry per header line). */
export function getHeaders(headers: readonly SipHeader[], name: string): string[] {
  const wanted = headerKey(name);
  const out: string[] = [];
  for (const [n, v] of headers) {
    if (n === name || (mayBeSameHeader(n, name) && headerKey(n) === wanted)) out.push(v);
  }
  return out;
}

export function hasHeader(headers: readonly SipHeader[], name: string): boolean {
  return getHeader(headers, name) !== undefined;
}

/** Replaces every occurrence of the header with one value (placed where the first one was, else appended). */
export function setHeader(headers: SipHeader[], name: string, value: string): void {
  const index = headers.findIndex(([n]) => headerNamesEqual(n, name));
  removeHeader(headers, name);
  if (index < 0) headers.push([name, value]);
  else headers.splice(index, 0, [name, value]);
}

/** Removes every occurrence of the header; returns how many were removed. */
export function removeHeader(headers: SipHeader[], name: string): number {
  let removed = 0;
  for (let i = headers.length - 1; i >= 0; i--) {
    const h = headers[i];
    if (h !== undefined && headerNamesEqual(h[0], name)) {
      headers.splice(i, 1);
      removed++;
    }
  }
  return removed;
}

/**
 * Splits a header value at top-level commas (RFC 3261 section 7.3.1), ignoring
 * commas inside quoted strings, <...> and parameter values that are quoted.
 * Used for multi-valued headers such as Via, Route, Record-Route and Contact.
 */
export function splitHeaderValues(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (inQuotes) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuotes = false;
    } else if (ch === '"') inQuotes = true;
    else if (ch === '<') angle++;
    else if (ch === '>') angle = Math.max(0, angle - 1);
    else if (ch === ',' && angle === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}
