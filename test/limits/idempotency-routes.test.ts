// Which routes get the idempotency hooks: those whose headers schema names Idempotency-Key (the hooks are added per
// route, route-hooks.ts). A route that claimed a key without them would leave it "in progress" for a day, so begin()
// refuses to run on any other route.
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { Idempotency } from '../../src/api/plugins/idempotency.js';
import { VirtualClock } from '../../src/domain/clock.js';
import type { IdempotencyRepository } from '../../src/store/repositories/idempotency.js';

/** A repository that grants every claim and records what the hooks did. */
function recordingRepository() {
  const calls: string[] = [];
  const repository = {
    claim: async () => (calls.push('claim'), true),
    find: async () => undefined,
    complete: async (_client: number, key: string, status: number) => void calls.push(`complete ${key} ${status}`),
    release: async (_client: number, key: string) => void calls.push(`release ${key}`),
    deleteExpired: async () => 0,
  };
  return { calls, repository: repository as unknown as IdempotencyRepository };
}

async function appWith(repository: IdempotencyRepository) {
  const app = Fastify({ logger: false });
  const idempotency = new Idempotency(repository, new VirtualClock('2026-12-06T10:00:00Z'));
  idempotency.install(app);
  const handler = async (request: Parameters<Idempotency['begin']>[0], reply: Parameters<Idempotency['begin']>[1]) => {
    const replayed = await idempotency.begin(request, reply, () => JSON.stringify(request.body ?? null));
    if (replayed) return replayed;
    return reply.code(201).send({ ok: true });
  };
  const headers = Type.Object({ 'idempotency-key': Type.Optional(Type.String()) });
  app.post('/with-key', { schema: { headers, response: { 201: Type.Object({ ok: Type.Boolean() }) } } }, handler);
  app.post('/without-key', handler);
  app.post('/failing', { schema: { headers } }, async (request, reply) => {
    await idempotency.begin(request, reply, () => '');
    throw new Error('the work failed');
  });
  await app.ready();
  return app;
}

describe('idempotency hooks per route', () => {
  it.each([
    { what: 'a route naming the header stores its answer for the key', url: '/with-key', key: 'k1', status: 201, calls: ['claim', 'complete k1 201'] },
    { what: 'a failed request gives its key back', url: '/failing', key: 'k2', status: 500, calls: ['claim', 'release k2'] },
  ])('$what', async ({ url, key, status, calls: expected }) => {
    const { calls, repository } = recordingRepository();
    const app = await appWith(repository);
    const answer = await app.inject({ method: 'POST', url, headers: { 'idempotency-key': key }, payload: {} });
    expect(answer.statusCode).toBe(status);
    expect(calls).toEqual(expected);
    await app.close();
  });

  it('begin() on a route whose schema does not name the header is a programming error, and claims nothing', async () => {
    const { calls, repository } = recordingRepository();
    const app = await appWith(repository);
    const answer = await app.inject({ method: 'POST', url: '/without-key', headers: { 'idempotency-key': 'k3' }, payload: {} });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toMatchObject({ message: expect.stringMatching(/POST \/without-key calls Idempotency.begin but its headers schema does not name idempotency-key/) });
    expect(calls).toEqual([]);
    await app.close();
  });
});
