// Calling windows are wall-clock times in the campaign's IANA zone. Converting them to instants goes through luxon
// (the zone database in Intl), never the server's local zone, so windows stay right across DST changes.
import { DateTime, IANAZone } from 'luxon';

export const DEFAULT_TIME_ZONE = 'Europe/London';

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

let zonesByLowerCaseName: Map<string, string> | undefined;

/**
 * The IANA spelling of a zone name given in any case ("europe/london" -> "Europe/London"), or undefined when it is
 * not a zone. Intl accepts any case, so without this a campaign would store and echo the client's spelling. A link
 * name that Intl knows but does not list ("US/Eastern", "Etc/UTC") becomes the zone it links to. Either way the
 * result comes from a fixed set of names, which matters because zone objects are cached by name (luxon's zone cache)
 * and a client could otherwise fill that cache with case variants.
 */
export function canonicalTimeZone(zone: string): string | undefined {
  if (!isValidTimeZone(zone)) return undefined;
  zonesByLowerCaseName ??= new Map(
    [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((name) => [name.toLowerCase(), name] as const),
  );
  return zonesByLowerCaseName.get(zone.toLowerCase()) ?? new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

/** "9:00" and "09:00:00" -> "09:00"; undefined when not a 24-hour time. */
export function normaliseTime(text: string): string | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(text.trim());
  return match ? `${match[1]!.padStart(2, '0')}:${match[2]}` : undefined;
}

/** "2025-10-01" or "2025-10-01T00:00:00" -> "2025-10-01" when it is a real calendar date; else undefined. */
export function normaliseDate(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]*)?$/.exec(text.trim());
  if (!match) return undefined;
  const date = DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }, { zone: 'UTC' });
  return date.isValid ? date.toISODate()! : undefined;
}

export const minutesOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

export type WallClockInstant =
  | { ok: true; instant: Date }
  /** The time is skipped when the clocks go forward (e.g. 01:30 on the last Sunday of March in London). */
  | { ok: false; reason: 'nonexistent' };

/**
 * The instant at which the wall clock in `zone` shows `date` `time`. A time that occurs twice (clocks going back)
 * is the first occurrence; a time that never occurs is reported rather than silently moved.
 */
export function wallClockToInstant(date: string, time: string, zone: string): WallClockInstant {
  const wall = `${date} ${time}`;
  const asUtcMs = DateTime.fromISO(`${date}T${time}`, { zone: 'UTC' }).toMillis();
  if (Number.isNaN(asUtcMs)) return { ok: false, reason: 'nonexistent' };
  // Try every UTC offset the zone uses within a few hours of that moment; keep the earliest that shows this wall time.
  const offsetsMinutes = new Set(
    [-6, 0, 6].map((hours) => DateTime.fromMillis(asUtcMs + hours * 3_600_000, { zone }).offset),
  );
  let earliestMs: number | undefined;
  for (const offset of offsetsMinutes) {
    const candidateMs = asUtcMs - offset * 60_000;
    if (DateTime.fromMillis(candidateMs, { zone }).toFormat('yyyy-MM-dd HH:mm') !== wall) continue;
    if (earliestMs === undefined || candidateMs < earliestMs) earliestMs = candidateMs;
  }
  return earliestMs === undefined ? { ok: false, reason: 'nonexistent' } : { ok: true, instant: new Date(earliestMs) };
}

/** An instant shown as the campaign zone's wall clock, `YYYY-MM-DDTHH:mm:ss.SSS` (the document's call times). */
export function formatWallClock(instant: Date, zone: string, withMilliseconds = true): string {
  const ms = instant.getTime();
  const offsetMinutes = ms >= 0 && ms < LAST_PLAIN_YEAR_MS ? steadyOffsetMinutes(zone, ms) : undefined;
  if (offsetMinutes === undefined) {
    return DateTime.fromJSDate(instant, { zone }).toFormat(withMilliseconds ? "yyyy-MM-dd'T'HH:mm:ss.SSS" : "yyyy-MM-dd'T'HH:mm:ss");
  }
  // The wall clock is the instant moved by the zone's offset, printed as if it were UTC.
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, withMilliseconds ? 23 : 19);
}

/**
 * Asking luxon (Intl) for a zone's offset costs about 15 µs, and a page of 100 numbers prints 600 call times: 10 ms
 * of a 35 ms request (issue 10 profile: luxon partsOffset). Offsets change only at a zone's transitions, so the offset
 * is kept per zone and OFFSET_SPAN_MS span: when the offsets at both ends of a span agree, no transition falls inside
 * it (zones change at most twice a year, never twice within a quarter hour) and the offset holds for every instant in
 * it. A span with a transition is not kept: those instants ask luxon.
 */
const OFFSET_SPAN_MS = 15 * 60_000;
/** Up to 9999-12-31: toISOString's plain four-digit years. */
const LAST_PLAIN_YEAR_MS = Date.UTC(9999, 11, 31);
const MAX_KEPT_SPANS = 50_000;
const offsetBySpan = new Map<string, number | null>();

function steadyOffsetMinutes(zone: string, ms: number): number | undefined {
  const span = Math.floor(ms / OFFSET_SPAN_MS);
  const key = `${zone}\n${span}`;
  let offset = offsetBySpan.get(key);
  if (offset === undefined) {
    const start = DateTime.fromMillis(span * OFFSET_SPAN_MS, { zone });
    if (!start.isValid) return undefined;
    const end = DateTime.fromMillis((span + 1) * OFFSET_SPAN_MS - 1, { zone });
    offset = start.offset === end.offset ? start.offset : null;
    if (offsetBySpan.size >= MAX_KEPT_SPANS) offsetBySpan.clear();
    offsetBySpan.set(key, offset);
  }
  return offset ?? undefined;
}
