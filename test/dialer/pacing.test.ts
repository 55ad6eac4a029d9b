// Pacing as the real dialer keeps it, in virtual time on a real database: concurrent calls and call starts per second
// per campaign, per client (across its campaigns) and per carrier (across clients) never exceed their limits, and the
// dialer does use the room it has (the limit is reached, not merely respected by dialling one call at a time).
// Concurrency and starts are counted from the carrier's side (a recording wrapper around the simulated carrier) and
// checked against the database's call rows.
//
// Tests run in date order: the database is shared by the file and virtual time must only move forward.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import {
  DialerHarness,
  expectCompletedConsistently,
  london,
  maxConcurrent,
  maxStartsPerSecond,
  mobileNumbers,
  recordsOf,
  type RunResult,
} from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { VIRTUAL_TIME_BATCHING } from '../../src/dialer/virtual-time.js';
import type { PacingLimits } from '../../src/dialer/pacing.js';
import type { DialerConfig } from '../../src/dialer/dialer.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import type { OutcomeMix } from '../../src/telephony/simulated/simulated-carrier.js';

/** Mostly people (calls of 5-15 s), some rings-out (20 s), busy lines and machines: calls of varied length. */
const MIX: OutcomeMix = { human: 6, machine: 1, busy: 1, noAnswer: 2, failed: 0, rejected: 0 };
const TALK = { answerRingMs: { minMs: 2_000, maxMs: 10_000 }, humanHangUpProbability: 0 };
const RING_TIMEOUT_MS = 20_000;
const TWO_ATTEMPTS = [{ interval: 0 }, { interval: 1 }];

const WIDE = { maxConcurrentCalls: 100, maxCallsPerSecond: 100 };

/** The most calls whose [start, end) intervals overlap at one instant. */
function maxOverlap(calls: Array<{ startTime: Date; endTime: Date | null }>): number {
  const edges = calls.flatMap((call) => [
    { atMs: call.startTime.getTime(), delta: 1 },
    { atMs: (call.endTime ?? call.startTime).getTime(), delta: -1 },
  ]);
  // Ends sort before starts at the same instant: a line freed at t can be reused at t.
  edges.sort((a, b) => a.atMs - b.atMs || a.delta - b.delta);
  let up = 0;
  let most = 0;
  for (const edge of edges) {
    up += edge.delta;
    most = Math.max(most, up);
  }
  return most;
}

