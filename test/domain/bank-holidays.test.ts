// The shipped bank-holiday table, checked against the rules that make it (so a mistyped date fails), and the
// "unknown year" answer for dates the table does not cover.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { COVERED_YEARS, HOLIDAY_REGIONS, holidayList, holidayOn, type HolidayRegion } from '../../src/domain/compliance/bank-holidays.js';

/** Easter Sunday (anonymous Gregorian algorithm). */
function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day);
}

const firstMonday = (year: number, month: number) => {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: (8 - first.weekday) % 7 });
};
const lastMonday = (year: number, month: number) => {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday + 6) % 7 });
};

/** Fixed-date holidays move to the next weekday that is not already a holiday (the substitute day rule). */
function withSubstitutes(fixed: DateTime[], movable: DateTime[]): string[] {
  const taken = new Set(movable.map((d) => d.toISODate()!));
  for (const date of fixed) {
    let day = date;
    while (day.weekday >= 6 || taken.has(day.toISODate()!)) day = day.plus({ days: 1 });
    taken.add(day.toISODate()!);
  }
  return [...taken].sort();
}

function expectedDates(region: HolidayRegion, year: number): string[] {
  const easter = easterSunday(year);
  const movable = [easter.minus({ days: 2 }), firstMonday(year, 5), lastMonday(year, 5)];
  const fixed = [DateTime.utc(year, 1, 1)];
  if (region === 'scotland') {
    movable.push(firstMonday(year, 8));
    fixed.push(DateTime.utc(year, 1, 2), DateTime.utc(year, 11, 30));
  } else {
    movable.push(easter.plus({ days: 1 }), lastMonday(year, 8));
  }
  if (region === 'northern-ireland') fixed.push(DateTime.utc(year, 3, 17), DateTime.utc(year, 7, 12));
  fixed.push(DateTime.utc(year, 12, 25), DateTime.utc(year, 12, 26));
  return withSubstitutes(fixed, movable);
}

describe('bank holidays', () => {
  it.each(HOLIDAY_REGIONS.map((region) => [region]))('%s: every year shipped matches the statutory pattern', (region) => {
    for (let year = COVERED_YEARS.first; year <= COVERED_YEARS.last; year++) {
      const shipped = holidayList(region).filter(([date]) => date.startsWith(`${year}-`)).map(([date]) => date);
      expect(shipped, `${region} ${year}`).toEqual(expectedDates(region, year));
    }
  });

  it('no shipped holiday is on a weekend, and substitute days say so', () => {
    for (const region of HOLIDAY_REGIONS) {
      for (const [date, name] of holidayList(region)) {
        expect(DateTime.fromISO(date).weekday, `${region} ${date}`).toBeLessThan(6);
        if (/substitute/.test(name)) expect(DateTime.fromISO(date).weekday).toBeLessThanOrEqual(2);
      }
    }
  });

  it('answers holiday, working day, or unknown for a year outside the table', () => {
    expect(holidayOn('england-and-wales', '2026-12-28')).toEqual({ kind: 'holiday', name: 'Boxing Day (substitute day)' });
    expect(holidayOn('england-and-wales', '2026-12-29')).toEqual({ kind: 'working' });
    expect(holidayOn('scotland', '2026-11-30')).toEqual({ kind: 'holiday', name: "St Andrew's Day" });
    expect(holidayOn('england-and-wales', '2026-11-30')).toEqual({ kind: 'working' });
    expect(holidayOn('northern-ireland', '2026-07-13')).toMatchObject({ kind: 'holiday' });
    expect(holidayOn('scotland', '2027-03-29')).toEqual({ kind: 'working' }); // no Easter Monday in Scotland
    const outside = holidayOn('england-and-wales', `${COVERED_YEARS.last + 1}-03-03`);
    expect(outside.kind).toBe('unknown');
    expect(outside).toMatchObject({ message: expect.stringContaining(String(COVERED_YEARS.last + 1)) });
    expect(holidayOn('scotland', `${COVERED_YEARS.first - 1}-06-01`).kind).toBe('unknown');
  });
});
