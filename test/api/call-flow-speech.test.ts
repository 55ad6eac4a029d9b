// POST /api/callflows/:id/speech (issue 11): a preview text spoken by the server's text-to-speech (espeak-ng, as the
// SIP carrier speaks calls) and answered as an 8 kHz WAV; 503 problem+json where the server has no engine; 400 for
// empty or over-long text; 404 for another client's flow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { ADMIN_TOKEN, createTenantThrough, adminOf, createTestApp, type Tenant, type TestApp } from '../helpers/app.js';
import { describeWithPeer } from '../helpers/peers.js';
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { speechFromSettings } from '../../src/media/tts/server-speech.js';
import { decodeStoredWav } from '../../src/media/audio/encode-wav.js';

const PROBLEM_JSON = /^application\/problem\+json/;
const WAV_HEADER_BYTES = 44;

const speak = (app: App, who: Tenant, flowId: number, text: unknown) =>
  app.inject({ method: 'POST', url: `/api/callflows/${flowId}/speech`, headers: who.headers, payload: { text } });

/** A preview text of the tenant's flow, as the page would send it. */
async function previewText(app: App, who: Tenant): Promise<string> {
  const preview = await app.inject({ method: 'POST', url: `/api/callflows/${who.callFlowId}/preview`, headers: who.headers, payload: { name: 'Ben' } });
  expect(preview.statusCode, preview.body).toBe(200);
  const spoken = (preview.json().texts as { kind: string; text: string }[]).find((entry) => entry.kind === 'speech');
  return spoken!.text;
}

describe.each(BACKENDS)('call-flow speech without text-to-speech on $kind', ({ kind }) => {
  let db: TestDatabase;
  let app: App;
  let tenant: Tenant;
  let other: Tenant;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const settings = loadSettings({ ADMIN_TOKEN, LOG_LEVEL: 'silent' });
    // A server whose espeak-ng is missing: the real availability check runs and finds no program.
    app = await buildApp({ settings, database: db.database, speech: speechFromSettings(settings, { binary: '/nonexistent/ringcast-test/espeak-ng' }) });
    tenant = await createTenantThrough(adminOf(app));
    other = await createTenantThrough(adminOf(app));
  });
  afterAll(async () => {
    await app.close();
    await db.dispose();
  });

  it('answers 503 problem+json saying the server has no text-to-speech', async () => {
    const response = await speak(app, tenant, tenant.callFlowId, await previewText(app, tenant));
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.json()).toMatchObject({ status: 503, type: expect.stringMatching(/unavailable$/), detail: expect.stringMatching(/not installed/) });
  });

  it("answers 404 for another client's flow and 400 for empty or over-long text, before asking for speech", async () => {
    const foreign = await speak(app, other, tenant.callFlowId, 'Hello');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toMatch(PROBLEM_JSON);
    for (const text of ['', 'x'.repeat(2001), undefined]) {
      const response = await speak(app, tenant, tenant.callFlowId, text);
      expect(response.statusCode, JSON.stringify(text)).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(Object.keys(response.json().errors ?? {}).join(' '), JSON.stringify(text)).toMatch(/text/i);
    }
    expect((await app.inject({ method: 'POST', url: `/api/callflows/${tenant.callFlowId}/speech`, payload: { text: 'Hello' } })).statusCode).toBe(401);
  });
});

describeWithPeer(['espeak-ng'], 'call-flow speech with espeak-ng', () => {
  describe.each(BACKENDS)('on $kind', ({ kind }) => {
    let t: TestApp;
    let tenant: Tenant;
    let other: Tenant;
    let cacheDir: string;
    beforeAll(async () => {
      cacheDir = mkdtempSync(join(tmpdir(), 'ringcast-speech-'));
      t = await createTestApp(kind, { TTS_CACHE_DIR: cacheDir });
      tenant = await t.createTenant();
      other = await t.createTenant();
    });
    afterAll(async () => {
      await t.close();
      rmSync(cacheDir, { recursive: true, force: true });
    });

    it('answers a preview text as an 8 kHz mono WAV with speech in it', async () => {
      const response = await speak(t.app, tenant, tenant.callFlowId, await previewText(t.app, tenant));
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      expect(response.headers['content-type']).toBe('audio/wav');
      const bytes = response.rawPayload;
      expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
      expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE');
      expect(bytes.readUInt32LE(40)).toBe(bytes.length - WAV_HEADER_BYTES);
      const samples = decodeStoredWav(new Uint8Array(bytes));
      // A sentence is well over a second at 8 kHz, and it is not silence.
      expect(samples.length).toBeGreaterThan(8000);
      expect(samples.some((sample) => Math.abs(sample) > 1000)).toBe(true);
    });

    it('answers text with nothing to say with 400 naming Text', async () => {
      const response = await speak(t.app, tenant, tenant.callFlowId, '  \u0007  ');
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(Object.keys(response.json().errors)).toEqual(['Text']);
    });

    it("answers 404 for another client's flow", async () => {
      const response = await speak(t.app, other, tenant.callFlowId, 'Hello');
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    });
  });
});
