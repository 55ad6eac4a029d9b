// Several dialer processes on one database, in virtual time: together they keep the pacing limits and never dial a
// (number, attempt) twice, and a process keeps renewing the leases of its calls however long it sleeps between
// claims, so another process never takes a live call's number for a dead one.
//
// Tests run in date order: the database is shared by the file and virtual time must only move forward.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import {
  DialerHarness,
  expectCompletedConsistently,
  london,
  maxConcurrent,
  maxStartsPerSecond,
  mobileNumbers,
  testNumber,
} from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, NumberStatus } from '../../src/domain/enums.js';
import type { OutcomeMix } from '../../src/telephony/simulated/simulated-carrier.js';
import { SCRIPTED_RING_MS } from '../../src/telephony/simulated/test-numbers.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';

const WIDE = { maxConcurrentCalls: 100, maxCallsPerSecond: 100 };

describe.each(BACKENDS)('dialer processes sharing a database on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('two processes share a campaign within its pacing limits and dial each attempt once', async () => {
    const date = '2027-07-05';
    const clock = new VirtualClock(london(date, '00:00'));
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: date,
        startTime: '09:00',
        finishTime: '17:00',
        attempts: [{ interval: 0 }, { interval: 1 }],
        phoneNumbers: mobileNumbers(40),
      },
      clock.now(),
    );
    const limit = { maxConcurrentCalls: 3, maxCallsPerSecond: 1 };
    const mix: OutcomeMix = { human: 6, machine: 1, busy: 1, noAnswer: 2, failed: 0, rejected: 0 };
    const run = await harness.run({
      clock,
      campaignIds: [campaignId],
      processes: 2,
      carrier: { mix, talk: { humanHangUpProbability: 0 } },
      config: { pacing: { campaign: limit, client: WIDE, carrier: WIDE }, ringTimeoutMs: 20_000 },
    });
    const { calls, dials } = await expectCompletedConsistently(harness, campaignId, run);
    // (Which process places which call depends on who takes the claim lock first, so that is not asserted.)
    expect(calls.every((call) => run.dialers.some((dialer) => dialer.id === call.dialerId))).toBe(true);
    expect(maxConcurrent(dials)).toBe(limit.maxConcurrentCalls);
    expect(maxStartsPerSecond(dials)).toBe(limit.maxCallsPerSecond);
    expect(calls.some((call) => call.outcome === CallOutcome.Interrupted)).toBe(false);
  });

  it('renews the leases of long calls while its loop sleeps, so the other process does not recover them', async () => {
    // Each call: 3 s of ringing, then a 271-word message (108.4 s), longer than the 60 s lease. One line for the
    // campaign, so the process holding the call has nothing to claim and sleeps up to its 15-minute idle poll, while
    // the other looks for expired leases.
    const date = '2027-07-06';
    const clock = new VirtualClock(london(date, '00:00'));
    const tenant = await harness.tenant({
      message: `Hello {Name}. ${'This is a long automated message about your appointment. '.repeat(30)}`,
    });
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: date,
        startTime: '09:00',
        finishTime: '17:00',
        attempts: [{ interval: 0 }, { interval: 1 }],
        phoneNumbers: ['0900', '0901', '0902'].map(testNumber),
      },
      clock.now(),
    );
    // Each renewal's numbers and the lease it gave them.
    const renewals: { ids: number[]; until: Date }[] = [];
    const renewLeases = DialerStore.prototype.renewLeases;
    const spy = vi.spyOn(DialerStore.prototype, 'renewLeases').mockImplementation(function (this: DialerStore, ids: number[], until: Date) {
      renewals.push({ ids: [...ids], until });
      return renewLeases.call(this, ids, until);
    });
    const run = await harness
      .run({
        clock,
        campaignIds: [campaignId],
        processes: 2,
        config: {
          leaseMs: 60_000,
          idlePollMs: 15 * 60_000,
          pacing: { campaign: { maxConcurrentCalls: 1, maxCallsPerSecond: 1 }, client: WIDE, carrier: WIDE },
        },
      })
      .finally(() => spy.mockRestore());
    const { calls, numbers } = await expectCompletedConsistently(harness, campaignId, run);
    // A lease is renewed only once less than two thirds of it is left: never in a call's first third of a lease (20 s).
    expect(renewals.length).toBeGreaterThan(0);
    for (const { ids, until } of renewals) {
      const renewedAtMs = until.getTime() - 60_000;
      for (const id of ids) {
        const call = calls.find((c) => c.phoneNumberId === id && c.endTime !== null && c.endTime.getTime() >= renewedAtMs && c.startTime.getTime() <= renewedAtMs);
        expect(call, `renewal at ${new Date(renewedAtMs).toISOString()} of number ${id}`).toBeDefined();
        expect(renewedAtMs - call!.startTime.getTime()).toBeGreaterThanOrEqual(20_000);
      }
    }
    expect(calls.map((call) => [call.attemptNumber, call.outcome])).toEqual([
      [1, CallOutcome.Answered],
      [1, CallOutcome.Answered],
      [1, CallOutcome.Answered],
    ]);
    // Every call ran to its end and was recorded by the process that placed it.
    for (const call of calls) expect(call.endTime!.getTime() - call.startTime.getTime()).toBe(SCRIPTED_RING_MS + 108_400);
    expect(numbers.every((n) => n.status === NumberStatus.Answered)).toBe(true);
  });
});
