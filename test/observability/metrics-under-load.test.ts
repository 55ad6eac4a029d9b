// Prometheus scraping a real `ringcast serve` process while it works (issue 12: "Prometheus can scrape every figure
// above during a load test"). The process runs the API and the dialer with the simulated carrier sped up, on a
// campaign of a few thousand numbers whose window is open now, while autocannon loads the client API and the test
// scrapes METRICS_PORT every 250 ms, parsing each answer as Prometheus would. Every scrape answers 200 within
// Prometheus's default scrape timeout and parses; every family of the registry (the one the README's list is
// generated from) is in every scrape; the figures the run moves do move; no counter goes down; no label value looks
// like a phone number.
//
// What feeds which family here:
// - the dialer: calls in flight and started, outcomes, attempt duration and dial delay, claims, numbers claimed;
// - the HTTP load: the request duration histogram (scrapes go to METRICS_PORT, a bare listener outside Fastify, so
//   its growth is the load's alone);
// - a webhook endpoint whose loopback receiver answers 500 to everything: the webhook backlog and delivery failures
//   (reason "status");
// - Node: event-loop lag; the database: pool use (PGlite: one connection, always open).
// Checked present with zero: SIP responses, RTP sessions, packets, loss and jitter, and text-to-speech cache lookups
// (only CARRIER=sip feeds them: test/observability/sip-metrics.test.ts), and lease expiries and leases lost (only a
// dialer that dies or stalls feeds them: campaign-metrics.test.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import autocannon from 'autocannon';
import { openDatabase } from '../../src/store/database.js';
import { RingcastMetrics } from '../../src/observability/metrics.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { WebhookRepository } from '../../src/store/repositories/webhooks.js';
import { BACKENDS, createTestDatabase, type BackendKind } from '../helpers/backends.js';
import { PGLITE_TEMPLATE_PATH } from '../helpers/pglite-template.js';
import { ADMIN_TOKEN } from '../helpers/app.js';
import { freePort } from '../helpers/free-port.js';
import { addOpenCampaign, createOpenClient, spawnRingcast, ukMobiles, waitFor, type RingcastProcess } from '../helpers/processes.js';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';
import { monotonicSeries, parseExposition, total, type Exposition } from './exposition.js';

const NUMBERS = 3_000;
const LOAD_S = 8;
const SCRAPE_EVERY_MS = 250;
/** Prometheus's default scrape_timeout. */
const SCRAPE_TIMEOUT_MS = 10_000;
/**
 * Connections per loaded route (three routes): load, not collapse. PGlite runs one statement at a time on the
 * process's event loop, so more only lengthen the queue (on a busy two-core machine, answers took past 10 s).
 */
const CONNECTIONS = 2;
/** autocannon's wait for an answer before it counts an error (its default is 10 s), for a machine shared by others. */
const REQUEST_TIMEOUT_S = 30;

// Calls of 1/20th of their real length (a 30 s ring is 1.5 s) at up to 10 starts a second: calls up at every moment
// of the run, and the campaign far from finished when the load stops (3,000 numbers take minutes).
const PROCESS_ENV = {
  SIMULATED_TIME_SCALE: '0.05',
  CAMPAIGN_MAX_CALLS: '40',
  CAMPAIGN_MAX_CPS: '10',
  CLIENT_MAX_CALLS: '40',
  CLIENT_MAX_CPS: '10',
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_POLL_MS: '100',
  // Calls still up when the test stops the process are hung up at once.
  DRAIN_TIMEOUT_S: '0',
  ADMIN_TOKEN,
};

/** The families the README lists: the registry's own, read the way metrics-doc.ts reads them. */
const REGISTRY_FAMILIES = new RingcastMetrics({ defaultMetrics: false }).registry.getMetricsAsArray().map((metric) => metric.name);

interface Scrape {
  atMs: number;
  durationMs: number;
  exposition: Exposition;
  body: string;
}

/** The client, its API key and its open campaign, written before the process starts; the env that points at them. */
async function prepare(kind: BackendKind, receiverUrl: string) {
  const pgliteDir = kind === 'pglite' ? mkdtempSync(join(tmpdir(), 'ringcast-metrics-load-')) : undefined;
  const postgres = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
  // PGlite has one process per data folder: the test fills it from the migrated template, then hands it over.
  const database = postgres?.database ?? (await openDatabase({ dataDir: pgliteDir!, pgliteTemplate: new Blob([readFileSync(PGLITE_TEMPLATE_PATH)]) }));
  if (pgliteDir) await database.migrate();
  const db = database.db;
  const client = await createOpenClient(db, 'Load test client');
  const numbers = ukMobiles(NUMBERS);
  const campaignId = await addOpenCampaign(db, client, { numbers, attempts: [{ interval: 0, attemptNumber: 1 }], name: 'Load' });
  const { apiKey } = await new TenantRepository(db).createApiKey(client.clientId);
  await new WebhookRepository(db).create(
    client.clientId,
    { url: receiverUrl, events: ['call.completed'], description: 'answers 500: feeds the backlog and failures' },
    'whsec_metrics_load',
    new Date(),
  );
  if (pgliteDir) await database.close();
  const env: Record<string, string> = pgliteDir ? { DATA_DIR: pgliteDir } : { DATABASE_URL: postgres!.url! };
  return {
    campaignId,
    apiKey,
    numbers,
    env,
    async dispose() {
      if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
      await postgres?.dispose();
    },
  };
}

