// The abandoned-call counts (Ofcom's rate) come from the counts kept per campaign and start minute (inserted calls by
// 0015's trigger on calls, results recorded by an update by the recording statement itself: call-outcome-counts.ts)
// plus the calls of the partial minute at the span's start: they must be exactly what counting the calls rows gives,
// for a span starting anywhere (on a minute, inside one, before every call), however the calls were written (inserted
// with their outcome, or recorded from in progress as the dialer's statements do), per campaign, per client and across
// clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, mobileNumbers, type HarnessTenant } from '../helpers/dialer-harness.js';
import { ComplianceRepository } from '../../src/store/repositories/compliance.js';
import { callOutcomeMinutes, calls, phoneNumbers } from '../../src/store/schema.js';
import { keepCallCounts } from '../../src/store/call-outcome-counts.js';
import { CallOutcome } from '../../src/domain/enums.js';

const T0 = Date.parse('2027-03-01T10:00:00Z');
/** Outcomes in turn, so every kind (and ones the rate ignores) falls in every minute. */
const OUTCOMES = [CallOutcome.Answered, CallOutcome.Abandoned, CallOutcome.AnsweringMachine, CallOutcome.NoAnswer, CallOutcome.Answered, CallOutcome.Busy];

describe.each(BACKENDS)('abandoned-call counts on $kind', ({ kind }) => {
  let harness: DialerHarness;
  let repository: ComplianceRepository;
  let tenants: HarnessTenant[];
  const campaignIds: number[] = [];

  /** The reference: the calls rows counted one by one. */
  const counted = async (campaignId: number, since: Date) => {
    const result = (await harness.db.execute(sql`
      select count(*) filter (where c.outcome = ${CallOutcome.Answered})::int as live,
             count(*) filter (where c.outcome = ${CallOutcome.Abandoned})::int as abandoned,
             count(*) filter (where c.outcome = ${CallOutcome.AnsweringMachine})::int as machine,
             count(*)::int as calls
      from calls c join phone_numbers p on p.id = c.phone_number_id
      where p.campaign_id = ${campaignId} and c.start_time >= ${since}`)) as unknown as { rows: { live: number; abandoned: number; machine: number; calls: number }[] };
    return result.rows[0]!;
  };

  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
    repository = new ComplianceRepository(harness.db);
    tenants = [await harness.tenant(), await harness.tenant()];
    // Two campaigns of the first client, one of the second; 60 numbers each.
    for (const [index, tenant] of [tenants[0]!, tenants[0]!, tenants[1]!].entries()) {
      campaignIds.push(
        await harness.campaign(
          tenant,
          { startDate: '2027-03-01', startTime: '09:00', finishTime: '20:00', phoneNumbers: mobileNumbers(60, index * 1_000) },
          new Date(T0 - 3 * 86_400_000),
        ),
      );
    }
    for (const [index, campaignId] of campaignIds.entries()) {
      const numbers = await harness.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId)).orderBy(phoneNumbers.id);
      // Calls every 7.3 s from T0 (so minutes hold several, and starts fall at every second of a minute); the first 40
      // inserted with their outcome in one statement, the rest in progress and then recorded by updates.
      const rows = numbers.map((number, i) => ({
        phoneNumberId: number.id,
        attemptNumber: 1,
        startTime: new Date(T0 + index * 1_000 + i * 7_300),
        stage: 0,
        outcome: i < 40 ? OUTCOMES[i % OUTCOMES.length]! : CallOutcome.InProgress,
      }));
      await harness.db.insert(calls).values(rows);
      // Recorded as the dialer's result write and lease recovery record them: the update and its count in one statement.
      for (const [i, row] of rows.entries()) {
        if (i < 40) continue;
        await harness.db.execute(sql`
          with recorded as (
            update calls set outcome = ${OUTCOMES[(i + index) % OUTCOMES.length]!} where phone_number_id = ${row.phoneNumberId}
            returning start_time, outcome, answered_by, price, seconds_duration
          ),
          ${keepCallCounts(sql`select ${campaignId}::int, start_time, outcome, answered_by, price, seconds_duration from recorded`)}
          select 1`);
      }
    }
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('is exact per campaign for a span starting on a minute, inside one, or before every call', async () => {
    const spans = [-60_000, 0, 1, 999, 7_300, 59_999, 60_000, 61_234, 150_000, 299_999, 400_000, 3_600_000].map((offsetMs) => new Date(T0 + offsetMs));
    for (const campaignId of campaignIds) {
      for (const since of spans) {
        const expected = await counted(campaignId, since);
        const [kept] = await repository.abandonedCounts({ campaignId }, since);
        const label = `campaign ${campaignId} since ${since.toISOString()}`;
        if (expected.calls === 0) {
          expect(kept, label).toBeUndefined();
          continue;
        }
        expect({ live: kept?.live, abandoned: kept?.abandoned, machine: kept?.machine }, label).toEqual({
          live: expected.live,
          abandoned: expected.abandoned,
          machine: expected.machine,
        });
      }
    }
    // Something was counted: every kind, in every campaign.
    for (const campaignId of campaignIds) {
      const all = await counted(campaignId, new Date(T0));
      expect(Math.min(all.live, all.abandoned, all.machine), `campaign ${campaignId}`).toBeGreaterThan(0);
    }
  });

  it('sums per client and across clients, and keeps one row per campaign and minute', async () => {
    const since = new Date(T0 + 95_500);
    const perClient = await repository.abandonedCounts({ clientId: tenants[0]!.clientId }, since);
    expect(perClient.map((row) => row.campaignId)).toEqual(campaignIds.slice(0, 2));
    for (const row of perClient) expect({ live: row.live, abandoned: row.abandoned, machine: row.machine }).toEqual(await counted(row.campaignId, since).then(({ calls: _calls, ...rest }) => rest));
    const byClient = await repository.abandonedCountsByClient(since);
    for (const [clientIndex, ids] of [campaignIds.slice(0, 2), campaignIds.slice(2)].entries()) {
      const entry = byClient.find((row) => row.clientId === tenants[clientIndex]!.clientId);
      const sums = { live: 0, abandoned: 0, machine: 0 };
      for (const id of ids) {
        const one = await counted(id, since);
        sums.live += one.live;
        sums.abandoned += one.abandoned;
        sums.machine += one.machine;
      }
      expect({ live: entry?.live, abandoned: entry?.abandoned, machine: entry?.machine }).toEqual(sums);
    }
    const minutes = await harness.db.select().from(callOutcomeMinutes).where(eq(callOutcomeMinutes.campaignId, campaignIds[0]!));
    // 60 calls 7.3 s apart span 431 s: minutes 10:00 to 10:07.
    expect(minutes.map((row) => row.minute.toISOString()).sort()).toEqual(Array.from({ length: 8 }, (_, i) => new Date(T0 + i * 60_000).toISOString()));
  });
});
