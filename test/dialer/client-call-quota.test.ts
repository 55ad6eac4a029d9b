// The maxConcurrentCalls quota per client (client_limits), as the real dialer keeps it in virtual time on a real
// database with the simulated carrier: a client with a quota never has more calls up than it, across dialer
// processes; another client keeps the CLIENT_MAX_CALLS figure; a quota above the carrier's limit gives nothing beyond
// it; a lowered quota holds new calls within CLIENT_CALL_QUOTA_REFRESH_MS and leaves calls already up to finish.
// Concurrency is counted from the calls' start and end times (the database's rows) and from the carrier's dials.
//
// Tests run in date order: the database is shared by the file and virtual time must only move forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, expectCompletedConsistently, london, maxConcurrent, mobileNumbers, recordsOf, type HarnessTenant } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import type { PacingLimits } from '../../src/dialer/pacing.js';
import { CLIENT_CALL_QUOTA_REFRESH_MS, ClientCallQuotas } from '../../src/dialer/client-call-quotas.js';
import { ClientLimitsRepository, NO_OVERRIDES } from '../../src/store/repositories/client-limits.js';
import type { OutcomeMix } from '../../src/telephony/simulated/simulated-carrier.js';

/** Mostly people (calls of 5-15 s), some rings-out, busy lines and machines: calls of varied length. */
const MIX: OutcomeMix = { human: 6, machine: 1, busy: 1, noAnswer: 2, failed: 0, rejected: 0 };
const TALK = { answerRingMs: { minMs: 2_000, maxMs: 10_000 }, humanHangUpProbability: 0 };
const RING_TIMEOUT_MS = 20_000;
const TWO_ATTEMPTS = [{ interval: 0 }, { interval: 1 }];
/** The settings' limits: a client may have 5 calls up unless its own quota says otherwise. */
const PACING: PacingLimits = {
  campaign: { maxConcurrentCalls: 10, maxCallsPerSecond: 10 },
  client: { maxConcurrentCalls: 5, maxCallsPerSecond: 10 },
  carrier: { maxConcurrentCalls: 20, maxCallsPerSecond: 20 },
};

type Interval = { startTime: Date; endTime: Date | null };

/** The calls whose [start, end) holds the instant. */
function upAt(calls: Interval[], atMs: number): Interval[] {
  return calls.filter((call) => call.startTime.getTime() <= atMs && (call.endTime?.getTime() ?? Infinity) > atMs);
}

/** The most calls whose [start, end) intervals overlap at one instant (ends before starts at the same instant). */
function maxOverlap(calls: Interval[]): number {
  return Math.max(0, ...calls.map((call) => upAt(calls, call.startTime.getTime()).length));
}

describe('the dialer reads client quotas', () => {
  it('once per refresh period for the same clients, at once for a new client', async () => {
    const reads: number[][] = [];
    const quotas = new ClientCallQuotas(async (ids) => {
      reads.push([...ids]);
      return new Map([[1, 2]]);
    });
    expect((await quotas.of([1, 1, 2], 0)).get(1)).toBe(2);
    await quotas.of([1, 2], CLIENT_CALL_QUOTA_REFRESH_MS - 1);
    expect(reads).toEqual([[1, 2]]);
    await quotas.of([1, 2, 3], CLIENT_CALL_QUOTA_REFRESH_MS - 1);
    await quotas.of([1, 2, 3], 2 * CLIENT_CALL_QUOTA_REFRESH_MS);
    expect(reads).toEqual([[1, 2], [1, 2, 3], [1, 2, 3]]);
  });
});

