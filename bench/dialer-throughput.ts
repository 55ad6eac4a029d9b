// Dialer attempts per second on PostgreSQL (issue 10): the simulated carrier at zero talk time, so the figure is the
// dialer's own cost per attempt (claim, call flow, record), with 1, 2 and 4 `bench/lib/dialer-worker.ts` processes
// sharing one database. Pacing limits are set far above the rate (BENCH_PACING) and the calls table is swept after
// each run to check that every one held across the processes. Compliance guards stay on as in production.
//
// Baseline (1 process): the claim query alone on the same database, in the dialer's batch size: a transaction that
// selects due numbers `FOR UPDATE SKIP LOCKED` and marks them claimed, in a loop until none is left. The 2- and
// 4-process figures are compared with the 1-process figure of the same run.
//
// An attempt rate is the campaign's calls over the span from its first call's start to its last call's end (the
// processes are ready before the campaign is made, so start-up is not counted). Beside it each run prints the
// machine's busy CPU and PostgreSQL's write-ahead log per call over the dialling: the log is exact and the CPU far
// steadier than a rate on a shared host, so a change to what an attempt writes shows in them when the rates' spread
// hides it. Each figure is the median of
// BENCH_RUNS (default 3) runs, each on a fresh database. Needs BENCH_DATABASE_URL or TEST_DATABASE_URL.
// Run: npx tsx bench/dialer-throughput.ts
import { performance } from 'node:perf_hooks';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../src/store/database.js';
import { campaigns } from '../src/store/schema.js';
import { CampaignStatus, NumberStatus } from '../src/domain/enums.js';
import { DEFAULT_DIALER_CONFIG } from '../src/dialer/dialer.js';
import { benchPostgresUrl, onFreshDatabase } from './lib/databases.js';
import { benchRuns, median, ratioOf, report, type BenchRow } from './lib/report.js';
import { BENCH_PACING, benchClient, benchMobiles, limitsHeld, openCampaign, pacingUse } from './lib/dialer-setup.js';
import { startDialerProcess, stopDialerProcesses } from './lib/dialer-processes.js';
import { readMachineBusyMs } from './lib/thread-cpu.js';

const NUMBERS = Number(process.env.BENCH_DIALER_NUMBERS ?? 20_000);
const RUNS = benchRuns(3);
/** BENCH_DIALER_PROCESSES=1 measures one process only (for profiling: NODE_OPTIONS=--cpu-prof). */
const PROCESS_COUNTS = (process.env.BENCH_DIALER_PROCESSES ?? '1,2,4').split(',').map(Number);
const BATCH = DEFAULT_DIALER_CONFIG.maxClaimBatch;
/** A run that has not finished by then is stopped and measured over what it did. */
const RUN_TIMEOUT_MS = 180_000;

const rows = (result: unknown) => (result as { rows: Record<string, unknown>[] }).rows;

/** The claim query alone: due numbers claimed in batches of BATCH until none is left; attempts per second. */
async function claimQueryAlone(db: Db, campaignId: number): Promise<number> {
  await db.execute(sql`update phone_numbers set due_at = now() where campaign_id = ${campaignId}`);
  const started = performance.now();
  let claimed = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const due = rows(
        await tx.execute(sql`
          select id from phone_numbers
          where campaign_id = ${campaignId} and status = ${NumberStatus.Pending} and due_at <= now()
          order by due_at, id limit ${BATCH} for update skip locked`),
      ).map((row) => Number(row.id));
      if (due.length === 0) return 0;
      await tx.execute(sql`
        update phone_numbers set status = ${NumberStatus.Dialling}, lease_owner = 'baseline', lease_expires_at = now() + interval '1 hour'
        where id = any(${sql.param(due)}::bigint[])`);
      return due.length;
    });
    if (batch === 0) break;
    claimed += batch;
  }
  const rate = claimed / ((performance.now() - started) / 1000);
  // Out of the way of the dialers (its numbers hold leases no dialer owns).
  await db.delete(campaigns).where(eq(campaigns.id, campaignId));
  return rate;
}

interface DialerRun {
  attemptsPerSecond: number;
  calls: number;
  finished: boolean;
  held: boolean;
  limitsNote: string;
  /** The machine's busy CPU (every process) from the campaign's creation to its completion, per 1,000 calls. */
  machineCpuMsPer1000?: number;
  /** PostgreSQL's write-ahead log written over the same span, per call: what the calls' row writes cost it, exactly. */
  walBytesPerCall: number;
}

/** Where PostgreSQL's write-ahead log ends now (pg_current_wal_lsn), as text for walBytesSince. */
async function walPosition(db: Db): Promise<string> {
  return String(rows(await db.execute(sql`select pg_current_wal_lsn()::text as lsn`))[0]!.lsn);
}

