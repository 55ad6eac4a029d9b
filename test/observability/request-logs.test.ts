// Request ids and log hygiene, on the real app with its real logger writing to a captured stream: an incoming
// X-Request-Id is echoed, becomes the reqId of the request's log lines and the problem's traceId; a bad one is
// replaced by a UUID; and no API key, operator token or callee number appears anywhere in the info-level log.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { ManualClock } from '../../src/domain/clock.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { ADMIN_TOKEN, TEST_NOW, adminOf, createTenantThrough, validCampaign, type Tenant } from '../helpers/app.js';

const NUMBERS = ['07722123456', '07722734716'];

describe.each(BACKENDS)('request ids and log hygiene ($kind)', ({ kind }) => {
  let db: TestDatabase;
  let app: App;
  let tenant: Tenant;
  const lines: Record<string, unknown>[] = [];
  let raw = '';

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw += chunk.toString('utf8');
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    app = await buildApp({
      settings: loadSettings({ ADMIN_TOKEN, LOG_LEVEL: 'info' }),
      database: db.database,
      clock: new ManualClock(TEST_NOW),
      logger: { level: 'info', stream },
    });
    tenant = await createTenantThrough(adminOf(app));
  });
  afterAll(async () => {
    await app.close();
    await db.dispose();
  });

  it('adopts a valid X-Request-Id: echoed, in every log line of the request, and the traceId of its problem', async () => {
    const requestId = 'client-trace-42/abc';
    const response = await app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: { ...tenant.headers, 'x-request-id': requestId },
      payload: validCampaign(tenant, { startDate: 'not a date' }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-request-id']).toBe(requestId);
    expect(response.json()).toMatchObject({ traceId: requestId });
    const ofRequest = lines.filter((line) => line.reqId === requestId);
    expect(ofRequest.map((line) => line.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  });

  it('replaces an unacceptable X-Request-Id with a UUID, and gives one to a request without', async () => {
    const tooLong = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'x'.repeat(129) } });
    const spaced = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'two words' } });
    const none = await app.inject({ method: 'GET', url: '/healthz' });
    for (const response of [tooLong, spaced, none]) expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const notFound = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'nf-1' } });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json()).toMatchObject({ traceId: 'nf-1' });
    expect(notFound.headers['x-request-id']).toBe('nf-1');
    // A URL the router refuses before any hook (bad percent-encoding) still echoes the id.
    const badUrl = await app.inject({ method: 'GET', url: '/api/campaigns/voice/%E0%A4%A', headers: { 'x-request-id': 'bad-url-1' } });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.headers['x-request-id']).toBe('bad-url-1');
    expect(badUrl.json()).toMatchObject({ traceId: 'bad-url-1' });
  });

  it('keeps keys, the operator token and phone numbers out of the log', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: { 'x-api-key': tenant.apiKey },
      payload: validCampaign(tenant, { phoneNumbers: NUMBERS.map((number) => ({ number, name: 'Ben' })) }),
    });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: number }).id;
    const search = await app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}/phonenumbers?search=${NUMBERS[0]}`, headers: tenant.headers });
    expect(search.statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    // A failing request that carries the key and a number in its body.
    await app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: { phoneNumbers: [{ number: NUMBERS[1] }] } });

    expect(lines.length).toBeGreaterThan(8);
    expect(raw).toContain('********456'); // the search was logged, masked
    for (const secret of [tenant.apiKey, ADMIN_TOKEN, ...NUMBERS, '447722123456', '447722734716']) expect(raw).not.toContain(secret);
  });
});
