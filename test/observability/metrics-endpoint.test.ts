// GET /metrics on the API port behind the operator token, or on its own METRICS_PORT listener without auth (the API
// port then answers 404); the exposition parses as Prometheus text with HELP and TYPE for every figure, and the HTTP
// histogram is labelled by route pattern, not by URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS } from '../helpers/backends.js';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../helpers/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { startServer } from '../../src/server.js';
import { freePort } from '../helpers/free-port.js';
import { parseExposition, total } from './exposition.js';
import { webhookDeliveries, webhookEndpoints } from '../../src/store/schema.js';

describe.each(BACKENDS)('GET /metrics on the API port ($kind)', ({ kind }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('refuses a request without the operator token, and a client key', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    const tenant = await t.createTenant();
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: tenant.headers })).statusCode).toBe(401);
  });

  it('answers Prometheus text with HELP and TYPE for every figure, and the HTTP histogram by route pattern', async () => {
    const tenant = await t.createTenant();
    // Two different ids, one route pattern: one label set.
    for (const id of [11, 12]) await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}`, headers: tenant.headers });
    await t.app.inject({ method: 'GET', url: '/no/such/path/0772212345' });
    const response = await t.admin({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = parseExposition(response.body);
    for (const name of [
      'ringcast_calls_in_flight',
      'ringcast_calls_started_total',
      'ringcast_call_outcomes_total',
      'ringcast_call_attempt_duration_seconds',
      'ringcast_call_dial_delay_seconds',
      'ringcast_dialer_claims_total',
      'ringcast_dialer_lease_expiries_total',
      'ringcast_sip_invite_responses_total',
      'ringcast_rtp_packets_lost_total',
      'ringcast_tts_cache_lookups_total',
      'ringcast_http_request_duration_seconds',
      'ringcast_db_pool_connections',
      'ringcast_db_pool_waiting_requests',
      'ringcast_webhook_delivery_failures_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(exposition.help.has(name), `HELP ${name}`).toBe(true);
      expect(exposition.type.has(name), `TYPE ${name}`).toBe(true);
    }
    expect(exposition.type.get('ringcast_http_request_duration_seconds')).toBe('histogram');
    const notFound = exposition.samples.filter(
      (s) => s.name === 'ringcast_http_request_duration_seconds_count' && s.labels.route === '/api/campaigns/voice/:id',
    );
    expect(notFound).toEqual([{ name: 'ringcast_http_request_duration_seconds_count', labels: { method: 'GET', route: '/api/campaigns/voice/:id', status_class: '4xx' }, value: 2 }]);
    // No raw URL becomes a label value.
    expect(response.body).not.toContain('/no/such/path');
    expect(exposition.samples.some((s) => s.labels.route === 'unmatched')).toBe(true);
    // The pool: PGlite is one connection; node-postgres reports its own.
    const open = exposition.samples.find((s) => s.name === 'ringcast_db_pool_connections' && s.labels.state === 'open');
    expect(open!.value).toBeGreaterThanOrEqual(1);
    if (kind === 'pglite') expect(open!.value).toBe(1);
    expect(exposition.samples.find((s) => s.name === 'ringcast_db_pool_waiting_requests')!.value).toBe(0);
  });
});

describe.each(BACKENDS)('webhook backlog gauge ($kind)', ({ kind }) => {
  it('counts the deliveries not yet made, at scrape time', async () => {
    const t = await createTestApp(kind);
    try {
      const db = t.db.database.db;
      const tenant = await t.createTenant();
      const [endpoint] = await db
        .insert(webhookEndpoints)
        .values({ clientId: tenant.clientId, url: 'https://receiver.example/hook', events: ['call.completed'], secret: 'whsec_test' })
        .returning({ id: webhookEndpoints.id });
      const now = new Date('2026-11-26T10:00:00Z');
      const row = { endpointId: endpoint!.id, type: 'call.completed', createdAt: now, subject: {}, nextAttemptAt: now };
      // Two pending (one waiting for a retry), one delivered, one failed for good.
      await db.insert(webhookDeliveries).values([
        { ...row, state: 0 },
        { ...row, state: 0, attempts: 3 },
        { ...row, state: 1 },
        { ...row, state: 2 },
      ]);
      const response = await t.admin({ method: 'GET', url: '/metrics' });
      expect(total(parseExposition(response.body), 'ringcast_webhook_backlog_events')).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('METRICS_PORT', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-metrics-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves /metrics on its own port without auth, and the API port answers 404 for it', async () => {
    const metricsPort = await freePort();
    const settings = loadSettings({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ADMIN_TOKEN, METRICS_PORT: String(metricsPort) });
    const server = await startServer(settings, { api: true, dialer: true });
    try {
      expect(server.metricsServer?.port).toBe(metricsPort);
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      const exposition = parseExposition(await scraped.text());
      expect(exposition.type.get('ringcast_calls_started_total')).toBe('counter');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
      const onApi = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(onApi.status).toBe(404);
    } finally {
      await server.stop();
    }
    // Closed with the server.
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });

  it('gives a dialer-only process (no API port) its figures on METRICS_PORT', async () => {
    const metricsPort = await freePort();
    const settings = loadSettings({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ADMIN_TOKEN, METRICS_PORT: String(metricsPort) });
    const server = await startServer(settings, { api: false, dialer: true });
    try {
      expect(server.url).toBeUndefined();
      const exposition = parseExposition(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
      expect(exposition.type.get('ringcast_dialer_claims_total')).toBe('counter');
      expect(exposition.type.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    } finally {
      await server.stop();
    }
  });
});
