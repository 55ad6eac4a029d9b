// RFC 3261 section 8.2.6.2: a response copies Via (all values, in order), From, To, Call-ID and CSeq from the request;
// a To without a tag gets one, except in a 100 (Trying). Section 8.2.6.1: a 100 copies the Timestamp header.
import { getHeader, getHeaders, headerNamesEqual, type SipHeader, type SipRequest, type SipResponse } from '../message/types.js';
import { parseFromTo } from '../message/headers.js';

export interface ResponseExtras {
  headers?: Array<[string, string]>;
  body?: Buffer;
  toTag?: string;
}

/** The To tag of a message, or undefined when its To has none (or does not parse). */
export function toTagOf(headers: readonly SipHeader[]): string | undefined {
  const to = getHeader(headers, 'To');
  if (to === undefined) return undefined;
  const parsed = parseFromTo(to);
  if (parsed.ok) return parsed.value.tag;
  // A To we cannot parse is still copied; look for a tag textually so we do not add a second one.
  return /;\s*tag=([^;\s]+)/i.exec(to)?.[1];
}

export function buildResponse(request: SipRequest, status: number, reason: string, extras: ResponseExtras = {}): SipResponse {
  const headers: SipHeader[] = [];
  for (const [name, value] of request.headers) {
    if (headerNamesEqual(name, 'Via')) headers.push(['Via', value]);
  }
  for (const value of getHeaders(request.headers, 'From')) headers.push(['From', value]);
  const to = getHeader(request.headers, 'To');
  if (to !== undefined) {
    const needsTag = status > 100 && extras.toTag !== undefined && toTagOf(request.headers) === undefined;
    headers.push(['To', needsTag ? `${to};tag=${extras.toTag}` : to]);
  }
  for (const value of getHeaders(request.headers, 'Call-ID')) headers.push(['Call-ID', value]);
  for (const value of getHeaders(request.headers, 'CSeq')) headers.push(['CSeq', value]);
  if (status === 100) for (const value of getHeaders(request.headers, 'Timestamp')) headers.push(['Timestamp', value]);
  for (const [name, value] of extras.headers ?? []) headers.push([name, value]);
  return { kind: 'response', status, reason, version: 'SIP/2.0', headers, body: extras.body ?? Buffer.alloc(0) };
}