/** Bytes of write-ahead log written since `position` (walPosition). */
async function walBytesSince(db: Db, position: string): Promise<number> {
  return Number(rows(await db.execute(sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${position}::pg_lsn)::float8 as bytes`))[0]!.bytes);
}

async function dialerRun(db: Db, url: string, processCount: number, client: Awaited<ReturnType<typeof benchClient>>, run: number): Promise<DialerRun> {
  const processes = Array.from({ length: processCount }, () => startDialerProcess(url, BENCH_PACING));
  try {
    await Promise.all(processes.map((p) => p.ready));
    const campaignId = await openCampaign(db, client, { name: `Dialled ${processCount}-${run}`, numbers: benchMobiles(NUMBERS, 100_000), attempts: 1 });
    const walBefore = await walPosition(db);
    const busyBeforeMs = readMachineBusyMs();
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    let finished = false;
    while (Date.now() < deadline) {
      const [row] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId));
      if (row?.status === CampaignStatus.Completed) {
        finished = true;
        break;
      }
      if (processes.every((p) => p.child.exitCode !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const busyAfterMs = readMachineBusyMs();
    const walBytes = await walBytesSince(db, walBefore);
    await stopDialerProcesses(processes);
    if (process.env.BENCH_TIMINGS) console.error(processes.map((p) => p.output()).join('\n'));
    if (!finished) console.error(`run with ${processCount} processes did not finish:\n${processes.map((p) => p.output()).join('\n')}`);
    const [span] = rows(
      await db.execute(sql`
        select count(*)::int as calls, extract(epoch from (max(c.end_time) - min(c.start_time)))::float8 as seconds
        from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId}`),
    );
    const calls = Number(span!.calls);
    const uses = await pacingUse(db, [campaignId]);
    const { held, note } = limitsHeld(uses, BENCH_PACING);
    const machineCpuMsPer1000 = busyBeforeMs !== undefined && busyAfterMs !== undefined && calls > 0 ? ((busyAfterMs - busyBeforeMs) / calls) * 1000 : undefined;
    const walBytesPerCall = calls > 0 ? walBytes / calls : 0;
    return { attemptsPerSecond: calls / Math.max(1e-3, Number(span!.seconds)), calls, finished, held, limitsNote: note, machineCpuMsPer1000, walBytesPerCall };
  } finally {
    await stopDialerProcesses(processes);
  }
}

async function main(): Promise<void> {
  const url = benchPostgresUrl();
  if (!url) {
    report('dialer-throughput', [], { skipped: 'needs BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)' });
    return;
  }
  const baseline: number[] = [];
  const byProcesses = new Map<number, DialerRun[]>(PROCESS_COUNTS.map((n) => [n, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const processCount of PROCESS_COUNTS) {
      await onFreshDatabase('PostgreSQL', async (database, databaseUrl) => {
        const client = await benchClient(database.db, 'Throughput bench');
        if (processCount === 1) {
          const holder = await openCampaign(database.db, client, { name: `Baseline ${run}`, numbers: benchMobiles(NUMBERS), attempts: 1 });
          baseline.push(await claimQueryAlone(database.db, holder));
        }
        const result = await dialerRun(database.db, databaseUrl!, processCount, client, run);
        byProcesses.get(processCount)!.push(result);
        console.log(
          `run ${run + 1}/${RUNS}, ${processCount} process(es): ${result.attemptsPerSecond.toFixed(0)} attempts/s over ${result.calls} calls` +
            `${processCount === 1 ? `; claim query alone ${baseline.at(-1)!.toFixed(0)}/s` : ''}; limits ${result.held ? 'held' : 'BROKEN'}` +
            `${result.machineCpuMsPer1000 === undefined ? '' : `; machine CPU ${result.machineCpuMsPer1000.toFixed(0)} ms per 1,000 calls`}` +
            `; WAL ${result.walBytesPerCall.toFixed(0)} B per call`,
        );
      });
    }
  }
  const rate = (n: number) => median((byProcesses.get(n) ?? []).map((r) => r.attemptsPerSecond));
  const allHeld = (n: number) => (byProcesses.get(n) ?? []).length > 0 && byProcesses.get(n)!.every((r) => r.held && r.finished);
  const notes = (n: number) => {
    const runs = byProcesses.get(n) ?? [];
    if (runs.length === 0) return 'not measured';
    const cpu = runs.map((r) => r.machineCpuMsPer1000?.toFixed(0) ?? '?').join(', ');
    const wal = runs.map((r) => r.walBytesPerCall.toFixed(0)).join(', ');
    return (
      `median of ${runs.length} runs of ${NUMBERS.toLocaleString('en-GB')} numbers x 1 attempt (${runs.map((r) => r.attemptsPerSecond.toFixed(0)).join(', ')}); batch ${BATCH}; ` +
      `machine CPU per 1,000 calls ${cpu} ms; WAL per call ${wal} B; limits ${allHeld(n) ? 'held' : 'NOT held or unfinished'}: ${runs.at(-1)!.limitsNote}`
    );
  };
  const one = rate(1);
  const baselineRate = median(baseline);
  const oneRatio = ratioOf(one, baselineRate);
  const out: BenchRow[] = [
    {
      figure: 'PostgreSQL: dialer attempts/s, zero talk time, 1 process',
      value: one,
      baseline: baselineRate,
      unit: 'attempts/s',
      baselineLabel: 'claim query alone',
      ratio: oneRatio,
      target: '>= 3,000 attempts/s and >= 50% of baseline',
      pass: one >= 3_000 && oneRatio !== null && oneRatio >= 0.5 && allHeld(1),
      note: `${notes(1)}; baseline runs ${baseline.map((b) => b.toFixed(0)).join(', ')}`,
    },
  ];
  for (const [n, target] of [
    [2, 1.6],
    [4, 2.5],
  ] as const) {
    const ratio = ratioOf(rate(n), one);
    out.push({
      figure: `PostgreSQL: dialer attempts/s, zero talk time, ${n} processes`,
      value: rate(n),
      baseline: one,
      unit: 'attempts/s',
      baselineLabel: '1 process',
      ratio,
      target: `>= ${target}x, every pacing limit held`,
      pass: ratio !== null && ratio >= target && allHeld(n),
      note: notes(n),
    });
  }
  report('dialer-throughput', out, { numbers: NUMBERS, batch: BATCH, pacing: BENCH_PACING });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(0);
  },
);
