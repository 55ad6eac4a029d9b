// The calling-hours envelope: default profile, trimming a campaign's days, bank holidays, unknown years, clock
// changes, and a client narrowing (never widening) its operator's profile.
import { describe, expect, it } from 'vitest';
import {
  applyCallingHours,
  DEFAULT_CALLING_HOURS,
  dayWithoutCalling,
  intersectCallingHours,
  narrowCallingHours,
  readCallingHours,
} from '../../src/domain/compliance/calling-hours.js';
import { windowsOfDays } from '../../src/domain/calling-windows.js';

const day = (date: string, startTime: string, finishTime: string) => ({ date, startTime, finishTime });

describe('calling hours: the default profile (industry convention)', () => {
  it('keeps a weekday window inside 08:00-21:00 as it is', () => {
    const result = applyCallingHours([day('2026-12-01', '09:00', '12:00')], DEFAULT_CALLING_HOURS); // a Tuesday
    expect(result).toEqual({ days: [day('2026-12-01', '09:00', '12:00')], trimmed: [] });
  });

  it('trims a window that starts before 08:00 or runs past 21:00, and says why', () => {
    const result = applyCallingHours([day('2026-12-02', '07:00', '22:30')], DEFAULT_CALLING_HOURS);
    expect(result.days).toEqual([day('2026-12-02', '08:00', '21:00')]);
    expect(result.trimmed).toEqual([
      { date: '2026-12-02', requested: '07:00-22:30', allowed: ['08:00-21:00'], reason: 'calling hours on Wednesdays are 08:00-21:00' },
    ]);
  });

  it('opens Saturdays at 09:00 and drops Sundays', () => {
    const result = applyCallingHours([day('2026-12-05', '08:00', '12:00'), day('2026-12-06', '10:00', '12:00')], DEFAULT_CALLING_HOURS);
    expect(result.days).toEqual([day('2026-12-05', '09:00', '12:00')]);
    expect(result.trimmed.map((t) => [t.date, t.allowed, t.reason])).toEqual([
      ['2026-12-05', ['09:00-12:00'], 'calling hours on Saturdays are 09:00-21:00'],
      ['2026-12-06', [], 'no calls on Sundays'],
    ]);
  });

  it('drops bank holidays of England and Wales, naming the holiday', () => {
    const result = applyCallingHours([day('2026-12-25', '09:00', '12:00'), day('2026-12-28', '09:00', '12:00'), day('2026-12-29', '09:00', '12:00')], DEFAULT_CALLING_HOURS);
    expect(result.days).toEqual([day('2026-12-29', '09:00', '12:00')]);
    expect(result.trimmed.map((t) => t.reason)).toEqual([
      '2026-12-25 is a bank holiday (Christmas Day, england-and-wales)',
      '2026-12-28 is a bank holiday (Boxing Day (substitute day), england-and-wales)',
    ]);
  });

  it('refuses a date whose year the holiday table does not cover, rather than treating it as a working day', () => {
    const reason = dayWithoutCalling(DEFAULT_CALLING_HOURS, '2031-06-03');
    expect(reason).toMatch(/2031.*not known/);
    expect(applyCallingHours([day('2031-06-03', '09:00', '12:00')], DEFAULT_CALLING_HOURS).days).toEqual([]);
    // With no holiday jurisdiction chosen, the table is not consulted and the weekday rule alone applies.
    expect(dayWithoutCalling({ ...DEFAULT_CALLING_HOURS, holidays: [] }, '2031-06-03')).toBeUndefined();
  });

  it('keeps wall-clock hours across both clock changes (Europe/London)', () => {
    // 2027-03-29 is the Monday after the clocks go forward; 2027-11-01 the Monday after they go back. Easter Monday
    // is 2027-03-29 in England and Wales, so that check uses Scotland's holidays, which do not include it.
    const profile = { ...DEFAULT_CALLING_HOURS, holidays: ['scotland' as const] };
    const { days } = applyCallingHours([day('2027-03-26', '07:00', '22:00'), day('2027-03-29', '07:00', '22:00'), day('2027-11-01', '07:00', '22:00')], profile);
    const windows = windowsOfDays(days, 'Europe/London');
    // 2027-03-26 is Good Friday, a holiday in Scotland too.
    expect(windows.map((w) => [w.opensAt.toISOString(), w.closesAt.toISOString()])).toEqual([
      ['2027-03-29T07:00:00.000Z', '2027-03-29T20:00:00.000Z'], // BST: 08:00-21:00 local
      ['2027-11-01T08:00:00.000Z', '2027-11-01T21:00:00.000Z'], // GMT
    ]);
  });

  it('splits a day around a break in the profile', () => {
    const profile = readCallingHours({ weekdays: { tuesday: [{ start: '13:30', finish: '17:00' }, { start: '09:00', finish: '12:00' }] } }, DEFAULT_CALLING_HOURS, 'p');
    if (!profile.ok) throw new Error(JSON.stringify(profile.errors));
    const result = applyCallingHours([day('2026-12-01', '10:00', '16:00')], profile.profile);
    expect(result.days).toEqual([day('2026-12-01', '10:00', '12:00'), day('2026-12-01', '13:30', '16:00')]);
    expect(result.trimmed[0]).toMatchObject({ allowed: ['10:00-12:00', '13:30-16:00'] });
  });
});