describe.each(BACKENDS)('client maxConcurrentCalls on $kind', ({ kind }) => {
  let harness: DialerHarness;
  let limits: ClientLimitsRepository;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
    limits = new ClientLimitsRepository(harness.db);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  const setQuota = (tenant: HarnessTenant, maxConcurrentCalls: number | null, now: Date) => limits.set(tenant.clientId, { ...NO_OVERRIDES, maxConcurrentCalls }, now);
  const campaignOf = (tenant: HarnessTenant, date: string, count: number, offset: number, clock: VirtualClock) =>
    harness.campaign(
      tenant,
      { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: TWO_ATTEMPTS, phoneNumbers: mobileNumbers(count, offset) },
      clock.now(),
    );

  it('holds a client to its quota across two dialer processes; another client keeps the settings figure', async () => {
    const date = '2027-07-05';
    const clock = new VirtualClock(london(date, '00:00'));
    const limited = await harness.tenant();
    const other = await harness.tenant();
    await setQuota(limited, 2, clock.now());
    const limitedCampaign = await campaignOf(limited, date, 20, 0, clock);
    const otherCampaign = await campaignOf(other, date, 20, 1_000, clock);
    const run = await harness.run({
      clock,
      campaignIds: [limitedCampaign, otherCampaign],
      carrier: { mix: MIX, talk: TALK },
      config: { pacing: PACING, ringTimeoutMs: RING_TIMEOUT_MS },
      processes: 2,
    });
    const limitedCalls = await expectCompletedConsistently(harness, limitedCampaign, run);
    const otherCalls = await expectCompletedConsistently(harness, otherCampaign, run);
    // Never past its 2, and it did reach it.
    expect(maxOverlap(limitedCalls.calls)).toBe(2);
    expect(maxConcurrent(recordsOf(run.carrier.records, limitedCalls.numbers.map((n) => n.id)))).toBe(2);
    // The other client is held to CLIENT_MAX_CALLS (5), and reaches it.
    expect(maxOverlap(otherCalls.calls)).toBe(PACING.client.maxConcurrentCalls);
    expect(maxConcurrent(recordsOf(run.carrier.records, otherCalls.numbers.map((n) => n.id)))).toBe(PACING.client.maxConcurrentCalls);
  });

  /** One client with the quota and one campaign of `count` numbers on `date`, run to its end. */
  async function runWithQuota(
    date: string,
    quota: number,
    count: number,
    offset: number,
    options: { pacing?: PacingLimits; processes?: number; carrierNames?: string[]; onStep?: (tenant: HarnessTenant, clock: VirtualClock) => Promise<void> } = {},
  ) {
    const clock = new VirtualClock(london(date, '00:00'));
    const tenant = await harness.tenant();
    await setQuota(tenant, quota, clock.now());
    const campaignId = await campaignOf(tenant, date, count, offset, clock);
    const run = await harness.run({
      clock,
      campaignIds: [campaignId],
      carrier: { mix: MIX, talk: TALK },
      config: { pacing: options.pacing ?? PACING, ringTimeoutMs: RING_TIMEOUT_MS },
      ...(options.processes ? { processes: options.processes } : {}),
      ...(options.carrierNames ? { carrierNames: options.carrierNames } : {}),
      ...(options.onStep ? { onStep: () => options.onStep!(tenant, clock) } : {}),
    });
    return { run, calls: (await expectCompletedConsistently(harness, campaignId, run)).calls };
  }

  it("gives a quota above the carrier's limit nothing beyond the carrier's", async () => {
    const carrier = { maxConcurrentCalls: 3, maxCallsPerSecond: 10 };
    const { calls } = await runWithQuota('2027-07-06', 50, 30, 2_000, { pacing: { ...PACING, carrier } });
    expect(maxOverlap(calls)).toBe(carrier.maxConcurrentCalls);
  });

  it(`holds new calls to a lowered quota within ${CLIENT_CALL_QUOTA_REFRESH_MS / 1000} s, and lets calls already up finish`, async () => {
    const date = '2027-07-07';
    // Lowered from 4 to 2 once the first calls are up (09:00:03), by the operator, in the database only.
    const loweredAtMs = london(date, '09:00:03').getTime();
    let lowered = false;
    const { calls } = await runWithQuota(date, 4, 24, 3_000, {
      processes: 2,
      onStep: async (tenant, clock) => {
        if (lowered || clock.now().getTime() < loweredAtMs) return;
        lowered = true;
        await setQuota(tenant, 2, clock.now());
      },
    });
    expect(lowered).toBe(true);
    // Before the change the client used its 4 lines.
    const before = calls.filter((call) => call.startTime.getTime() < loweredAtMs);
    expect(maxOverlap(before)).toBe(4);
    // The calls up when it changed were not cut: each ran on past the instant the new figure applied by.
    const boundMs = loweredAtMs + CLIENT_CALL_QUOTA_REFRESH_MS;
    const upThen = upAt(calls, loweredAtMs);
    expect(upThen.length).toBeGreaterThan(2);
    expect(upThen.some((call) => call.endTime!.getTime() > boundMs)).toBe(true);
    // Every call started once the refresh period passed found at most one other call of the client up.
    const after = calls.filter((call) => call.startTime.getTime() >= boundMs);
    expect(after.length).toBeGreaterThan(10);
    for (const call of after) expect(upAt(calls, call.startTime.getTime()).length).toBeLessThanOrEqual(2);
    expect(maxOverlap(after)).toBe(2);
  }, 120_000);

  it("counts the quota across processes: two on trunks of 2 lines each never have more than the client's 3 up together", async () => {
    // Each process's own carrier allows 2 lines: the client's third line can only be the other process's.
    const carrier = { maxConcurrentCalls: 2, maxCallsPerSecond: 10 };
    const { run, calls } = await runWithQuota('2027-07-08', 3, 40, 4_000, { pacing: { ...PACING, carrier }, processes: 2, carrierNames: ['trunk-a', 'trunk-b'] });
    expect(new Set(calls.map((call) => call.dialerId)).size).toBe(2);
    expect(maxOverlap(calls)).toBe(3);
    expect(run.carrier.maxUp).toBe(3);
  });
});
