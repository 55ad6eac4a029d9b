// Uploaded audio through the operator API: WAV or MP3 in, 8 kHz mono 16-bit WAV stored and served; bad audio is a
// 400; a flow's play step may only name its own client's audio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { playThenSayFlow, silentMp3, sineWav16 } from '../helpers/wav-builder.js';
import { parseWav } from '../../src/media/audio/wav.js';

const PROBLEM_JSON = /^application\/problem\+json/;

describe.each(BACKENDS)('audio upload API on $kind', ({ kind }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const upload = (clientId: number, body: Uint8Array, contentType = 'audio/wav', name = 'Greeting') =>
    t.admin({
      method: 'POST',
      url: `/api/admin/clients/${clientId}/audio?name=${encodeURIComponent(name)}`,
      headers: { 'content-type': contentType },
      payload: Buffer.from(body),
    });

  it('uploads a WAV, lists it, reads it, serves it as 8 kHz mono 16-bit WAV and deletes it', async () => {
    const tenant = await t.createTenant();
    const created = await upload(tenant.clientId, sineWav16({ sampleRate: 44_100, channels: 2, frequencyHz: 440, durationMs: 2000 }), 'audio/x-wav', ' Welcome ');
    expect(created.statusCode).toBe(201);
    const file = created.json() as { id: number };
    expect(file).toEqual({ id: expect.any(Number), clientId: tenant.clientId, name: 'Welcome', durationMs: 2000, sampleRate: 8000, createdAt: expect.any(String) });
    expect(created.headers.location).toBe(`/api/admin/clients/${tenant.clientId}/audio/${file.id}`);

    const list = await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/audio` });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([created.json()]);
    const one = await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/audio/${file.id}` });
    expect(one.json()).toEqual(created.json());

    const wav = await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/audio/${file.id}/wav` });
    expect(wav.statusCode).toBe(200);
    expect(wav.headers['content-type']).toMatch(/^audio\/wav/);
    const parsed = parseWav(new Uint8Array(wav.rawPayload));
    expect(parsed).toMatchObject({ format: 'pcm_s16', sampleRate: 8000 });
    expect(parsed.channels).toHaveLength(1);
    expect(parsed.channels[0]).toHaveLength(16_000);

    const removed = await t.admin({ method: 'DELETE', url: `/api/admin/clients/${tenant.clientId}/audio/${file.id}` });
    expect(removed.statusCode).toBe(204);
    const gone = await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/audio/${file.id}` });
    expect(gone.statusCode).toBe(404);
    expect((await t.admin({ method: 'DELETE', url: `/api/admin/clients/${tenant.clientId}/audio/${file.id}` })).statusCode).toBe(404);
  });

  it('accepts MP3 as audio/mpeg and WAV as audio/wave', async () => {
    const tenant = await t.createTenant();
    const mp3 = await upload(tenant.clientId, silentMp3(40), 'audio/mpeg');
    expect(mp3.statusCode).toBe(201);
    expect(Math.abs((mp3.json() as { durationMs: number }).durationMs - 1045)).toBeLessThanOrEqual(1);
    const wave = await upload(tenant.clientId, sineWav16({ sampleRate: 8000, channels: 1, frequencyHz: 300, durationMs: 250 }), 'audio/wave');
    expect(wave.statusCode).toBe(201);
    expect(wave.json()).toMatchObject({ durationMs: 250 });
  });

  it('answers bad audio with 400 problem+json saying why', async () => {
    const tenant = await t.createTenant();
    for (const [body, type, message] of [
      [new TextEncoder().encode('definitely not audio'), 'audio/wav', /not a WAV file/],
      [sineWav16({ sampleRate: 8000, channels: 1, frequencyHz: 300, durationMs: 250 }).subarray(0, 300), 'audio/wav', /truncated/],
      [new TextEncoder().encode('definitely not audio either'), 'audio/mpeg', /not an MP3 file/],
    ] as const) {
      const response = await upload(tenant.clientId, body, type);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const problem = response.json() as { errors: { Audio: string[] } };
      expect(problem.errors.Audio[0]).toMatch(message);
    }
    expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/audio` })).json()).toEqual([]);
  });

  it('refuses other media types with 415, a missing name with 400 and an unknown client with 404', async () => {
    const tenant = await t.createTenant();
    const ogg = await upload(tenant.clientId, new Uint8Array([1, 2, 3]), 'audio/ogg');
    expect(ogg.statusCode).toBe(415);
    expect((ogg.json() as { detail: string }).detail).toMatch(/audio\/wav/);
    const noName = await t.admin({
      method: 'POST',
      url: `/api/admin/clients/${tenant.clientId}/audio`,
      headers: { 'content-type': 'audio/wav' },
      payload: Buffer.from(sineWav16({ sampleRate: 8000, channels: 1, frequencyHz: 300, durationMs: 10 })),
    });
    expect(noName.statusCode).toBe(400);
    expect(Object.keys((noName.json() as { errors: object }).errors)).toEqual(['name']);
    const unknown = await upload(999_999, sineWav16({ sampleRate: 8000, channels: 1, frequencyHz: 300, durationMs: 10 }));
    expect(unknown.statusCode).toBe(404);
    const noAuth = await t.app.inject({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/audio` });
    expect(noAuth.statusCode).toBe(401);
  });

  it("keeps clients' audio apart, and a flow may only play its own client's audio", async () => {
    const owner = await t.createTenant();
    const other = await t.createTenant();
    const file = (await upload(owner.clientId, sineWav16({ sampleRate: 8000, channels: 1, frequencyHz: 300, durationMs: 100 }))).json() as { id: number };
    expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${other.clientId}/audio/${file.id}` })).statusCode).toBe(404);
    expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${other.clientId}/audio/${file.id}/wav` })).statusCode).toBe(404);
    expect((await t.admin({ method: 'DELETE', url: `/api/admin/clients/${other.clientId}/audio/${file.id}` })).statusCode).toBe(404);

    const foreign = await t.admin({ method: 'POST', url: `/api/admin/clients/${other.clientId}/callflows`, payload: { name: 'Borrowed', flow: playThenSayFlow(file.id) } });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.headers['content-type']).toMatch(PROBLEM_JSON);
    expect((foreign.json() as { errors: object }).errors).toEqual({ 'Flow.Steps[0].AudioId': [`Audio file ${file.id} does not exist for this client.`] });

    const own = await t.admin({ method: 'POST', url: `/api/admin/clients/${owner.clientId}/callflows`, payload: { name: 'Own', flow: playThenSayFlow(file.id) } });
    expect(own.statusCode).toBe(201);
    const flowId = (own.json() as { id: number }).id;
    // An update is checked too.
    const update = await t.admin({ method: 'PUT', url: `/api/admin/clients/${owner.clientId}/callflows/${flowId}`, payload: { name: 'Own', flow: playThenSayFlow(file.id + 1000) } });
    expect(update.statusCode).toBe(400);
    expect(Object.keys((update.json() as { errors: object }).errors)).toEqual(['Flow.Steps[0].AudioId']);
  });
});
