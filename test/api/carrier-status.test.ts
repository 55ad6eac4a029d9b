// GET /api/admin/carrier (issue 11): the carrier the settings chose, its trunks with their registration (live where
// the SIP carrier runs in this process, else as configured with a note), the calls in flight per carrier from
// lines_in_use and the last hour's SIP failures per code from calls; operator token only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { ADMIN_TOKEN, createTestApp, TEST_NOW, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { describeWithPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/free-port.js';
import { calls, linesInUse, phoneNumbers } from '../../src/store/schema.js';
import { eq } from 'drizzle-orm';
import { loadSettings } from '../../src/config/settings.js';
import { startServer } from '../../src/server.js';
import { NO_DIALER_NOTE, trunkStatuses } from '../../src/telephony/carrier-status.js';
import { parseTrunksJson } from '../../src/telephony/sip/carrier/trunk-config.js';

const PROBLEM_JSON = /^application\/problem\+json/;
const MINUTE_MS = 60_000;
const TRUNKS_JSON = JSON.stringify([
  { name: 'main', host: '127.0.0.1', port: 5090, register: true, username: 'ringcast', password: 'secret' },
  { name: 'backup', host: 'sip.example.net', transport: 'tcp' },
]);

describe.each(BACKENDS)('carrier status on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  const get = (headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` }, app = t.app) =>
    app.inject({ method: 'GET', url: '/api/admin/carrier', headers });

  it('answers the simulated carrier with no trunks, and nothing in flight or failed on a new server', async () => {
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ carrier: 'simulated', trunks: [], note: expect.any(String), callsInFlight: [], recentFailures: [] });
  });

  it('sums lines_in_use per carrier over every campaign, and counts the last hour’s SIP failures per code', async () => {
    const createCampaign = async () => {
      const phoneNumbersIn = [{ number: '07722123456' }, { number: '07722734716' }, { number: '07722123457' }];
      const created = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant, { phoneNumbers: phoneNumbersIn }) });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().id as number;
    };
    const [first, second] = [await createCampaign(), await createCampaign()];
    const { db } = t.db.database;
    await db.insert(linesInUse).values([
      { campaignId: first, carrier: 'sip', calls: 3 },
      { campaignId: first, carrier: 'simulated', calls: 2 },
      { campaignId: second, carrier: 'sip', calls: 1 },
      { campaignId: second, carrier: 'simulated', calls: 0 },
    ]);
    const numbers = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, first));
    const now = new Date(TEST_NOW).getTime();
    const call = (index: number, attemptNumber: number, minutesAgo: number, sipCode: number | null) => ({
      phoneNumberId: numbers[index]!.id,
      attemptNumber,
      startTime: new Date(now - minutesAgo * MINUTE_MS),
      endTime: new Date(now - minutesAgo * MINUTE_MS + 20_000),
      stage: 0,
      outcome: 0,
      sipCode,
    });
    await db.insert(calls).values([
      call(0, 1, 5, 486),
      call(1, 1, 59, 486),
      call(2, 1, 30, 503),
      call(0, 2, 10, 404),
      call(1, 2, 1, 200), // answered: not a failure
      call(2, 2, 2, null), // no SIP code (ended by our ring timeout)
      call(0, 3, 61, 486), // more than an hour ago
      call(1, 3, 20, 399),
    ]);
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      carrier: 'simulated',
      callsInFlight: [
        { carrier: 'simulated', calls: 2 },
        { carrier: 'sip', calls: 4 },
      ],
      recentFailures: [
        { sipCode: 486, calls: 2 },
        { sipCode: 404, calls: 1 },
        { sipCode: 503, calls: 1 },
      ],
    });
    // An hour later only the window's calls count: none of these (the clock only moves forward; later tests do not
    // depend on it).
    t.clock.set(new Date(now + 61 * MINUTE_MS));
    expect((await get()).json().recentFailures).toEqual([]);
  });

  it('answers 401 without the operator token, with a wrong one or a client key, and 403 when the operator API is off', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-admin-token-at-all' }, tenant.headers]) {
      const response = await get(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    }
    const off = await createTestApp(kind, { ADMIN_TOKEN: '' });
    try {
      const response = await get(undefined, off.app);
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    } finally {
      await off.close();
    }
  });

  it('lists the configured SIP trunks with their registration unknown, and says why, where no carrier runs (API only)', async () => {
    const sip = await createTestApp(kind, { CARRIER: 'sip', SIP_TRUNKS_JSON: TRUNKS_JSON });
    try {
      const response = await get(undefined, sip.app);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        carrier: 'sip',
        trunks: [
          { name: 'main', address: 'udp:127.0.0.1:5090', registration: 'unknown' },
          { name: 'backup', address: 'tcp:sip.example.net', registration: 'not-required' },
        ],
        note: NO_DIALER_NOTE,
      });
    } finally {
      await sip.close();
    }
  });
});

describe('trunk registration as shown', () => {
  const trunks = parseTrunksJson(TRUNKS_JSON);
  it('maps each registration state of a registering trunk, and leaves trunks that do not register as not required', () => {
    const until = new Date('2026-11-26T10:10:00Z');
    const shown = (state: 'registered' | 'retrying' | 'registering', detail: object, registeredUntil?: Date) =>
      trunkStatuses(trunks, [{ trunk: 'main', state, detail: { reason: 'x', ...detail }, ...(registeredUntil ? { registeredUntil } : {}) }]);
    expect(shown('registered', { status: 200, expiresS: 600 }, until)[0]).toEqual({
      name: 'main',
      address: 'udp:127.0.0.1:5090',
      registration: 'registered',
      detail: 'registered until 2026-11-26T10:10:00.000Z',
    });
    expect(shown('retrying', { reason: 'credentials refused', status: 403, retryInMs: 4_500 })[0]).toMatchObject({
      registration: 'failed',
      detail: 'credentials refused (SIP 403); next try in 5 s',
    });
    expect(shown('registering', { reason: 'registering' })[0]).toMatchObject({ registration: 'unregistered', detail: 'registering: registering' });
    expect(shown('registering', {})[1]).toEqual({ name: 'backup', address: 'tcp:sip.example.net', registration: 'not-required' });
    expect(trunkStatuses(trunks, undefined).map((trunk) => trunk.registration)).toEqual(['unknown', 'not-required']);
  });
});

describeWithPeer(['espeak-ng'], 'carrier status with the SIP carrier in this process', () => {
  it('reads the live registration of the carrier the server started', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-carrier-status-'));
    // Nothing answers REGISTER on this port: the first attempt is still waiting when the page is read.
    const silentRegistrar = await freePort();
    const settings = loadSettings({
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN,
      CARRIER: 'sip',
      SIP_TRUNKS_JSON: JSON.stringify([
        { name: 'main', host: '127.0.0.1', port: silentRegistrar, register: true, username: 'ringcast', password: 'secret' },
        { name: 'plain', host: '127.0.0.1', port: silentRegistrar },
      ]),
      SIP_PORT: String(await freePort()),
    });
    const server = await startServer(settings);
    try {
      const response = await server.app!.inject({ method: 'GET', url: '/api/admin/carrier', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.note).toBeUndefined();
      expect(body.trunks).toEqual([
        { name: 'main', address: `udp:127.0.0.1:${silentRegistrar}`, registration: 'unregistered', detail: expect.stringMatching(/^registering/) },
        { name: 'plain', address: `udp:127.0.0.1:${silentRegistrar}`, registration: 'not-required' },
      ]);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
