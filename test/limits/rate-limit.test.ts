// The client API's rate limit per API key, with the operator's override for the client, on each backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, type Tenant, type TestApp } from '../helpers/app.js';

const LIST_URL = '/api/campaigns/voice';

describe.each(BACKENDS)('rate limits ($kind)', ({ kind }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { RATE_LIMIT_PER_MIN: '1000' });
  });
  afterAll(() => t?.close());

  const list = (tenant: Tenant) => t.app.inject({ method: 'GET', url: LIST_URL, headers: tenant.headers });

  it('answers 429 problem+json with Retry-After and RateLimit headers past the operator override', async () => {
    const tenant = await t.createTenant();
    const set = await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { rateLimitPerMin: 3 } });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ clientId: tenant.clientId, rateLimitPerMin: 3, effectiveRateLimitPerMin: 3, maxActiveCampaigns: null });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await list(tenant));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 429]);
    expect(answers[0]!.headers['ratelimit-limit']).toBe('3');
    expect(answers[2]!.headers['ratelimit-remaining']).toBe('0');
    const refused = answers[3]!;
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.json().status).toBe(429);
    // The wait it was told: a token is back.
    t.clock.advanceMs(20_000);
    expect((await list(tenant)).statusCode).toBe(200);
    // Back to the default.
    const reset = await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { rateLimitPerMin: null } });
    expect(reset.json().effectiveRateLimitPerMin).toBe(1000);
    expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/limits` })).json().rateLimitPerMin).toBeNull();
  });

  it("counts each API key on its own, each at the client's limit", async () => {
    const tenant = await t.createTenant();
    await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { rateLimitPerMin: 2 } });
    const issued = await t.admin({ method: 'POST', url: `/api/admin/clients/${tenant.clientId}/apikeys` });
    const second = { ...tenant, headers: { authorization: `Bearer ${(issued.json() as { apiKey: string }).apiKey}` } };
    const first = [await list(tenant), await list(tenant), await list(tenant)];
    expect(first.map((a) => a.statusCode)).toEqual([200, 200, 429]);
    const other = [await list(second), await list(second), await list(second)];
    expect(other.map((a) => a.statusCode)).toEqual([200, 200, 429]);
    expect(other[0]!.headers['ratelimit-limit']).toBe('2');
  });

  it('refuses an override for an unknown client and a bad value', async () => {
    expect((await t.admin({ method: 'PUT', url: '/api/admin/clients/999999/limits', payload: { rateLimitPerMin: 5 } })).statusCode).toBe(404);
    const tenant = await t.createTenant();
    expect((await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { rateLimitPerMin: -1 } })).statusCode).toBe(400);
  });

  it('one client at its limit neither blocks nor slows another', async () => {
    const noisy = await t.createTenant();
    const quiet = await t.createTenant();
    await t.admin({ method: 'PUT', url: `/api/admin/clients/${noisy.clientId}/limits`, payload: { rateLimitPerMin: 1 } });
    await list(noisy);
    const timeQuiet = async (n: number) => {
      const timesMs: number[] = [];
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        const answer = await list(quiet);
        timesMs.push(performance.now() - started);
        expect(answer.statusCode).toBe(200);
      }
      return timesMs.sort((a, b) => a - b)[Math.floor(n / 2)]!;
    };
    const aloneMs = await timeQuiet(20);
    // The noisy client keeps sending while the quiet one is measured; every one of its requests is refused.
    let flooding = true;
    let refused = 0;
    const flood = (async () => {
      while (flooding) {
        const batch = await Promise.all(Array.from({ length: 10 }, () => list(noisy)));
        refused += batch.filter((a) => a.statusCode === 429).length;
        expect(batch.every((a) => a.statusCode === 429)).toBe(true);
        // inject() answers a refusal without touching the network, in microtasks only: a loop of them would never let
        // the quiet client's database replies (I/O callbacks) run. Requests from a socket arrive through the event
        // loop's I/O phase; yielding a macrotask per batch gives the same interleaving.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const duringMs = await timeQuiet(20);
    flooding = false;
    await flood;
    console.log(`quiet client's median list: ${aloneMs.toFixed(2)} ms alone, ${duringMs.toFixed(2)} ms while ${refused} requests of the noisy one were refused`);
    expect(refused).toBeGreaterThanOrEqual(10);
    // Both share this one process's event loop here, so some slowdown is the CPU the refusals take, not waiting on
    // the noisy client's limit: a refusal is a map lookup, so the quiet client's requests stay the same order.
    expect(duringMs).toBeLessThan(aloneMs * 5 + 20);
  });
});
