// The campaign page's data (issue 11): "The campaign page's data for a campaign of 1,000,000 numbers answers in under
// 100 ms (aggregates kept or computed in SQL, never by loading the rows)", and the campaign list with its progress
// extension "fast with 10,000 campaigns".
//  1. GET /api/campaigns/voice/:id/summary of a running campaign of 1,000,000 numbers (BENCH_SUMMARY_NUMBERS) in the
//     state a dialer leaves mid-run: 40% pending (half of them after a first unanswered call), 1,000 being dialled,
//     the rest finished every way, about 800,000 calls over the last 20 hours. Sequential app.inject reads, the app's
//     clock moved on 1.1 s before each, so that every read counts the abandoned-call rate afresh (the detail shares a
//     count for a second) as the live stream's once-a-second reads would. Limit: median under 100 ms. The summary's
//     statement is shown with EXPLAIN ANALYZE.
//  2. GET /api/campaigns/voice/p (page 20 of 50, by name descending) over 10,000 campaigns (BENCH_SUMMARY_CAMPAIGNS)
//     of 10 numbers each with calls, beside the same page without the progress extension (the route as it was before
//     issue 11, registered beside it on the same app, behind the same authentication). Target: <= 1.5x.
// Data is written with SQL (generate_series) in batches of 100,000 numbers; the kept counts are made by migration
// 0015's triggers as the rows go in, as they are for any writer. PGlite always, PostgreSQL with BENCH_DATABASE_URL or
// TEST_DATABASE_URL. Each figure is the median of BENCH_RUNS runs (default 3). Run: npx tsx bench/campaign-summary.ts
import { performance } from 'node:perf_hooks';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import { buildApp, type App } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import type { Clock } from '../src/domain/clock.js';
import type { Database } from '../src/store/database.js';
import { TenantRepository } from '../src/store/repositories/tenants.js';
import { summaryStatement } from '../src/store/repositories/campaign-summary.js';
import { NO_AUDIO, createCallFlow, createCli } from '../src/tenancy/operator.js';
import { clientAuthHook } from '../src/api/plugins/auth.js';
import { CampaignListItemSchema } from '../src/api/schemas/campaigns.js';
import { CampaignPageQuery } from '../src/api/schemas/campaign-query.js';
import { toListQuery } from '../src/api/routes/campaign-list-query.js';
import { toListItem } from '../src/api/routes/campaigns.js';
import { rowsOf } from '../src/store/repositories/rows.js';
import { driverOf } from './lib/api-reads-fixture.js';
import { benchBackends, onFreshDatabase, type BenchBackend } from './lib/databases.js';
import { benchRuns, median, percentile, ratioOf, report, type BenchRow } from './lib/report.js';

const NUMBERS = Number(process.env.BENCH_SUMMARY_NUMBERS ?? 1_000_000);
const CAMPAIGNS = Number(process.env.BENCH_SUMMARY_CAMPAIGNS ?? 10_000);
const NUMBERS_PER_LISTED_CAMPAIGN = 10;
const FILL_BATCH = 100_000;
const RUNS = benchRuns(3);
const READS_PER_RUN = 30;
const SUMMARY_LIMIT_MS = 100;
const LIST_RATIO_LIMIT = 1.5;
const NOW_MS = Date.parse('2026-11-26T10:00:00Z');
const LIST_QUERY = 'pageIndex=20&pageSize=50&sortColumn=name&sortOrder=desc';
/** The page route before issue 11's progress extension, beside the real one (see the top of this file). */
const WITHOUT_PROGRESS_PATH = '/bench/p-without-progress';

interface Fixture {
  apiKey: string;
  clientId: number;
  bigId: number;
  calls: number;
}

