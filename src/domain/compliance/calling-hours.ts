// The calling-hours envelope (issue 9): per weekday, the wall-clock intervals in which calls may start, plus days
// without calling (bank holidays of chosen UK jurisdictions, and dates the operator or client names). A campaign's
// own windows (start day and runover days) are intersected with it, on the wall clock of the campaign's zone, so a
// window keeps its meaning across the clock changes exactly as calling-windows.ts does.
//
// No statute sets calling hours; FCA CONC 7.9 says "not at unreasonable times" and the industry convention is
// Monday-Friday 08:00-21:00, Saturday 09:00-21:00, no Sundays or bank holidays (shared/notes/uk-rules.md). That is
// the default. The operator sets a profile per client; a campaign may only narrow it (narrowCallingHours).
// Pure: no clock, no I/O.
import { DateTime } from 'luxon';
import { FieldErrorCollector, type FieldErrors } from '../field-errors.js';
import { minutesOfDay, normaliseDate, normaliseTime } from '../wall-clock.js';
import { HOLIDAY_REGIONS, holidayOn, type HolidayRegion } from './bank-holidays.js';

/** The holiday jurisdictions, as a list for messages and descriptions. */
export const HOLIDAY_REGIONS_TEXT = HOLIDAY_REGIONS.join(', ');

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Calls may start at `start` <= wall time < `finish` (HH:mm, 24-hour). */
export interface HoursInterval {
  start: string;
  finish: string;
}

export interface CallingHoursProfile {
  /** Allowed intervals per weekday, sorted and not overlapping; an empty list is a day without calling. */
  weekdays: Record<Weekday, HoursInterval[]>;
  /** Jurisdictions whose bank holidays are days without calling. */
  holidays: HolidayRegion[];
  /** Further days without calling (YYYY-MM-DD), sorted. */
  excludedDates: string[];
}

const weekdaysOf = (weekday: HoursInterval[], saturday: HoursInterval[], sunday: HoursInterval[]) =>
  Object.fromEntries(WEEKDAYS.map((day) => [day, day === 'saturday' ? saturday : day === 'sunday' ? sunday : weekday])) as Record<
    Weekday,
    HoursInterval[]
  >;

/** The industry convention (uk-rules.md). */
export const DEFAULT_CALLING_HOURS: CallingHoursProfile = {
  weekdays: weekdaysOf([{ start: '08:00', finish: '21:00' }], [{ start: '09:00', finish: '21:00' }], []),
  holidays: ['england-and-wales'],
  excludedDates: [],
};

/** A day's window on the wall clock: a campaign's start day or one of its runover days. */
export interface WallClockDay {
  date: string;
  startTime: string;
  finishTime: string;
}

/** What the envelope took away from one of the campaign's days, for the create echo. */
export interface TrimmedDay {
  date: string;
  /** The window asked for, as "HH:mm-HH:mm". */
  requested: string;
  /** What is left of it ("HH:mm-HH:mm" each); empty when the whole day went. */
  allowed: string[];
  reason: string;
}

const formatInterval = (i: HoursInterval) => `${i.start}-${i.finish}`;
const titleCase = (day: Weekday) => day[0]!.toUpperCase() + day.slice(1);
const weekdayOf = (date: string): Weekday => WEEKDAYS[DateTime.fromISO(date, { zone: 'UTC' }).weekday - 1]!;

/** Why no call may start on `date` at all under `profile`, or undefined when it is a calling day. */
export function dayWithoutCalling(profile: CallingHoursProfile, date: string): string | undefined {
  if (profile.excludedDates.includes(date)) return `${date} is excluded from calling`;
  for (const region of profile.holidays) {
    const holiday = holidayOn(region, date);
    if (holiday.kind === 'holiday') return `${date} is a bank holiday (${holiday.name}, ${region})`;
    // Not known to be a working day: refused and said, never assumed.
    if (holiday.kind === 'unknown') return `${date}: ${holiday.message}; add the year's holidays or upgrade`;
  }
  const weekday = weekdayOf(date);
  if (profile.weekdays[weekday].length === 0) return `no calls on ${titleCase(weekday)}s`;
  return undefined;
}

/**
 * The parts of each day inside the envelope (a day may split in two when the profile has a break), and what was
 * trimmed and why. Days come back in the order given; a day with nothing left is absent from `days`.
 */
