/**
 * The Reason header (RFC 3326): why a call was cleared, carried in BYE, CANCEL and (RFC 3326 section 2 as extended
 * in practice by gateways) final responses.
 *
 *   Reason        = "Reason" HCOLON reason-value *(COMMA reason-value)
 *   reason-value  = protocol *(SEMI reason-params)
 *   protocol      = "SIP" / "Q.850" / token
 *   reason-params = protocol-cause / reason-text / reason-extension
 *   protocol-cause = "cause" EQUAL cause ; cause = 1*DIGIT
 *   reason-text   = "text" EQUAL quoted-string
 *
 * Example: Reason: Q.850;cause=16;text="Normal call clearing"
 * Header values come from the network: malformed entries are skipped, nothing throws.
 */
import { getParam, parseParams } from './headers.js';
import { getHeaders, splitHeaderValues, type SipHeader } from './types.js';

export interface ReasonValue {
  /** As written, e.g. "Q.850" or "SIP" (compare case-insensitively). */
  protocol: string;
  cause?: number;
  text?: string;
}

const MAX_REASON_CHARS = 2048;

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1).replace(/\\(.)/g, '$1') : text;
}

/** Parses one or several Reason header values (each may hold a comma-separated list). */
export function parseReason(values: string | readonly string[]): ReasonValue[] {
  const list = typeof values === 'string' ? [values] : values;
  const out: ReasonValue[] = [];
  for (const line of list) {
    if (line.length > MAX_REASON_CHARS) continue;
    for (const item of splitHeaderValues(line)) {
      const semi = item.indexOf(';');
      const protocol = (semi < 0 ? item : item.slice(0, semi)).trim();
      if (!/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(protocol)) continue;
      const params = parseParams(semi < 0 ? '' : item.slice(semi));
      if (!params.ok) continue;
      const value: ReasonValue = { protocol };
      const cause = getParam(params.value, 'cause');
      if (typeof cause === 'string' && /^[0-9]{1,5}$/.test(cause)) value.cause = Number(cause);
      const text = getParam(params.value, 'text');
      if (typeof text === 'string') value.text = unquote(text);
      out.push(value);
    }
  }
  return out;
}

/** The Reason values of a message. */
export function reasonsOf(headers: readonly SipHeader[]): ReasonValue[] {
  return parseReason(getHeaders(headers, 'Reason'));
}

/** The first Reason for `protocol` (e.g. "Q.850"), compared case-insensitively. */
export function findReason(reasons: readonly ReasonValue[], protocol: string): ReasonValue | undefined {
  const key = protocol.toLowerCase();
  return reasons.find((r) => r.protocol.toLowerCase() === key);
}

/** Formats a Reason value, e.g. for a BYE or CANCEL we send. */
export function formatReason(reason: ReasonValue): string {
  let s = reason.protocol;
  if (reason.cause !== undefined) s += `;cause=${reason.cause}`;
  if (reason.text !== undefined) s += `;text="${reason.text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return s;
}
