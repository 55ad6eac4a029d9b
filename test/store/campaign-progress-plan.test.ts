// The campaign list's progress statement (campaign-summary.ts, progressStatement) is answered from the kept counts'
// indexes alone (migrations/0028: they carry the counts as key columns): with the tables vacuumed (their pages all
// visible, as a finished campaign's are) and sequential and bitmap scans disabled, the plan reads both with an
// index-only scan. An index lacking a column the statement reads would leave a heap read in the plan instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, mobileNumbers } from '../helpers/dialer-harness.js';
import { progressStatement } from '../../src/store/repositories/campaign-summary.js';
import { rowsOf } from '../../src/store/repositories/rows.js';
import { CallOutcome } from '../../src/domain/enums.js';

describe.each(BACKENDS)('the campaign list progress on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('reads both kept-count tables from their indexes alone', async () => {
    const tenant = await harness.tenant();
    const body = { startDate: '2027-08-02', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(5, 41_000) };
    const campaignId = await harness.campaign(tenant, body, new Date('2027-08-01T08:00:00Z'));
    await harness.db.execute(sql`insert into campaign_call_counts (campaign_id, outcome, calls, human, machine, price, seconds)
                                 values (${campaignId}, ${CallOutcome.Answered}, 2, 2, 0, 0.05, 60)`);
    for (const table of ['campaign_number_counts', 'campaign_call_counts']) await harness.db.execute(sql.raw(`vacuum analyze ${table}`));
    const plan = await harness.db.transaction(async (tx) => {
      for (const setting of ['enable_seqscan', 'enable_bitmapscan']) await tx.execute(sql.raw(`set local ${setting} = off`));
      const rows = rowsOf<Record<string, string>>(await tx.execute(sql`explain (costs off) ${progressStatement([campaignId])}`));
      return rows.map((row) => Object.values(row)[0]).join('\n');
    });
    expect(plan).toContain('Index Only Scan using campaign_number_counts_campaign_idx on campaign_number_counts');
    expect(plan).toContain('Index Only Scan using campaign_call_counts_campaign_idx on campaign_call_counts');
    expect(plan).not.toMatch(/Seq Scan|Bitmap Heap Scan|(?<!Only )Index Scan/);
  });
});