export function applyCallingHours(days: readonly WallClockDay[], profile: CallingHoursProfile): { days: WallClockDay[]; trimmed: TrimmedDay[] } {
  const kept: WallClockDay[] = [];
  const trimmed: TrimmedDay[] = [];
  for (const day of days) {
    const requested = `${day.startTime}-${day.finishTime}`;
    const closed = dayWithoutCalling(profile, day.date);
    if (closed !== undefined) {
      trimmed.push({ date: day.date, requested, allowed: [], reason: closed });
      continue;
    }
    const intervals = profile.weekdays[weekdayOf(day.date)];
    const pieces: HoursInterval[] = [];
    for (const allowed of intervals) {
      const start = minutesOfDay(day.startTime) > minutesOfDay(allowed.start) ? day.startTime : allowed.start;
      const finish = minutesOfDay(day.finishTime) < minutesOfDay(allowed.finish) ? day.finishTime : allowed.finish;
      if (minutesOfDay(finish) > minutesOfDay(start)) pieces.push({ start, finish });
    }
    for (const piece of pieces) kept.push({ date: day.date, startTime: piece.start, finishTime: piece.finish });
    const untouched = pieces.length === 1 && pieces[0]!.start === day.startTime && pieces[0]!.finish === day.finishTime;
    if (!untouched) {
      trimmed.push({
        date: day.date,
        requested,
        allowed: pieces.map(formatInterval),
        reason: `calling hours on ${titleCase(weekdayOf(day.date))}s are ${intervals.map(formatInterval).join(', ')}`,
      });
    }
  }
  return { days: kept, trimmed };
}

/** The envelope of both: each weekday's intervals intersected, days without calling united. */
export function intersectCallingHours(a: CallingHoursProfile, b: CallingHoursProfile): CallingHoursProfile {
  const weekdays = {} as Record<Weekday, HoursInterval[]>;
  for (const day of WEEKDAYS) {
    const pieces: HoursInterval[] = [];
    for (const x of a.weekdays[day]) {
      for (const y of b.weekdays[day]) {
        const start = minutesOfDay(x.start) > minutesOfDay(y.start) ? x.start : y.start;
        const finish = minutesOfDay(x.finish) < minutesOfDay(y.finish) ? x.finish : y.finish;
        if (minutesOfDay(finish) > minutesOfDay(start)) pieces.push({ start, finish });
      }
    }
    weekdays[day] = pieces.sort((p, q) => minutesOfDay(p.start) - minutesOfDay(q.start));
  }
  return {
    weekdays,
    holidays: HOLIDAY_REGIONS.filter((region) => a.holidays.includes(region) || b.holidays.includes(region)),
    excludedDates: [...new Set([...a.excludedDates, ...b.excludedDates])].sort(),
  };
}

export type CallingHoursCheck = { ok: true; profile: CallingHoursProfile } | { ok: false; errors: FieldErrors };

/**
 * Reads a profile from JSON: `{"weekdays": {"monday": [{"start": "08:00", "finish": "21:00"}], ...}, "holidays":
 * ["england-and-wales"], "excludedDates": ["2026-12-24"]}`. Fields left out are taken from `base` (a weekday left out
 * keeps base's hours), so a client narrowing its operator's profile names only what it changes. Errors are keyed by
 * field path under `path`.
 */
