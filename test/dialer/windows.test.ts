// Calling windows as the real dialer keeps them, in virtual time on a real database: calls start only inside the
// start day's window and each runover day's, read on the Europe/London wall clock, including on the days the clocks
// change; no call starts once a window has closed; the campaign waits between windows and completes when the last
// one closes, finishing the numbers it never reached as WindowsClosed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { BACKENDS } from '../helpers/backends.js';
import {
  DialerHarness,
  expectCompletedConsistently,
  london,
  londonWall,
  mobileNumbers,
  ZONE,
  type CallView,
} from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import type { OutcomeMix } from '../../src/telephony/simulated/simulated-carrier.js';

/** Every random number rings out: each call lasts exactly the ring timeout. */
const NEVER_ANSWERS: OutcomeMix = { human: 0, machine: 0, busy: 0, noAnswer: 1, failed: 0, rejected: 0 };
const RING_TIMEOUT_MS = 30_000;
const TWO_LINES = {
  campaign: { maxConcurrentCalls: 2, maxCallsPerSecond: 1 },
  client: { maxConcurrentCalls: 10, maxCallsPerSecond: 5 },
  carrier: { maxConcurrentCalls: 60, maxCallsPerSecond: 10 },
};

interface Day {
  date: string;
  startTime: string;
  finishTime: string;
}

/** The London calendar date and wall time of an instant. */
function wall(instant: Date): { date: string; time: string } {
  const at = DateTime.fromJSDate(instant, { zone: ZONE });
  return { date: at.toISODate()!, time: at.toFormat('HH:mm:ss.SSS') };
}

/** Each call started on one of the days, at or after its StartTime and before its FinishTime, on London's clock. */
function expectStartsInsideWallClockWindows(calls: CallView[], days: Day[]): void {
  for (const call of calls) {
    const { date, time } = wall(call.startTime);
    const day = days.find((d) => d.date === date);
    expect(day, `call at ${londonWall(call.startTime)} is on no campaign day`).toBeDefined();
    expect(time >= `${day!.startTime}:00.000`, `call at ${londonWall(call.startTime)} starts before ${day!.startTime}`).toBe(true);
    expect(time < `${day!.finishTime}:00.000`, `call at ${londonWall(call.startTime)} starts at or after ${day!.finishTime}`).toBe(true);
  }
}

