// A campaign's calling windows as instants: the start day from StartTime to FinishTime, and each runover day from its
// own start to its finish, all read on the wall clock of the campaign's IANA zone (uk-rules.md: always the
// Europe/London wall clock for UK campaigns). Converting once to instants means the dialer compares instants only,
// never the server's local clock, and a window on the day the clocks change keeps its wall-clock times: 09:00-12:00
// on 2027-03-28 in London is 09:00-12:00 BST (08:00Z-11:00Z), three hours long.
//
// Times that do not or twice exist on the wall clock follow one rule: a wall time becomes the FIRST INSTANT AT WHICH
// THE CLOCK SHOWS THAT TIME OR LATER.
//   - Clocks going back (the time occurs twice): the first occurrence (as wallClockToInstant does).
//   - Clocks going forward (the time is skipped): the first instant after the gap, i.e. the moment of the change.
//     A 00:30-01:30 window on 2027-03-28 in London closes at 02:00 BST (01:00Z), after 30 minutes of calling; a
//     finish time in the gap never stretches the window past what the clock would show. (Campaign validation already
//     refuses a start time in the gap; were one to reach here, the window opens when the gap ends.)
// The rule is monotonic (a later wall time never maps to an earlier instant), so a window whose finish is after its
// start can never come out inverted; it can only come out empty, when both ends fall in the same gap, and an empty
// window is left out because no call could start in it.
// Pure: no clock is read here.
import { DateTime } from 'luxon';
import { isValidTimeZone, normaliseDate, normaliseTime, wallClockToInstant } from './wall-clock.js';

/** What the windows are computed from; a CampaignPlan (campaign-request.ts) is one. */
export interface WindowSpec {
  timeZone: string;
  startDate: string;
  startTime: string;
  finishTime: string;
  runoverDays: { date: string; startTime: string; finishTime: string }[];
}

/** One day's calling window: calls may start at `opensAt` <= t < `closesAt`. */
export interface CallingWindow {
  /** The calendar date (YYYY-MM-DD) in the campaign's zone. */
  date: string;
  opensAt: Date;
  closesAt: Date;
}

/**
 * The start day's window and each runover day's, sorted by `opensAt`, empty windows left out. Throws on a date, time
 * or zone that is not well formed: the spec comes from a validated campaign, so that is a bug.
 */
export function callingWindows(spec: WindowSpec): CallingWindow[] {
  return windowsOfDays([{ date: spec.startDate, startTime: spec.startTime, finishTime: spec.finishTime }, ...spec.runoverDays], spec.timeZone);
}

/**
 * Windows of days given on the wall clock of `timeZone` (a date may appear more than once, e.g. a day that the
 * calling-hours envelope split in two), sorted by `opensAt`, empty windows left out. Throws like callingWindows.
 */
export function windowsOfDays(days: readonly { date: string; startTime: string; finishTime: string }[], timeZone: string): CallingWindow[] {
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`callingWindows: ${JSON.stringify(timeZone)} is not an IANA time zone`);
  }
  const windows: CallingWindow[] = [];
  for (const day of days) {
    const date = checkedDate(day.date);
    const opensAt = firstInstantShowing(date, checkedTime(day.startTime), timeZone);
    const closesAt = firstInstantShowing(date, checkedTime(day.finishTime), timeZone);
    if (closesAt.getTime() > opensAt.getTime()) windows.push({ date, opensAt, closesAt });
  }
  return windows.sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime());
}

/** The window with opensAt <= at < closesAt, if any. */
export function windowContaining(windows: readonly CallingWindow[], at: Date): CallingWindow | undefined {
  const t = at.getTime();
  return windows.find((window) => window.opensAt.getTime() <= t && t < window.closesAt.getTime());
}

/** `at` itself when it is inside a window, else the opening of the next window after it, else undefined. */
export function nextCallableInstant(windows: readonly CallingWindow[], at: Date): Date | undefined {
  if (windowContaining(windows, at)) return at;
  const t = at.getTime();
  let next: Date | undefined;
  for (const window of windows) {
    if (window.opensAt.getTime() > t && (next === undefined || window.opensAt.getTime() < next.getTime())) {
      next = window.opensAt;
    }
  }
  return next;
}

/** When the last window closes (the campaign completes then); undefined when there is no window. */
export function lastClosing(windows: readonly CallingWindow[]): Date | undefined {
  let last: Date | undefined;
  for (const window of windows) {
    if (last === undefined || window.closesAt.getTime() > last.getTime()) last = window.closesAt;
  }
  return last;
}

function checkedDate(text: string): string {
  const date = normaliseDate(text);
  if (date === undefined) throw new RangeError(`callingWindows: ${JSON.stringify(text)} is not a calendar date`);
  return date;
}

function checkedTime(text: string): string {
  const time = normaliseTime(text);
  if (time === undefined) throw new RangeError(`callingWindows: ${JSON.stringify(text)} is not an HH:mm time`);
  return time;
}

const HOUR_MS = 3_600_000;

/**
 * The first instant at which the wall clock in `zone` shows `date` `time` or later: the time itself (its first
 * occurrence when the clocks go back), or the end of the gap when the clocks go forward over it.
 */
function firstInstantShowing(date: string, time: string, zone: string): Date {
  const exact = wallClockToInstant(date, time, zone);
  if (exact.ok) return exact.instant;

  // The time is in a gap. Read the wall time as if it were UTC ("local milliseconds"); the zone's offsets either side
  // of the gap bound the change: before it (smaller offset) the clock shows less, after it (larger offset) more.
  const localMs = DateTime.fromISO(`${date}T${time}`, { zone: 'UTC' }).toMillis();
  const offsetsMs = [-18, -12, -6, 0, 6, 12, 18].map(
    (hours) => DateTime.fromMillis(localMs + hours * HOUR_MS, { zone }).offset * 60_000,
  );
  const localAt = (instantMs: number) => instantMs + DateTime.fromMillis(instantMs, { zone }).offset * 60_000;
  let before = localMs - Math.max(...offsetsMs); // the clock shows earlier than `time` here
  let after = localMs - Math.min(...offsetsMs); //  and `time` or later here
  if (!(localAt(before) < localMs && localAt(after) >= localMs)) {
    throw new Error(`callingWindows: cannot place ${date} ${time} in ${zone}`);
  }
  // Between the two there is only the one change, so "shows `time` or later" is monotonic: bisect to the millisecond.
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (localAt(middle) >= localMs) after = middle;
    else before = middle;
  }
  return new Date(after);
}
