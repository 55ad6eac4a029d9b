// The dialer's invariants with real processes on real PostgreSQL (issue 3):
// - two dialer processes complete a 10,000-number campaign with exactly the calls expected;
// - SIGKILL mid-campaign loses no number: leases expire, another process resumes, and an attempt in flight at the
//   crash is recorded as Interrupted, never dialled again;
// - SIGTERM stops claiming, lets calls in progress finish, records them and releases every lease.
// The simulated carrier runs sped up (SIMULATED_TIME_SCALE) so that calls take milliseconds of real time.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/backends.js';
import { createOpenCampaign, spawnRingcast, ukMobiles, waitFor, type RingcastProcess } from '../helpers/processes.js';
import { SimulatedCarrier } from '../../src/telephony/simulated/simulated-carrier.js';
import { systemClock } from '../../src/domain/clock.js';
import { checkCalleeNumber } from '../../src/domain/phone-number.js';
import { formatCallId } from '../../src/telephony/call-id.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';

const SEED = 11;
const fastDialerEnv = {
  SIMULATED_SEED: String(SEED),
  CAMPAIGN_MAX_CALLS: '200',
  CAMPAIGN_MAX_CPS: '1000',
  CLIENT_MAX_CALLS: '200',
  CLIENT_MAX_CPS: '1000',
  CARRIER_MAX_CALLS: '200',
  CARRIER_MAX_CPS: '1000',
};

