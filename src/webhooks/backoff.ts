// When a failed delivery is tried again, and which failures are worth trying again. Pure: the caller passes the
// attempt number, a random number in [0, 1) and the clock's reading.
//
// Schedule: the n-th retry waits base * 2^(n-1) seconds (30 s, 1 min, 2 min ... capped at 1 h), with "equal jitter"
// (half fixed, half random) so a receiver that comes back is not hit by every waiting delivery at once. Retries go
// on until RETRY_FOR_S (25 h: more than the 24 h the issue asks, so a receiver down for a whole day still gets
// everything) has passed since the first attempt; then the delivery is failed.

export const BACKOFF_BASE_S = 30;
export const BACKOFF_CAP_S = 3600;
export const RETRY_FOR_S = 25 * 3600;
/** A Retry-After longer than this is shortened to it: a receiver cannot park deliveries for days. */
export const MAX_RETRY_AFTER_S = 6 * 3600;

/** The wait before retry number `retry` (1 = the first retry), in seconds; `random` in [0, 1). */
export function backoffDelayS(retry: number, random: number): number {
  const exponent = Math.max(0, retry - 1);
  const full = Math.min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** Math.min(exponent, 30));
  return full / 2 + (full / 2) * random;
}

/** What one attempt came to, as the deliverer saw it. */
export type AttemptOutcome =
  | { kind: 'response'; statusCode: number; retryAfterS?: number | null }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string }
  | { kind: 'refused'; message: string };

/** 2xx is delivered; timeouts, connection errors, 5xx, 408 and 429 are retried; other 4xx and refused URLs are not. */
export function isRetryable(outcome: AttemptOutcome): boolean {
  switch (outcome.kind) {
    case 'timeout':
    case 'network':
      return true;
    case 'refused':
      return false;
    case 'response':
      return outcome.statusCode >= 500 || outcome.statusCode === 408 || outcome.statusCode === 429;
  }
}

export function isDelivered(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'response' && outcome.statusCode >= 200 && outcome.statusCode < 300;
}

export type NextStep = { kind: 'delivered' } | { kind: 'retry'; at: Date } | { kind: 'failed' };

/**
 * After attempt number `attempt` (1-based) of a delivery first tried at `firstAttemptAt`: delivered, retry at a time,
 * or failed for good. Retry-After (seconds) wins over the computed delay when it is longer.
 */
export function nextStep(outcome: AttemptOutcome, attempt: number, firstAttemptAt: Date, now: Date, random: number): NextStep {
  if (isDelivered(outcome)) return { kind: 'delivered' };
  if (!isRetryable(outcome)) return { kind: 'failed' };
  let delayS = backoffDelayS(attempt, random);
  if (outcome.kind === 'response' && outcome.retryAfterS != null) delayS = Math.max(delayS, Math.min(outcome.retryAfterS, MAX_RETRY_AFTER_S));
  const at = new Date(now.getTime() + delayS * 1000);
  if (at.getTime() - firstAttemptAt.getTime() > RETRY_FOR_S * 1000) return { kind: 'failed' };
  return { kind: 'retry', at };
}

/** Retry-After as seconds from `now`: delta-seconds or an HTTP date (RFC 9110 section 10.2.3); null when absent or bad. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** An endpoint whose attempts failed this many times in a row (no 2xx between) is disabled... */
export const DISABLE_AFTER_CONSECUTIVE_FAILURES = 20;
/** ...and only once its failures have gone on for at least this long (a short burst does not disable it). */
export const DISABLE_AFTER_FAILING_FOR_S = 24 * 3600;

/** Whether an endpoint's run of failed deliveries is long enough to disable it. */
export function shouldDisableEndpoint(consecutiveFailures: number, failingSince: Date | null, now: Date): boolean {
  return (
    consecutiveFailures >= DISABLE_AFTER_CONSECUTIVE_FAILURES &&
    failingSince !== null &&
    now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_FOR_S * 1000
  );
}
