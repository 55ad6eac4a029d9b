// The audit log (issue 12): successful changes by clients and the operator are recorded with the right actor, key,
// action and targets; failed requests are not; rows never hold secrets or phone numbers; the operator reads them
// newest first with filters and paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { ADMIN_TOKEN, createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';

interface Entry {
  id: number;
  at: string;
  actorKind: 'operator' | 'client';
  clientId: number | null;
  apiKeyId: number | null;
  action: string;
  targets: Record<string, string | number>;
  statusCode: number;
  requestId: string;
}
interface Page {
  entries: Entry[];
  nextBefore: string | null;
}

describe.each(BACKENDS)('audit log ($kind)', ({ kind }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  });
  afterAll(() => t?.close());

  const audit = async (query = ''): Promise<Page> => {
    await t.app.services.audit.flush();
    const answer = await t.admin({ method: 'GET', url: `/api/admin/audit${query}` });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json() as Page;
  };
  const firstKeyId = async (tenant: Tenant): Promise<number> =>
    ((await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/apikeys` })).json() as { id: number }[])[0]!.id;

  it("records a client's changes with its client, API key, action and targets", async () => {
    const tenant = await t.createTenant();
    const keyId = await firstKeyId(tenant);
    const created = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
    expect(created.statusCode, created.body).toBe(201);
    const campaignId = (created.json() as { id: number }).id;
    expect((await t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${campaignId}/pause`, headers: tenant.headers })).statusCode).toBe(200);

    const { entries } = await audit(`?clientId=${tenant.clientId}`);
    const clientEntries = entries.filter((entry) => entry.actorKind === 'client');
    expect(clientEntries.map((entry) => entry.action)).toEqual(['campaign.pause', 'campaign.create']);
    expect(clientEntries[0]).toMatchObject({ clientId: tenant.clientId, apiKeyId: keyId, targets: { id: campaignId }, statusCode: 200 });
    expect(clientEntries[1]).toMatchObject({ clientId: tenant.clientId, apiKeyId: keyId, targets: { createdId: campaignId }, statusCode: 201 });
    expect(clientEntries[1]!.requestId).toBe(created.headers['x-request-id']);
    expect(clientEntries[1]!.at).toBe(t.clock.now().toISOString());
  });

  it("records the operator's changes without a key, and which key a client used", async () => {
    const tenant = await t.createTenant();
    const issued = await t.admin({ method: 'POST', url: `/api/admin/clients/${tenant.clientId}/apikeys` });
    const second = issued.json() as { id: number; apiKey: string };
    const limits = await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { maxActiveCampaigns: 5 } });
    expect(limits.statusCode).toBe(200);
    const hook = await t.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: { authorization: `Bearer ${second.apiKey}` },
      payload: { url: 'http://127.0.0.1:9/hook', events: ['call.completed'] },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const firstKey = await firstKeyId(tenant);
    expect((await t.admin({ method: 'DELETE', url: `/api/admin/apikeys/${firstKey}` })).statusCode).toBe(204);

    const { entries } = await audit(`?clientId=${tenant.clientId}`);
    const byAction = new Map(entries.map((entry) => [entry.action, entry]));
    expect(byAction.get('api_key.create')).toMatchObject({ actorKind: 'operator', apiKeyId: null, clientId: tenant.clientId, targets: { clientId: tenant.clientId, createdId: second.id } });
    expect(byAction.get('client.limits.update')).toMatchObject({ actorKind: 'operator', apiKeyId: null, clientId: tenant.clientId, targets: { clientId: tenant.clientId } });
    expect(byAction.get('webhook_endpoint.create')).toMatchObject({ actorKind: 'client', apiKeyId: second.id, targets: { createdId: (hook.json() as { id: number }).id } });
    // A client create names no client in its route: the new client is its createdId.
    const create = (await audit('?action=client.create')).entries.find((entry) => entry.targets.createdId === tenant.clientId);
    expect(create).toMatchObject({ actorKind: 'operator', apiKeyId: null, clientId: null, statusCode: 201 });
    // The revoke names the key only (its route has no client).
    const revoke = (await audit('?action=api_key.revoke')).entries.find((entry) => entry.targets.keyId === firstKey);
    expect(revoke).toMatchObject({ actorKind: 'operator', apiKeyId: null, clientId: null, statusCode: 204 });
  });

  it('does not record failed requests', async () => {
    const tenant = await t.createTenant();
    const before = (await audit(`?clientId=${tenant.clientId}`)).entries.length;
    expect((await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: { name: '' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/api/campaigns/voice/999999/pause', headers: tenant.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', payload: validCampaign(tenant) })).statusCode).toBe(401);
    expect((await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { rateLimitPerMin: -1 } })).statusCode).toBe(400);
    expect((await audit(`?clientId=${tenant.clientId}`)).entries.length).toBe(before);
  });

  it('does not record an idempotent replay, which changes nothing', async () => {
    const tenant = await t.createTenant();
    const send = () =>
      t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: { ...tenant.headers, 'idempotency-key': 'audit-replay' }, payload: validCampaign(tenant, { name: 'Replayed' }) });
    const first = await send();
    const replay = await send();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.statusCode).toBe(first.statusCode);
    const creates = (await audit(`?clientId=${tenant.clientId}&action=campaign.create`)).entries;
    expect(creates.map((entry) => entry.targets.createdId)).toEqual([(first.json() as { id: number }).id]);
  });

  it('holds no secrets, bodies or phone numbers', async () => {
    const tenant = await t.createTenant();
    const number = '07722555111';
    expect((await t.app.inject({ method: 'POST', url: '/api/suppression', headers: tenant.headers, payload: { numbers: [number] } })).statusCode).toBeLessThan(300);
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/suppression/${number}`, headers: tenant.headers });
    expect(removed.statusCode, removed.body).toBe(204);
    const hook = await t.app.inject({ method: 'POST', url: '/api/webhooks', headers: tenant.headers, payload: { url: 'http://127.0.0.1:9/x', events: ['call.completed'] } });
    const { secret } = hook.json() as { secret: string };
    const { entries } = await audit(`?clientId=${tenant.clientId}`);
    expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(['suppression.add', 'suppression.remove', 'webhook_endpoint.create']));
    const text = JSON.stringify(entries);
    for (const forbidden of [tenant.apiKey, ADMIN_TOKEN, secret, number, '7722555111', '07722123456']) expect(text).not.toContain(forbidden);
    expect(entries.find((entry) => entry.action === 'suppression.remove')!.targets).toEqual({});
  });

  it('filters by client, action and time, and pages newest first', async () => {
    const tenant = await t.createTenant();
    const startedAt = t.clock.now().toISOString();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advanceMs(60_000);
      const created = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
      ids.push((created.json() as { id: number }).id);
    }
    const creates = `?clientId=${tenant.clientId}&action=campaign.create`;
    expect((await audit(creates)).entries.map((entry) => entry.targets.createdId)).toEqual([...ids].reverse());
    // Pages of two, following nextBefore to the end.
    const paged: (string | number | undefined)[] = [];
    let page = await audit(`${creates}&limit=2`);
    for (;;) {
      paged.push(...page.entries.map((entry) => entry.targets.createdId));
      if (page.nextBefore === null) break;
      page = await audit(`${creates}&limit=2&before=${page.nextBefore}`);
    }
    expect(paged).toEqual([...ids].reverse());
    // Time: the second through fourth creates.
    const at = (minutes: number) => new Date(Date.parse(startedAt) + minutes * 60_000).toISOString();
    const window = await audit(`${creates}&from=${at(2)}&to=${at(4)}`);
    expect(window.entries.map((entry) => entry.targets.createdId)).toEqual([ids[3], ids[2], ids[1]]);
    // Other clients' entries are left out; the operator's that name the client are in.
    const all = (await audit(`?clientId=${tenant.clientId}`)).entries;
    expect(all.every((entry) => entry.clientId === tenant.clientId)).toBe(true);
    expect(all.some((entry) => entry.actorKind === 'operator')).toBe(true);
  });

  it('answers bad queries with 400 and needs the operator token', async () => {
    for (const query of ['?limit=0', '?limit=501', '?before=x', '?before=0', '?from=yesterday', '?from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z']) {
      const answer = await t.admin({ method: 'GET', url: `/api/admin/audit${query}` });
      expect(answer.statusCode, query).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
    }
    expect((await t.admin({ method: 'GET', url: '/api/admin/audit?before=x' })).json().errors).toEqual({
      before: ['before must be an id: a whole number from 1, up to 15 digits.'],
    });
    // A misspelt filter is refused by name, where it was dropped and every entry listed.
    const misspelt = await t.admin({ method: 'GET', url: '/api/admin/audit?client=1' });
    expect(misspelt.statusCode).toBe(400);
    expect(misspelt.json().errors).toEqual({ client: ['client is not a field of the query.'] });
    const tenant = await t.createTenant();
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/audit', headers: tenant.headers })).statusCode).toBe(401);
  });
});
