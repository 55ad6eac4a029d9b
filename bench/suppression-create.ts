// Do-not-call screening at create (issue 9): POST of a 100,000-number campaign when the client's do-not-call list
// holds 1,000,000 numbers, beside the same POST with an empty list, in the same run on the same database. 1% of the
// campaign's numbers are on the list (dropped with /true). Target: at most 1.5x. Each figure is the median of
// BENCH_RUNS creates (default 3). PGlite always; PostgreSQL too with BENCH_DATABASE_URL or
// TEST_DATABASE_URL (a fresh database is made and dropped). Writes bench/results/suppression-create.json.
// Run: npx tsx bench/suppression-create.ts
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { VirtualClock } from '../src/domain/clock.js';
import type { Database } from '../src/store/database.js';
import { benchBackends, onFreshDatabase, type BenchBackend } from './lib/databases.js';
import { benchRuns, median, report, type BenchRow } from './lib/report.js';
import { TenantRepository } from '../src/store/repositories/tenants.js';
import { SuppressionRepository } from '../src/store/repositories/suppression.js';
import { importSuppressionLines } from '../src/tenancy/suppression-import.js';
import { NO_AUDIO, createCallFlow, createCli } from '../src/tenancy/operator.js';

const CAMPAIGN_NUMBERS = 100_000;
const LIST_NUMBERS = 1_000_000;
const RUNS = benchRuns(3);
const TARGET_RATIO = 1.5;

const mobile = (i: number) => `+447${String(700_000_000 + i)}`;

async function measure(backend: BenchBackend, database: Database): Promise<BenchRow> {
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
    const value = median(withList);
    const baseline = median(without);
    const ratio = value / baseline;
    return {
      figure: `${backend}: POST ${CAMPAIGN_NUMBERS.toLocaleString('en-GB')} numbers, ${LIST_NUMBERS.toLocaleString('en-GB')} on the do-not-call list`,
      value,
      baseline,
      unit: 'ms',
      baselineLabel: 'empty list',
      ratio,
      target: `<= ${TARGET_RATIO}x`,
      pass: ratio <= TARGET_RATIO,
    };
  } finally {
    await app.close();
  }
}

const rows: BenchRow[] = [];
const backends = benchBackends();
console.log(`suppression-create: median of ${RUNS} creates each (baseline: the same creates with an empty list)`);
if (backends.length === 1) console.log('  (set BENCH_DATABASE_URL=postgres://... to measure PostgreSQL too)');
for (const backend of backends) rows.push(await onFreshDatabase(backend, (database) => measure(backend, database)));
report('suppression-create', rows, { runs: RUNS, campaignNumbers: CAMPAIGN_NUMBERS, listNumbers: LIST_NUMBERS });
