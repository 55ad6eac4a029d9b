// A client edits its own call flows (PUT /api/callflows/:id, issue 11): the operator's update rules, scoped to the
// caller's client: a new version each time, the same validation errors and paths, another client's flow not found,
// and campaigns created before keeping the version they were created with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { MENU_FLOW_EXAMPLE } from '../../src/callflow/examples.js';
import { callFlowVersions, campaigns } from '../../src/store/schema.js';

describe.each(BACKENDS)('client call-flow edits on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let other: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
    other = await t.createTenant();
  });
  afterAll(() => t.close());

  const put = (who: Tenant, id: number, payload: unknown) =>
    t.app.inject({ method: 'PUT', url: `/api/callflows/${id}`, headers: who.headers, payload: payload as object });

  it('saves an edit as the next version and answers the call-flow view', async () => {
    const before = (await t.app.inject({ method: 'GET', url: `/api/callflows/${tenant.callFlowId}`, headers: tenant.headers })).json();
    const edited = await put(tenant, tenant.callFlowId, { name: '  Renamed  ', message: 'Hello {Name}, this is the new message.' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      id: tenant.callFlowId,
      clientId: tenant.clientId,
      name: 'Renamed',
      version: before.version + 1,
      message: 'Hello {Name}, this is the new message.',
    });
    const again = await put(tenant, tenant.callFlowId, { name: 'Menu now', flow: MENU_FLOW_EXAMPLE });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ version: before.version + 2, message: null, flow: { start: MENU_FLOW_EXAMPLE.start } });
    const read = await t.app.inject({ method: 'GET', url: `/api/callflows/${tenant.callFlowId}`, headers: tenant.headers });
    expect(read.json()).toMatchObject({ version: before.version + 2, name: 'Menu now' });
  });

  it('answers a broken document with the operator update’s errors and paths, and saves nothing', async () => {
    const before = (await t.app.inject({ method: 'GET', url: `/api/callflows/${tenant.callFlowId}`, headers: tenant.headers })).json();
    const broken = {
      ...MENU_FLOW_EXAMPLE,
      steps: [
        ...MENU_FLOW_EXAMPLE.steps.slice(0, 1),
        { id: 'confirm', type: 'say', text: 'Hi {Parameter10}', next: 'nowhere' },
        ...MENU_FLOW_EXAMPLE.steps.slice(2),
      ],
    };
    const client = await put(tenant, tenant.callFlowId, { name: 'Broken', flow: broken });
    expect(client.statusCode).toBe(400);
    expect(client.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Object.keys(client.json().errors)).toEqual(expect.arrayContaining(['Flow.Steps[1].Text', 'Flow.Steps[1].Next']));
    // The operator's update of the same document names the same fields with the same messages.
    const operator = await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/callflows/${tenant.callFlowId}`, payload: { name: 'Broken', flow: broken } });
    expect(operator.statusCode).toBe(400);
    expect(client.json().errors).toEqual(operator.json().errors);

    const simple = await put(tenant, tenant.callFlowId, { name: ' ', message: 'Hi {Parameter12}' });
    expect(simple.statusCode).toBe(400);
    expect(Object.keys(simple.json().errors)).toEqual(expect.arrayContaining(['Name', 'Message']));
    const both = await put(tenant, tenant.callFlowId, { name: 'Both', flow: MENU_FLOW_EXAMPLE, message: 'Hi' });
    expect(Object.keys(both.json().errors)).toEqual(['Flow']);
    const schemaError = await put(tenant, tenant.callFlowId, { message: 'no name' });
    expect(schemaError.statusCode).toBe(400);

    const after = (await t.app.inject({ method: 'GET', url: `/api/callflows/${tenant.callFlowId}`, headers: tenant.headers })).json();
    expect(after.version).toBe(before.version);
  });

  it("answers 404 for another client's flow, and for one that does not exist, and leaves it as it was", async () => {
    const response = await put(other, tenant.callFlowId, { name: 'Stolen', message: 'Not yours' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await put(tenant, 2_000_000_000, { name: 'Nobody', message: 'Hi' })).statusCode).toBe(404);
    const mine = (await t.app.inject({ method: 'GET', url: `/api/callflows/${tenant.callFlowId}`, headers: tenant.headers })).json();
    expect(mine.name).not.toBe('Stolen');
    expect((await t.app.inject({ method: 'PUT', url: `/api/callflows/${tenant.callFlowId}`, payload: { name: 'x', message: 'y' } })).statusCode).toBe(401);
  });

  it('leaves a campaign created before the edit on the version it was created with', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: other.headers,
      payload: validCampaign(other),
    });
    expect(created.statusCode).toBe(201);
    const campaignVersion = async () => {
      const [row] = await t.db.database.db
        .select({ version: callFlowVersions.version, document: callFlowVersions.document })
        .from(campaigns)
        .innerJoin(callFlowVersions, eq(callFlowVersions.id, campaigns.callFlowVersionId))
        .where(eq(campaigns.id, created.json().id));
      return row!;
    };
    const before = await campaignVersion();
    const edited = await put(other, other.callFlowId, { name: 'Flow', message: 'Words after the campaign was made' });
    expect(edited.json().version).toBe(before.version + 1);
    const after = await campaignVersion();
    expect(after.version).toBe(before.version);
    expect(after.document).toEqual(before.document);
  });
});
