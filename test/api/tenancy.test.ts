// API keys (random, shown once, stored hashed, two ways to present them) and tenant isolation: a client sees and
// uses only its own campaigns, call flows and CLIs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { apiKeys } from '../../src/store/schema.js';

const PROBLEM_JSON = /^application\/problem\+json/;

describe.each(BACKENDS)('API keys and tenant isolation on $kind', ({ kind }) => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let campaignA: number;
  let campaignB: number;

  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const createCampaign = async (tenant: Tenant, name: string) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant, { name }) });
    expect(response.statusCode).toBe(201);
    return response.json().id as number;
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    a = await t.createTenant('Tenant A');
    b = await t.createTenant('Tenant B');
    campaignA = await createCampaign(a, 'A campaign');
    campaignB = await createCampaign(b, 'B campaign');
  });
  afterAll(() => t.close());

  describe('keys', () => {
    it('stores no key in clear: neither the keys table nor its prefix column holds a whole key', async () => {
      const extra = (await t.admin({ method: 'POST', url: `/api/admin/clients/${a.clientId}/apikeys` })).json() as { apiKey: string };
      const rows = await t.db.database.db.select().from(apiKeys);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const stored = JSON.stringify(rows);
      for (const key of [a.apiKey, b.apiKey, extra.apiKey]) {
        expect(stored).not.toContain(key);
        // Nor a large part of it: the visible prefix is for recognising a key, not for reconstructing it.
        expect(stored).not.toContain(key.slice(-16));
      }
      for (const row of rows) expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('makes keys long and random enough to resist guessing', () => {
      for (const key of [a.apiKey, b.apiKey]) expect(key.length).toBeGreaterThanOrEqual(40);
      expect(a.apiKey).not.toBe(b.apiKey);
    });

    it('accepts the key as Authorization: Bearer, any case of the scheme', async () => {
      for (const authorization of [`Bearer ${a.apiKey}`, `bearer ${a.apiKey}`, `BEARER  ${a.apiKey} `]) {
        const response = await get('/api/campaigns/voice', { authorization });
        expect(response.statusCode, authorization).toBe(200);
      }
    });

    it('accepts the key as X-API-Key', async () => {
      const response = await get('/api/campaigns/voice', { 'x-api-key': b.apiKey });
      expect(response.statusCode).toBe(200);
      expect((response.json() as { id: number }[]).map((campaign) => campaign.id)).toEqual([campaignB]);
    });

    it('answers 401 problem+json with a Bearer challenge when no key is sent', async () => {
      for (const url of ['/api/campaigns/voice', '/api/campaigns/voice/p', `/api/campaigns/voice/${campaignA}`, '/api/callflows', '/api/clis']) {
        const response = await get(url, {});
        expect(response.statusCode, url).toBe(401);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(response.json()).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 401, traceId: expect.any(String) });
      }
      const post = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', payload: validCampaign(a) });
      expect(post.statusCode).toBe(401);
    });

    it('answers 401 for a bad, truncated, empty or wrongly presented key', async () => {
      const attempts: Record<string, string>[] = [
        { authorization: 'Bearer rc_not-a-real-key' },
        { authorization: `Bearer ${a.apiKey.slice(0, -1)}` },
        { authorization: `Bearer ${a.apiKey}x` },
        { authorization: 'Bearer ' },
        { authorization: a.apiKey },
        { authorization: `Basic ${a.apiKey}` },
        { 'x-api-key': '' },
        { 'x-api-key': 'nope' },
      ];
      for (const headers of attempts) {
        const response = await get('/api/campaigns/voice', headers);
        expect(response.statusCode, JSON.stringify(headers)).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      }
    });

    it('answers 401 for a malformed Authorization header even when X-API-Key holds a valid key', async () => {
      for (const authorization of ['Basic abc', 'Bearer', 'Bearer ', `Bearer ${b.apiKey} extra`, 'Token x', '']) {
        const response = await get('/api/campaigns/voice', { authorization, 'x-api-key': b.apiKey });
        expect(response.statusCode, JSON.stringify(authorization)).toBe(401);
        expect(response.json()).toMatchObject({ detail: 'The Authorization header must be "Bearer <key>".' });
      }
      // A well-formed Bearer key wins over X-API-Key, as before.
      expect((await get('/api/campaigns/voice', { authorization: `Bearer ${a.apiKey}`, 'x-api-key': b.apiKey })).statusCode).toBe(200);
    });

    it('never echoes the presented key in a 401', async () => {
      const response = await get('/api/campaigns/voice', { authorization: 'Bearer rc_secret-looking-guess' });
      expect(response.body).not.toContain('rc_secret-looking-guess');
    });
  });

  describe('isolation', () => {
    it("lists only the caller's own campaigns", async () => {
      const listA = (await get('/api/campaigns/voice', a.headers)).json() as { id: number; name: string }[];
      const listB = (await get('/api/campaigns/voice', b.headers)).json() as { id: number; name: string }[];
      expect(listA.map((campaign) => campaign.id)).toEqual([campaignA]);
      expect(listB.map((campaign) => campaign.id)).toEqual([campaignB]);
    });

    it("pages and counts only the caller's own campaigns, whatever the filter", async () => {
      const page = await get('/api/campaigns/voice/p?pageSize=1000', a.headers);
      expect(page.json()).toMatchObject({ totalRecords: 1, totalPages: 1, items: [{ id: campaignA }] });
      // Filtering by B's call flow or by B's campaign id from A's side finds nothing.
      const byFlow = await get(`/api/campaigns/voice/p?callFlow_Id=${b.callFlowId}`, a.headers);
      expect(byFlow.json()).toMatchObject({ totalRecords: 0, items: [] });
      const byId = await get(`/api/campaigns/voice/p?filterColumn=id&filterQuery=${campaignB}`, a.headers);
      expect(byId.json()).toMatchObject({ totalRecords: 0, items: [] });
      const byName = await get('/api/campaigns/voice/p?name=B%20campaign', a.headers);
      expect(byName.json()).toMatchObject({ totalRecords: 0, items: [] });
    });

    it("answers 404 for another client's campaign, exactly as for one that does not exist", async () => {
      const foreign = await get(`/api/campaigns/voice/${campaignB}`, a.headers);
      const missing = await get('/api/campaigns/voice/999999', a.headers);
      expect(foreign.statusCode).toBe(404);
      expect(missing.statusCode).toBe(404);
      expect(foreign.headers['content-type']).toMatch(PROBLEM_JSON);
      // Nothing in the answer reveals that the id exists for someone else.
      expect(foreign.json().title).toBe(missing.json().title);
      expect(foreign.body).not.toContain('B campaign');
      expect((await get(`/api/campaigns/voice/${campaignB}`, b.headers)).statusCode).toBe(200);
    });

    it("answers 404 for another client's phone numbers on every path", async () => {
      for (const suffix of ['phonenumbers', 'phonenumbers/1', 'phonenumbers/10/1']) {
        const foreign = await get(`/api/campaigns/voice/${campaignB}/${suffix}`, a.headers);
        expect(foreign.statusCode, suffix).toBe(404);
        expect(foreign.body).not.toContain('+447722123456');
        expect((await get(`/api/campaigns/voice/${campaignB}/${suffix}`, b.headers)).statusCode, suffix).toBe(200);
      }
    });

    it("lists only the caller's own call flows and CLIs", async () => {
      const flowsA = (await get('/api/callflows', a.headers)).json() as { id: number; clientId: number }[];
      const clisA = (await get('/api/clis', a.headers)).json() as { id: number; clientId: number; number: string }[];
      expect(flowsA.map((flow) => flow.id)).toEqual([a.callFlowId]);
      expect(clisA.map((cli) => cli.id)).toEqual([a.cliId]);
      expect(clisA[0]!.number).toBe('+442079460000');
      const flowsB = (await get('/api/callflows', { 'x-api-key': b.apiKey })).json() as { id: number }[];
      const clisB = (await get('/api/clis', { 'x-api-key': b.apiKey })).json() as { id: number }[];
      expect(flowsB.map((flow) => flow.id)).toEqual([b.callFlowId]);
      expect(clisB.map((cli) => cli.id)).toEqual([b.cliId]);
    });

    it('shows a call flow added by the operator in that client\'s list only', async () => {
      const added = await t.admin({ method: 'POST', url: `/api/admin/clients/${a.clientId}/callflows`, payload: { name: 'Second flow' } });
      expect(added.statusCode).toBe(201);
      const flowsA = (await get('/api/callflows', a.headers)).json() as { id: number; name: string }[];
      expect(flowsA.map((flow) => flow.name)).toEqual(['Flow', 'Second flow']);
      const flowsB = (await get('/api/callflows', b.headers)).json() as { id: number }[];
      expect(flowsB.map((flow) => flow.id)).toEqual([b.callFlowId]);
    });

    it("refuses another client's call flow and CLI in a create request with 400 at those fields", async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/campaigns/voice',
        headers: a.headers,
        payload: validCampaign(a, { callflow_Id: b.callFlowId, defaultCli_Id: b.cliId }),
      });
      expect(response.statusCode).toBe(400);
      expect(Object.keys(response.json().errors).sort()).toEqual(['CallFlow_Id', 'DefaultCli_Id']);
    });

    it('lets two clients use the same campaign name', async () => {
      // Names are unique per client, not across clients.
      await createCampaign(b, 'A campaign');
      const listB = (await get('/api/campaigns/voice', b.headers)).json() as { name: string }[];
      expect(listB.map((campaign) => campaign.name)).toContain('A campaign');
      const listA = (await get('/api/campaigns/voice', a.headers)).json() as { name: string }[];
      expect(listA.map((campaign) => campaign.name)).toEqual(['A campaign']);
    });
  });
});
