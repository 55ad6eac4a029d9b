// Webhook events delivered per second to a loopback receiver, beside the rate at which the dialer produces the events
// they report (issue 12). On a fresh PostgreSQL database: a client with an endpoint subscribed to call.completed and
// number.completed; one `bench/lib/dialer-worker.ts` process dials a campaign of BENCH_WEBHOOK_NUMBERS numbers at zero
// talk time (as the dialer-throughput bench does), writing the events in the same statements as the calls; its
// production rate is the events over the span from the first call's start to the last call's end. Then a deliverer
// (WEBHOOK_BATCH_SIZE per claim, signed POSTs) drains that backlog to a node:http receiver on loopback that answers
// 200 at once; its rate is events over the drain's wall time. The delivery rate must at least match the production
// rate, or a busy dialer's webhooks would fall ever further behind.
// Run: npx tsx bench/webhooks.ts (needs BENCH_DATABASE_URL or TEST_DATABASE_URL)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { eq, sql } from 'drizzle-orm';
import { campaigns } from '../src/store/schema.js';
import { CampaignStatus } from '../src/domain/enums.js';
import { loadSettings } from '../src/config/settings.js';
import { systemClock } from '../src/domain/clock.js';
import { WebhookRepository } from '../src/store/repositories/webhooks.js';
import { WebhookDeliverer } from '../src/webhooks/deliverer.js';
import { benchPostgresUrl, onFreshDatabase } from './lib/databases.js';
import { benchRuns, median, ratioOf, report } from './lib/report.js';
import { BENCH_PACING, benchClient, benchMobiles, openCampaign } from './lib/dialer-setup.js';
import { startDialerProcess, stopDialerProcesses } from './lib/dialer-processes.js';

const NUMBERS = Number(process.env.BENCH_WEBHOOK_NUMBERS ?? 5_000);
const RUNS = benchRuns(1);
const RUN_TIMEOUT_MS = 180_000;

const rowsOf = (result: unknown) => (result as { rows: Record<string, unknown>[] }).rows;

interface Run {
  producedPerSecond: number;
  deliveredPerSecond: number;
  events: number;
  calls: number;
  received: number;
}

async function main(): Promise<void> {
  const url = benchPostgresUrl();
  if (!url) {
    report('webhooks', [], { skipped: 'needs BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)' });
    return;
  }
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const settings = loadSettings({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', LOG_LEVEL: 'silent' });
  const runs: Run[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      await onFreshDatabase('PostgreSQL', async (database, databaseUrl) => {
        const db = database.db;
        const client = await benchClient(db, 'Webhooks bench');
        const webhooks = new WebhookRepository(db);
        await webhooks.create(client.clientId, { url: receiverUrl, events: ['call.completed', 'number.completed'], description: 'bench' }, 'whsec_bench', new Date());
        const dialer = startDialerProcess(databaseUrl!, BENCH_PACING);
        let campaignId = 0;
        try {
          await dialer.ready;
          campaignId = await openCampaign(db, client, { name: `Webhooks ${run}`, numbers: benchMobiles(NUMBERS), attempts: 1 });
          const deadline = Date.now() + RUN_TIMEOUT_MS;
          while (Date.now() < deadline) {
            const [row] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId));
            if (row?.status === CampaignStatus.Completed || dialer.child.exitCode !== null) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        } finally {
          await stopDialerProcesses([dialer]);
        }
        const [span] = rowsOf(
          await db.execute(sql`
            select count(*)::int as calls, extract(epoch from (max(c.end_time) - min(c.start_time)))::float8 as seconds
            from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId}`),
        );
        const events = await webhooks.pendingCount();
        const before = received;
        const deliverer = new WebhookDeliverer({ db, settings, clock: systemClock });
        const started = performance.now();
        while ((await deliverer.deliverDue()) > 0);
        const drainS = (performance.now() - started) / 1000;
        const result: Run = {
          producedPerSecond: events / Math.max(1e-3, Number(span!.seconds)),
          deliveredPerSecond: (received - before) / drainS,
          events,
          calls: Number(span!.calls),
          received: received - before,
        };
        runs.push(result);
        console.log(
          `run ${run + 1}/${RUNS}: ${result.calls} calls wrote ${events} events at ${result.producedPerSecond.toFixed(0)}/s; delivered ${result.received} at ${result.deliveredPerSecond.toFixed(0)}/s`,
        );
      });
    }
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
  const delivered = median(runs.map((r) => r.deliveredPerSecond));
  const produced = median(runs.map((r) => r.producedPerSecond));
  const ratio = ratioOf(delivered, produced);
  report(
    'webhooks',
    [
      {
        figure: 'PostgreSQL: webhook events delivered/s to a loopback receiver, 1 deliverer',
        value: delivered,
        baseline: produced,
        unit: 'events/s',
        baselineLabel: 'events the dialer writes per second (1 process, zero talk time)',
        ratio,
        target: '>= 1x (deliveries keep up with the dialer)',
        pass: ratio !== null && ratio >= 1 && runs.every((r) => r.received >= r.events),
        note: `median of ${runs.length} run(s) of ${NUMBERS.toLocaleString('en-GB')} numbers x 1 attempt; batch ${settings.WEBHOOK_BATCH_SIZE}; every event received: ${runs.every((r) => r.received >= r.events) ? 'yes' : 'NO'}`,
      },
    ],
    { numbers: NUMBERS, batch: settings.WEBHOOK_BATCH_SIZE },
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(0);
  },
);