async function fill(backend: BenchBackend, database: Database): Promise<Fixture> {
  const query = driverOf(database);
  const tenants = new TenantRepository(database.db);
  const { client, apiKey } = await tenants.createClient('Bench');
  const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
  const cli = await createCli(tenants, client.id, { number: '020 7946 0000' });
  const versionId = ((await query('select id from call_flow_versions where call_flow_id = $1', [flow.id])).rows[0] as { id: number }).id;
  const started = performance.now();
  const insertCampaigns = `insert into campaigns (client_id, name, type, status, time_zone, start_date, start_time, finish_time, starts_at,
                            call_flow_id, call_flow_version_id, cli_id, answer_phone_message, sms_on_busy)
     select $1, $5 || lpad(g::text, 6, '0'), 1, $6::int + g % 6 * (1 - sign($6::int)), 'Europe/London', date '2026-01-01' + (g % 300), '09:00', '17:00',
            (date '2026-01-01' + (g % 300)) + interval '9 hours', $2, $3, $4, 0, 0
     from generate_series(1, $7::int) g returning id`;
  const campaignRows = async (prefix: string, status: number, count: number) =>
    (await query(insertCampaigns, [client.id, flow.id, versionId, cli.id, prefix, status, count])).rows as { id: number }[];
  // The big campaign, running; then the list's campaigns of every status.
  const [big] = await campaignRows('Big ', 1, 1);
  const bigId = big!.id;
  await campaignRows('Campaign ', 0, CAMPAIGNS - 1);
  // Numbers as a dialer leaves them mid-run, by n: 0-3 of 10 pending (1 and 3 after an unanswered first call), one in
  // a thousand dialling, the rest finished every way; each number but the never-called pending has its first call.
  const addNumbers = async (source: string, params: unknown[]) =>
    (await query(
      `with added as (
         insert into phone_numbers (campaign_id, number, name, status, next_attempt)
         select c, '+447' || lpad(n::text, 9, '0'), 'Customer ' || n,
                case when n % 1000 = 999 then 1 when n % 10 < 4 then 0 else 2 + n % 8 end, case when n % 10 in (1, 3) then 2 else 1 end
         from (${source}) s
         returning id)
       select min(id) as lo, max(id) as hi from added`,
      params,
    )).rows[0] as { lo: number; hi: number };
  // Each called number's first call, started in the last 20 hours; its outcome as its status says.
  const addCalls = (ids: { lo: number; hi: number }) =>
    query(
      `insert into calls (phone_number_id, attempt_number, start_time, end_time, stage, outcome, price, seconds_duration, answered_by, carrier)
       select p.id, 1, $1::timestamptz - make_interval(secs => (p.id % 72000)::int), $1::timestamptz - make_interval(secs => (p.id % 72000)::int - 30),
              case when o = 5 then 1 else 0 end, o, case when o = 5 then 0.0125 else 0 end, case when o = 5 then 28 else 0 end,
              case when o in (5, 8) then 'human' when o = 4 then 'machine' end, 'simulated'
       from phone_numbers p
       cross join lateral (select case p.status when 0 then 2 when 1 then 0 when 2 then case when p.id % 50 = 0 then 8 else 5 end
                                   when 3 then 6 when 4 then 7 when 5 then 4 else 3 end as o) x
       where p.id between $2 and $3 and not (p.status = 0 and p.next_attempt = 1)`,
      [new Date(NOW_MS).toISOString(), ids.lo, ids.hi],
    );
  for (let from = 1; from <= NUMBERS; from += FILL_BATCH) {
    const to = Math.min(NUMBERS, from + FILL_BATCH - 1);
    await addCalls(await addNumbers('select $1::int as c, n from generate_series($2::int, $3::int) n', [bigId, from, to]));
  }
  await query(`insert into lines_in_use (campaign_id, carrier, calls) select $1, 'simulated', count(*) from phone_numbers where campaign_id = $1 and status = 1`, [bigId]);
  // The list's campaigns, 10 numbers each, in one statement.
  await addCalls(
    await addNumbers(
      `select c.id as c, $3::int + (c.position - 1) * $4::int + g as n
       from (select id, row_number() over (order by id) as position from campaigns where client_id = $1 and id <> $2) c cross join generate_series(1, $4::int) g`,
      [client.id, bigId, NUMBERS, NUMBERS_PER_LISTED_CAMPAIGN],
    ),
  );
  await query(
    `update campaigns c set call_count = x.calls
     from (select p.campaign_id, count(*)::int as calls from calls k join phone_numbers p on p.id = k.phone_number_id group by 1) x
     where c.id = x.campaign_id`,
    [],
  );
  if (backend === 'PostgreSQL') await query('vacuum analyze', []);
  else await query('analyze', []);
  const callCount = Number(((await query('select call_count from campaigns where id = $1', [bigId])).rows[0] as { call_count: number }).call_count);
  console.log(
    `  ${backend}: filled a ${NUMBERS.toLocaleString('en-GB')}-number campaign with ${callCount.toLocaleString('en-GB')} calls and ` +
      `${(CAMPAIGNS - 1).toLocaleString('en-GB')} campaigns of ${NUMBERS_PER_LISTED_CAMPAIGN} numbers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { apiKey, clientId: client.id, bigId, calls: callCount };
}

/** The app with a clock the bench moves, and the page route as it was before the progress extension. */
async function benchApp(database: Database): Promise<{ app: App; advance(ms: number): void }> {
  let nowMs = NOW_MS;
  const clock: Clock = { now: () => new Date(nowMs), sleep: async () => {} };
  const app = await buildApp({ settings: loadSettings({ LOG_LEVEL: 'silent' }), database, clock });
  const { campaigns, tenants } = app.services;
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    WITHOUT_PROGRESS_PATH,
    {
      onRequest: clientAuthHook(tenants),
      schema: {
        querystring: CampaignPageQuery,
        response: { 200: Type.Object({ pageIndex: Type.Integer(), totalPages: Type.Integer(), totalRecords: Type.Integer(), items: Type.Array(CampaignListItemSchema) }) },
      },
    },
    async (request) => {
      const listQuery = toListQuery(request.query);
      const { rows, totalRecords } = await campaigns.page(request.clientId, listQuery);
      return { pageIndex: listQuery.pageIndex, totalPages: Math.ceil(totalRecords / listQuery.pageSize), totalRecords, items: rows.map(toListItem) };
    },
  );
  await app.ready();
  return { app, advance: (ms) => (nowMs += ms) };
}

async function timeReads(app: App, path: string, headers: Record<string, string>, before: () => void = () => {}): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < READS_PER_RUN; i++) {
    before();
    const start = performance.now();
    const response = await app.inject({ method: 'GET', url: path, headers });
    times.push(performance.now() - start);
    if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`);
  }
  return times;
}