describe.skipIf(!TEST_DATABASE_URL)('dialer processes on PostgreSQL', () => {
  let testDb: TestDatabase;
  const processes: RingcastProcess[] = [];
  const start = (env: Record<string, string>) => {
    const process = spawnRingcast('dialer', { DATABASE_URL: testDb.url!, ...env });
    processes.push(process);
    return process;
  };
  const query = async <T>(statement: ReturnType<typeof sql>) =>
    ((await testDb.database.db.execute(statement)) as unknown as { rows: T[] }).rows;
  const campaignStatus = async (id: number) =>
    Number((await query<{ status: number }>(sql`select status from campaigns where id = ${id}`))[0]?.status);

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await testDb?.dispose();
  });

  it('two dialer processes complete a 10,000-number campaign with exactly the calls expected', async () => {
    const numbers = ukMobiles(10_000);
    const attempts = [
      { interval: 0, attemptNumber: 1 },
      { interval: 0, attemptNumber: 2 },
    ];
    const { campaignId } = await createOpenCampaign(testDb.database.db, { numbers, attempts, name: 'Ten thousand' });

    // What the deterministic carrier will do on attempt 1 says which numbers get a second call.
    const rows = await query<{ id: number; number: string }>(sql`select id, number from phone_numbers where campaign_id = ${campaignId}`);
    const carrier = new SimulatedCarrier({ clock: systemClock, seed: SEED });
    const retried = rows.filter((row) => {
      const outcome = carrier.plan(row.number, formatCallId(row.id, 1)).outcome;
      return outcome === 'busy' || outcome === 'no_answer' || outcome === 'failed' || outcome === 'machine';
    }).length;
    const expectedCalls = rows.length + retried;
    expect(rows).toHaveLength(10_000);
    expect(checkCalleeNumber(numbers[0]!).ok).toBe(true);

    const env = { ...fastDialerEnv, SIMULATED_TIME_SCALE: '0.002' };
    const a = start(env);
    const b = start(env);
    await waitFor('the campaign to complete', async () => (await campaignStatus(campaignId)) === CampaignStatus.Completed, 240_000, 500);

    const [totals] = await query<{ calls: number; distinct_attempts: number; dialers: number; open_calls: number }>(sql`
      select count(*)::int as calls,
             count(distinct (c.phone_number_id, c.attempt_number))::int as distinct_attempts,
             count(distinct c.dialer_id)::int as dialers,
             count(*) filter (where c.end_time is null)::int as open_calls
      from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId}`);
    expect(totals).toEqual({ calls: expectedCalls, distinct_attempts: expectedCalls, dialers: 2, open_calls: 0 });
    const [campaign] = await query<{ call_count: number }>(sql`select call_count from campaigns where id = ${campaignId}`);
    expect(campaign?.call_count).toBe(expectedCalls);
    const open = await query<{ n: number }>(
      sql`select count(*)::int as n from phone_numbers where campaign_id = ${campaignId} and status in (${NumberStatus.Pending}, ${NumberStatus.Dialling})`,
    );
    expect(open[0]?.n).toBe(0);

    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
  }, 300_000);

  it('SIGKILL mid-campaign loses no number: leases expire, another dialer resumes, the attempt in flight is recorded as interrupted', async () => {
    const numbers = ukMobiles(300, 50_000);
    const attempts = [
      { interval: 0, attemptNumber: 1 },
      { interval: 0, attemptNumber: 2 },
    ];
    const { campaignId } = await createOpenCampaign(testDb.database.db, { numbers, attempts, name: 'Crash' });
    // Calls of a few seconds, so that many are in flight when the process dies.
    const env = { ...fastDialerEnv, SIMULATED_TIME_SCALE: '0.2', LEASE_S: '5', CAMPAIGN_MAX_CALLS: '20', CARRIER_MAX_CALLS: '20', CLIENT_MAX_CALLS: '20' };
    const victim = start(env);
    const inFlightAtKill = await waitFor(
      'calls in flight',
      async () => {
        const [row] = await query<{ n: number }>(
          sql`select count(*)::int as n from phone_numbers where campaign_id = ${campaignId} and status = ${NumberStatus.Dialling}`,
        );
        return (row?.n ?? 0) >= 10 ? row!.n : undefined;
      },
      60_000,
      100,
    );
    victim.child.kill('SIGKILL');
    await victim.exited;
    const stranded = await query<{ id: number; next_attempt: number }>(
      sql`select id, next_attempt from phone_numbers where campaign_id = ${campaignId} and status = ${NumberStatus.Dialling}`,
    );
    expect(stranded.length).toBeGreaterThan(0);
    expect(stranded.length).toBeLessThanOrEqual(20);

    const rescuer = start({ ...env, SIMULATED_TIME_SCALE: '0.002' });
    await waitFor('the campaign to complete', async () => (await campaignStatus(campaignId)) === CampaignStatus.Completed, 180_000, 500);

    for (const number of stranded) {
      const calls = await query<{ attempt_number: number; outcome: number; end_reason: string | null; dialer_id: string }>(
        sql`select attempt_number, outcome, end_reason, dialer_id from calls where phone_number_id = ${number.id} order by attempt_number`,
      );
      const interrupted = calls.find((call) => call.attempt_number === number.next_attempt);
      expect(interrupted?.outcome).toBe(CallOutcome.Interrupted);
      expect(interrupted?.end_reason).toMatch(/stopped mid-call \(lease expired/);
      // Never dialled again: one row for that attempt, and any later call is a later attempt.
      expect(calls.filter((call) => call.attempt_number === number.next_attempt)).toHaveLength(1);
    }
    const [check] = await query<{ calls: number; distinct_attempts: number; open_numbers: number; open_calls: number }>(sql`
      select (select count(*)::int from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId}) as calls,
             (select count(distinct (c.phone_number_id, c.attempt_number))::int from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId}) as distinct_attempts,
             (select count(*)::int from phone_numbers where campaign_id = ${campaignId} and status in (${NumberStatus.Pending}, ${NumberStatus.Dialling})) as open_numbers,
             (select count(*)::int from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId} and c.end_time is null) as open_calls`);
    expect(check!.calls).toBe(check!.distinct_attempts);
    expect(check!.open_numbers).toBe(0);
    expect(check!.open_calls).toBe(0);
    expect(inFlightAtKill).toBeGreaterThanOrEqual(10);
    rescuer.child.kill('SIGTERM');
    expect((await rescuer.exited).code).toBe(0);
  }, 300_000);

  it('SIGTERM stops claiming, lets calls in progress finish, records them and releases every lease', async () => {
    const numbers = ukMobiles(200, 80_000);
    const { campaignId } = await createOpenCampaign(testDb.database.db, {
      numbers,
      attempts: [{ interval: 0, attemptNumber: 1 }],
      name: 'Graceful',
    });
    const env = { ...fastDialerEnv, SIMULATED_TIME_SCALE: '0.1', CAMPAIGN_MAX_CALLS: '10', CARRIER_MAX_CALLS: '10', CLIENT_MAX_CALLS: '10', DRAIN_TIMEOUT_S: '60' };
    const dialer = start(env);
    await waitFor(
      'calls in flight',
      async () => {
        const [row] = await query<{ n: number }>(
          sql`select count(*)::int as n from phone_numbers where campaign_id = ${campaignId} and status = ${NumberStatus.Dialling}`,
        );
        return (row?.n ?? 0) >= 5 || undefined;
      },
      60_000,
      100,
    );
    const signalledAt = new Date();
    dialer.child.kill('SIGTERM');
    const exit = await dialer.exited;
    expect(exit.code).toBe(0);
    const [after] = await query<{ dialling: number; open_calls: number; claimed_after: number; interrupted: number }>(sql`
      select (select count(*)::int from phone_numbers where campaign_id = ${campaignId} and (status = ${NumberStatus.Dialling} or lease_owner is not null)) as dialling,
             (select count(*)::int from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId} and c.end_time is null) as open_calls,
             (select count(*)::int from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId} and c.start_time > ${new Date(signalledAt.getTime() + 1000)}) as claimed_after,
             (select count(*)::int from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId} and c.outcome = ${CallOutcome.Interrupted}) as interrupted`);
    expect(after).toEqual({ dialling: 0, open_calls: 0, claimed_after: 0, interrupted: 0 });
    // The campaign is unfinished, and its remaining numbers wait for the next dialer.
    const [pending] = await query<{ n: number }>(
      sql`select count(*)::int as n from phone_numbers where campaign_id = ${campaignId} and status = ${NumberStatus.Pending}`,
    );
    expect(pending!.n).toBeGreaterThan(0);
    expect(dialer.output()).toMatch(/SIGTERM received/);
  }, 180_000);
});
