// The Ringcast-Signature header (Stripe's form): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// During a secret rotation's overlap the header carries one v1= per live secret, so a receiver that still holds the
// old secret and one that already holds the new one both verify. Pure functions: no clock, no I/O.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Ringcast-Signature';
/** A receiver accepts a timestamp this far from its own clock, to refuse replays (the README's example uses it). */
export const DEFAULT_REPLAY_WINDOW_S = 300;

/** The hex HMAC-SHA256 of "<timestamp>.<body>" under one secret. */
export function signatureOf(secret: string, timestampS: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex');
}

/** The header value for a body sent at `timestampS`, signed with every secret given (new one first). */
export function signatureHeader(secrets: readonly string[], timestampS: number, rawBody: string): string {
  if (secrets.length === 0) throw new Error('signatureHeader needs at least one secret');
  return [`t=${timestampS}`, ...secrets.map((secret) => `v1=${signatureOf(secret, timestampS, rawBody)}`)].join(',');
}

export interface ParsedSignature {
  timestampS: number;
  v1: string[];
}

/** Reads a header value; null when it has no integer t= or no v1= entry. Unknown schemes are ignored. */
export function parseSignatureHeader(header: string): ParsedSignature | null {
  let timestampS: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestampS = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) v1.push(value);
  }
  return timestampS === null || v1.length === 0 ? null : { timestampS, v1 };
}

export type VerifyResult = { ok: true; timestampS: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * Whether `header` signs `rawBody` with `secret`, at a time within `replayWindowS` of `nowS`. Compares in constant
 * time; any one v1= entry matching is enough (rotation overlap).
 */
export function verifySignature(
  secret: string,
  header: string,
  rawBody: string,
  nowS: number,
  replayWindowS: number = DEFAULT_REPLAY_WINDOW_S,
): VerifyResult {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowS - parsed.timestampS) > replayWindowS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signatureOf(secret, parsed.timestampS, rawBody), 'hex');
  const match = parsed.v1.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return match ? { ok: true, timestampS: parsed.timestampS } : { ok: false, reason: 'mismatch' };
}