async function measure(backend: BenchBackend): Promise<BenchRow[]> {
  return onFreshDatabase(backend, async (database) => {
    const fixture = await fill(backend, database);
    const { app, advance } = await benchApp(database);
    try {
      const headers = { authorization: `Bearer ${fixture.apiKey}` };
      const summaryPath = `/api/campaigns/voice/${fixture.bigId}/summary`;
      const explained = rowsOf<Record<string, string>>(
        await database.db.execute(sql`explain (analyze, costs off) ${summaryStatement(fixture.clientId, fixture.bigId)}`),
      ).map((row) => Object.values(row)[0]!);
      console.log(`  ${backend}: EXPLAIN ANALYZE of the summary's statement\n${explained.map((line) => `    ${line}`).join('\n')}`);
      const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(explained.join('\n'))?.[1] ?? Number.NaN);
      const check = (await app.inject({ method: 'GET', url: summaryPath, headers })).json() as { numbers: { total: number }; calls: { total: number } };
      if (check.numbers.total !== NUMBERS || check.calls.total !== fixture.calls) throw new Error(`summary counts ${JSON.stringify(check)}`);

      const summaryRuns: number[] = [];
      const allSummary: number[] = [];
      const listRuns: number[] = [];
      const plainRuns: number[] = [];
      const listPath = `/api/campaigns/voice/p?${LIST_QUERY}`;
      const plainPath = `${WITHOUT_PROGRESS_PATH}?${LIST_QUERY}`;
      await timeReads(app, listPath, headers);
      await timeReads(app, plainPath, headers);
      for (let run = 0; run < RUNS; run++) {
        const times = await timeReads(app, summaryPath, headers, () => advance(1_100));
        allSummary.push(...times);
        summaryRuns.push(median(times));
        plainRuns.push(median(await timeReads(app, plainPath, headers)));
        listRuns.push(median(await timeReads(app, listPath, headers)));
      }
      const summaryMs = median(summaryRuns);
      const listMs = median(listRuns);
      const plainMs = median(plainRuns);
      const listRatio = ratioOf(listMs, plainMs);
      return [
        {
          figure: `${backend}: GET /:id/summary, ${NUMBERS.toLocaleString('en-GB')}-number campaign`,
          value: summaryMs,
          baseline: null,
          unit: 'ms',
          baselineLabel: '',
          ratio: null,
          target: `< ${SUMMARY_LIMIT_MS} ms median`,
          pass: summaryMs < SUMMARY_LIMIT_MS,
          note:
            `median of ${READS_PER_RUN} sequential app.inject reads per run, the abandoned-call rate counted afresh each time; p95 ${percentile(allSummary, 95).toFixed(1)} ms; ` +
            `${fixture.calls.toLocaleString('en-GB')} calls; EXPLAIN ANALYZE of its statement: ${executionMs} ms execution`,
        },
        {
          figure: `${backend}: GET /p with progress, ${CAMPAIGNS.toLocaleString('en-GB')} campaigns`,
          value: listMs,
          baseline: plainMs,
          unit: 'ms',
          baselineLabel: '/p without progress',
          ratio: listRatio,
          target: `<= ${LIST_RATIO_LIMIT}x`,
          pass: listRatio !== null && listRatio <= LIST_RATIO_LIMIT,
          note: `?${LIST_QUERY}; median of ${READS_PER_RUN} sequential app.inject reads per run, each route`,
        },
      ];
    } finally {
      await app.close();
    }
  });
}

const rows: BenchRow[] = [];
for (const backend of benchBackends()) rows.push(...(await measure(backend)));
report('campaign-summary', rows, { numbers: NUMBERS, campaigns: CAMPAIGNS, runs: RUNS });
