// POST of a 100,000-number campaign (issue 10), beside a bulk insert of the same rows into phone_numbers with one
// INSERT ... SELECT FROM unnest(...) statement, on the same database in the same run: what the API adds (parsing,
// validation, number checks, do-not-call screening, batches, the echo) over the rows going in. Target: at most 2x,
// and the server's RSS at most 400 MB while the create runs (a `ringcast serve` process of its own). PGlite always; PostgreSQL with BENCH_DATABASE_URL or
// TEST_DATABASE_URL. Each time the median of BENCH_RUNS (default 3). Run: npx tsx bench/create-bulk.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { VirtualClock } from '../src/domain/clock.js';
import type { Database } from '../src/store/database.js';
import { phoneNumbers } from '../src/store/schema.js';
import { TenantRepository } from '../src/store/repositories/tenants.js';
import { NO_AUDIO, createCallFlow, createCli } from '../src/tenancy/operator.js';
import { startServerProcess } from './lib/server-process.js';
import { benchBackends, onFreshDatabase, type BenchBackend } from './lib/databases.js';
import { benchRuns, median, ratioOf, report, type BenchRow } from './lib/report.js';

const NUMBERS = 100_000;
const RUNS = benchRuns(3);
const TARGET_RATIO = 2;
const RSS_LIMIT_MB = 400;

/** A UK mobile per index, different in every run. */
const mobile = (i: number) => `0772${String(i).padStart(7, '0')}`;
const e164 = (i: number) => `+44772${String(i).padStart(7, '0')}`;

