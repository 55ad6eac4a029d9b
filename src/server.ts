// Starts Ringcast's processes on the configured database: the HTTP API, the dialer, or both (`ringcast serve`), and
// stops them in order: /readyz turns 503 at once (so a load balancer stops sending), the dialer drains its calls while
// the API still answers, then the API closes, then the database.
import { demoClientWanted, type Settings } from './config/settings.js';
import { buildApp, type App } from './app.js';
import { openConfiguredDatabase } from './store/open-from-settings.js';
import { ensureDemoClient, type DemoClient } from './tenancy/demo-client.js';
import type { Database } from './store/database.js';
import type { Dialer } from './dialer/dialer.js';
import { carrierFromSettings, dialerFromSettings } from './dialer/from-settings.js';
import { trunkRegistrationsOf } from './telephony/carrier-status.js';
import { systemClock } from './domain/clock.js';
import { trunksFromSettings } from './telephony/sip/carrier/trunk-config.js';
import { RingcastMetrics } from './observability/metrics.js';
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.js';
import { delivererFromSettings, type WebhookDeliverer } from './webhooks/deliverer.js';

export interface Roles {
  api: boolean;
  dialer: boolean;
}

export interface RunningServer {
  app: App | undefined;
  dialer: Dialer | undefined;
  database: Database;
  url: string | undefined;
  demo: DemoClient | undefined;
  /** The METRICS_PORT listener, when that setting is given. */
  metricsServer: MetricsServer | undefined;
  stop(): Promise<void>;
}

export async function startServer(settings: Settings, roles: Roles = { api: true, dialer: true }): Promise<RunningServer> {
  const database = await openConfiguredDatabase(settings);
  let app: App | undefined;
  let dialer: Dialer | undefined;
  let metricsServer: MetricsServer | undefined;
  let webhooks: WebhookDeliverer | undefined;
  // One registry per process: the app's HTTP figures, the dialer's and the carrier's.
  const metrics = new RingcastMetrics();
  try {
    // The app is built even for a dialer-only process: it carries the logger and repositories, and never listens.
    app = await buildApp({ settings, database, metrics });
    // PGlite has one process per data folder: a campaign still marked as being filled is from a process that died
    // mid-create, before it answered. On PostgreSQL a create is one transaction and never leaves one.
    if (database.kind === 'pglite') {
      const removed = await app.services.campaigns.removeUnfinishedCreates();
      if (removed.length > 0) app.log.warn({ campaignIds: removed }, 'removed campaigns whose create was interrupted');
    }
    if (roles.dialer) {
      const log = app.log.child({ component: 'dialer' });
      const carrier = await carrierFromSettings(settings, log, systemClock, metrics.carrierObserver());
      // The operator's carrier page reads the trunks' registrations from it (GET /api/admin/carrier).
      app.services.carrierStatus.watch(trunkRegistrationsOf(carrier));
      dialer = await dialerFromSettings(settings, database, log, systemClock, carrier, metrics.dialerObserver(carrier.name));
      const running = dialer;
      metrics.setInFlightSource(carrier.name, () => running.callsInFlightByCampaignStatus());
      app.services.campaignEvents.on('changed', () => running.numbersAdded());
      dialer.start();
    }
    // Every process, whatever its roles, delivers webhooks: the outbox is shared and claimed with leases.
    webhooks = delivererFromSettings(database.db, settings, systemClock, app.log.child({ component: 'webhooks' }), (reason) =>
      metrics.webhookDeliveryFailed(reason),
    );
    webhooks.start();
    // Any role may have it: a dialer-only process has no API port to serve /metrics on.
    if (settings.METRICS_PORT !== undefined) metricsServer = await startMetricsServer(metrics, settings.HOST, settings.METRICS_PORT);
    let url: string | undefined;
    let demo: DemoClient | undefined;
    if (roles.api) {
      demo = demoClientWanted(settings)
        ? await ensureDemoClient(app.services.tenants, {
            // Only the embedded database has a data folder where an older version could have left the key.
            ...(database.kind === 'pglite' ? { legacyDataDir: settings.DATA_DIR } : {}),
            log: { warn: (message) => app!.log.warn(message) },
          })
        : undefined;
      await app.listen({ port: settings.PORT, host: settings.HOST });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : settings.PORT;
      const shownHost = settings.HOST === '0.0.0.0' || settings.HOST === '::' ? 'localhost' : settings.HOST;
      url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    }
    const runningApp = app;
    return {
      app: roles.api ? app : undefined,
      dialer,
      database,
      url,
      demo,
      metricsServer,
      async stop() {
        runningApp.services.drain.start(systemClock.now());
        await dialer?.stop();
        await webhooks?.stop();
        await runningApp.close();
        await metricsServer?.close();
        await database.close();
      },
    };
  } catch (error) {
    await metricsServer?.close().catch(() => {});
    await dialer?.stop(0).catch(() => {});
    await webhooks?.stop().catch(() => {});
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}

function trunkSummary(settings: Settings): string {
  return trunksFromSettings(settings)
    .map((t) => `${t.name} ${t.transport}:${t.host}${t.port ? `:${t.port}` : ''}`)
    .join(', ');
}

/** What `ringcast serve` prints once it is up. */
export function startupBanner(server: RunningServer, settings: Settings): string {
  const lines = [''];
  if (server.url) {
    lines.push(
      `Ringcast is listening on ${server.url}`,
      `  Web app: ${server.url}/app/    API docs (Swagger UI): ${server.url}/docs    OpenAPI: ${server.url}/openapi.json`,
    );
  } else {
    lines.push('Ringcast dialer is running (no HTTP API in this process)');
  }
  lines.push(
    `  Database: ${server.database.kind === 'pglite' ? `embedded PGlite in ${settings.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  Dialer: ${server.dialer ? `${server.dialer.id}, carrier ${settings.CARRIER === 'sip' ? `sip (${trunkSummary(settings)}, local ${settings.SIP_ADDRESS}:${settings.SIP_PORT})` : `simulated (seed ${settings.SIMULATED_SEED})`}` : 'off in this process'}`,
  );
  if (server.url) lines.push(`  Operator API (/api/admin): ${settings.ADMIN_TOKEN ? 'on (ADMIN_TOKEN)' : 'off - set ADMIN_TOKEN to enable it'}`);
  if (server.demo && server.url) {
    const { apiKey, clientId, callFlowId, cliId } = server.demo;
    lines.push(
      '',
      'Demo client',
      `  API key:     ${apiKey}   (new at every start and shown only here; earlier keys keep working)`,
      `  client id:   ${clientId}    call flow id (callflow_Id): ${callFlowId}    CLI id (defaultCli_Id): ${cliId}`,
      `  try:         curl -H "Authorization: Bearer ${apiKey}" ${server.url}/api/campaigns/voice`,
    );
  }
  return `${lines.join('\n')}\n`;
}
