// The pure rules of Idempotency-Key (issue 12): which keys are acceptable, what counts as "the same request", and
// what a request finds when its key was seen before.
import { createHash } from 'node:crypto';

/** How long a key is remembered: a retry within this window is answered from the first response. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** What a request that finds its key still being worked on is told to wait before retrying. */
export const IDEMPOTENCY_IN_PROGRESS_RETRY_AFTER_S = 1;

/** 1-255 printable ASCII characters (space to tilde). */
const KEY_SYNTAX = /^[\x20-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY_SYNTAX.test(key);
}

/** SHA-256 (hex) over method, path and body: the fingerprint a replay must match. */
export function requestFingerprint(method: string, path: string, body: string | Buffer): string {
  return createHash('sha256').update(method.toUpperCase()).update('\n').update(path).update('\n').update(body).digest('hex');
}

export interface StoredKey {
  requestHash: string;
  responseStatus: number | null;
}

export type KeyVerdict = 'replay' | 'mismatch' | 'in-progress';

/** What a request with a key already claimed gets: the first answer, a refusal for another body, or "wait". */
export function judgeExistingKey(stored: StoredKey, requestHash: string): KeyVerdict {
  if (stored.requestHash !== requestHash) return 'mismatch';
  return stored.responseStatus === null ? 'in-progress' : 'replay';
}
