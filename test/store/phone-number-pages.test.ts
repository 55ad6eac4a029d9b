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

  let flowId: number;
  let cliId: number;
  const createCampaign = async (name: string) => {
    const result = (await run(sql`
      insert into campaigns (client_id, name, type, status, time_zone, start_date, start_time, finish_time, starts_at, call_flow_id,
                             call_flow_version_id, cli_id, answer_phone_message, sms_on_busy)
      select ${clientId}, ${name}, 1, 0, 'Europe/London', '2027-01-15', '09:00', '17:00', '2027-01-15T09:00:00Z', ${flowId}, v.id, ${cliId}, 0, 0
      from call_flow_versions v where v.call_flow_id = ${flowId} returning id`)) as unknown as { rows: { id: number }[] };
    return result.rows[0]!.id;
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    repository = new CampaignRepository(t.database.db);
    const tenants = new TenantRepository(t.database.db);
    const { client } = await tenants.createClient('Pages');
    clientId = client.id;
    flowId = (await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' })).id;
    cliId = (await createCli(tenants, client.id, { number: '020 7946 0000' })).id;
    campaignIds = [];
    for (const name of ['A', 'B', 'C']) campaignIds.push(await createCampaign(name));
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

  // PostgreSQL reads the page as plain rows and PGlite as JSON per number (CampaignRepository.phoneNumbersPage): both
  // must give every field exactly, times cut to whole milliseconds as a Date made from the timestamp's text is.
  it('gives each call and text with every field as stored, on either form of the page', async () => {
    const c = await createCampaign('Fields');
    const inserted = (await run(sql`
      insert into phone_numbers (campaign_id, number, name, parameters, status, status_reason)
      values (${c}, '+447700900111', 'Zoë "Z" O''Brien', '[{"parameter": 1, "value": "£12.50"}, {"parameter": 3, "value": "x,y"}]', 3, 'listed on: DNC'),
             (${c}, '+447700900112', '', '[]', 0, null)
      returning id`)) as unknown as { rows: { id: string | number }[] };
    const [withCalls, without] = inserted.rows.map((row) => Number(row.id));
    await run(sql`
      insert into calls (phone_number_id, attempt_number, start_time, end_time, stage, outcome, user_input, price, is_transfer_call,
                         seconds_duration, answered_by, voicemail_left, end_reason, opted_out, first_audio_ms)
      values (${withCalls}, 2, '2026-11-20T10:15:30.123987Z', null, 0, 2, '', 0, false, 0, null, false, 'No answer (SIP 480)', false, null),
             (${withCalls}, 1, '2026-11-20T09:00:00.000500Z', '2026-11-20T09:01:02.999999Z', 3, 1, '1#', 0.0123, true, 62, 'machine', true,
              'Completed "ok"', true, 1234)`);
    await run(sql`
      insert into sms_messages (phone_number_id, attempt_number, sent_at, text, parts, status, status_at, error)
      values (${withCalls}, 1, '2026-11-20T09:01:03.5Z', 'Hello Zoë', 1, 'failed: x', '2026-11-20T09:01:04.25Z', 'ESME_RSUBMITFAIL')`);
    const page = await repository.phoneNumbersPage(clientId, c, 2, 1);
    expect(page!.numbers).toEqual([
      {
        id: withCalls,
        number: '+447700900111',
        name: 'Zoë "Z" O\'Brien',
        status: 3,
        statusReason: 'listed on: DNC',
        parameters: [{ parameter: 1, value: '£12.50' }, { parameter: 3, value: 'x,y' }],
        calls: [
          {
            startTime: new Date('2026-11-20T09:00:00.000Z'),
            endTime: new Date('2026-11-20T09:01:02.999Z'),
            stage: 3,
            outcome: 1,
            userInput: '1#',
            price: 0.0123,
            isTransferCall: true,
            attemptNumber: 1,
            secondsDuration: 62,
            answeredBy: 'machine',
            voicemailLeft: true,
            endReason: 'Completed "ok"',
            optedOut: true,
            firstAudioMs: 1234,
          },
          {
            startTime: new Date('2026-11-20T10:15:30.123Z'),
            endTime: null,
            stage: 0,
            outcome: 2,
            userInput: '',
            price: 0,
            isTransferCall: false,
            attemptNumber: 2,
            secondsDuration: 0,
            answeredBy: null,
            voicemailLeft: false,
            endReason: 'No answer (SIP 480)',
            optedOut: false,
            firstAudioMs: null,
          },
        ],
        sms: [
          {
            sentAt: new Date('2026-11-20T09:01:03.500Z'),
            attemptNumber: 1,
            text: 'Hello Zoë',
            parts: 1,
            status: 'failed: x',
            statusAt: new Date('2026-11-20T09:01:04.250Z'),
            error: 'ESME_RSUBMITFAIL',
          },
        ],
      },
      { id: without, number: '+447700900112', name: '', status: 0, statusReason: null, parameters: [], calls: [], sms: [] },
    ]);
  });

  it('answers an empty page past the end and for a campaign without numbers', async () => {
    const [a] = campaignIds;
    expect(await repository.phoneNumbersPage(clientId, a!, 100, 5)).toEqual({ timeZone: 'Europe/London', numbers: [] });
    expect(await repository.phoneNumbersPage(clientId, 999_999, 10, 1)).toBeUndefined();
    expect(await repository.phoneNumbersPage(clientId + 1, a!, 10, 1), "another client's campaign").toBeUndefined();
  });
});
