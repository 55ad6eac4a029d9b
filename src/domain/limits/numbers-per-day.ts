// The maxNumbersPerDay quota (issue 12), pure: numbers added to a client's campaigns (creates and adds, JSON and CSV)
// per UTC day. Days are UTC whatever the client's or campaigns' time zones, so the count refills at 00:00 UTC for
// everyone and a request refused at 23:59 UTC may go a minute later.
import { QuotaExceeded, type ClientQuotas } from './quotas.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC day of an instant, as a date column holds it (YYYY-MM-DD). */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Whole seconds from `now` until the next 00:00 UTC (at least 1): when a full day's quota is back. */
export function secondsToNextUtcMidnight(now: Date): number {
  const nextMidnightMs = Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  return Math.max(1, Math.ceil((nextMidnightMs - now.getTime()) / 1000));
}

/** The client's counter as stored: the last day it counted and the numbers added that day. */
export interface DailyNumbersCounter {
  day: string;
  numbers: number;
}

/** Numbers already added today; a counter left from an earlier day counts none. */
export function numbersAddedToday(counter: DailyNumbersCounter | undefined, now: Date): number {
  return counter !== undefined && counter.day === utcDay(now) ? counter.numbers : 0;
}

/**
 * Throws QuotaExceeded when adding `adding` numbers to the `addedToday` would pass maxNumbersPerDay: with Retry-After
 * to the next UTC midnight (a 429), except for a request that alone is over the whole day's quota, which no wait
 * lets through (a 403, as for a quota that does not refill).
 */
export function checkNumbersPerDay(quotas: ClientQuotas, addedToday: number, adding: number, now: Date): void {
  const limit = quotas.maxNumbersPerDay;
  if (limit === null || addedToday + adding <= limit) return;
  if (adding > limit) {
    throw new QuotaExceeded('maxNumbersPerDay', limit, undefined, `Quota maxNumbersPerDay of ${limit} is less than the ${adding} numbers of this request; send fewer at a time or ask the operator to raise it.`);
  }
  const retryAfterS = secondsToNextUtcMidnight(now);
  throw new QuotaExceeded(
    'maxNumbersPerDay',
    limit,
    retryAfterS,
    `Quota maxNumbersPerDay of ${limit} reached: ${addedToday} numbers added today (UTC) and ${adding} more would pass it; the count starts again at 00:00 UTC, in ${retryAfterS} s.`,
  );
}
