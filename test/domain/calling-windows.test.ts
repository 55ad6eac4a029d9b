import { describe, it, expect } from 'vitest';
import {
  callingWindows,
  lastClosing,
  nextCallableInstant,
  windowContaining,
  type CallingWindow,
  type WindowSpec,
} from '../../src/domain/calling-windows.js';
import type { CampaignPlan } from '../../src/domain/campaign-request.js';

const at = (iso: string) => new Date(iso);
const asIso = (windows: CallingWindow[]) =>
  windows.map((w) => ({ date: w.date, opensAt: w.opensAt.toISOString(), closesAt: w.closesAt.toISOString() }));

function london(startDate: string, startTime: string, finishTime: string, runoverDays: WindowSpec['runoverDays'] = []) {
  return callingWindows({ timeZone: 'Europe/London', startDate, startTime, finishTime, runoverDays });
}

describe('callingWindows: wall-clock times in the campaign zone', () => {
  it('accepts a CampaignPlan as its spec', () => {
    // Compile-time: the plan the request check produces carries every field a window spec needs.
    const toSpec = (plan: CampaignPlan): WindowSpec => plan;
    expect(typeof toSpec).toBe('function');
  });

  it('gives the start day and each runover day, in GMT and BST', () => {
    const windows = london('2027-01-12', '09:00', '17:30', [
      { date: '2027-01-13', startTime: '10:00', finishTime: '12:00' },
      { date: '2027-07-01', startTime: '08:00', finishTime: '21:00' },
    ]);
    expect(asIso(windows)).toEqual([
      { date: '2027-01-12', opensAt: '2027-01-12T09:00:00.000Z', closesAt: '2027-01-12T17:30:00.000Z' },
      { date: '2027-01-13', opensAt: '2027-01-13T10:00:00.000Z', closesAt: '2027-01-13T12:00:00.000Z' },
      { date: '2027-07-01', opensAt: '2027-07-01T07:00:00.000Z', closesAt: '2027-07-01T20:00:00.000Z' },
    ]);
  });

  it('sorts runover days given out of order by opening time', () => {
    const windows = london('2027-02-01', '09:00', '10:00', [
      { date: '2027-02-05', startTime: '09:00', finishTime: '10:00' },
      { date: '2027-02-03', startTime: '09:00', finishTime: '10:00' },
    ]);
    expect(windows.map((w) => w.date)).toEqual(['2027-02-01', '2027-02-03', '2027-02-05']);
  });

  it('normalises loose times and dates ("9:00", a date with a time part)', () => {
    expect(asIso(london('2027-02-01T00:00:00', '9:00', '10:00:00'))).toEqual([
      { date: '2027-02-01', opensAt: '2027-02-01T09:00:00.000Z', closesAt: '2027-02-01T10:00:00.000Z' },
    ]);
  });

  it('throws on a spec that was never validated (bad zone, date or time)', () => {
    const spec = { timeZone: 'Europe/London', startDate: '2027-02-01', startTime: '09:00', finishTime: '10:00', runoverDays: [] };
    expect(() => callingWindows({ ...spec, timeZone: 'Mars/Olympus' })).toThrow(/Mars\/Olympus/);
    expect(() => callingWindows({ ...spec, startDate: '2027-02-30' })).toThrow(/2027-02-30/);
    expect(() => callingWindows({ ...spec, finishTime: '25:00' })).toThrow(/25:00/);
  });
});

