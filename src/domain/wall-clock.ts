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
  if (ms >= 0 && ms < LAST_PLAIN_YEAR_MS) {
    const clock = zoneWallClock(zone);
    const offsetMinutes = clock.steadyOffsetMinutes(ms);
    // The wall clock is the instant moved by the zone's offset, printed as if it were UTC.
    if (offsetMinutes !== undefined) {
      const text = clock.localText(ms + offsetMinutes * 60_000);
      return withMilliseconds ? text : text.slice(0, 19);
    }
  }
  return DateTime.fromJSDate(instant, { zone }).toFormat(withMilliseconds ? "yyyy-MM-dd'T'HH:mm:ss.SSS" : "yyyy-MM-dd'T'HH:mm:ss");
}

/**
 * Asking luxon (Intl) for a zone's offset costs about 15 µs, and a page of 100 numbers prints 600 call times: 10 ms
 * of a 35 ms request (issue 10 profile: luxon partsOffset). Offsets change only at a zone's transitions, so the offset
 * is kept per zone and OFFSET_SPAN_MS span: when the offsets at both ends of a span agree, no transition falls inside
 * it (zones change at most twice a year, never twice within a quarter hour) and the offset holds for every instant in
 * it. A span with a transition is not kept: those instants ask luxon.
 */
const OFFSET_SPAN_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
/** Up to 9999-12-31: toISOString's plain four-digit years. */
const LAST_PLAIN_YEAR_MS = Date.UTC(9999, 11, 31);
/** Entries kept per zone and map before it starts again (a span is 15 minutes, an hour's text an hour: years of them). */
const MAX_KEPT = 20_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * One zone's wall clock, printed fast: its offset kept per quarter hour (above), and a local time's text up to the
 * hour kept per hour, the minutes, seconds and milliseconds from tables. A number page prints ~600 times and a CSV
 * export two per call: a string key (zone and span) hashed per time, then a Date and its toISOString, were 6% of a
 * number page's CPU on PostgreSQL (session 16 profile) and 1.1 s of a 1,000,000-call export's 8 s.
 */
export class ZoneWallClock {
  private readonly offsetBySpan = new Map<number, number | null>();
  private readonly hourTexts = new Map<number, string>();

  constructor(readonly zone: string) {}

  /** The zone's offset (minutes east of UTC) at `ms` when no transition falls in its quarter hour, else undefined. */
  steadyOffsetMinutes(ms: number): number | undefined {
    const span = Math.floor(ms / OFFSET_SPAN_MS);
    let offset = this.offsetBySpan.get(span);
    if (offset === undefined) {
      const start = DateTime.fromMillis(span * OFFSET_SPAN_MS, { zone: this.zone });
      if (!start.isValid) return undefined;
      const end = DateTime.fromMillis((span + 1) * OFFSET_SPAN_MS - 1, { zone: this.zone });
      offset = start.offset === end.offset ? start.offset : null;
      if (this.offsetBySpan.size >= MAX_KEPT) this.offsetBySpan.clear();
      this.offsetBySpan.set(span, offset);
    }
    return offset ?? undefined;
  }

  /**
   * A local time (epoch milliseconds shifted by the offset) as YYYY-MM-DDTHH:mm:ss.sss, years 0-9999. Whole
   * milliseconds take the tables; anything else a Date.
   */
  localText(localMs: number): string {
    const hour = Math.floor(localMs / HOUR_MS);
    const withinMs = localMs - hour * HOUR_MS;
    if (!Number.isInteger(withinMs)) return new Date(localMs).toISOString().slice(0, 23);
    let hourText = this.hourTexts.get(hour);
    if (hourText === undefined) {
      // 'YYYY-MM-DDTHH:' (toISOString writes years outside 0-9999 with a sign and six digits, kept whole here).
      const iso = new Date(hour * HOUR_MS).toISOString();
      hourText = iso.slice(0, iso.length - 10);
      if (this.hourTexts.size >= MAX_KEPT) this.hourTexts.clear();
      this.hourTexts.set(hour, hourText);
    }
    const minute = Math.floor(withinMs / 60_000);
    const second = Math.floor(withinMs / 1000) % 60;
    return `${hourText}${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${THREE_DIGITS[withinMs % 1000]}`;
  }
}

/** Zones are canonical names from a fixed set (canonicalTimeZone), so this stays small; it starts again if not. */
const clocksByZone = new Map<string, ZoneWallClock>();
const MAX_ZONES = 1_000;

function zoneWallClock(zone: string): ZoneWallClock {
  let clock = clocksByZone.get(zone);
  if (!clock) {
    if (clocksByZone.size >= MAX_ZONES) clocksByZone.clear();
    clocksByZone.set(zone, (clock = new ZoneWallClock(zone)));
  }
  return clock;
}
