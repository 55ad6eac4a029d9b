/**
 * Session timer headers (RFC 4028 sections 4 and 5):
 *
 *   Session-Expires  = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params)
 *   se-params        = refresher-param / generic-param
 *   refresher-param  = "refresher" EQUAL ("uas" / "uac")
 *   Min-SE           = "Min-SE" HCOLON delta-seconds *(SEMI generic-param)
 *
 * Example: Session-Expires: 1800;refresher=uac   Min-SE: 90
 * Values come from the network: parsers return a result and never throw.
 */
import { getParam, parseParams, type HeaderResult } from './headers.js';
import { getHeader, type SipHeader } from './types.js';

export type SessionRefresher = 'uac' | 'uas';

export interface SessionExpires {
  deltaSeconds: number;
  refresher?: SessionRefresher;
}

/** RFC 4028 section 4: the smallest Session-Expires and Min-SE anyone may use. */
export const MIN_SESSION_EXPIRES_S = 90;

/** delta-seconds is 1*DIGIT; RFC 4028 allows up to 2**32-1, more digits than that is not a number we accept. */
function parseDeltaSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[0-9]{1,10}$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value <= 0xffffffff ? value : undefined;
}

function splitValue(value: string): { head: string; params: string } {
  const semi = value.indexOf(';');
  return semi < 0 ? { head: value, params: '' } : { head: value.slice(0, semi), params: value.slice(semi) };
}

export function parseSessionExpires(value: string): HeaderResult<SessionExpires> {
  const { head, params } = splitValue(value);
  const deltaSeconds = parseDeltaSeconds(head);
  if (deltaSeconds === undefined) return { ok: false, error: `bad Session-Expires: ${JSON.stringify(value.slice(0, 40))}` };
  const parsed = parseParams(params);
  if (!parsed.ok) return parsed;
  const out: SessionExpires = { deltaSeconds };
  const refresher = getParam(parsed.value, 'refresher');
  if (typeof refresher === 'string') {
    const lower = refresher.toLowerCase();
    if (lower !== 'uac' && lower !== 'uas') return { ok: false, error: `bad refresher ${JSON.stringify(refresher)}` };
    out.refresher = lower;
  }
  return { ok: true, value: out };
}

export function formatSessionExpires(value: SessionExpires): string {
  return value.refresher ? `${value.deltaSeconds};refresher=${value.refresher}` : String(value.deltaSeconds);
}

export function parseMinSe(value: string): HeaderResult<number> {
  const { head, params } = splitValue(value);
  const deltaSeconds = parseDeltaSeconds(head);
  if (deltaSeconds === undefined) return { ok: false, error: `bad Min-SE: ${JSON.stringify(value.slice(0, 40))}` };
  const parsed = parseParams(params);
  if (!parsed.ok) return parsed;
  return { ok: true, value: deltaSeconds };
}

export function formatMinSe(deltaSeconds: number): string {
  return String(deltaSeconds);
}

/**
 * The Session-Expires of a message, if present and valid. Looks for the compact form "x" too (RFC 4028 section 4),
 * which the shared compact-name table does not list. Absent gives undefined; present but malformed gives an error.
 */
export function sessionExpiresOf(headers: readonly SipHeader[]): HeaderResult<SessionExpires> | undefined {
  const value = getHeader(headers, 'Session-Expires') ?? headers.find(([name]) => name.toLowerCase() === 'x')?.[1];
  return value === undefined ? undefined : parseSessionExpires(value);
}

export function minSeOf(headers: readonly SipHeader[]): HeaderResult<number> | undefined {
  const value = getHeader(headers, 'Min-SE');
  return value === undefined ? undefined : parseMinSe(value);
}