describe('callingWindows: Europe/London clocks go forward (2027-03-28, 01:00 GMT -> 02:00 BST)', () => {
  it('keeps 09:00-12:00 on the day of the change as 09:00-12:00 BST (three hours)', () => {
    const windows = london('2027-03-27', '09:00', '12:00', [
      { date: '2027-03-28', startTime: '09:00', finishTime: '12:00' },
      { date: '2027-03-29', startTime: '09:00', finishTime: '12:00' },
    ]);
    expect(asIso(windows)).toEqual([
      { date: '2027-03-27', opensAt: '2027-03-27T09:00:00.000Z', closesAt: '2027-03-27T12:00:00.000Z' },
      { date: '2027-03-28', opensAt: '2027-03-28T08:00:00.000Z', closesAt: '2027-03-28T11:00:00.000Z' },
      { date: '2027-03-29', opensAt: '2027-03-29T08:00:00.000Z', closesAt: '2027-03-29T11:00:00.000Z' },
    ]);
  });

  it('spans the change: 00:00-03:00 is two real hours', () => {
    const [window] = london('2027-03-28', '00:00', '03:00');
    expect(window!.opensAt.toISOString()).toBe('2027-03-28T00:00:00.000Z');
    expect(window!.closesAt.toISOString()).toBe('2027-03-28T02:00:00.000Z');
  });

  it('closes a window whose finish time is skipped at the first instant after the gap (02:00 BST)', () => {
    const [window] = london('2027-03-28', '00:30', '01:30');
    expect(window!.opensAt.toISOString()).toBe('2027-03-28T00:30:00.000Z');
    expect(window!.closesAt.toISOString()).toBe('2027-03-28T01:00:00.000Z');
  });

  it('opens a window whose start time is skipped at the first instant after the gap', () => {
    const [window] = london('2027-03-28', '01:30', '03:00');
    expect(window!.opensAt.toISOString()).toBe('2027-03-28T01:00:00.000Z'); // 02:00 BST
    expect(window!.closesAt.toISOString()).toBe('2027-03-28T02:00:00.000Z'); // 03:00 BST
  });

  it('leaves out a window that lies wholly inside the gap (it would be empty)', () => {
    const windows = london('2027-03-27', '09:00', '10:00', [{ date: '2027-03-28', startTime: '01:10', finishTime: '01:50' }]);
    expect(windows.map((w) => w.date)).toEqual(['2027-03-27']);
    expect(london('2027-03-28', '01:10', '01:50')).toEqual([]);
  });
});

