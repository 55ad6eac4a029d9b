// Pacing limits hold across dialer processes, as the calls table records them (issue 14): three `ringcast dialer`
// processes share one PostgreSQL database and three campaigns (two of one client, one of another) while a dialer is
// SIGKILLed and restarted now and then. The limits are chosen so that each binds at some point: a campaign's own
// limit, the client's (its two campaigns together want more than it allows) and the carrier's (both clients together
// want more than it allows).
//
// What is checked is the record, with the SQL sweep below as the definition of each limit:
// - calls in progress: a call is in progress over [start_time, end_time), so a call ending at the instant another
//   starts does not overlap it. The count only changes up at a call's start, so its maximum is the maximum, over
//   every call start s, of the calls c with c.start_time <= s < c.end_time. Every call is counted: each has an
//   end_time once the campaigns complete (checked), including attempts interrupted by a SIGKILL, which end at their
//   lease's expiry (their line was held until another dialer recovered them, after that expiry).
// - call starts per second: for every call start s, the calls started in (s - 1 s, s], the span the claim counts.
// Each is computed per campaign, per client (campaigns.client_id) and per carrier (calls.carrier).
//
// The simulated carrier runs sped up (SIMULATED_TIME_SCALE) so that calls take tens to hundreds of milliseconds.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/backends.js';
import { addOpenCampaign, createOpenClient, spawnRingcast, ukMobiles, waitFor, type RingcastProcess } from '../helpers/processes.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';

// A campaign's 12 lines allow not much more than 40 starts a second with these calls' lengths, so a campaign limit of
// 40 bound only in lucky seconds and the check that it was reached failed now and then (37 of 40); at 30 every
// campaign reaches it in each run. Client A's
// two campaigns want 60 against its 50; all three want 80 (A's 50 and B's 30) against the carrier's 70.
const LIMITS = {
  campaign: { maxConcurrentCalls: 12, maxCallsPerSecond: 30 },
  client: { maxConcurrentCalls: 20, maxCallsPerSecond: 50 },
  carrier: { maxConcurrentCalls: 28, maxCallsPerSecond: 70 },
} as const;
type LimitName = keyof typeof LIMITS;

const DIALER_ENV = {
  SIMULATED_SEED: '14',
  SIMULATED_TIME_SCALE: '0.01',
  LEASE_S: '5',
  CAMPAIGN_MAX_CALLS: String(LIMITS.campaign.maxConcurrentCalls),
  CAMPAIGN_MAX_CPS: String(LIMITS.campaign.maxCallsPerSecond),
  CLIENT_MAX_CALLS: String(LIMITS.client.maxConcurrentCalls),
  CLIENT_MAX_CPS: String(LIMITS.client.maxCallsPerSecond),
  CARRIER_MAX_CALLS: String(LIMITS.carrier.maxConcurrentCalls),
  CARRIER_MAX_CPS: String(LIMITS.carrier.maxCallsPerSecond),
};
const DIALERS = 3;
const NUMBERS_PER_CAMPAIGN = 500;
/**
 * Which dialer (by slot) is SIGKILLed at each kill when none has a call in flight. Otherwise the one with the most
 * calls in flight is killed: a dialer woken by its own calls ending can hold most of the lines for a while, and a kill
 * of an idle dialer would test no recovery.
 */
const KILL_ORDER = [1, 0, 2, 1];
const KILL_EVERY_MS = 4_000;

interface LimitUse {
  limit: LimitName;
  key: string;
  calls: number;
  max_in_progress: number;
  max_starts_per_second: number;
}