describe.each(BACKENDS)('dialer pacing on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  async function runPaced(date: string, pacing: PacingLimits, campaignsPerClient: number[], numbersPerCampaign: number, config: Partial<DialerConfig> = {}) {
    const clock = new VirtualClock(london(date, '00:00'));
    const campaignIds: number[] = [];
    for (const count of campaignsPerClient) {
      const tenant = await harness.tenant();
      for (let i = 0; i < count; i++) {
        campaignIds.push(
          await harness.campaign(
            tenant,
            {
              startDate: date,
              startTime: '09:00',
              finishTime: '17:00',
              attempts: TWO_ATTEMPTS,
              phoneNumbers: mobileNumbers(numbersPerCampaign, campaignIds.length * 1_000),
            },
            clock.now(),
          ),
        );
      }
    }
    const run = await harness.run({
      clock,
      campaignIds,
      carrier: { mix: MIX, talk: TALK },
      config: { pacing, ringTimeoutMs: RING_TIMEOUT_MS, ...config },
    });
    const perCampaign = [];
    for (const id of campaignIds) perCampaign.push(await expectCompletedConsistently(harness, id, run));
    return { run, perCampaign, campaignIds };
  }

  /** The limit holds for these dials, and is reached: the dialer filled the room it had. */
  function expectLimit(label: string, run: RunResult, phoneNumberIds: number[], limit: { maxConcurrentCalls: number; maxCallsPerSecond: number }) {
    const dials = recordsOf(run.carrier.records, phoneNumberIds);
    expect(dials.length, label).toBeGreaterThan(0);
    expect(maxConcurrent(dials), `${label}: concurrent calls`).toBe(limit.maxConcurrentCalls);
    expect(maxStartsPerSecond(dials), `${label}: starts in one second`).toBe(limit.maxCallsPerSecond);
  }

  it('keeps a campaign to its concurrent calls and calls per second', async () => {
    const limit = { maxConcurrentCalls: 3, maxCallsPerSecond: 1 };
    const { run, perCampaign, campaignIds } = await runPaced('2027-06-07', { campaign: limit, client: { maxConcurrentCalls: 10, maxCallsPerSecond: 5 }, carrier: WIDE }, [1], 60);
    const { calls, numbers } = perCampaign[0]!;
    expect(calls.length).toBeGreaterThan(60);
    expectLimit('campaign', run, numbers.map((n) => n.id), limit);
    // The database's call rows say the same: at most one start in any second.
    const starts = calls.map((call) => call.startTime.getTime()).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(1_000);
    // Every first attempt was due at 09:00; at one call a second, the 60th cannot start before 09:00:59.
    expect(starts[59]! - london('2027-06-07', '09:00').getTime()).toBeGreaterThanOrEqual(59_000);
    // The claims' kept starts (call_starts, what the calls-per-second limits read): each row is exactly the calls that
    // started at its instant, and the claims pruned the rows older than a minute before their one-second span.
    const kept = (await harness.db.execute(sql`
      select s.started_at, s.calls, (select count(*)::int from calls c join phone_numbers p on p.id = c.phone_number_id
                                     where p.campaign_id = s.campaign_id and c.start_time = s.started_at and c.carrier = s.carrier) as counted
      from call_starts s where s.campaign_id = ${campaignIds[0]!} order by s.started_at`)) as unknown as {
      rows: { started_at: Date | string; calls: number; counted: number }[];
    };
    expect(kept.rows.length).toBeGreaterThan(0);
    for (const row of kept.rows) expect(row.calls, String(row.started_at)).toBe(row.counted);
    const keptMs = kept.rows.map((row) => new Date(row.started_at).getTime());
    expect(keptMs.at(-1)! - keptMs[0]!).toBeLessThanOrEqual(61_000);
    expect(kept.rows.length).toBeLessThan(new Set(starts).size);
  });

  it('keeps two campaigns of one client to the client limit together', async () => {
    const client = { maxConcurrentCalls: 4, maxCallsPerSecond: 2 };
    const { run, perCampaign } = await runPaced(
      '2027-06-08',
      { campaign: { maxConcurrentCalls: 5, maxCallsPerSecond: 5 }, client, carrier: WIDE },
      [2],
      30,
    );
    const ids = perCampaign.flatMap((c) => c.numbers.map((n) => n.id));
    expectLimit('client', run, ids, client);
    expect(run.carrier.maxUp).toBe(client.maxConcurrentCalls);
  });

  it('keeps two clients to the carrier limit together', async () => {
    const carrier = { maxConcurrentCalls: 3, maxCallsPerSecond: 2 };
    const { run, perCampaign } = await runPaced(
      '2027-06-09',
      { campaign: { maxConcurrentCalls: 5, maxCallsPerSecond: 5 }, client: { maxConcurrentCalls: 5, maxCallsPerSecond: 5 }, carrier },
      [1, 1],
      30,
    );
    const ids = perCampaign.flatMap((c) => c.numbers.map((n) => n.id));
    expectLimit('carrier', run, ids, carrier);
    expect(run.carrier.maxUp).toBe(carrier.maxConcurrentCalls);
    // Both clients were dialled.
    for (const campaign of perCampaign) expect(campaign.calls.length).toBeGreaterThan(30);
  });

  it('counts the carrier limit per carrier: two processes on different carriers each fill their own', async () => {
    const carrier = { maxConcurrentCalls: 2, maxCallsPerSecond: 2 };
    const date = '2027-06-10';
    const clock = new VirtualClock(london(date, '00:00'));
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: TWO_ATTEMPTS, phoneNumbers: mobileNumbers(40, 90_000) },
      clock.now(),
    );
    const run = await harness.run({
      clock,
      campaignIds: [campaignId],
      carrier: { mix: MIX, talk: TALK },
      config: { pacing: { campaign: WIDE, client: WIDE, carrier }, ringTimeoutMs: RING_TIMEOUT_MS },
      processes: 2,
      carrierNames: ['trunk-a', 'trunk-b'],
    });
    const { calls } = await expectCompletedConsistently(harness, campaignId, run);
    // Each carrier's own calls never exceed its limit, and reach it; together they go beyond one carrier's limit.
    for (const name of ['trunk-a', 'trunk-b']) {
      const mine = calls.filter((call) => call.carrier === name);
      expect(mine.length, name).toBeGreaterThan(0);
      expect(maxOverlap(mine), name).toBe(carrier.maxConcurrentCalls);
    }
    expect(run.carrier.maxUp).toBeGreaterThan(carrier.maxConcurrentCalls);
    expect(run.carrier.maxUp).toBeLessThanOrEqual(2 * carrier.maxConcurrentCalls);
  });

  it.each([
    { label: 'a pass at most every 250 ms, results lingering 250 ms', date: '2027-06-11', config: { minPassIntervalMs: 250, recordLingerMs: 250 } },
    { label: 'VIRTUAL_TIME_BATCHING', date: '2027-06-12', config: VIRTUAL_TIME_BATCHING },
  ])('holds and reaches the limits with the batching settings of long virtual-time runs ($label)', async ({ date, config }) => {
    const campaign = { maxConcurrentCalls: 4, maxCallsPerSecond: 2 };
    const { run, perCampaign } = await runPaced(date, { campaign, client: WIDE, carrier: WIDE }, [1], 50, config);
    const { calls, numbers } = perCampaign[0]!;
    expectLimit('campaign', run, numbers.map((n) => n.id), campaign);
    // The database's call rows agree: a line is held from the start until the result is written.
    expect(maxOverlap(calls)).toBeLessThanOrEqual(campaign.maxConcurrentCalls);
  });

  it("says whether a line limit, rather than calls per second or the numbers due, held a claim back (the loop wakes for call ends only then)", async () => {
    const date = '2027-06-13';
    const clock = new VirtualClock(london(date, '08:00'));
    const store = new DialerStore(harness.db, 'claim-test');
    const campaignWith = async (numbers: number, offset: number) => {
      const tenant = await harness.tenant();
      const body = { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: TWO_ATTEMPTS, phoneNumbers: mobileNumbers(numbers, offset) };
      return { campaignId: await harness.campaign(tenant, body, clock.now()), clientId: tenant.clientId, offset };
    };
    const campaigns = [await campaignWith(10, 95_000), await campaignWith(10, 96_000), await campaignWith(2, 97_000)];
    clock.set(london(date, '09:00'));
    // Scheduled first: scheduling takes a transaction of its own, and the glance below is told apart by having none.
    for (const { campaignId } of campaigns) await store.scheduleNewNumbers(campaignId, clock.now());
    const claimOf = async (campaign: { maxConcurrentCalls: number; maxCallsPerSecond: number }, { campaignId, clientId, offset }: (typeof campaigns)[number]) => {
      return store.claim({
        clock,
        leaseMs: 60_000,
        carrier: `claim-test-${offset}`,
        limits: { campaign, client: WIDE, carrier: WIDE },
        callable: [{ campaignId, clientId, suppressionListIds: [] }],
        maxBatch: 500,
      });
    };
    // drained: nothing claimable is left due (the dialer then looks again only when the next number falls due).
    const lines = await claimOf({ maxConcurrentCalls: 3, maxCallsPerSecond: 10 }, campaigns[0]!);
    expect([lines.numbers.length, lines.linesBound, lines.drained]).toEqual([3, true, false]);
    const starts = await claimOf({ maxConcurrentCalls: 10, maxCallsPerSecond: 2 }, campaigns[1]!);
    expect([starts.numbers.length, starts.linesBound, starts.drained]).toEqual([2, false, false]);
    const allDue = await claimOf({ maxConcurrentCalls: 5, maxCallsPerSecond: 5 }, campaigns[2]!);
    expect([allDue.numbers.length, allDue.linesBound, allDue.drained]).toEqual([2, false, true]);
    // No room at all: not drained, whatever is due.
    const full = await claimOf({ maxConcurrentCalls: 3, maxCallsPerSecond: 10 }, campaigns[0]!);
    expect([full.numbers.length, full.linesBound, full.drained]).toEqual([0, true, false]);
    // After a claim with no room, the next glances at the counts without a transaction, and answers the same...
    const transactions = vi.spyOn(harness.db, 'transaction');
    try {
      const glanced = await claimOf({ maxConcurrentCalls: 3, maxCallsPerSecond: 10 }, campaigns[0]!);
      expect([glanced.numbers.length, glanced.linesBound, glanced.drained]).toEqual([0, true, false]);
      expect(transactions).not.toHaveBeenCalled();
      // ...and claims as before once there is room (here a fourth line).
      const roomy = await claimOf({ maxConcurrentCalls: 4, maxCallsPerSecond: 10 }, campaigns[0]!);
      expect([roomy.numbers.length, roomy.linesBound, roomy.drained]).toEqual([1, true, false]);
      expect(transactions).toHaveBeenCalledTimes(1);
    } finally {
      transactions.mockRestore();
    }
  });

  it('claims retries that fall due one by one together, within dueBatchMs, and does not wake for call ends that free nothing needed', async () => {
    const date = '2027-06-14';
    const clock = new VirtualClock(london(date, '08:00'));
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: TWO_ATTEMPTS, phoneNumbers: mobileNumbers(40, 98_000) },
      clock.now(),
    );
    const claims = vi.spyOn(DialerStore.prototype, 'claim');
    try {
      // Every call busy (a reply after 0.3-2 s): 40 first attempts at 09:00, then 40 retries due a minute after each
      // one ended, spread over ~2 s. Limits far above 40: no line limit holds anything back.
      const run = await harness.run({
        clock,
        campaignIds: [campaignId],
        carrier: { mix: { human: 0, machine: 0, busy: 1, noAnswer: 0, failed: 0, rejected: 0 } },
        config: { pacing: { campaign: WIDE, client: WIDE, carrier: WIDE }, ringTimeoutMs: RING_TIMEOUT_MS, ...VIRTUAL_TIME_BATCHING },
      });
      const { calls } = await expectCompletedConsistently(harness, campaignId, run);
      const first = new Map(calls.filter((call) => call.attemptNumber === 1).map((call) => [call.phoneNumberId, call]));
      const retries = calls.filter((call) => call.attemptNumber === 2);
      expect(retries).toHaveLength(40);
      for (const retry of retries) {
        const dueMs = first.get(retry.phoneNumberId)!.endTime!.getTime() + 60_000;
        const lateMs = retry.startTime.getTime() - dueMs;
        expect(lateMs).toBeGreaterThanOrEqual(0);
        expect(lateMs).toBeLessThanOrEqual(VIRTUAL_TIME_BATCHING.dueBatchMs);
      }
      // Gathered: claimed every 250 ms as they fell due, the retries started at a dozen instants. (A campaign's last
      // call in flight ending still wakes a pass, which takes what is due by then: up to three instants.)
      expect(new Set(retries.map((retry) => retry.startTime.getTime())).size).toBeLessThanOrEqual(3);
      // The 80 call ends woke no pass of their own: of the claims that reached the database (a campaign callable), one
      // at 09:00, one when the last first attempt ended, two for the retries and one when the last retry ended.
      const claimsMade = claims.mock.calls.filter(([args]) => args.callable.length > 0);
      expect(claimsMade.length).toBeLessThanOrEqual(6);
    } finally {
      claims.mockRestore();
    }
  });
});
