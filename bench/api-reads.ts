// The three API read figures of issue 10, each beside its baseline measured in the same run on the same data:
//  1. GET /api/campaigns/voice/:id, requests/s at 50 connections (autocannon against a real listening server on
//     loopback), beside a bare Fastify instance (no hooks, no schema) whose route returns the same JSON from memory.
//     Target: >= 50% of the baseline and p99 <= 20 ms. The campaign read is a running one whose 10,000 numbers have 3
//     calls each within the last 24 hours, so the detail's abandoned-call figure has calls to count.
//  2. GET .../:id/phonenumbers/100/5000 on a 1,000,000-number campaign with 3 finished calls per number, beside the
//     same page read with one hand-written SQL query through the same driver plus JSON.stringify: a keyset query
//     given the page's first id (looked up before timing), the fastest one statement can be. Sequential requests
//     through app.inject against sequential hand queries. Target: <= 2x and <= 20 ms median. On PGlite the campaign
//     has 100,000 numbers and the page is 100/500 (the same middle page): its 1,000,000-number fill takes minutes.
//  3. GET /api/campaigns/voice/p filtered (campaignStatus) and sorted (startDate, descending) over 100,000 campaigns,
//     beside one SQL query (rows and count(*) over ()) timed the same way. Target: <= 2x.
// Data is written with SQL (generate_series) in the shape the dialer leaves it. PGlite always, PostgreSQL with
// BENCH_DATABASE_URL or TEST_DATABASE_URL. Each figure is the median of BENCH_RUNS runs (default 3).
// BENCH_API_ROWS=detail|page|list (comma-separated) runs only those rows; without `page` the big campaign is filled with
// 100 numbers instead of 1,000,000, so the detail row alone starts in seconds (BENCH_ONLY=<row> still works).
// Run: npx tsx bench/api-reads.ts
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import autocannon from 'autocannon';
import { buildApp, type App } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { VirtualClock } from '../src/domain/clock.js';
import type { Database } from '../src/store/database.js';
import { CAMPAIGNS, DETAIL_NUMBERS, driverOf, fill, type Fixture } from './lib/api-reads-fixture.js';
import { benchBackends, onFreshDatabase, type BenchBackend } from './lib/databases.js';
import { benchRuns, median, percentile, ratioOf, report, type BenchRow } from './lib/report.js';

const RUNS = benchRuns(3);
const NOW = '2026-11-26T10:00:00Z';
/** 1,000,000 on PostgreSQL (the figure); PGlite fills at a few µs a row on the event loop, see PAGE_NUMBERS_PGLITE. */
const PAGE_NUMBERS_POSTGRES = 1_000_000;
/** PGlite: a 100,000-number campaign, page 500 (the same place, the middle): the 1M fill takes minutes there. */
const PAGE_NUMBERS_PGLITE = 100_000;
const PAGE_SIZE = 100;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 5);
/** Sequential reads per run for the two query rows (their median is the run's figure). */
const READS_PER_RUN = 30;
const LIST_QUERY = 'pageIndex=50&pageSize=20&campaignStatus=1,2&sortColumn=startDate&sortOrder=desc';

interface Load {
  requestsPerSecond: number;
  p99Ms: number;
}

async function load(url: string, headers: Record<string, string>): Promise<Load> {
  // The load comes from a worker thread, so that the server's event loop is the server's alone.
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, workers: 1 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99 };
}

async function listen(app: App | ReturnType<typeof Fastify>): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Sequential timings (ms) of `read`, after two warm-up reads. */
async function timeSequential(read: () => Promise<unknown>): Promise<number[]> {
  await read();
  await read();
  const times: number[] = [];
  for (let i = 0; i < READS_PER_RUN; i++) {
    const started = performance.now();
    await read();
    times.push(performance.now() - started);
  }
  return times;
}