describe.skipIf(!TEST_DATABASE_URL)('pacing limits across dialer processes on PostgreSQL', () => {
  let testDb: TestDatabase;
  const processes: RingcastProcess[] = [];
  const startDialer = () => {
    const process = spawnRingcast('dialer', { DATABASE_URL: testDb.url!, ...DIALER_ENV });
    processes.push(process);
    return process;
  };
  const query = async <T>(statement: ReturnType<typeof sql>) =>
    ((await testDb.database.db.execute(statement)) as unknown as { rows: T[] }).rows;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await testDb?.dispose();
  });

  it('never has more calls in progress, or more starts in a second, than a campaign, client or carrier allows, with dialers killed and restarted', async () => {
    const db = testDb.database.db;
    const attempts = [
      { interval: 0, attemptNumber: 1 },
      { interval: 0, attemptNumber: 2 },
    ];
    const clientA = await createOpenClient(db, 'Client A');
    const clientB = await createOpenClient(db, 'Client B');
    const campaignIds = [
      await addOpenCampaign(db, clientA, { numbers: ukMobiles(NUMBERS_PER_CAMPAIGN, 0), attempts, name: 'A1' }),
      await addOpenCampaign(db, clientA, { numbers: ukMobiles(NUMBERS_PER_CAMPAIGN, 10_000), attempts, name: 'A2' }),
      await addOpenCampaign(db, clientB, { numbers: ukMobiles(NUMBERS_PER_CAMPAIGN, 20_000), attempts, name: 'B1' }),
    ];
    const ids = sql.join(
      campaignIds.map((id) => sql`${id}`),
      sql`, `,
    );
    const allCompleted = async () => {
      const [row] = await query<{ n: number }>(sql`select count(*)::int as n from campaigns where id in (${ids}) and status = ${CampaignStatus.Completed}`);
      return row!.n === campaignIds.length;
    };

    const dialers = Array.from({ length: DIALERS }, () => startDialer());
    await waitFor(
      'calls in flight',
      async () => {
        const [row] = await query<{ n: number }>(sql`select count(*)::int as n from phone_numbers where campaign_id in (${ids}) and status = ${NumberStatus.Dialling}`);
        return row!.n >= 10;
      },
      60_000,
      50,
    );
    // A SIGKILLed dialer's calls hold their lines until their leases expire and another dialer recovers them.
    let kills = 0;
    // The lines kept in lines_in_use (what the claims read) against the numbers being dialled, in one statement (one
    // snapshot): every transaction that changes one changes the other, so they agree at every instant.
    const linesSamples: { kept: number; dialling: number }[] = [];
    const sampleLines = async () => {
      const [row] = await query<{ kept: number; dialling: number }>(sql`
        select (select coalesce(sum(calls), 0)::int from lines_in_use where campaign_id in (${ids})) as kept,
               (select count(*)::int from phone_numbers where campaign_id in (${ids}) and status = ${NumberStatus.Dialling}) as dialling`);
      linesSamples.push(row!);
    };
    const sampler = setInterval(() => void sampleLines(), 97);
    const busiestSlot = async (fallback: number) => {
      const owners = await query<{ lease_owner: string }>(sql`
        select lease_owner from phone_numbers where campaign_id in (${ids}) and status = ${NumberStatus.Dialling}
        group by lease_owner order by count(*) desc, lease_owner`);
      for (const { lease_owner } of owners) {
        // Dialer ids are dialer-<pid>-<random> (dialer.ts).
        const slot = dialers.findIndex((dialer) => lease_owner.startsWith(`dialer-${dialer.child.pid}-`));
        if (slot >= 0) return slot;
      }
      return fallback;
    };
    for (const fallback of KILL_ORDER) {
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
      if (await allCompleted()) break;
      const slot = await busiestSlot(fallback);
      const victim = dialers[slot]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      dialers[slot] = startDialer();
    }
    await waitFor('the campaigns to complete', allCompleted, 120_000, 250);
    clearInterval(sampler);
    await sampleLines();
    for (const dialer of dialers) dialer.child.kill('SIGTERM');
    await Promise.all(dialers.map((dialer) => dialer.exited));

    // Sanity: every number reached a final status, every call ended, one call per (number, attempt), and each
    // campaign's call count (kept by the claims) agrees with its call rows.
    const [totals] = await query<{ calls: number; distinct_attempts: number; open_calls: number; open_numbers: number; interrupted: number }>(sql`
      select count(*)::int as calls,
             count(distinct (c.phone_number_id, c.attempt_number))::int as distinct_attempts,
             count(*) filter (where c.end_time is null)::int as open_calls,
             (select count(*)::int from phone_numbers where campaign_id in (${ids}) and status in (${NumberStatus.Pending}, ${NumberStatus.Dialling})) as open_numbers,
             count(*) filter (where c.outcome = ${CallOutcome.Interrupted})::int as interrupted
      from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id in (${ids})`);
    expect(totals!.open_numbers).toBe(0);
    expect(totals!.open_calls).toBe(0);
    expect(totals!.distinct_attempts).toBe(totals!.calls);
    const callCounts = await query<{ id: number; call_count: number; calls: number }>(sql`
      select k.id, k.call_count, (select count(*)::int from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = k.id) as calls
      from campaigns k where k.id in (${ids})`);
    expect(callCounts).toHaveLength(campaignIds.length);
    for (const row of callCounts) expect(row.call_count, `call_count of campaign ${row.id}`).toBe(row.calls);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(linesSamples.length).toBeGreaterThan(20);
    expect(linesSamples.filter((sample) => sample.kept !== sample.dialling)).toEqual([]);
    expect(linesSamples.some((sample) => sample.dialling >= 10)).toBe(true);
    expect(linesSamples.at(-1)).toEqual({ kept: 0, dialling: 0 });
    // The outcome counts kept per minute (the abandoned-call rate's inputs) agree with the call rows, recoveries
    // included.
    const outcomeCounts = await query<{ campaign_id: number; kept: string; counted: string }>(sql`
      select k.id as campaign_id,
             (select concat_ws('/', sum(live), sum(abandoned), sum(machine)) from call_outcome_minutes m where m.campaign_id = k.id) as kept,
             (select concat_ws('/', count(*) filter (where c.outcome = ${CallOutcome.Answered}), count(*) filter (where c.outcome = ${CallOutcome.Abandoned}),
                               count(*) filter (where c.outcome = ${CallOutcome.AnsweringMachine}))
              from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = k.id) as counted
      from campaigns k where k.id in (${ids})`);
    expect(outcomeCounts).toHaveLength(campaignIds.length);
    for (const row of outcomeCounts) expect(row.kept, `kept outcomes of campaign ${row.campaign_id}`).toBe(row.counted);
    // The kills caught calls mid-way: their lines were held until recovery, and they are in the sweep.
    expect(totals!.interrupted).toBeGreaterThan(0);

    // The sweep: for each limit and each thing it limits (a campaign, a client, a carrier), the most calls in
    // progress at a call start, and the most starts in the second up to a call start.
    const sweepStartedMs = Date.now();
    const uses = await query<LimitUse>(sql`
      with call_spans as (
        select c.id, c.start_time, c.end_time, c.carrier, p.campaign_id, k.client_id
        from calls c
        join phone_numbers p on p.id = c.phone_number_id
        join campaigns k on k.id = p.campaign_id
        where p.campaign_id in (${ids})
      ),
      -- Each call once under every limit it counts against.
      limited as (
        select 'campaign' as limit_name, campaign_id::text as key, id, start_time, end_time from call_spans
        union all
        select 'client', client_id::text, id, start_time, end_time from call_spans
        union all
        select 'carrier', carrier, id, start_time, end_time from call_spans
      ),
      -- For each call s, the calls c under the same limit that had started by s's start, and of those the ones
      -- still in progress then (c.start_time <= s.start_time < c.end_time) and the ones started in the second up
      -- to it (s.start_time - 1 s < c.start_time <= s.start_time).
      at_each_start as (
        select s.limit_name, s.key, s.id,
               count(*) filter (where s.start_time < c.end_time) as in_progress,
               count(*) filter (where c.start_time > s.start_time - interval '1 second') as started
        from limited s
        join limited c on c.limit_name = s.limit_name and c.key = s.key and c.start_time <= s.start_time
        group by s.limit_name, s.key, s.id
      )
      select limit_name as "limit", key, count(*)::int as calls,
             max(in_progress)::int as max_in_progress,
             max(started)::int as max_starts_per_second
      from at_each_start
      group by limit_name, key
      order by 1, 2`);
    console.log(
      `${totals!.calls} calls (${totals!.interrupted} interrupted), ${kills} kills, sweep ${Date.now() - sweepStartedMs} ms`,
      uses.map((use) => `${use.limit} ${use.key}: ${use.calls} calls, at most ${use.max_in_progress} in progress, ${use.max_starts_per_second} starts in a second`),
    );

    expect(uses.map((use) => use.limit).sort()).toEqual(['campaign', 'campaign', 'campaign', 'carrier', 'client', 'client']);
    for (const use of uses) {
      const limit = LIMITS[use.limit];
      expect(use.max_in_progress, `calls in progress, ${use.limit} ${use.key}`).toBeLessThanOrEqual(limit.maxConcurrentCalls);
      expect(use.max_starts_per_second, `starts per second, ${use.limit} ${use.key}`).toBeLessThanOrEqual(limit.maxCallsPerSecond);
    }
    // And each limit was reached, so each was tested: a campaign's, client A's (its two campaigns want 24 lines) and
    // the carrier's (both clients want 32).
    const most = (limit: LimitName, measure: 'max_in_progress' | 'max_starts_per_second') =>
      Math.max(...uses.filter((use) => use.limit === limit).map((use) => use[measure]));
    for (const limit of ['campaign', 'client', 'carrier'] as const) {
      expect(most(limit, 'max_in_progress'), `${limit} calls in progress reached`).toBe(LIMITS[limit].maxConcurrentCalls);
      expect(most(limit, 'max_starts_per_second'), `${limit} starts per second reached`).toBe(LIMITS[limit].maxCallsPerSecond);
    }
  }, 180_000);
});
