// Attempts and intervals as the real dialer keeps them, in virtual time on a real database: attempt N is due
// `interval` minutes after attempt N-1 ended (attempt 1: after the campaign's start), counted in elapsed time; a due
// attempt outside every window waits for the next window's opening; an attempt with no window left finishes its
// number as WindowsClosed; and when the last window closes the campaign completes with every number in a final
// status that says why.
//
// Tests run in date order: the database is shared by the file and virtual time must only move forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, expectCompletedConsistently, london, testE164, testNumber, type CallView } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, NumberStatus } from '../../src/domain/enums.js';

/** Room for every number at once, so each attempt starts the instant it is due. */
const UNPACED = {
  campaign: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  client: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  carrier: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
};
const MINUTE_MS = 60_000;

const byNumber = (calls: CallView[], lastFour: string) => calls.filter((call) => call.number === testE164(lastFour));
const iso = (date: Date | null | undefined) => date?.toISOString();

describe.each(BACKENDS)('dialer attempts and intervals on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('starts attempt 1 its interval after the campaign start and each next attempt its interval after the previous ended', async () => {
    const clock = new VirtualClock('2027-01-14T12:00:00Z');
    const tenant = await harness.tenant();
    const intervals = [2, 7, 11];
    // Calls of different lengths: busy 1 s, no answer 30 s (the ring timeout), machine 3 s, failure 1 s.
    const lastFours = ['0001', '0002', '0003', '0010'];
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-01-15',
        startTime: '09:00',
        finishTime: '17:00',
        attempts: intervals.map((interval, i) => ({ interval, attemptNumber: i + 1 })),
        phoneNumbers: lastFours.map(testNumber),
      },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED, ringTimeoutMs: 30_000 } });
    const { calls, numbers } = await expectCompletedConsistently(harness, campaignId, run);

    expect(calls).toHaveLength(lastFours.length * intervals.length);
    for (const lastFour of lastFours) {
      const mine = byNumber(calls, lastFour);
      expect(mine.map((call) => call.attemptNumber)).toEqual([1, 2, 3]);
      expect(iso(mine[0]!.startTime), lastFour).toBe(iso(new Date(london('2027-01-15', '09:00').getTime() + 2 * MINUTE_MS)));
      for (const n of [2, 3]) {
        const gapMs = mine[n - 1]!.startTime.getTime() - mine[n - 2]!.endTime!.getTime();
        expect(gapMs, `${lastFour}: attempt ${n} after attempt ${n - 1} ended`).toBe(intervals[n - 1]! * MINUTE_MS);
      }
    }
    // The calls themselves differ in length, so the due times really do follow each call's end.
    const secondStarts = new Set(lastFours.map((lastFour) => byNumber(calls, lastFour)[1]!.startTime.getTime()));
    expect(secondStarts.size).toBeGreaterThan(1);
    expect(numbers.every((n) => n.status === NumberStatus.AttemptsExhausted)).toBe(true);
  });

  it('moves a due attempt outside every window to the next window, and finishes a number whose attempt has no window left', async () => {
    const clock = new VirtualClock('2027-01-31T12:00:00Z');
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-02-01',
        startTime: '09:00',
        finishTime: '10:00',
        runoverDays: [{ date: '2027-02-02', startTime: '09:00', finishTime: '10:00' }],
        // 90 minutes is longer than what is left of any window after a call at its opening.
        attempts: [{ interval: 0 }, { interval: 90 }, { interval: 30 }, { interval: 120 }],
        phoneNumbers: ['0002', '0014', '0005'].map(testNumber),
      },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED, ringTimeoutMs: 30_000 } });
    const { calls } = await expectCompletedConsistently(harness, campaignId, run);

    // Never answers: day 1 09:00; attempt 2 due 10:30:30 (closed) -> day 2's opening; attempt 3 due 30 minutes after
    // that ended (inside day 2's window); attempt 4 due 11:30:30+ with no window left -> WindowsClosed at once.
    const never = byNumber(calls, '0002');
    expect(never.map((call) => iso(call.startTime))).toEqual([
      iso(london('2027-02-01', '09:00')),
      iso(london('2027-02-02', '09:00')),
      iso(london('2027-02-02', '09:30:30')),
    ]);
    expect(await harness.numberByE164(campaignId, testE164('0002'))).toMatchObject({
      status: NumberStatus.WindowsClosed,
      nextAttempt: 4,
      dueAt: null,
    });
    // No answer, then a person on attempt 2 at day 2's opening.
    const later = byNumber(calls, '0014');
    expect(later.map((call) => [iso(call.startTime), call.outcome])).toEqual([
      [iso(london('2027-02-01', '09:00')), CallOutcome.NoAnswer],
      [iso(london('2027-02-02', '09:00')), CallOutcome.Answered],
    ]);
    expect((await harness.numberByE164(campaignId, testE164('0014'))).status).toBe(NumberStatus.Answered);
    expect(byNumber(calls, '0005')).toHaveLength(1);

    // Every number was finished before day 2's window closed, so the campaign completed then, when its last call
    // ended, without waiting for the close.
    const lastEnd = Math.max(...calls.map((call) => call.endTime!.getTime()));
    const { finishedAt } = await harness.campaignRow(campaignId);
    expect(finishedAt!.getTime()).toBe(lastEnd);
    expect(finishedAt!.getTime()).toBeLessThan(london('2027-02-02', '10:00').getTime());
  });

  it('counts an interval in elapsed time across the change to BST', async () => {
    // Attempt 1 ends 09:00:30 GMT on Saturday 27 March 2027; 23 hours later it is 09:00:30 BST on Sunday, inside
    // Sunday's 09:00-10:00 BST window. (Adding 23 hours to the wall clock instead would give 08:00:30 BST.)
    const clock = new VirtualClock('2027-03-26T12:00:00Z');
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-03-27',
        startTime: '09:00',
        finishTime: '10:00',
        runoverDays: [{ date: '2027-03-28', startTime: '09:00', finishTime: '10:00' }],
        attempts: [{ interval: 0 }, { interval: 23 * 60 }],
        phoneNumbers: [testNumber('0002')],
      },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED, ringTimeoutMs: 30_000 } });
    const { calls } = await expectCompletedConsistently(harness, campaignId, run);
    expect(calls.map((call) => iso(call.startTime))).toEqual(['2027-03-27T09:00:00.000Z', '2027-03-28T08:00:30.000Z']);
    expect(calls[1]!.startTime.getTime() - calls[0]!.endTime!.getTime()).toBe(23 * 60 * MINUTE_MS);
  });

  it('completes when the last window closes, after the call still ringing then, with a final status for every number', async () => {
    const clock = new VirtualClock('2027-04-04T12:00:00Z');
    const tenant = await harness.tenant();
    const close = london('2027-04-05', '09:30');
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-04-05',
        startTime: '09:00',
        finishTime: '09:30',
        attempts: [{ interval: 0 }, { interval: 29 }, { interval: 29 }],
        phoneNumbers: ['0001', '0002', '0005', '0008', '0009', '0011'].map(testNumber),
      },
      clock.now(),
    );
    // A 45 s ring timeout: the never-answering number's attempt 2 starts 09:29:45 and rings past the close.
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED, ringTimeoutMs: 45_000 } });
    const { calls, numbers } = await expectCompletedConsistently(harness, campaignId, run);

    const ringing = byNumber(calls, '0002')[1]!;
    expect(iso(ringing.startTime)).toBe(iso(london('2027-04-05', '09:29:45')));
    expect(ringing.endTime!.getTime()).toBe(close.getTime() + 30_000);
    // No call starts at or after the close...
    expect(calls.every((call) => call.startTime.getTime() < close.getTime())).toBe(true);
    // ...and the campaign completed once the call that was still ringing had ended and been recorded.
    expect((await harness.campaignRow(campaignId)).finishedAt!.getTime()).toBe(ringing.endTime!.getTime());

    const statusOf = (lastFour: string) => numbers.find((n) => n.number === testE164(lastFour));
    // Busy twice with a third attempt due after the close: attempts left, so WindowsClosed (0011 would have answered
    // on attempt 3).
    expect(statusOf('0001')).toMatchObject({ status: NumberStatus.WindowsClosed, nextAttempt: 3 });
    expect(statusOf('0011')).toMatchObject({ status: NumberStatus.WindowsClosed, nextAttempt: 3 });
    expect(statusOf('0002')).toMatchObject({ status: NumberStatus.WindowsClosed, nextAttempt: 3 });
    expect(statusOf('0005')?.status).toBe(NumberStatus.Answered);
    expect(statusOf('0008')?.status).toBe(NumberStatus.Rejected);
    expect(statusOf('0009')?.status).toBe(NumberStatus.InvalidNumber);
    expect(calls).toHaveLength(2 + 2 + 2 + 1 + 1 + 1);
  });

  it('finishes a number whose last attempt was used as AttemptsExhausted', async () => {
    const clock = new VirtualClock('2027-04-11T12:00:00Z');
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-04-12',
        startTime: '09:00',
        finishTime: '12:00',
        attempts: [{ interval: 0 }, { interval: 1 }],
        phoneNumbers: ['0001', '0003', '0010'].map(testNumber),
      },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED } });
    const { calls, numbers } = await expectCompletedConsistently(harness, campaignId, run);
    expect(calls).toHaveLength(6);
    expect(numbers.map((n) => [n.status, n.nextAttempt])).toEqual([
      [NumberStatus.AttemptsExhausted, 2],
      [NumberStatus.AttemptsExhausted, 2],
      [NumberStatus.AttemptsExhausted, 2],
    ]);
  });
});