async function scrape(url: string): Promise<Scrape> {
  const atMs = Date.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  const body = await response.text();
  const durationMs = Date.now() - atMs;
  if (response.status !== 200) throw new Error(`scrape answered ${response.status}: ${body.slice(0, 200)}`);
  return { atMs, durationMs, exposition: parseExposition(body), body };
}

const sum = (s: Scrape, name: string, labels: Record<string, string> = {}) => total(s.exposition, name, labels);

describe.each(BACKENDS)('Prometheus scraping during a load test ($kind)', ({ kind }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('every scrape parses with every family, the run moves its figures, counters never drop, labels hold no numbers', async () => {
    const receiver: Receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    receiver.answer = () => ({ status: 500 });
    const prepared = await prepare(kind, receiver.url);
    cleanups.push(() => prepared.dispose());

    const [port, metricsPort] = [await freePort(), await freePort()];
    const ringcast: RingcastProcess = spawnRingcast('serve', { ...PROCESS_ENV, ...prepared.env, PORT: String(port), METRICS_PORT: String(metricsPort) });
    cleanups.push(async () => {
      if (ringcast.child.exitCode === null && ringcast.child.signalCode === null) ringcast.child.kill('SIGKILL');
      await ringcast.exited;
    });
    const api = `http://127.0.0.1:${port}`;
    // Generous: the child compiles the server with tsx first, slow on a loaded machine.
    await waitFor(
      'the process to answer /healthz',
      async () => {
        if (ringcast.child.exitCode !== null) throw new Error(`ringcast exited: ${ringcast.output()}`);
        return (await fetch(`${api}/healthz`).catch(() => undefined))?.ok;
      },
      90_000,
      250,
    );

    const headers = { authorization: `Bearer ${prepared.apiKey}` };
    const routes = [
      `/api/campaigns/voice/${prepared.campaignId}`,
      `/api/campaigns/voice/${prepared.campaignId}/phonenumbers/100/1`,
      '/api/campaigns/voice/p?pageIndex=1&pageSize=20',
    ];
    const scrapes: Scrape[] = [];
    let loading = true;
    const scraping = (async () => {
      while (loading) {
        const next = Date.now() + SCRAPE_EVERY_MS;
        scrapes.push(await scrape(`http://127.0.0.1:${metricsPort}/metrics`));
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
      // One after the load, so the last scrape sees all of it.
      scrapes.push(await scrape(`http://127.0.0.1:${metricsPort}/metrics`));
    })();
    // autocannon in worker threads, so the scrapes' timers here are not held up by the load's own work.
    const loads = await Promise.all(
      routes.map((route) => {
        // (timeout is autocannon's, beyond the options bench/lib/autocannon.d.ts declares)
        const options = { url: `${api}${route}`, connections: CONNECTIONS, duration: LOAD_S, headers, workers: 1, timeout: REQUEST_TIMEOUT_S };
        return autocannon(options);
      }),
    ).finally(() => (loading = false));
    await scraping;

    ringcast.child.kill('SIGTERM');
    const exit = await Promise.race([ringcast.exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
    expect(exit, ringcast.output()).toEqual({ code: 0, signal: null });

    const durations = scrapes.map((s) => s.durationMs).sort((a, b) => a - b);
    const mostInFlight = Math.max(...scrapes.map((s) => sum(s, 'ringcast_calls_in_flight')));
    console.log(
      `${kind}: ${scrapes.length} scrapes, median ${durations[Math.floor(durations.length / 2)]} ms, slowest ${durations.at(-1)} ms; ` +
        `at most ${mostInFlight} calls in flight; ` +
        `load ${loads.map((load) => `${Math.round(load.requests.average)} req/s (p99 ${load.latency.p99} ms)`).join(', ')}`,
    );

    // The load was real and answered.
    for (const [i, load] of loads.entries()) {
      expect(load.errors, routes[i]).toBe(0);
      expect(load.non2xx, routes[i]).toBe(0);
      expect(load.requests.average, routes[i]).toBeGreaterThan(0);
    }
    // One every 250 ms for 8 s: about 30 on an idle machine, fewer when each waits for a busy database; every one
    // answered 200 (scrape throws otherwise) within the timeout.
    expect(scrapes.length).toBeGreaterThanOrEqual(5);
    expect(durations.at(-1)!).toBeLessThan(SCRAPE_TIMEOUT_MS);

    for (const s of scrapes) {
      for (const family of REGISTRY_FAMILIES) {
        expect(s.exposition.type.has(family) && s.exposition.help.has(family), `${family} in the scrape at ${s.atMs}`).toBe(true);
      }
      // Event-loop lag and pool use: present in every scrape, with a figure.
      const lag = s.exposition.samples.find((sample) => sample.name === 'nodejs_eventloop_lag_seconds');
      expect(lag && Number.isFinite(lag.value) && lag.value >= 0, 'nodejs_eventloop_lag_seconds').toBe(true);
      expect(sum(s, 'ringcast_db_pool_connections', { state: 'open' })).toBeGreaterThanOrEqual(1);
      // Bounded labels: no value with a phone number's run of digits (le="0.005" and code="486" have few).
      for (const sample of s.exposition.samples) {
        for (const value of Object.values(sample.labels)) expect(value.replace(/[\s()+-]/g, ''), `${sample.name} label`).not.toMatch(/\d{7,}/);
      }
    }
    const [first, last] = [scrapes[0]!, scrapes.at(-1)!];
    // The figures the run moves, moved while it was scraped.
    expect(mostInFlight).toBeGreaterThan(0);
    expect(sum(last, 'ringcast_calls_started_total', { carrier: 'simulated', campaign_status: 'Running' })).toBeGreaterThan(
      sum(first, 'ringcast_calls_started_total', { carrier: 'simulated', campaign_status: 'Running' }),
    );
    expect(sum(last, 'ringcast_call_outcomes_total')).toBeGreaterThan(sum(first, 'ringcast_call_outcomes_total'));
    expect(sum(last, 'ringcast_call_attempt_duration_seconds_count')).toBeGreaterThan(sum(first, 'ringcast_call_attempt_duration_seconds_count'));
    expect(sum(last, 'ringcast_dialer_claims_total')).toBeGreaterThan(sum(first, 'ringcast_dialer_claims_total'));
    const httpCount = (s: Scrape) => sum(s, 'ringcast_http_request_duration_seconds_count', { method: 'GET', status_class: '2xx' });
    expect(httpCount(last)).toBeGreaterThan(httpCount(first));
    // Every loaded route by its pattern, never by its URL.
    expect(last.exposition.samples.some((s) => s.labels.route === '/api/campaigns/voice/:id')).toBe(true);
    expect(last.body).not.toContain(`/api/campaigns/voice/${prepared.campaignId}`);
    expect(Math.max(...scrapes.map((s) => sum(s, 'ringcast_webhook_backlog_events')))).toBeGreaterThan(0);
    expect(sum(last, 'ringcast_webhook_delivery_failures_total', { reason: 'status' })).toBeGreaterThan(0);
    expect(receiver.received.length).toBeGreaterThan(0);
    // Fed only by a SIP carrier or a dead dialer: there, at zero.
    for (const zero of ['ringcast_rtp_sessions_total', 'ringcast_rtp_packets_received_total', 'ringcast_rtp_packets_lost_total', 'ringcast_dialer_lease_expiries_total', 'ringcast_dialer_leases_lost_total']) {
      expect(sum(last, zero), zero).toBe(0);
    }
    for (const empty of ['ringcast_sip_invite_responses_total', 'ringcast_tts_cache_lookups_total', 'ringcast_rtp_jitter_seconds_count']) {
      expect(sum(last, empty), empty).toBe(0);
    }

    // Counters and histograms never go down, and a series once scraped stays (a vanished one reads as a reset).
    const checked = [...monotonicSeries(last.exposition).keys()];
    expect(checked).toContain('ringcast_calls_started_total{campaign_status="Running",carrier="simulated"}');
    expect(checked).toContain('ringcast_call_attempt_duration_seconds_count{carrier="simulated"}');
    for (let i = 1; i < scrapes.length; i++) {
      const before = monotonicSeries(scrapes[i - 1]!.exposition);
      const after = monotonicSeries(scrapes[i]!.exposition);
      for (const [series, value] of before) {
        expect(after.has(series), `${series} in scrape ${i}`).toBe(true);
        expect(after.get(series)!, `${series} from scrape ${i - 1} to ${i}`).toBeGreaterThanOrEqual(value);
      }
    }
    // No campaign number in any form: national, or E.164 without the plus.
    for (const number of prepared.numbers) {
      expect(last.body).not.toContain(number);
      expect(last.body).not.toContain(`44${number.slice(1)}`);
    }
  }, 180_000);
});