export function readCallingHours(input: unknown, base: CallingHoursProfile, path: string): CallingHoursCheck {
  const errors = new FieldErrorCollector();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    errors.add(path, 'must be an object with weekdays, holidays and excludedDates.');
    return { ok: false, errors: errors.errors };
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!['weekdays', 'holidays', 'excludedDates'].includes(key)) errors.add(`${path}.${key}`, 'is not a calling-hours field (weekdays, holidays, excludedDates).');
  }
  const weekdays = { ...base.weekdays };
  if (body.weekdays !== undefined) {
    const given = body.weekdays;
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      errors.add(`${path}.weekdays`, 'must map weekday names (monday..sunday) to lists of {start, finish}.');
    } else {
      for (const [name, list] of Object.entries(given)) {
        const day = name.toLowerCase() as Weekday;
        if (!WEEKDAYS.includes(day)) {
          errors.add(`${path}.weekdays.${name}`, 'is not a weekday (monday..sunday).');
          continue;
        }
        const intervals = readIntervals(list, `${path}.weekdays.${name}`, errors);
        if (intervals) weekdays[day] = intervals;
      }
    }
  }
  let holidays = base.holidays;
  if (body.holidays !== undefined) {
    if (!Array.isArray(body.holidays) || body.holidays.some((r) => !HOLIDAY_REGIONS.includes(r as HolidayRegion))) {
      errors.add(`${path}.holidays`, `must be a list of ${HOLIDAY_REGIONS.join(', ')} (empty for none).`);
    } else {
      holidays = HOLIDAY_REGIONS.filter((region) => (body.holidays as unknown[]).includes(region));
    }
  }
  let excludedDates = base.excludedDates;
  if (body.excludedDates !== undefined) {
    if (!Array.isArray(body.excludedDates)) {
      errors.add(`${path}.excludedDates`, 'must be a list of dates (YYYY-MM-DD).');
    } else {
      const dates: string[] = [];
      body.excludedDates.forEach((value, index) => {
        const date = typeof value === 'string' ? normaliseDate(value) : undefined;
        if (date === undefined) errors.add(`${path}.excludedDates[${index}]`, `${JSON.stringify(value)} is not a calendar date (YYYY-MM-DD).`);
        else dates.push(date);
      });
      excludedDates = [...new Set(dates)].sort();
    }
  }
  if (!errors.isEmpty) return { ok: false, errors: errors.errors };
  return { ok: true, profile: { weekdays, holidays, excludedDates } };
}

function readIntervals(value: unknown, path: string, errors: FieldErrorCollector): HoursInterval[] | undefined {
  if (!Array.isArray(value)) {
    errors.add(path, 'must be a list of {start, finish} (empty for no calling that day).');
    return undefined;
  }
  const intervals: HoursInterval[] = [];
  value.forEach((item, index) => {
    const at = `${path}[${index}]`;
    const raw = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const start = typeof raw.start === 'string' ? normaliseTime(raw.start) : undefined;
    const finish = typeof raw.finish === 'string' ? normaliseTime(raw.finish) : undefined;
    if (start === undefined || finish === undefined) errors.add(at, 'must be {"start": "HH:mm", "finish": "HH:mm"}.');
    else if (minutesOfDay(finish) <= minutesOfDay(start)) errors.add(at, `finish ${finish} must be after start ${start}.`);
    else intervals.push({ start, finish });
  });
  intervals.sort((a, b) => minutesOfDay(a.start) - minutesOfDay(b.start));
  for (let i = 1; i < intervals.length; i++) {
    if (minutesOfDay(intervals[i]!.start) < minutesOfDay(intervals[i - 1]!.finish)) {
      errors.add(path, `${formatInterval(intervals[i - 1]!)} and ${formatInterval(intervals[i]!)} overlap.`);
    }
  }
  return intervals;
}

/**
 * A campaign's calling hours within its client's: every interval must lie inside one of the client's for that
 * weekday, and the client's days without calling stay (a narrowing can add holidays and dates, never remove them).
 * A widening is refused with the path of the interval at fault rather than silently cut, so the client learns the
 * limit.
 */
export function narrowCallingHours(client: CallingHoursProfile, input: unknown, path: string): CallingHoursCheck {
  const read = readCallingHours(input, client, path);
  if (!read.ok) return read;
  const errors = new FieldErrorCollector();
  for (const day of WEEKDAYS) {
    read.profile.weekdays[day].forEach((interval, index) => {
      const inside = client.weekdays[day].some(
        (allowed) => minutesOfDay(interval.start) >= minutesOfDay(allowed.start) && minutesOfDay(interval.finish) <= minutesOfDay(allowed.finish),
      );
      if (!inside) {
        const limits = client.weekdays[day].length === 0 ? 'no calls' : client.weekdays[day].map(formatInterval).join(', ');
        errors.add(
          `${path}.weekdays.${day}[${index}]`,
          `${formatInterval(interval)} is outside this client's calling hours on ${titleCase(day)}s (${limits}); a campaign may narrow them, not widen them.`,
        );
      }
    });
  }
  if (!errors.isEmpty) return { ok: false, errors: errors.errors };
  // The union of days without calling: a narrowing that lists fewer holidays or dates does not get them back.
  return { ok: true, profile: intersectCallingHours(client, read.profile) };
}
