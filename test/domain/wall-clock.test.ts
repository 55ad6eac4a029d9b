// Wall-clock times in IANA zones: parsing, and conversion to instants across clock changes.
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  canonicalTimeZone,
  formatWallClock,
  isValidTimeZone,
  minutesOfDay,
  normaliseDate,
  normaliseTime,
  wallClockToInstant,
} from '../../src/domain/wall-clock.js';

describe('normaliseTime', () => {
  it.each([
    ['09:00', '09:00'],
    ['9:00', '09:00'],
    ['23:59', '23:59'],
    ['00:00', '00:00'],
    ['17:30:45', '17:30'],
    [' 08:15 ', '08:15'],
  ])('reads %j as %s', (text, expected) => {
    expect(normaliseTime(text)).toBe(expected);
  });

  it.each(['24:00', '09:60', '0900', '9', '9am', '', '09:00:60', '-1:00'])('refuses %j', (text) => {
    expect(normaliseTime(text)).toBeUndefined();
  });

  it('counts minutes from midnight', () => {
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('13:45')).toBe(825);
  });
});

describe('normaliseDate', () => {
  it.each([
    ['2027-01-15', '2027-01-15'],
    ['2028-02-29', '2028-02-29'],
    ['2027-01-15T00:00:00', '2027-01-15'],
  ])('reads %j as %s', (text, expected) => {
    expect(normaliseDate(text)).toBe(expected);
  });

  it.each(['2027-02-29', '2027-13-01', '2027-00-10', '2027-04-31', '27-01-15', '2027/01/15', ''])('refuses %j', (text) => {
    expect(normaliseDate(text)).toBeUndefined();
  });
});

describe('wallClockToInstant', () => {
  it('reads London winter time as UTC and summer time as UTC+1', () => {
    expect(wallClockToInstant('2027-01-15', '09:00', 'Europe/London')).toEqual({ ok: true, instant: new Date('2027-01-15T09:00:00Z') });
    expect(wallClockToInstant('2027-07-15', '09:00', 'Europe/London')).toEqual({ ok: true, instant: new Date('2027-07-15T08:00:00Z') });
  });

  // BST starts at 01:00 UTC on the last Sunday of March: 01:00-01:59 London time does not happen on 2027-03-28.
  it('reports a time skipped when the clocks go forward', () => {
    expect(wallClockToInstant('2027-03-28', '01:30', 'Europe/London')).toEqual({ ok: false, reason: 'nonexistent' });
    expect(wallClockToInstant('2027-03-28', '00:59', 'Europe/London')).toEqual({ ok: true, instant: new Date('2027-03-28T00:59:00Z') });
    expect(wallClockToInstant('2027-03-28', '02:00', 'Europe/London')).toEqual({ ok: true, instant: new Date('2027-03-28T01:00:00Z') });
  });

  // BST ends at 01:00 UTC on the last Sunday of October: 01:00-01:59 London time happens twice on 2027-10-31.
  it('takes the first occurrence of a time repeated when the clocks go back', () => {
    expect(wallClockToInstant('2027-10-31', '01:30', 'Europe/London')).toEqual({ ok: true, instant: new Date('2027-10-31T00:30:00Z') });
    expect(wallClockToInstant('2027-10-31', '02:00', 'Europe/London')).toEqual({ ok: true, instant: new Date('2027-10-31T02:00:00Z') });
  });

  it('handles zones with half-hour offsets and half-hour clock changes', () => {
    expect(wallClockToInstant('2027-01-15', '09:00', 'Asia/Kolkata')).toEqual({ ok: true, instant: new Date('2027-01-15T03:30:00Z') });
    // Lord Howe Island moves its clocks by 30 minutes: 02:00 -> 02:30 on the first Sunday of October.
    expect(wallClockToInstant('2027-10-03', '02:15', 'Australia/Lord_Howe')).toEqual({ ok: false, reason: 'nonexistent' });
  });

  it('reports a date that is not on the calendar as nonexistent', () => {
    expect(wallClockToInstant('2027-02-30', '09:00', 'Europe/London').ok).toBe(false);
  });
});

describe('time zone names', () => {
  it('accepts IANA names and refuses others', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it.each([
    ['europe/london', 'Europe/London'],
    ['AMERICA/NEW_YORK', 'America/New_York'],
    ['Europe/London', 'Europe/London'],
    ['utc', 'UTC'],
    // Links known to Intl but not in its list of zones become the zone they link to.
    ['US/Eastern', 'America/New_York'],
    ['etc/utc', 'UTC'],
  ])('spells %j as %j', (zone, expected) => {
    expect(canonicalTimeZone(zone)).toBe(expected);
  });

  it('gives undefined for a name that is not a zone', () => {
    expect(canonicalTimeZone('Europe/Londres')).toBeUndefined();
  });
});

describe('formatWallClock', () => {
  it("shows an instant on the campaign zone's wall clock, as the document's call times", () => {
    expect(formatWallClock(new Date('2027-07-15T08:16:15.637Z'), 'Europe/London')).toBe('2027-07-15T09:16:15.637');
    expect(formatWallClock(new Date('2027-01-15T08:16:15.637Z'), 'Europe/London', false)).toBe('2027-01-15T08:16:15');
  });

  it('agrees with luxon minute by minute across clock changes, including half-hour zones and offsets', () => {
    const transitions = [
      ['Europe/London', '2027-03-28T00:00:00Z'],
      ['Europe/London', '2027-10-31T00:00:00Z'],
      ['America/New_York', '2027-03-14T06:00:00Z'],
      ['Australia/Lord_Howe', '2027-04-03T14:00:00Z'],
      ['Asia/Kolkata', '2027-01-01T00:00:00Z'],
      ['Pacific/Chatham', '2027-04-03T13:00:00Z'],
    ] as const;
    for (const [zone, around] of transitions) {
      const startMs = Date.parse(around);
      for (let minute = 0; minute < 4 * 60; minute += 1) {
        const instant = new Date(startMs + minute * 60_000 + 59_999);
        const expected = DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
        expect(formatWallClock(instant, zone), `${zone} ${instant.toISOString()}`).toBe(expected);
        expect(formatWallClock(instant, zone), 'a second read (kept offset)').toBe(expected);
      }
    }
  });
});
