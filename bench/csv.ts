// The CSV figures of issue 11, each beside its limit or its baseline measured in the same run:
//  1. Export: GET /api/campaigns/voice/:id/export of a campaign with 1,000,000 calls (333,334 numbers, 3 calls each,
//     written with SQL in the shape the dialer leaves them), from a `ringcast serve` process of its own over HTTP on
//     loopback. Targets: >= 100,000 rows/s, and the server's RSS growing by < 100 MB (its peak, VmHWM, during the
//     export against its RSS just before).
//  2. Import: POST /api/campaigns/voice/csv of 1,000,000 rows (number, name, parameter1) beside the JSON create
//     (POST /api/campaigns/voice) of the same numbers, names and parameters, in one app on one database, bodies built
//     before timing (BODY_LIMIT_MB raised so the 1,000,000-entry JSON body is accepted). Target: <= 1.5x.
// PGlite always, PostgreSQL with BENCH_DATABASE_URL or TEST_DATABASE_URL. Export: median of BENCH_RUNS (default 3);
// import: BENCH_RUNS (default 1: each run creates two 1,000,000-number campaigns, minutes on PGlite), alternating
// which of the two goes first. Exits 0 whatever it measures. Run: npx tsx bench/csv.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { VirtualClock } from '../src/domain/clock.js';
import { openDatabase, type Database } from '../src/store/database.js';
import { TenantRepository } from '../src/store/repositories/tenants.js';
import { NO_AUDIO, createCallFlow, createCli } from '../src/tenancy/operator.js';
import { driverOf } from './lib/api-reads-fixture.js';
import { startServerProcess } from './lib/server-process.js';
import { benchBackends, onFreshDatabase, type BenchBackend } from './lib/databases.js';
import { benchRuns, median, ratioOf, report, type BenchRow } from './lib/report.js';

const EXPORT_CALLS = 1_000_000;
const CALLS_PER_NUMBER = 3;
const EXPORT_NUMBERS = Math.ceil(EXPORT_CALLS / CALLS_PER_NUMBER);
const IMPORT_ROWS = 1_000_000;
const EXPORT_RUNS = benchRuns(3);
const IMPORT_RUNS = benchRuns(1);
const EXPORT_RATE_TARGET = 100_000;
const RSS_GROWTH_LIMIT_MB = 100;
const IMPORT_RATIO_TARGET = 1.5;
const NOW = '2026-11-26T10:00:00Z';

const mobile = (i: number) => `0772${String(i).padStart(7, '0')}`;

interface Tenant {
  apiKey: string;
  callFlowId: number;
  cliId: number;
}

async function benchTenant(database: Database): Promise<Tenant> {
  const tenants = new TenantRepository(database.db);
  const { client, apiKey } = await tenants.createClient(`Bench ${Math.random().toString(36).slice(2, 8)}`);
  const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
  const cli = await createCli(tenants, client.id, { number: '020 7946 0000' });
  return { apiKey, callFlowId: flow.id, cliId: cli.id };
}

const campaignFields = (tenant: Tenant, name: string) => ({
  name,
  startDate: '2027-01-15',
  startTime: '09:00',
  finishTime: '17:00',
  timeZone: 'Europe/London',
  callflow_Id: tenant.callFlowId,
  defaultCli_Id: tenant.cliId,
  answerMachineDetected: 0,
  smsOnBusy: 0,
});

// ---- export ------------------------------------------------------------------------------------------------------

/**
 * Fills the campaign with SQL: EXPORT_NUMBERS numbers finished as the dialer leaves them with CALLS_PER_NUMBER calls
 * each (no answer twice, then answered, a machine or no answer again).
 */
