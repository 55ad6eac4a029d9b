// Benchmarks. Each figure is printed beside a baseline measured in the same run on the same machine, so the ratio
// means something even when the machine is busy. Run: npm run bench  (BENCH_DATABASE_URL=postgres://... adds
// PostgreSQL to the campaign benchmark).
import { performance } from 'node:perf_hooks';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { sql } from 'drizzle-orm';
import { checkCalleeNumber } from '../src/domain/phone-number.js';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { VirtualClock } from '../src/domain/clock.js';
import { openDatabase, type Database } from '../src/store/database.js';
import { TenantRepository } from '../src/store/repositories/tenants.js';
import { NO_AUDIO, createCallFlow, createCli } from '../src/tenancy/operator.js';

const NUMBERS = 100_000;

function row(label: string, ms: number, baselineLabel: string, baselineMs: number): void {
  console.log(
    `${label.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms   baseline ${baselineLabel}: ${baselineMs.toFixed(0)} ms   (x${(ms / baselineMs).toFixed(2)})`,
  );
}

function timeSync(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

async function timeAsync(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

function benchPhoneNumbers(): void {
  const inputs = Array.from({ length: NUMBERS }, (_, i) => `077${String(i).padStart(8, '0')}`);
  for (let i = 0; i < 2000; i++) checkCalleeNumber(inputs[i]!); // warm up both paths
  for (let i = 0; i < 2000; i++) parsePhoneNumberFromString(inputs[i]!, 'GB')?.getType();
  const ours = timeSync(() => inputs.forEach((input) => checkCalleeNumber(input)));
  const library = timeSync(() => inputs.forEach((input) => parsePhoneNumberFromString(input, 'GB')?.getType()));
  row(`checkCalleeNumber x ${NUMBERS.toLocaleString()} UK mobiles`, ours, 'libphonenumber parse+getType', library);
}

async function benchCreateCampaign(label: string, open: () => Promise<Database>): Promise<void> {
  const database = await open();
  await database.migrate();
  try {
    const clock = new VirtualClock('2026-11-26T10:00:00Z');
    const app = await buildApp({ settings: loadSettings({ LOG_LEVEL: 'silent', BODY_LIMIT_MB: '64' }), database, clock });
    const tenants = new TenantRepository(database.db);
    const { client, apiKey } = await tenants.createClient('Bench');
    const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
    const cli = await createCli(tenants, client.id, { number: '020 7946 0000' });
    const numbers = Array.from({ length: NUMBERS }, (_, i) => ({
      number: `077${String(i).padStart(8, '0')}`,
      name: `Customer ${i}`,
      parameters: [{ parameter: 1, value: `Ref ${i}` }],
    }));
    const body = JSON.stringify({
      name: 'Bench campaign',
      startDate: '2027-01-15',
      startTime: '09:00',
      finishTime: '17:00',
      callflow_Id: flow.id,
      defaultCli_Id: cli.id,
      answerMachineDetected: 0,
      smsOnBusy: 0,
      phoneNumbers: numbers,
    });
    let status = 0;
    const apiMs = await timeAsync(async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/campaigns/voice',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        payload: body,
      });
      status = response.statusCode;
    });
    if (status !== 201) throw new Error(`create answered ${status}`);
    // Baseline: the same rows inserted with one bare INSERT ... SELECT FROM unnest, no HTTP, parsing or checks.
    await database.db.execute(sql`create temporary table bench_numbers (number text, name text, parameters jsonb)`);
    const baselineMs = await timeAsync(() =>
      database.db.execute(sql`insert into bench_numbers select n.number, n.name, n.parameters::jsonb
        from unnest(${sql.param(numbers.map((n) => n.number))}::text[], ${sql.param(numbers.map((n) => n.name))}::text[],
                    ${sql.param(numbers.map((n) => JSON.stringify(n.parameters)))}::text[]) as n(number, name, parameters)`),
    );
    row(`POST campaign with ${NUMBERS.toLocaleString()} numbers (${label}, ${(body.length / 1e6).toFixed(1)} MB)`, apiMs, 'bare unnest insert', baselineMs);
    await app.close();
  } finally {
    await database.close();
  }
}

benchPhoneNumbers();
await benchCreateCampaign('PGlite', () => openDatabase({ dataDir: 'memory://' }));
if (process.env.BENCH_DATABASE_URL) {
  await benchCreateCampaign('PostgreSQL', () => openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL }));
} else {
  console.log('(set BENCH_DATABASE_URL=postgres://... to run the campaign benchmark on PostgreSQL too)');
}
