// Do-not-call screening at create (issue 9): POST of a 100,000-number campaign when the client's do-not-call list
// holds 1,000,000 numbers, beside the same POST with an empty list, in the same run on the same database. 1% of the
// campaign's numbers are on the list (dropped with /true). Target: at most 1.5x. Each figure is the median of
// SUPPRESSION_BENCH_RUNS creates (default 3). PGlite always; PostgreSQL too with BENCH_DATABASE_URL or
// TEST_DATABASE_URL (a fresh database is made and dropped). Writes bench/results/suppression-create.json.
// Run: npx tsx bench/suppression-create.ts
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { VirtualClock } from '../src/domain/clock.js';
import { openDatabase, type Database } from '../src/store/database.js';
import { TenantRepository } from '../src/store/repositories/tenants.js';
import { SuppressionRepository } from '../src/store/repositories/suppression.js';
import { importSuppressionLines } from '../src/tenancy/suppression-import.js';
import { NO_AUDIO, createCallFlow, createCli } from '../src/tenancy/operator.js';

const CAMPAIGN_NUMBERS = 100_000;
const LIST_NUMBERS = 1_000_000;
const RUNS = Number(process.env.SUPPRESSION_BENCH_RUNS ?? 3);
const TARGET_RATIO = 1.5;
const RESULTS = fileURLToPath(new URL('./results/suppression-create.json', import.meta.url));

const mobile = (i: number) => `+447${String(700_000_000 + i)}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Row {
  backend: string;
  figure: string;
  valueMs: number;
  baselineMs: number;
  ratio: number;
  target: string;
  pass: boolean;
}

async function measure(backend: string, database: Database): Promise<Row> {
  await database.migrate();
  const app = await buildApp({ settings: loadSettings({ LOG_LEVEL: 'silent', BODY_LIMIT_MB: '64' }), database, clock: new VirtualClock('2026-11-26T10:00:00Z') });
  try {
    // Two clients on the same database, so both sets of creates see the same tables, checkpoints and vacuums: one
    // whose list holds the 1,000,000 numbers, one with an empty list (the baseline). Their creates alternate.
    const tenants = new TenantRepository(database.db);
    const tenant = async (name: string) => {
      const { client, apiKey } = await tenants.createClient(name);
      const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
      const cli = await createCli(tenants, client.id, { number: '020 7946 0000' });
      return { clientId: client.id, apiKey, flowId: flow.id, cliId: cli.id };
    };
    const listed = await tenant('Listed');
    const unlisted = await tenant('Unlisted');
    let run = 0;
    const create = async (who: typeof listed): Promise<number> => {
      // Different numbers each run, 1 in 100 of them among the listed client's list.
      const offset = run * CAMPAIGN_NUMBERS;
      const body = JSON.stringify({
        name: `Bench ${run++}`,
        startDate: '2027-01-15',
        startTime: '09:00',
        finishTime: '17:00',
        callflow_Id: who.flowId,
        defaultCli_Id: who.cliId,
        answerMachineDetected: 0,
        smsOnBusy: 0,
        phoneNumbers: Array.from({ length: CAMPAIGN_NUMBERS }, (_, i) => ({
          number: i % 100 === 0 ? mobile((offset + i) % LIST_NUMBERS) : mobile(LIST_NUMBERS + offset + i),
          name: `Customer ${i}`,
        })),
      });
      const started = performance.now();
      const response = await app.inject({
        method: 'POST',
        url: '/api/campaigns/voice/true',
        headers: { authorization: `Bearer ${who.apiKey}`, 'content-type': 'application/json' },
        payload: body,
      });
      const ms = performance.now() - started;
      if (response.statusCode !== 201) throw new Error(`create answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
      return ms;
    };
    // Listed as an upload lists them (the API's and the CLI's importer).
    const filled = performance.now();
    const lines = function* () {
      for (let i = 0; i < LIST_NUMBERS; i++) yield mobile(i);
    };
    await importSuppressionLines(lines(), {
      repository: new SuppressionRepository(database.db),
      list: { kind: 'client', clientId: listed.clientId },
      mode: 'add',
      source: 'upload',
      reason: null,
      now: new Date(),
    });
    console.log(`  ${backend}: 1,000,000 numbers listed in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
    const without: number[] = [];
    const withList: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      without.push(await create(unlisted));
      withList.push(await create(listed));
    }
    const valueMs = median(withList);
    const baselineMs = median(without);
    return {
      backend,
      figure: `POST ${CAMPAIGN_NUMBERS.toLocaleString()} numbers, ${LIST_NUMBERS.toLocaleString()} on the do-not-call list`,
      valueMs,
      baselineMs,
      ratio: valueMs / baselineMs,
      target: `<= ${TARGET_RATIO}x`,
      pass: valueMs / baselineMs <= TARGET_RATIO,
    };
  } finally {
    await app.close();
  }
}

async function onPostgres(url: string): Promise<Row> {
  const name = `ringcast_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: target.toString() });
  try {
    return await measure('PostgreSQL', database);
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const rows: Row[] = [];
console.log(`suppression-create: median of ${RUNS} creates each (baseline: the same creates with an empty list)`);
const pglite = await openDatabase({ dataDir: 'memory://' });
try {
  rows.push(await measure('PGlite', pglite));
} finally {
  await pglite.close();
}
const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (url) rows.push(await onPostgres(url));
else console.log('  (set BENCH_DATABASE_URL=postgres://... to measure PostgreSQL too)');
for (const row of rows) {
  console.log(
    `${row.backend.padEnd(11)} ${row.figure.padEnd(62)} ${row.valueMs.toFixed(0).padStart(7)} ms   baseline ${row.baselineMs.toFixed(0).padStart(7)} ms   x${row.ratio.toFixed(2)}   ${row.target}   ${row.pass ? 'PASS' : 'FAIL'}`,
  );
}
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify({ runs: RUNS, rows }, null, 2)}\n`);
