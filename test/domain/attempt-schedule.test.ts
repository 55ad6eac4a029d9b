import { describe, it, expect } from 'vitest';
import { attemptDueAt, checkCallStart } from '../../src/domain/attempt-schedule.js';
import { callingWindows, type CallingWindow } from '../../src/domain/calling-windows.js';

const at = (iso: string) => new Date(iso);

// London, over the spring DST change: Sat 27 March 09:00-21:00 GMT, Sun 28 March 09:00-21:00 BST (runover),
// Tue 30 March 10:00-12:00 BST (runover).
const windows = callingWindows({
  timeZone: 'Europe/London',
  startDate: '2027-03-27',
  startTime: '09:00',
  finishTime: '21:00',
  runoverDays: [
    { date: '2027-03-28', startTime: '09:00', finishTime: '21:00' },
    { date: '2027-03-30', startTime: '10:00', finishTime: '12:00' },
  ],
});
const [saturday, sunday, tuesday] = windows as [CallingWindow, CallingWindow, CallingWindow];
const campaignStartsAt = saturday.opensAt; // 2027-03-27T09:00Z

describe('attemptDueAt', () => {
  it('attempt 1 with interval 0 is due at the campaign start', () => {
    expect(attemptDueAt({ windows, intervalMinutes: 0, previousEndedAt: undefined, campaignStartsAt })).toEqual(
      at('2027-03-27T09:00:00.000Z'),
    );
  });

  it('attempt 1 is due its interval after the campaign start', () => {
    expect(attemptDueAt({ windows, intervalMinutes: 45, previousEndedAt: undefined, campaignStartsAt })).toEqual(
      at('2027-03-27T09:45:00.000Z'),
    );
  });

  it('attempt N counts its interval from when attempt N-1 ended (inside a window: stays)', () => {
    expect(
      attemptDueAt({ windows, intervalMinutes: 60, previousEndedAt: at('2027-03-27T10:02:37.000Z'), campaignStartsAt }),
    ).toEqual(at('2027-03-27T11:02:37.000Z'));
  });

  it('a due time before a window waits for its opening', () => {
    // Defensive: a start instant before every window still waits for the first opening.
    expect(
      attemptDueAt({ windows, intervalMinutes: 10, previousEndedAt: undefined, campaignStartsAt: at('2027-03-27T06:00:00.000Z') }),
    ).toEqual(saturday.opensAt);
  });

  it('a due time after the day closes moves to the next window, opening on BST after the change', () => {
    // Ended 20:30 GMT Saturday + 60 min = 21:30 GMT, after closing: Sunday 09:00 BST = 08:00Z.
    const due = attemptDueAt({ windows, intervalMinutes: 60, previousEndedAt: at('2027-03-27T20:30:00.000Z'), campaignStartsAt });
    expect(due).toEqual(sunday.opensAt);
    expect(due).toEqual(at('2027-03-28T08:00:00.000Z'));
  });

  it('a due time exactly at a closing moves to the next opening', () => {
    expect(
      attemptDueAt({ windows, intervalMinutes: 30, previousEndedAt: at('2027-03-27T20:30:00.000Z'), campaignStartsAt }),
    ).toEqual(sunday.opensAt);
  });

  it('intervals are elapsed minutes, not wall-clock minutes, across the DST change', () => {
    // Saturday 20:30 GMT + 12 h = Sunday 08:30Z = 09:30 BST: inside Sunday's window, not at 08:30 local.
    expect(
      attemptDueAt({ windows, intervalMinutes: 720, previousEndedAt: at('2027-03-27T20:30:00.000Z'), campaignStartsAt }),
    ).toEqual(at('2027-03-28T08:30:00.000Z'));
  });

  it('a due time on a day with no window (between runover days) waits for the next one', () => {
    expect(
      attemptDueAt({ windows, intervalMinutes: 24 * 60, previousEndedAt: at('2027-03-28T12:00:00.000Z'), campaignStartsAt }),
    ).toEqual(tuesday.opensAt);
  });

  it('is undefined when no window is left', () => {
    expect(
      attemptDueAt({ windows, intervalMinutes: 5, previousEndedAt: at('2027-03-30T10:56:00.000Z'), campaignStartsAt }),
    ).toBeUndefined();
    expect(attemptDueAt({ windows: [], intervalMinutes: 0, previousEndedAt: undefined, campaignStartsAt })).toBeUndefined();
  });

  it('throws on a negative or non-finite interval', () => {
    expect(() => attemptDueAt({ windows, intervalMinutes: -1, previousEndedAt: undefined, campaignStartsAt })).toThrow(RangeError);
    expect(() => attemptDueAt({ windows, intervalMinutes: Number.NaN, previousEndedAt: undefined, campaignStartsAt })).toThrow(
      RangeError,
    );
  });
});

describe('checkCallStart: no call starts outside a window', () => {
  it('allows a start inside a window and says how long is left', () => {
    const check = checkCallStart({ windows, now: at('2027-03-28T19:59:30.000Z') }); // 20:59:30 BST
    expect(check).toEqual({ allowed: true, window: sunday, msUntilClose: 30_000 });
  });

  it('allows a start at the opening instant', () => {
    expect(checkCallStart({ windows, now: sunday.opensAt })).toMatchObject({ allowed: true, msUntilClose: 12 * 3_600_000 });
  });

  it('refuses a start at the closing instant and points at the next opening', () => {
    expect(checkCallStart({ windows, now: sunday.closesAt })).toEqual({
      allowed: false,
      reason: 'outside_window',
      nextCallableAt: tuesday.opensAt,
    });
  });

  it('refuses a start before the first window', () => {
    expect(checkCallStart({ windows, now: at('2027-03-27T08:59:59.999Z') })).toEqual({
      allowed: false,
      reason: 'outside_window',
      nextCallableAt: saturday.opensAt,
    });
  });

  it('refuses a start after the last window, with nowhere to go', () => {
    expect(checkCallStart({ windows, now: at('2027-03-30T11:00:00.000Z') })).toEqual({
      allowed: false,
      reason: 'outside_window',
      nextCallableAt: undefined,
    });
  });

  it('with minimumMsBeforeClose, refuses a start too close to the closing', () => {
    const now = at('2027-03-28T19:59:30.000Z'); // 30 s left
    expect(checkCallStart({ windows, now, minimumMsBeforeClose: 60_000 })).toEqual({
      allowed: false,
      reason: 'closing_soon',
      nextCallableAt: tuesday.opensAt,
    });
    expect(checkCallStart({ windows, now, minimumMsBeforeClose: 30_000 })).toMatchObject({ allowed: false, reason: 'closing_soon' });
    expect(checkCallStart({ windows, now, minimumMsBeforeClose: 29_999 })).toMatchObject({ allowed: true, msUntilClose: 30_000 });
  });

  it('throws on a negative minimumMsBeforeClose', () => {
    expect(() => checkCallStart({ windows, now: sunday.opensAt, minimumMsBeforeClose: -1 })).toThrow(RangeError);
  });
});