async function detailRow(backend: BenchBackend, app: App, fixture: Fixture): Promise<BenchRow> {
  const path = `/api/campaigns/voice/${fixture.detailId}`;
  const headers = { authorization: `Bearer ${fixture.apiKey}` };
  const answer = await app.inject({ method: 'GET', url: path, headers });
  if (answer.statusCode !== 200) throw new Error(`${path} answered ${answer.statusCode}: ${answer.body}`);
  const body = answer.json() as unknown;
  const bare = Fastify({ logger: false });
  bare.get('/api/campaigns/voice/:id', async () => body);
  const appUrl = await listen(app);
  const bareUrl = await listen(bare);
  try {
    const appRuns: Load[] = [];
    const bareRuns: Load[] = [];
    for (let run = 0; run < RUNS; run++) {
      bareRuns.push(await load(`${bareUrl}${path}`, headers));
      appRuns.push(await load(`${appUrl}${path}`, headers));
    }
    const value = median(appRuns.map((r) => r.requestsPerSecond));
    const baseline = median(bareRuns.map((r) => r.requestsPerSecond));
    const p99Ms = median(appRuns.map((r) => r.p99Ms));
    const ratio = ratioOf(value, baseline);
    return {
      figure: `${backend}: GET /api/campaigns/voice/:id, ${CONNECTIONS} connections`,
      value,
      baseline,
      unit: 'req/s',
      baselineLabel: 'bare Fastify, same JSON from memory',
      ratio,
      target: '>= 50% of baseline, p99 <= 20 ms',
      pass: ratio !== null && ratio >= 0.5 && p99Ms <= 20,
      note: `p99 ${p99Ms} ms (bare ${median(bareRuns.map((r) => r.p99Ms))} ms); autocannon ${DURATION_S} s per run from a worker thread; ${DETAIL_NUMBERS.toLocaleString('en-GB')} numbers x 3 calls in the last 24 h`,
    };
  } finally {
    await bare.close();
  }
}

async function pageRow(backend: BenchBackend, app: App, database: Database, fixture: Fixture): Promise<BenchRow> {
  const query = driverOf(database);
  const pageNumber = fixture.bigNumbers / PAGE_SIZE / 2;
  const path = `/api/campaigns/voice/${fixture.bigId}/phonenumbers/${PAGE_SIZE}/${pageNumber}`;
  const headers = { authorization: `Bearer ${fixture.apiKey}` };
  // The hand-written page, as fast as one statement can be: it is given the page's first id (looked up once, before
  // timing), reads the page's numbers from there in id order (upload order) and their calls and SMS as JSON.
  const firstId = ((await query('select id from phone_numbers where campaign_id = $1 order by id offset $2 limit 1', [fixture.bigId, (pageNumber - 1) * PAGE_SIZE]))
    .rows[0] as { id: string | number }).id;
  const handQuery = `
    select p.id, p.number, p.name, p.status, p.status_reason, p.parameters,
           coalesce((select json_agg(c order by c.attempt_number) from calls c where c.phone_number_id = p.id), '[]') as calls,
           coalesce((select json_agg(s order by s.sent_at) from sms_messages s where s.phone_number_id = p.id), '[]') as sms
    from phone_numbers p where p.campaign_id = $1 and p.id >= $2
    order by p.id limit $3`;
  const hand = async () => JSON.stringify((await query(handQuery, [fixture.bigId, firstId, PAGE_SIZE])).rows);
  const api = async () => {
    const response = await app.inject({ method: 'GET', url: path, headers });
    if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    return response.body;
  };
  const check = JSON.parse(await api()) as { calls: unknown[] }[];
  if (check.length !== PAGE_SIZE || check.some((n) => n.calls.length !== 3)) throw new Error(`${path}: unexpected page`);
  const apiRuns: number[] = [];
  const handRuns: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    handRuns.push(median(await timeSequential(hand)));
    apiRuns.push(median(await timeSequential(api)));
  }
  const value = median(apiRuns);
  const baseline = median(handRuns);
  const ratio = ratioOf(value, baseline);
  return {
    figure: `${backend}: GET .../phonenumbers/${PAGE_SIZE}/${pageNumber}, ${fixture.bigNumbers.toLocaleString('en-GB')} numbers x 3 calls`,
    value,
    baseline,
    unit: 'ms',
    baselineLabel: 'one hand-written keyset query + JSON.stringify',
    ratio,
    target: '<= 2x, <= 20 ms median',
    pass: ratio !== null && ratio <= 2 && value <= 20,
    note: `median of ${READS_PER_RUN} sequential app.inject reads vs sequential hand queries given the page's first id, per run; p90 ${percentile(apiRuns, 90).toFixed(1)} ms`,
  };
}

