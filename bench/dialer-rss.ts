// Dialer memory over a long run (issue 10): one dialer process (bench/lib/dialer-worker.ts, the simulated carrier at
// zero talk time, the system clock) dials 100,000 numbers x 10 attempts, every call busy so every number takes all
// ten: 1,000,000 calls. The process prints its RSS every second; the figure is its RSS at the end of the run (median
// of the last 30 s) minus its RSS after the first 10,000 calls (median of the 10 s after them). Target: grows
// < 50 MB. A run longer than BENCH_RSS_MAX_S (default 300 s) is stopped and the note says how many calls it
// covered. PostgreSQL only (PGlite would put the database in the same process): BENCH_DATABASE_URL or
// TEST_DATABASE_URL. Run: npx tsx bench/dialer-rss.ts
import { eq } from 'drizzle-orm';
import { campaigns } from '../src/store/schema.js';
import { CampaignStatus } from '../src/domain/enums.js';
import { benchPostgresUrl, onFreshDatabase } from './lib/databases.js';
import { median, report, type BenchRow } from './lib/report.js';
import { BENCH_PACING, benchClient, benchMobiles, openCampaign } from './lib/dialer-setup.js';
import { startDialerProcess, stopDialerProcesses } from './lib/dialer-processes.js';

const NUMBERS = 100_000;
const ATTEMPTS = 10;
const FIRST_CALLS = 10_000;
const MAX_MS = Number(process.env.BENCH_RSS_MAX_S ?? 300) * 1000;
const LIMIT_MB = 50;

async function main(): Promise<void> {
  const url = benchPostgresUrl();
  if (!url) {
    report('dialer-rss', [], { skipped: 'needs BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)' });
    return;
  }
  await onFreshDatabase('PostgreSQL', async (database, databaseUrl) => {
    const db = database.db;
    const client = await benchClient(db, 'RSS bench');
    const dialer = startDialerProcess(databaseUrl!, BENCH_PACING, {
      BENCH_MIX_JSON: JSON.stringify({ human: 0, machine: 0, busy: 1, noAnswer: 0, failed: 0, rejected: 0 }),
      BENCH_RSS_EVERY_MS: '1000',
    });
    try {
      await dialer.ready;
      const campaignId = await openCampaign(db, client, { name: 'RSS', numbers: benchMobiles(NUMBERS), attempts: ATTEMPTS });
      const started = Date.now();
      // (calls so far, RSS samples printed so far) once a second: which RSS sample is "after the first 10,000".
      let rssIndexAtFirst: number | undefined;
      let callsAtFirst = 0;
      let calls = 0;
      let completed = false;
      while (Date.now() - started < MAX_MS && dialer.child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const [row] = await db.select({ callCount: campaigns.callCount, status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId));
        calls = row?.callCount ?? 0;
        if (rssIndexAtFirst === undefined && calls >= FIRST_CALLS && dialer.rssMb.length > 0) {
          rssIndexAtFirst = dialer.rssMb.length - 1;
          callsAtFirst = calls;
        }
        if (row?.status === CampaignStatus.Completed) {
          completed = true;
          break;
        }
      }
      const seconds = (Date.now() - started) / 1000;
      const samples = [...dialer.rssMb];
      await stopDialerProcesses([dialer]);
      // RSS swings with the garbage collector (tens of MB between collections), so one sample against one sample
      // measures the sawtooth: the median of the 10 s after the first 10,000 calls against the median of the last
      // 30 s. The peak is in the note.
      const atFirst = rssIndexAtFirst === undefined ? Number.NaN : median(samples.slice(rssIndexAtFirst, rssIndexAtFirst + 10));
      const after = rssIndexAtFirst === undefined ? [] : samples.slice(rssIndexAtFirst);
      const peak = Math.max(...after);
      const growth = median(after.slice(-30)) - atFirst;
      const rows: BenchRow[] = [
        {
          figure: `PostgreSQL: dialer RSS growth over ${completed ? '1,000,000' : calls.toLocaleString('en-GB')} calls`,
          value: growth,
          baseline: atFirst,
          unit: 'MB',
          baselineLabel: `median RSS over 10 s after the first ${callsAtFirst.toLocaleString('en-GB')} calls`,
          ratio: null,
          target: `grows < ${LIMIT_MB} MB`,
          pass: Number.isFinite(growth) && growth < LIMIT_MB,
          note:
            `${calls.toLocaleString('en-GB')} calls in ${seconds.toFixed(0)} s (${(calls / seconds).toFixed(0)}/s)` +
            `${completed ? '' : `; stopped at ${MAX_MS / 1000} s before 1,000,000 calls`}; peak ${peak.toFixed(0)} MB, last ${samples.at(-1)?.toFixed(0)} MB, ` +
            `${samples.length} samples; ${NUMBERS.toLocaleString('en-GB')} numbers x ${ATTEMPTS} attempts, every call busy`,
        },
      ];
      report('dialer-rss', rows);
    } finally {
      await stopDialerProcesses([dialer]);
    }
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(0);
  },
);