describe.each(BACKENDS)('dialer calling windows on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  /**
   * Five-minute windows on three days with more numbers than two lines can reach: each window is used to its close,
   * then the campaign waits for the next; the numbers never reached end as WindowsClosed.
   */
  async function runNarrowWindows(days: Day[], numberCount: number, clockStart: string) {
    const clock = new VirtualClock(clockStart);
    const tenant = await harness.tenant();
    const [first, ...runover] = days;
    const campaignId = await harness.campaign(
      tenant,
      { startDate: first!.date, startTime: first!.startTime, finishTime: first!.finishTime, runoverDays: runover, phoneNumbers: mobileNumbers(numberCount) },
      clock.now(),
    );
    const statuses: number[] = [];
    const run = await harness.run({
      clock,
      campaignIds: [campaignId],
      carrier: { mix: NEVER_ANSWERS },
      config: { ringTimeoutMs: RING_TIMEOUT_MS, pacing: TWO_LINES },
      onStep: async () => {
        const { status } = await harness.campaignRow(campaignId);
        if (statuses.at(-1) !== status) statuses.push(status);
      },
    });
    const result = await expectCompletedConsistently(harness, campaignId, run);
    return { ...result, statuses, campaignId };
  }

  function expectEachWindowUsedToItsClose(calls: CallView[], days: Day[]): void {
    for (const day of days) {
      const starts = calls.filter((call) => wall(call.startTime).date === day.date).map((call) => call.startTime.getTime());
      expect(starts.length, `calls on ${day.date}`).toBeGreaterThan(10);
      // The first calls start the instant the window opens on that day's clock (BST or GMT as the date has it).
      expect(Math.min(...starts), `first call on ${day.date}`).toBe(london(day.date, day.startTime).getTime());
      // Calls kept starting until shortly before the close (a line frees every 15 s or so)...
      const close = london(day.date, day.finishTime).getTime();
      expect(close - Math.max(...starts), `last call on ${day.date}`).toBeLessThanOrEqual(RING_TIMEOUT_MS);
      // ...and none at or after it.
      expect(Math.max(...starts)).toBeLessThan(close);
    }
  }

  it('keeps to the wall-clock windows of a start day and two runover days across the March change to BST', async () => {
    // Saturday 27 March 2027 is GMT; the clocks go forward at 01:00 UTC on Sunday 28 March; Monday 29 is BST.
    const days: Day[] = [
      { date: '2027-03-27', startTime: '09:00', finishTime: '09:05' },
      { date: '2027-03-28', startTime: '09:00', finishTime: '09:05' },
      { date: '2027-03-29', startTime: '09:00', finishTime: '09:05' },
    ];
    const { calls, numbers, statuses } = await runNarrowWindows(days, 80, '2027-03-26T12:00:00Z');

    expectStartsInsideWallClockWindows(calls, days);
    expectEachWindowUsedToItsClose(calls, days);
    // The same wall-clock window is a different UTC hour either side of the change.
    const firstOn = (date: string) => calls.find((call) => wall(call.startTime).date === date)!.startTime.toISOString();
    expect(firstOn('2027-03-27')).toBe('2027-03-27T09:00:00.000Z');
    expect(firstOn('2027-03-28')).toBe('2027-03-28T08:00:00.000Z');
    expect(firstOn('2027-03-29')).toBe('2027-03-29T08:00:00.000Z');

    // One attempt each: every number reached rang out; the rest were never reached and say so.
    const called = new Set(calls.map((call) => call.phoneNumberId));
    expect(calls.every((call) => call.outcome === CallOutcome.NoAnswer)).toBe(true);
    expect(called.size).toBeLessThan(80);
    for (const number of numbers) {
      if (called.has(number.id)) expect(number.status).toBe(NumberStatus.AttemptsExhausted);
      else expect({ status: number.status, nextAttempt: number.nextAttempt }).toEqual({ status: NumberStatus.WindowsClosed, nextAttempt: 1 });
    }
    // Scheduled until the first window, running in each, waiting between them, completed after the last.
    expect(statuses).toEqual([
      CampaignStatus.Scheduled,
      CampaignStatus.Running,
      CampaignStatus.Waiting,
      CampaignStatus.Running,
      CampaignStatus.Waiting,
      CampaignStatus.Running,
      CampaignStatus.Completed,
    ]);
  });

  it('keeps to the wall-clock windows across the October change back to GMT', async () => {
    // Saturday 30 October 2027 is BST; the clocks go back at 01:00 UTC on Sunday 31 October.
    const days: Day[] = [
      { date: '2027-10-30', startTime: '09:00', finishTime: '09:05' },
      { date: '2027-10-31', startTime: '09:00', finishTime: '09:05' },
    ];
    const { calls, numbers } = await runNarrowWindows(days, 60, '2027-10-29T12:00:00Z');

    expectStartsInsideWallClockWindows(calls, days);
    expectEachWindowUsedToItsClose(calls, days);
    const firstOn = (date: string) => calls.find((call) => wall(call.startTime).date === date)!.startTime.toISOString();
    expect(firstOn('2027-10-30')).toBe('2027-10-30T08:00:00.000Z');
    expect(firstOn('2027-10-31')).toBe('2027-10-31T09:00:00.000Z');
    expect(numbers.filter((n) => n.status === NumberStatus.WindowsClosed).length).toBeGreaterThan(0);
  });

  it.each([
    {
      // 01:00-02:00 never happens on 26 March 2028: a 00:30-01:30 window closes when the clocks jump, at 01:00Z.
      change: 'an hour the clocks skip (26 March 2028)',
      runover: { date: '2028-03-26', startTime: '00:30', finishTime: '01:30' },
      start: '2028-03-25',
      clockStart: '2028-03-24T12:00:00Z',
      opensAt: '2028-03-26T00:30:00.000Z',
      closesAt: '2028-03-26T01:00:00.000Z',
    },
    {
      // 01:00-01:30 happens twice on 29 October 2028: the window is its first occurrence, 00:00Z-00:30Z (BST).
      change: 'an hour that happens twice (29 October 2028)',
      runover: { date: '2028-10-29', startTime: '01:00', finishTime: '01:30' },
      start: '2028-10-28',
      clockStart: '2028-10-27T12:00:00Z',
      opensAt: '2028-10-29T00:00:00.000Z',
      closesAt: '2028-10-29T00:30:00.000Z',
    },
  ])('a runover window in $change starts calls only between the first instants the clock shows its times', async (c) => {
    const clock = new VirtualClock(c.clockStart);
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: c.start,
        startTime: '09:00',
        finishTime: '09:01',
        runoverDays: [c.runover],
        phoneNumbers: mobileNumbers(90),
      },
      clock.now(),
    );
    const run = await harness.run({
      clock,
      campaignIds: [campaignId],
      carrier: { mix: NEVER_ANSWERS },
      config: {
        ringTimeoutMs: RING_TIMEOUT_MS,
        pacing: { ...TWO_LINES, campaign: { maxConcurrentCalls: 1, maxCallsPerSecond: 1 } },
      },
    });
    const { calls, numbers } = await expectCompletedConsistently(harness, campaignId, run);
    const onRunover = calls.filter((call) => call.startTime.getTime() >= new Date(c.opensAt).getTime() - 6 * 3_600_000);
    // One line, 30 s a call: the first day's one-minute window takes two calls, the runover window one every 30 s.
    expect(calls.length - onRunover.length).toBe(2);
    const windowMs = new Date(c.closesAt).getTime() - new Date(c.opensAt).getTime();
    expect(onRunover).toHaveLength(windowMs / RING_TIMEOUT_MS);
    expect(onRunover[0]!.startTime.toISOString()).toBe(c.opensAt);
    for (const call of onRunover) {
      expect(call.startTime.getTime()).toBeGreaterThanOrEqual(new Date(c.opensAt).getTime());
      expect(call.startTime.getTime(), londonWall(call.startTime)).toBeLessThan(new Date(c.closesAt).getTime());
    }
    expect(numbers.filter((n) => n.status === NumberStatus.WindowsClosed)).toHaveLength(90 - calls.length);
  });
});