async function listRow(backend: BenchBackend, app: App, database: Database, fixture: Fixture): Promise<BenchRow> {
  const query = driverOf(database);
  const path = `/api/campaigns/voice/p?${LIST_QUERY}`;
  const headers = { authorization: `Bearer ${fixture.apiKey}` };
  const handQuery = `
    select id, name, start_date, start_time, finish_time, type, call_flow_id, status, call_count, cli_id, count(*) over () as total
    from campaigns where client_id = $1 and status in (1, 2)
    order by start_date desc, start_time desc, id desc limit 20 offset 980`;
  const hand = async () => JSON.stringify((await query(handQuery, [fixture.clientId])).rows);
  const api = async () => {
    const response = await app.inject({ method: 'GET', url: path, headers });
    if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    return response.body;
  };
  const apiRuns: number[] = [];
  const handRuns: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    handRuns.push(median(await timeSequential(hand)));
    apiRuns.push(median(await timeSequential(api)));
  }
  const value = median(apiRuns);
  const baseline = median(handRuns);
  const ratio = ratioOf(value, baseline);
  return {
    figure: `${backend}: GET /api/campaigns/voice/p over ${CAMPAIGNS.toLocaleString('en-GB')} campaigns`,
    value,
    baseline,
    unit: 'ms',
    baselineLabel: 'one SQL query + JSON.stringify',
    ratio,
    target: '<= 2x',
    pass: ratio !== null && ratio <= 2,
    note: `?${LIST_QUERY}; median of ${READS_PER_RUN} sequential app.inject reads vs sequential hand queries, per run`,
  };
}

/** The rows to run: BENCH_API_ROWS (or the older BENCH_ONLY), comma-separated; all three by default. */
const ROWS = new Set((process.env.BENCH_API_ROWS ?? process.env.BENCH_ONLY ?? 'detail,page,list').split(',').map((r) => r.trim()));
/** Without the page row the big campaign only needs to exist: 100 numbers fill in milliseconds. */
const SMALL_BIG_NUMBERS = 100;

async function measure(backend: BenchBackend, database: Database): Promise<BenchRow[]> {
  const bigNumbers = !ROWS.has('page') ? SMALL_BIG_NUMBERS : backend === 'PostgreSQL' ? PAGE_NUMBERS_POSTGRES : PAGE_NUMBERS_PGLITE;
  const fixture = await fill(backend, database, bigNumbers, NOW);
  const app = await buildApp({ settings: loadSettings({ LOG_LEVEL: 'silent' }), database, clock: new VirtualClock(NOW) });
  try {
    const rows: BenchRow[] = [];
    if (ROWS.has('detail')) rows.push(await detailRow(backend, app, fixture));
    if (ROWS.has('page')) rows.push(await pageRow(backend, app, database, fixture));
    if (ROWS.has('list')) rows.push(await listRow(backend, app, database, fixture));
    return rows;
  } finally {
    await app.close();
  }
}

const rows: BenchRow[] = [];
const backends = benchBackends();
console.log(`api-reads: median of ${RUNS} runs each`);
if (backends.length === 1 && backends[0] === 'PGlite') console.log('  (set BENCH_DATABASE_URL=postgres://... to measure PostgreSQL too)');
for (const backend of backends) {
  try {
    rows.push(...(await onFreshDatabase(backend, (database) => measure(backend, database))));
  } catch (error) {
    // The table is the verdict: a backend that could not be measured is reported, and the bench still exits 0.
    console.error(`  ${backend}: not measured: ${(error as Error).stack ?? String(error)}`);
  }
}
report('api-reads', rows, { runs: RUNS, connections: CONNECTIONS, durationSeconds: DURATION_S, campaigns: CAMPAIGNS });
process.exit(0);