describe('callingWindows: Europe/London clocks go back (2027-10-31, 02:00 BST -> 01:00 GMT)', () => {
  it('keeps 09:00-12:00 on the day of the change as 09:00-12:00 GMT', () => {
    const windows = london('2027-10-30', '09:00', '12:00', [{ date: '2027-10-31', startTime: '09:00', finishTime: '12:00' }]);
    expect(asIso(windows)).toEqual([
      { date: '2027-10-30', opensAt: '2027-10-30T08:00:00.000Z', closesAt: '2027-10-30T11:00:00.000Z' },
      { date: '2027-10-31', opensAt: '2027-10-31T09:00:00.000Z', closesAt: '2027-10-31T12:00:00.000Z' },
    ]);
  });

  it('spans the change: 00:00-03:00 is four real hours', () => {
    const [window] = london('2027-10-31', '00:00', '03:00');
    expect(window!.opensAt.toISOString()).toBe('2027-10-30T23:00:00.000Z');
    expect(window!.closesAt.toISOString()).toBe('2027-10-31T03:00:00.000Z');
  });

  it('reads a time that occurs twice as its first occurrence (01:30 BST)', () => {
    const [window] = london('2027-10-31', '01:30', '02:00');
    expect(window!.opensAt.toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(window!.closesAt.toISOString()).toBe('2027-10-31T02:00:00.000Z');
  });
});

describe('callingWindows: America/New_York', () => {
  const newYork = (date: string, startTime: string, finishTime: string) =>
    callingWindows({ timeZone: 'America/New_York', startDate: date, startTime, finishTime, runoverDays: [] });

  it('09:00-17:00 around the spring change (2027-03-14) is EST then EDT', () => {
    expect(asIso(newYork('2027-03-13', '09:00', '17:00'))[0]).toMatchObject({
      opensAt: '2027-03-13T14:00:00.000Z',
      closesAt: '2027-03-13T22:00:00.000Z',
    });
    expect(asIso(newYork('2027-03-14', '09:00', '17:00'))[0]).toMatchObject({
      opensAt: '2027-03-14T13:00:00.000Z',
      closesAt: '2027-03-14T21:00:00.000Z',
    });
  });

  it('09:00-17:00 on the autumn change (2027-11-07) is EST', () => {
    expect(asIso(newYork('2027-11-06', '09:00', '17:00'))[0]).toMatchObject({ opensAt: '2027-11-06T13:00:00.000Z' });
    expect(asIso(newYork('2027-11-07', '09:00', '17:00'))[0]).toMatchObject({
      opensAt: '2027-11-07T14:00:00.000Z',
      closesAt: '2027-11-07T22:00:00.000Z',
    });
  });

  it('moves a skipped 02:15 to 03:00 EDT, the end of the gap', () => {
    expect(asIso(newYork('2027-03-14', '02:15', '03:30'))[0]).toMatchObject({
      opensAt: '2027-03-14T07:00:00.000Z',
      closesAt: '2027-03-14T07:30:00.000Z',
    });
  });

  it('handles a whole skipped day (Pacific/Apia, 2011-12-30 never happened)', () => {
    const windows = callingWindows({
      timeZone: 'Pacific/Apia',
      startDate: '2011-12-29',
      startTime: '09:00',
      finishTime: '10:00',
      runoverDays: [
        { date: '2011-12-30', startTime: '09:00', finishTime: '17:00' },
        { date: '2011-12-31', startTime: '09:00', finishTime: '10:00' },
      ],
    });
    expect(asIso(windows)).toEqual([
      { date: '2011-12-29', opensAt: '2011-12-29T19:00:00.000Z', closesAt: '2011-12-29T20:00:00.000Z' }, // UTC-10
      { date: '2011-12-31', opensAt: '2011-12-30T19:00:00.000Z', closesAt: '2011-12-30T20:00:00.000Z' }, // UTC+14
    ]);
  });
});

describe('windowContaining, nextCallableInstant, lastClosing', () => {
  // Two London days in BST: 09:00-12:00 on 1 June and 14:00-16:00 on 3 June.
  const windows = london('2027-06-01', '09:00', '12:00', [{ date: '2027-06-03', startTime: '14:00', finishTime: '16:00' }]);
  const [first, second] = windows as [CallingWindow, CallingWindow];

  it('a window includes its opening and excludes its closing', () => {
    expect(windowContaining(windows, at('2027-06-01T08:00:00.000Z'))).toBe(first);
    expect(windowContaining(windows, at('2027-06-01T10:59:59.999Z'))).toBe(first);
    expect(windowContaining(windows, at('2027-06-01T11:00:00.000Z'))).toBeUndefined();
    expect(windowContaining(windows, at('2027-06-01T07:59:59.999Z'))).toBeUndefined();
    expect(windowContaining(windows, at('2027-06-03T13:30:00.000Z'))).toBe(second);
  });

  it('nextCallableInstant: before the first window -> its opening', () => {
    expect(nextCallableInstant(windows, at('2027-05-31T12:00:00.000Z'))).toEqual(first.opensAt);
  });

  it('nextCallableInstant: inside a window -> the same instant', () => {
    const inside = at('2027-06-01T09:15:00.000Z');
    expect(nextCallableInstant(windows, inside)).toEqual(inside);
  });

  it('nextCallableInstant: at a closing or between windows -> the next opening', () => {
    expect(nextCallableInstant(windows, first.closesAt)).toEqual(second.opensAt);
    expect(nextCallableInstant(windows, at('2027-06-02T10:00:00.000Z'))).toEqual(second.opensAt);
  });

  it('nextCallableInstant: after the last window -> undefined', () => {
    expect(nextCallableInstant(windows, second.closesAt)).toBeUndefined();
    expect(nextCallableInstant(windows, at('2027-07-01T00:00:00.000Z'))).toBeUndefined();
    expect(nextCallableInstant([], at('2027-07-01T00:00:00.000Z'))).toBeUndefined();
  });

  it('lastClosing is the last window close, undefined with no window', () => {
    expect(lastClosing(windows)).toEqual(at('2027-06-03T15:00:00.000Z'));
    expect(lastClosing([])).toBeUndefined();
  });
});
