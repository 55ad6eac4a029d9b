/**
 * message/sipfrag bodies (RFC 3420): a fragment of a SIP message, here as REFER's NOTIFY bodies carry it (RFC 3515
 * section 2.4.5): the status line of the response the transferee got to its INVITE of the refer target, e.g.
 * "SIP/2.0 180 Ringing", optionally followed by header lines.
 *
 * Pure and never throws: bodies come from the network.
 */
import type { HeaderResult } from './headers.js';

export interface SipfragStatus {
  /** e.g. "SIP/2.0" */
  version: string;
  status: number;
  /** The reason phrase, possibly empty. */
  reason: string;
}

/** The media type of a sipfrag body, for Content-Type checks and Accept. */
export const SIPFRAG_CONTENT_TYPE = 'message/sipfrag';

/** Bodies longer than this are not looked into (a status line is a few dozen bytes). */
const MAX_SIPFRAG_BYTES = 64 * 1024;

/** RFC 3261 section 25.1: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF. */
const STATUS_LINE_RE = /^(SIP\/[0-9]+\.[0-9]+)[ \t]+([1-6][0-9]{2})(?:[ \t]+([^\r\n]*))?$/i;

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/**
 * The status line of a sipfrag body. Leading blank lines are skipped (some notifiers send one); the first line must
 * be a status line with a code 100-699. A fragment that starts with a request line or headers only (RFC 3420 allows
 * both) is an error result here, since it says nothing about the progress of a referred request.
 */
export function parseSipfragStatus(body: Buffer | string | undefined | null): HeaderResult<SipfragStatus> {
  if (body === undefined || body === null) return fail('no body');
  let text: string;
  try {
    const length = body.length;
    if (length === 0) return fail('empty body');
    if (length > MAX_SIPFRAG_BYTES) return fail(`body too large (${length} bytes)`);
    text = typeof body === 'string' ? body : body.toString('utf8');
  } catch {
    return fail('unreadable body');
  }
  const lines = text.split(/\r\n|\n|\r/);
  let first: string | undefined;
  for (const line of lines) {
    if (line.trim().length === 0) continue;
    first = line.trim();
    break;
  }
  if (first === undefined) return fail('blank body');
  const m = STATUS_LINE_RE.exec(first);
  if (!m || m[1] === undefined || m[2] === undefined) return fail(`not a status line: ${JSON.stringify(first.slice(0, 60))}`);
  return { ok: true, value: { version: m[1].toUpperCase(), status: Number(m[2]), reason: (m[3] ?? '').trim() } };
}

/** Whether a Content-Type value names message/sipfrag (parameters such as ";version=2.0" allowed). */
export function isSipfragContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return (contentType.split(';')[0] ?? '').trim().toLowerCase() === SIPFRAG_CONTENT_TYPE;
}
