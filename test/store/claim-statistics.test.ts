// The dialer's claim planned on phone_numbers' statistics (issue 10, bench/dialer-throughput.ts on a server with
// autovacuum off): after a campaign's numbers were deleted and the table vacuumed, its statistics counted pages with no
// rows in them, so a new campaign's 20,000 numbers were planned as an empty table and a claim of 500 joined every
// number in a nested loop (3.4 s). Storing a campaign's numbers now refreshes them when it wrote more than
// autovacuum's analyze rule allows (src/store/table-maintenance.ts needsAnalyze; the dialer's scheduling of numbers
// stored without a due time does the same), and the claim reads its locked ids by index and draws their call ids
// itself, with nothing left to join.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { rowsOf } from '../../src/store/repositories/rows.js';
import { DialerHarness, london, mobileNumbers } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { NumberStatus } from '../../src/domain/enums.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import { calls, campaigns, phoneNumbers } from '../../src/store/schema.js';
import { ANALYZE_BASE_ROWS, needsAnalyze } from '../../src/store/table-maintenance.js';

const WIDE = { maxConcurrentCalls: 10_000, maxCallsPerSecond: 10_000 };
const NUMBERS = 3_000;

describe('needsAnalyze', () => {
  it('follows autovacuum analyze rule: a base plus a tenth of the rows the statistics counted', () => {
    expect(needsAnalyze(ANALYZE_BASE_ROWS, 0)).toBe(false);
    expect(needsAnalyze(ANALYZE_BASE_ROWS + 1, 0)).toBe(true);
    // Never analyzed (PostgreSQL 14+ counts -1): as an empty table.
    expect(needsAnalyze(ANALYZE_BASE_ROWS + 1, -1)).toBe(true);
    expect(needsAnalyze(ANALYZE_BASE_ROWS + 10_000, 100_000)).toBe(false);
    expect(needsAnalyze(ANALYZE_BASE_ROWS + 10_001, 100_000)).toBe(true);
  });
});

describe.each(BACKENDS)('a new campaign claimed after another was deleted, on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  const estimatedNumbers = async () =>
    Number(rowsOf<{ reltuples: number | string }>(await harness.db.execute(sql`select reltuples from pg_class where oid = 'phone_numbers'::regclass`))[0]!.reltuples);

  it('refreshes the statistics when the numbers are stored, and claims each number once with its own call', async () => {
    const date = '2027-08-02';
    const clock = new VirtualClock(london(date, '08:00'));
    const tenant = await harness.tenant();
    const body = (offset: number) => ({ startDate: date, startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }], phoneNumbers: mobileNumbers(NUMBERS, offset) });

    // The state the benchmark found: the table's pages counted, with no live rows in them.
    const gone = await harness.campaign(tenant, body(50_000), clock.now());
    await harness.db.delete(campaigns).where(eq(campaigns.id, gone));
    await harness.db.execute(sql`vacuum (analyze) phone_numbers`);
    expect(await estimatedNumbers()).toBe(0);

    const campaignId = await harness.campaign(tenant, body(60_000), clock.now());
    // Analyzed by the create: PGlite's small sample estimates, PostgreSQL's reads every row of so small a table.
    expect(await estimatedNumbers()).toBeGreaterThan(NUMBERS * 0.8);
    expect(await estimatedNumbers()).toBeLessThan(NUMBERS * 1.2);
    clock.set(london(date, '09:00'));
    const store = new DialerStore(harness.db, 'statistics');

    // The numbers came with their first due time: the dialer's scheduling finds nothing and leaves the statistics alone.
    const analyzed = async () =>
      rowsOf<{ count: number | string }>(await harness.db.execute(sql`select pg_stat_get_analyze_count('phone_numbers'::regclass) as count`))[0]!.count;
    const analyzedBefore = await analyzed();
    await store.scheduleNewNumbers(campaignId, clock.now());
    expect(await analyzed()).toBe(analyzedBefore);

    const claim = () =>
      store.claim({
        clock,
        leaseMs: 60_000,
        carrier: 'statistics',
        limits: { campaign: WIDE, client: WIDE, carrier: WIDE },
        callable: [{ campaignId, clientId: tenant.clientId, suppressionListIds: [] }],
        maxBatch: 500,
      });
    const claimed = [];
    for (let batch = (await claim()).numbers; batch.length > 0; batch = (await claim()).numbers) claimed.push(...batch);
    expect(claimed).toHaveLength(NUMBERS);
    expect(new Set(claimed.map((number) => number.phoneNumberId)).size).toBe(NUMBERS);
    // Each claimed number came with the id of the call row written for it.
    const written = await harness.db
      .select({ id: calls.id, phoneNumberId: calls.phoneNumberId, attempt: calls.attemptNumber })
      .from(calls)
      .innerJoin(phoneNumbers, eq(phoneNumbers.id, calls.phoneNumberId))
      .where(eq(phoneNumbers.campaignId, campaignId));
    expect(new Map(written.map((call) => [call.id, call.phoneNumberId]))).toEqual(new Map(claimed.map((number) => [number.callId, number.phoneNumberId])));
    expect(written.every((call) => call.attempt === 1)).toBe(true);
    const statuses = await harness.db.select({ status: phoneNumbers.status }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId));
    expect(statuses.every((row) => row.status === NumberStatus.Dialling)).toBe(true);
  });
});