async function measureTimes(backend: BenchBackend, database: Database): Promise<BenchRow[]> {
  const app = await buildApp({ settings: loadSettings({ LOG_LEVEL: 'silent', BODY_LIMIT_MB: '64' }), database, clock: new VirtualClock('2026-11-26T10:00:00Z') });
  try {
    const tenants = new TenantRepository(database.db);
    const { client, apiKey } = await tenants.createClient('Bench');
    const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
    const cli = await createCli(tenants, client.id, { number: '020 7946 0000' });
    const campaignBody = (name: string, phoneNumbers: unknown[]) => ({
      name,
      startDate: '2027-01-15',
      startTime: '09:00',
      finishTime: '17:00',
      callflow_Id: flow.id,
      defaultCli_Id: cli.id,
      answerMachineDetected: 0,
      smsOnBusy: 0,
      phoneNumbers,
    });
    const post = (body: unknown) =>
      app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    // The baseline's rows go into a campaign of their own, made through the API with one number.
    const holder = (await post(campaignBody('Baseline rows', [{ number: mobile(0) }]))).json() as { id: number };

    const apiMs: number[] = [];
    const baselineMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const offset = (run + 1) * 2 * NUMBERS;
      const rows = Array.from({ length: NUMBERS }, (_, i) => ({
        number: mobile(offset + i),
        name: `Customer ${i}`,
        parameters: [{ parameter: 1, value: `Ref ${i}` }],
      }));
      const body = campaignBody(`Bench ${run}`, rows);
      const started = performance.now();
      const response = await post(body);
      apiMs.push(performance.now() - started);
      if (response.statusCode !== 201) throw new Error(`create answered ${response.statusCode}: ${response.body.slice(0, 300)}`);

      // The same rows (E.164, name, parameters as stored), one statement.
      const baseOffset = offset + NUMBERS;
      const numbers = rows.map((_, i) => e164(baseOffset + i));
      const names = rows.map((row) => row.name);
      const parameters = rows.map((row) => JSON.stringify(row.parameters));
      const baseStarted = performance.now();
      await database.db.execute(sql`
        insert into ${phoneNumbers} (campaign_id, number, name, parameters)
        select ${holder.id}, n.number, n.name, n.parameters::jsonb
        from unnest(${sql.param(numbers)}::text[], ${sql.param(names)}::text[], ${sql.param(parameters)}::text[]) as n(number, name, parameters)`);
      baselineMs.push(performance.now() - baseStarted);
    }
    const value = median(apiMs);
    const baseline = median(baselineMs);
    const ratio = ratioOf(value, baseline)!;
    return [
      {
        figure: `${backend}: POST ${NUMBERS.toLocaleString('en-GB')} numbers`,
        value,
        baseline,
        unit: 'ms',
        baselineLabel: 'one unnest insert',
        ratio,
        target: `<= ${TARGET_RATIO}x`,
        pass: ratio <= TARGET_RATIO,
        note: `runs: API ${apiMs.map((ms) => ms.toFixed(0)).join(', ')} ms; insert ${baselineMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
      },
    ];
  } finally {
    await app.close();
  }
}

/**
 * The server's own memory: `ringcast serve` (API only) in a process of its own, on a fresh database, takes one
 * 100,000-number POST over HTTP; its peak RSS (VmHWM) against the RSS it had started with. The median of RUNS such
 * servers: one server's figure varies by +-20 MB from start to start on PGlite (its idle RSS 271-313 MB in six runs
 * of session 29, the peak 381-423 MB), and a single run put a row within that spread of its line on either side.
 */
async function measureServerRss(backend: BenchBackend): Promise<BenchRow> {
  const runs: { idleMb: number; peakMb: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    runs.push(backend === 'PGlite' ? await serverRssOnce(undefined) : await onFreshDatabase(backend, (_database, url) => serverRssOnce(url)));
  }
  const idle = median(runs.map((r) => r.idleMb));
  const peakMb = median(runs.map((r) => r.peakMb));
  return {
    figure: `${backend}: server RSS during that POST`,
    value: peakMb,
    baseline: idle,
    unit: 'MB',
    baselineLabel: 'started, idle',
    ratio: ratioOf(peakMb, idle),
    target: `<= ${RSS_LIMIT_MB} MB`,
    pass: peakMb <= RSS_LIMIT_MB,
    note:
      'peak RSS (VmHWM) of a separate `ringcast serve` process, API only, over HTTP on loopback; median of ' +
      `${RUNS} servers: peaks ${runs.map((r) => r.peakMb.toFixed(0)).join(', ')} MB, idle ${runs.map((r) => r.idleMb.toFixed(0)).join(', ')} MB`,
  };
}

async function serverRssOnce(url: string | undefined): Promise<{ idleMb: number; peakMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-bench-'));
  const server = await startServerProcess(url ? { DATABASE_URL: url } : { DATA_DIR: dataDir });
  try {
    const body = JSON.stringify({
      name: 'RSS',
      startDate: '2027-01-15',
      startTime: '09:00',
      finishTime: '17:00',
      callflow_Id: server.callFlowId,
      defaultCli_Id: server.cliId,
      answerMachineDetected: 0,
      smsOnBusy: 0,
      phoneNumbers: Array.from({ length: NUMBERS }, (_, i) => ({ number: mobile(i), name: `Customer ${i}`, parameters: [{ parameter: 1, value: `Ref ${i}` }] })),
    });
    // The first start of PGlite makes its data folder in a child process whose memory is returned when it exits; the
    // peak is taken from here on, so that it is the create's.
    const idle = server.memoryMb().rssMb;
    server.resetPeak();
    const response = await fetch(`${server.url}/api/campaigns/voice`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body,
    });
    if (response.status !== 201) throw new Error(`create answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    await response.arrayBuffer();
    return { idleMb: idle, peakMb: server.memoryMb().peakMb };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows: BenchRow[] = [];
for (const backend of benchBackends()) {
  rows.push(...(await onFreshDatabase(backend, (database) => measureTimes(backend, database))));
  // PGlite: the server's own data folder; PostgreSQL: a scratch database the server shares with nobody.
  rows.push(await measureServerRss(backend));
}
report('create-bulk', rows, { runs: RUNS, numbers: NUMBERS });
