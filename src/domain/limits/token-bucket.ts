// A token bucket per API client (issue 12), pure: the caller passes the time. A bucket holds up to `perMin` tokens
// and refills at perMin per minute, so a client may burst its whole minute's allowance and then goes at the rate.

export interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this request (RateLimit-Remaining). */
  remaining: number;
  /** Seconds until one token is back (Retry-After when refused; 0 when allowed). */
  retryAfterS: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  resetS: number;
}

/** Takes one token from `bucket` (updated in place) at nowMs under a limit of perMin requests a minute. */
export function takeToken(bucket: Bucket, perMin: number, nowMs: number): TakeResult {
  const ratePerMs = perMin / 60_000;
  const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
  bucket.tokens = Math.min(perMin, bucket.tokens + elapsedMs * ratePerMs);
  bucket.updatedAtMs = nowMs;
  const allowed = bucket.tokens >= 1;
  if (allowed) bucket.tokens -= 1;
  const resetS = Math.ceil((perMin - bucket.tokens) / ratePerMs / 1000);
  const retryAfterS = allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
  return { allowed, remaining: Math.floor(bucket.tokens), retryAfterS, resetS };
}

export function fullBucket(perMin: number, nowMs: number): Bucket {
  return { tokens: perMin, updatedAtMs: nowMs };
}
