// The number listing's pages come from phone_number_batches (the ids each insert statement gave a campaign) instead
// of an OFFSET over the campaign's numbers: every page must still be exactly what OFFSET would give, whether a
// batch's ids are consecutive, interleaved with another campaign's, or overlapping another batch of the same campaign.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { CampaignRepository } from '../../src/store/repositories/campaigns.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { NO_AUDIO, createCallFlow, createCli } from '../../src/tenancy/operator.js';

describe.each(BACKENDS)('phone number pages on $kind', ({ kind }) => {
  let t: TestDatabase;
  let repository: CampaignRepository;
  let campaignIds: number[];
  let clientId: number;

  const run = (statement: ReturnType<typeof sql>) => t.database.db.execute(statement);
  /** One insert statement adding `count` numbers to each campaign, their rows alternating between campaigns. */
  const insertInterleaved = (ids: number[], count: number, tag: string) =>
    run(sql`insert into phone_numbers (campaign_id, number, name)
            select (${sql.param(ids)}::int[])[1 + g % ${ids.length}], '+4477' || ${tag} || lpad(g::text, 6, '0'), 'n' || g
            from generate_series(0, ${ids.length * count - 1}) g order by g`);
  /** The reference: the page by OFFSET over the campaign's numbers in id order. */
  const byOffset = async (campaignId: number, pageSize: number, pageNumber: number) => {
    const result = (await run(
      sql`select id from phone_numbers where campaign_id = ${campaignId} order by id limit ${pageSize} offset ${(pageNumber - 1) * pageSize}`,
    )) as unknown as { rows: { id: string | number }[] };
    return result.rows.map((row) => Number(row.id));
  };
  const expectEveryPageAsOffset = async (campaignId: number, pageSize: number) => {
    const total = Number(((await run(sql`select count(*) as n from phone_numbers where campaign_id = ${campaignId}`)) as unknown as { rows: { n: string }[] }).rows[0]!.n);
    for (let pageNumber = 1; pageNumber <= Math.ceil(total / pageSize) + 1; pageNumber++) {
      const page = await repository.phoneNumbersPage(clientId, campaignId, pageSize, pageNumber);
      expect(page!.numbers.map((n) => n.id), `page ${pageNumber} of ${pageSize}`).toEqual(await byOffset(campaignId, pageSize, pageNumber));
    }
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    repository = new CampaignRepository(t.database.db);
    const tenants = new TenantRepository(t.database.db);
    const { client } = await tenants.createClient('Pages');
    clientId = client.id;
    const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
    const cli = await createCli(tenants, client.id, { number: '020 7946 0000' });
    campaignIds = [];
    for (const name of ['A', 'B', 'C']) {
      const result = (await run(sql`
        insert into campaigns (client_id, name, type, status, time_zone, start_date, start_time, finish_time, starts_at, call_flow_id,
                               call_flow_version_id, cli_id, answer_phone_message, sms_on_busy)
        select ${client.id}, ${name}, 1, 0, 'Europe/London', '2027-01-15', '09:00', '17:00', '2027-01-15T09:00:00Z', ${flow.id}, v.id, ${cli.id}, 0, 0
        from call_flow_versions v where v.call_flow_id = ${flow.id} returning id`)) as unknown as { rows: { id: number }[] };
      campaignIds.push(result.rows[0]!.id);
    }
  });
  afterAll(() => t?.dispose());

  it('pages a campaign filled by consecutive batches by arithmetic, exactly as OFFSET would', async () => {
    const [a] = campaignIds;
    await insertInterleaved([a!], 23, '01');
    await insertInterleaved([a!], 17, '02');
    await insertInterleaved([a!], 1, '03');
    await expectEveryPageAsOffset(a!, 10);
    await expectEveryPageAsOffset(a!, 7);
  });

  it('pages campaigns whose batches interleave with another campaign in one statement', async () => {
    const [, b, c] = campaignIds;
    await insertInterleaved([b!, c!], 15, '04');
    await insertInterleaved([c!], 4, '05');
    await insertInterleaved([b!, c!], 6, '06');
    await expectEveryPageAsOffset(b!, 4);
    await expectEveryPageAsOffset(c!, 4);
  });

  it('falls back to counting when two batches of one campaign overlap', async () => {
    const [a] = campaignIds;
    // As two transactions adding to one campaign at once would leave it: a batch whose ids straddle another's.
    const ids = ((await run(sql`select id from phone_numbers where campaign_id = ${a} order by id`)) as unknown as { rows: { id: string }[] }).rows.map((r) => Number(r.id));
    await run(sql`insert into phone_number_batches (campaign_id, first_id, last_id, number_count) values (${a}, ${ids[2]! - 1}, ${ids[30]!}, 0)`);
    await expectEveryPageAsOffset(a!, 10);
    await run(sql`delete from phone_number_batches where campaign_id = ${a} and number_count = 0`);
  });

  it('answers an empty page past the end and for a campaign without numbers', async () => {
    const [a] = campaignIds;
    expect(await repository.phoneNumbersPage(clientId, a!, 100, 5)).toEqual({ timeZone: 'Europe/London', numbers: [] });
    expect(await repository.phoneNumbersPage(clientId, 999_999, 10, 1)).toBeUndefined();
    expect(await repository.phoneNumbersPage(clientId + 1, a!, 10, 1), "another client's campaign").toBeUndefined();
  });
});