async function fillExportCampaign(backend: BenchBackend, database: Database, campaignId: number): Promise<void> {
  const query = driverOf(database);
  const started = performance.now();
  await query(
    `insert into phone_numbers (campaign_id, number, name, parameters, status, next_attempt, last_ended_at)
     select $1, '+44772' || lpad(g::text, 7, '0'), 'Customer ' || g, '[{"parameter":1,"value":"Ref, A"},{"parameter":2,"value":"B"}]'::jsonb,
            case when g % 4 = 0 then 2 else 5 end, 4, timestamptz '2027-01-15T09:00:00Z' + make_interval(secs => g % 20000 + 7200)
     from generate_series(1, $2::int) g`,
    [campaignId, EXPORT_NUMBERS - 1],
  );
  await query(
    `insert into calls (phone_number_id, attempt_number, start_time, end_time, stage, outcome, user_input, price, seconds_duration,
                        answered_by, voicemail_left, end_reason, sip_code, carrier, dialer_id, first_audio_ms)
     select p.id, a, timestamptz '2027-01-15T09:00:00Z' + make_interval(secs => (p.id % 20000)::int + a * 3600),
            timestamptz '2027-01-15T09:00:00Z' + make_interval(secs => (p.id % 20000)::int + a * 3600 + 30),
            case when o = 5 then 3 else 0 end, o, case when o = 5 then '12#' else '' end, case when o = 5 then 0.0125 else 0 end,
            case when o = 5 then 28 else 0 end, case when o = 5 then 'human' when o = 4 then 'machine' end, false,
            case when o = 5 then 'ended by the callee, hangup' when o = 4 then 'answering machine' else 'no answer, SIP 480' end,
            case when o = 2 then 480 end, 'simulated', 'bench-1', case when o = 5 then 420 end
     from phone_numbers p cross join generate_series(1, $2::int) a
     cross join lateral (select case when a < $2 then 2 when p.id % 4 = 0 then 5 when p.id % 10 = 3 then 4 else 2 end as o) x
     where p.campaign_id = $1`,
    [campaignId, CALLS_PER_NUMBER],
  );
  await query(backend === 'PostgreSQL' ? 'vacuum analyze' : 'analyze', []);
  console.log(`  ${backend}: ${EXPORT_NUMBERS.toLocaleString('en-GB')} numbers, ${(EXPORT_NUMBERS * CALLS_PER_NUMBER).toLocaleString('en-GB')} calls written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The export's campaign: made through the API of a first server process (its demo client, the only client a fresh
 * database gets), that process stopped (PGlite has one process per data folder), the campaign filled with SQL here,
 * and a second server process started for the measurement (the same demo client, a new key).
 */
async function measureExport(backend: BenchBackend): Promise<BenchRow[]> {
  const withDatabase = async (env: Record<string, string>, open: () => Promise<{ database: Database; close: () => Promise<void> }>) => {
    const first = await startServerProcess(env);
    let campaignId: number;
    try {
      const created = await fetch(`${first.url}/api/campaigns/voice`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...campaignFields({ apiKey: first.apiKey, callFlowId: first.callFlowId, cliId: first.cliId }, 'Export'),
          phoneNumbers: [{ number: mobile(0) }],
        }),
      });
      if (created.status !== 201) throw new Error(`create answered ${created.status}: ${await created.text()}`);
      campaignId = ((await created.json()) as { id: number }).id;
    } finally {
      await first.stop();
    }
    const { database, close } = await open();
    try {
      await fillExportCampaign(backend, database, campaignId);
    } finally {
      await close();
    }
    return exportRuns(backend, env, campaignId);
  };
  if (backend === 'PostgreSQL') {
    return onFreshDatabase(backend, (database, url) => withDatabase({ DATABASE_URL: url! }, async () => ({ database, close: async () => undefined })));
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-bench-csv-'));
  try {
    return await withDatabase({ DATA_DIR: dataDir }, async () => {
      const database = await openDatabase({ dataDir });
      return { database, close: () => database.close() };
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Exports over HTTP from a server process of its own; rows/s and the server's RSS growth, per run. */
async function exportRuns(backend: BenchBackend, env: Record<string, string>, campaignId: number): Promise<BenchRow[]> {
  const server = await startServerProcess(env);
  try {
    const rates: number[] = [];
    const growths: number[] = [];
    let rows = 0;
    for (let run = 0; run < EXPORT_RUNS; run++) {
      const before = server.memoryMb().rssMb;
      server.resetPeak();
      const started = performance.now();
      const response = await fetch(`${server.url}/api/campaigns/voice/${campaignId}/export`, { headers: { authorization: `Bearer ${server.apiKey}` } });
      if (response.status !== 200) throw new Error(`export answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
      // Lines counted as they arrive (no field of this data holds a line break); the body is never kept.
      let lines = 0;
      for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      }
      const seconds = (performance.now() - started) / 1000;
      rows = lines - 1;
      rates.push(rows / seconds);
      growths.push(server.memoryMb().peakMb - before);
    }
    if (rows !== EXPORT_NUMBERS * CALLS_PER_NUMBER) throw new Error(`export wrote ${rows} rows, expected ${EXPORT_NUMBERS * CALLS_PER_NUMBER}`);
    const rate = median(rates);
    const growth = Math.max(...growths);
    return [
      {
        figure: `${backend}: export of ${rows.toLocaleString('en-GB')} calls`,
        value: rate,
        baseline: null,
        unit: 'rows/s',
        baselineLabel: '',
        ratio: null,
        target: `>= ${EXPORT_RATE_TARGET.toLocaleString('en-GB')} rows/s`,
        pass: rate >= EXPORT_RATE_TARGET,
        note: `runs: ${rates.map((r) => Math.round(r).toLocaleString('en-GB')).join(', ')} rows/s, over HTTP from a separate server process, body read as it arrives`,
      },
      {
        figure: `${backend}: server RSS growth during the export`,
        value: growth,
        baseline: null,
        unit: 'MB',
        baselineLabel: '',
        ratio: null,
        target: `< ${RSS_GROWTH_LIMIT_MB} MB`,
        pass: growth < RSS_GROWTH_LIMIT_MB,
        note: `peak RSS (VmHWM) during each export minus the RSS just before it, the largest of the runs: ${growths.map((g) => g.toFixed(1)).join(', ')} MB`,
      },
    ];
  } finally {
    await server.stop();
  }
}

