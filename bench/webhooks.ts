// Webhook events delivered per second to a loopback receiver, beside the rates of call completions it must keep up
// with (issue 12). On a fresh PostgreSQL database: a client with an endpoint subscribed to call.completed and
// number.completed; one `bench/lib/dialer-worker.ts` process dials a campaign of BENCH_WEBHOOK_NUMBERS numbers at zero
// talk time with pacing limits far above its speed (as the dialer-throughput bench does), writing the events in the
// same statements as the calls; its rate is the events over the span from the first call's start to the last call's
// end. Then a deliverer, run as every Ringcast process runs it (start() to stop(), WEBHOOK_BATCH_SIZE as set), drains
// that backlog to a node:http receiver on loopback (in this process) that answers 200 at once; its rate is events
// over the wall time until every one is received and recorded delivered.
//
// Two rates to keep up with, both printed:
// - the burst: what the dialer writes with zero talk time and no pacing. A bench artefact: no campaign completes calls
//   faster than its calls start, and starts are capped by the pacing limits.
// - the pacing defaults: CARRIER_MAX_CPS (the limit over every campaign and client dialling through the carrier, per
//   carrier name) of the settings' defaults, times the events this run wrote per call. That is the requirement: at
//   steady state calls complete as fast as they start. An operator who raises CARRIER_MAX_CPS (the settings set no
//   maximum) can read in the note up to which calls per second one deliverer keeps up.
// Run: npx tsx bench/webhooks.ts (needs BENCH_DATABASE_URL or TEST_DATABASE_URL); BENCH_RUNS runs (default 3), the
// median reported. Profile the deliverer with `node --cpu-prof --import tsx bench/webhooks.ts` (it runs in this
// process; BENCH_WORKER_NODE_ARGS profiles the dialer process).
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
const RUNS = benchRuns(3);
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
  // WEBHOOK_BATCH_SIZE from the environment when set (to measure another batch), else its default.
  const batch = process.env.WEBHOOK_BATCH_SIZE;
  const settings = loadSettings({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', LOG_LEVEL: 'silent', ...(batch ? { WEBHOOK_BATCH_SIZE: batch } : {}) });
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
        // The deliverer as every process runs it (its own loop: claims overlapping posts and records), until the
        // backlog is recorded delivered.
        const deliverer = new WebhookDeliverer({ db, settings, clock: systemClock });
        const started = performance.now();
        deliverer.start();
        const drainDeadline = Date.now() + RUN_TIMEOUT_MS;
        while ((received - before < events || (await webhooks.pendingCount()) > 0) && Date.now() < drainDeadline) {
          await new Promise((resolve) => setTimeout(resolve, received - before < events ? 5 : 1));
        }
        const drainS = (performance.now() - started) / 1000;
        await deliverer.stop();
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
  const eventsPerCall = median(runs.map((r) => r.events / Math.max(1, r.calls)));
  const defaultCallsPerSecond = loadSettings({}).CARRIER_MAX_CPS;
  const paced = defaultCallsPerSecond * eventsPerCall;
  const allReceived = runs.every((r) => r.received >= r.events);
  const spread = `runs ${runs.map((r) => r.deliveredPerSecond.toFixed(0)).join(', ')} events/s`;
  const common = `median of ${runs.length} run(s) of ${NUMBERS.toLocaleString('en-GB')} numbers x 1 attempt (${spread}); WEBHOOK_BATCH_SIZE ${settings.WEBHOOK_BATCH_SIZE}; every event received: ${allReceived ? 'yes' : 'NO'}`;
  const burstRatio = ratioOf(delivered, produced);
  const pacedRatio = ratioOf(delivered, paced);
  report(
    'webhooks',
    [
      {
        figure: 'PostgreSQL: webhook events delivered/s to a loopback receiver, 1 deliverer, against the pacing defaults',
        value: delivered,
        baseline: paced,
        unit: 'events/s',
        baselineLabel: `CARRIER_MAX_CPS default ${defaultCallsPerSecond} calls/s x ${eventsPerCall.toFixed(2)} events a call`,
        ratio: pacedRatio,
        target: '>= 1x (the requirement)',
        pass: pacedRatio !== null && pacedRatio >= 1 && allReceived,
        note: `${common}; one deliverer keeps up with CARRIER_MAX_CPS up to ${(delivered / eventsPerCall).toFixed(0)} calls/s`,
      },
      {
        figure: 'PostgreSQL: the same, against the zero-talk-time burst',
        value: delivered,
        baseline: produced,
        unit: 'events/s',
        baselineLabel: 'events/s the dialer writes: 1 process, zero talk time, no pacing in the way',
        ratio: burstRatio,
        target: '>= 1x (shown, not required)',
        pass: burstRatio !== null && burstRatio >= 1 && allReceived,
        note: `${common}; burst runs ${runs.map((r) => r.producedPerSecond.toFixed(0)).join(', ')} events/s`,
      },
    ],
    { numbers: NUMBERS, batch: settings.WEBHOOK_BATCH_SIZE, eventsPerCall, defaultCarrierMaxCps: defaultCallsPerSecond, runs },
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(0);
  },
);