describe('calling hours: reading and narrowing a profile', () => {
  it('reports each bad field by path', () => {
    const read = readCallingHours(
      {
        weekdays: { funday: [], monday: [{ start: '9', finish: '10:00' }], tuesday: [{ start: '12:00', finish: '11:00' }], friday: [{ start: '09:00', finish: '12:00' }, { start: '11:00', finish: '13:00' }] },
        holidays: ['wales'],
        excludedDates: ['2026-02-30'],
        extra: 1,
      },
      DEFAULT_CALLING_HOURS,
      'CallingHours',
    );
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(Object.keys(read.errors).sort()).toEqual([
      'CallingHours.excludedDates[0]',
      'CallingHours.extra',
      'CallingHours.holidays',
      'CallingHours.weekdays.friday',
      'CallingHours.weekdays.funday',
      'CallingHours.weekdays.monday[0]',
      'CallingHours.weekdays.tuesday[0]',
    ]);
  });

  it('lets a campaign narrow its client profile, keeping the client days without calling', () => {
    const narrowed = narrowCallingHours(
      { ...DEFAULT_CALLING_HOURS, excludedDates: ['2026-12-24'] },
      { weekdays: { monday: [{ start: '10:00', finish: '12:00' }], saturday: [] }, holidays: [], excludedDates: ['2026-12-31'] },
      'CallingHours',
    );
    expect(narrowed.ok).toBe(true);
    if (!narrowed.ok) return;
    expect(narrowed.profile.weekdays.monday).toEqual([{ start: '10:00', finish: '12:00' }]);
    expect(narrowed.profile.weekdays.tuesday).toEqual([{ start: '08:00', finish: '21:00' }]);
    expect(narrowed.profile.weekdays.saturday).toEqual([]);
    expect(narrowed.profile.holidays).toEqual(['england-and-wales']);
    expect(narrowed.profile.excludedDates).toEqual(['2026-12-24', '2026-12-31']);
  });

  it('refuses a widening with the path of the interval at fault', () => {
    const widened = narrowCallingHours(DEFAULT_CALLING_HOURS, { weekdays: { saturday: [{ start: '08:00', finish: '12:00' }], sunday: [{ start: '10:00', finish: '12:00' }] } }, 'CallingHours');
    expect(widened).toEqual({
      ok: false,
      errors: {
        'CallingHours.weekdays.saturday[0]': [
          "08:00-12:00 is outside this client's calling hours on Saturdays (09:00-21:00); a campaign may narrow them, not widen them.",
        ],
        'CallingHours.weekdays.sunday[0]': [
          "10:00-12:00 is outside this client's calling hours on Sundays (no calls); a campaign may narrow them, not widen them.",
        ],
      },
    });
  });

  it('intersects two profiles interval by interval', () => {
    const a = readCallingHours({ weekdays: { monday: [{ start: '08:00', finish: '12:00' }, { start: '14:00', finish: '20:00' }] } }, DEFAULT_CALLING_HOURS, 'a');
    const b = readCallingHours({ weekdays: { monday: [{ start: '11:00', finish: '15:00' }] }, holidays: ['scotland'] }, DEFAULT_CALLING_HOURS, 'b');
    if (!a.ok || !b.ok) throw new Error('bad fixture');
    const both = intersectCallingHours(a.profile, b.profile);
    expect(both.weekdays.monday).toEqual([{ start: '11:00', finish: '12:00' }, { start: '14:00', finish: '15:00' }]);
    expect(both.holidays).toEqual(['england-and-wales', 'scotland']);
  });
});