// ---- import ------------------------------------------------------------------------------------------------------

/** A multipart body of text parts and one file part, as any HTTP client sends it. */
function multipart(boundary: string, fields: Record<string, string>, file: Buffer): Buffer {
  const head = Object.entries(fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="numbers.csv"\r\nContent-Type: text/csv\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

async function measureImport(backend: BenchBackend, database: Database): Promise<BenchRow> {
  const settings = loadSettings({ LOG_LEVEL: 'silent', BODY_LIMIT_MB: '512', CSV_UPLOAD_LIMIT_MB: '512' });
  const app = await buildApp({ settings, database, clock: new VirtualClock(NOW) });
  try {
    const tenant = await benchTenant(database);
    const headers = { authorization: `Bearer ${tenant.apiKey}` };
    const csvLines: string[] = ['number,name,parameter1'];
    const entries: { number: string; name: string; parameters: { parameter: number; value: string }[] }[] = [];
    for (let i = 1; i <= IMPORT_ROWS; i++) {
      csvLines.push(`${mobile(i)},Customer ${i},Ref ${i}`);
      entries.push({ number: mobile(i), name: `Customer ${i}`, parameters: [{ parameter: 1, value: `Ref ${i}` }] });
    }
    const csv = Buffer.from(`${csvLines.join('\n')}\n`);
    csvLines.length = 0;
    const boundary = 'bench-csv-boundary';
    const csvMs: number[] = [];
    const jsonMs: number[] = [];
    const postCsv = async (run: number) => {
      const body = multipart(boundary, { campaign: JSON.stringify(campaignFields(tenant, `CSV ${run}`)) }, csv);
      const started = performance.now();
      const response = await app.inject({ method: 'POST', url: '/api/campaigns/voice/csv', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
      csvMs.push(performance.now() - started);
      if (response.statusCode !== 201) throw new Error(`CSV import answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
      const { numbersAdded } = response.json() as { numbersAdded: number };
      if (numbersAdded !== IMPORT_ROWS) throw new Error(`CSV import added ${numbersAdded} numbers`);
    };
    const postJson = async (run: number) => {
      const body = JSON.stringify({ ...campaignFields(tenant, `JSON ${run}`), phoneNumbers: entries });
      const started = performance.now();
      const response = await app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: { ...headers, 'content-type': 'application/json' }, payload: body });
      // The JSON create echoes every number: reading its streamed answer to the end is part of its time.
      const answered = response.body.length;
      jsonMs.push(performance.now() - started);
      if (response.statusCode !== 201 || answered === 0) throw new Error(`JSON create answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    };
    for (let run = 0; run < IMPORT_RUNS; run++) {
      if (run % 2 === 0) {
        await postCsv(run);
        await postJson(run);
      } else {
        await postJson(run);
        await postCsv(run);
      }
    }
    const value = median(csvMs);
    const baseline = median(jsonMs);
    const ratio = ratioOf(value, baseline)!;
    return {
      figure: `${backend}: CSV import of ${IMPORT_ROWS.toLocaleString('en-GB')} rows`,
      value,
      baseline,
      unit: 'ms',
      baselineLabel: 'JSON create, same numbers',
      ratio,
      target: `<= ${IMPORT_RATIO_TARGET}x`,
      pass: ratio <= IMPORT_RATIO_TARGET,
      note: `runs: CSV ${csvMs.map((ms) => ms.toFixed(0)).join(', ')} ms; JSON ${jsonMs.map((ms) => ms.toFixed(0)).join(', ')} ms (app.inject, one app, one database)`,
    };
  } finally {
    await app.close();
  }
}

const rows: BenchRow[] = [];
const only = process.env.BENCH_CSV_ROWS?.split(',');
for (const backend of benchBackends()) {
  if (!only || only.includes('export')) rows.push(...(await measureExport(backend)));
  if (!only || only.includes('import')) rows.push(await onFreshDatabase(backend, (database) => measureImport(backend, database)));
}
report('csv', rows, { exportCalls: EXPORT_NUMBERS * CALLS_PER_NUMBER, importRows: IMPORT_ROWS, exportRuns: EXPORT_RUNS, importRuns: IMPORT_RUNS });
