// Call flows as documents (issue 4): create and update through the operator API with precise validation errors,
// versions (a campaign keeps the version it was created with), the client's read-only view and the preview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { MENU_FLOW_EXAMPLE } from '../../src/callflow/examples.js';
import { campaigns, callFlowVersions } from '../../src/store/schema.js';

describe.each(BACKENDS)('call flows on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  const flowsUrl = () => `/api/admin/clients/${tenant.clientId}/callflows`;

  it('creates a flow from a document and reads it back, for the operator and for the client', async () => {
    const created = await t.admin({ method: 'POST', url: flowsUrl(), payload: { name: 'Menu', flow: MENU_FLOW_EXAMPLE } });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ name: 'Menu', version: 1, message: null, smsText: MENU_FLOW_EXAMPLE.smsOnBusy });
    expect(body.flow.steps).toHaveLength(MENU_FLOW_EXAMPLE.steps.length);
    const seen = await t.app.inject({ method: 'GET', url: `/api/callflows/${body.id}`, headers: tenant.headers });
    expect(seen.json()).toMatchObject({ id: body.id, version: 1, flow: { start: 'menu' } });
  });

  it('answers a broken document with 400 and errors keyed by step', async () => {
    const broken = {
      ...MENU_FLOW_EXAMPLE,
      steps: [
        ...MENU_FLOW_EXAMPLE.steps.slice(0, 1),
        { id: 'confirm', type: 'say', text: 'Hi {Parameter10}', next: 'nowhere' },
        ...MENU_FLOW_EXAMPLE.steps.slice(2),
      ],
    };
    const response = await t.admin({ method: 'POST', url: flowsUrl(), payload: { name: 'Broken', flow: broken } });
    expect(response.statusCode).toBe(400);
    const keys = Object.keys(response.json().errors);
    expect(keys).toEqual(expect.arrayContaining(['Flow.Steps[1].Text', 'Flow.Steps[1].Next']));
    const both = await t.admin({ method: 'POST', url: flowsUrl(), payload: { name: 'Both', flow: MENU_FLOW_EXAMPLE, message: 'Hi' } });
    expect(both.statusCode).toBe(400);
    expect(Object.keys(both.json().errors)).toEqual(['Flow']);
  });

  it('refuses a field the body does not have (steps beside name, not inside flow), where it once made the default flow', async () => {
    const response = await t.admin({ method: 'POST', url: flowsUrl(), payload: { name: 'Misplaced', steps: MENU_FLOW_EXAMPLE.steps } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual({ Steps: ['Steps is not a field of the body.'] });
    const listed = await t.admin({ method: 'GET', url: flowsUrl() });
    expect(listed.json().map((flow: { name: string }) => flow.name)).not.toContain('Misplaced');
  });

  it('saves an update as a new version, and a campaign keeps the version it was created with', async () => {
    const created = (await t.admin({ method: 'POST', url: flowsUrl(), payload: { name: 'Versioned', message: 'First words' } })).json();
    const campaign = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: tenant.headers,
      payload: validCampaign(tenant, { callflow_Id: created.id }),
    });
    expect(campaign.statusCode).toBe(201);
    const updated = await t.admin({ method: 'PUT', url: `${flowsUrl()}/${created.id}`, payload: { name: 'Versioned', message: 'Second words' } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ version: 2, message: 'Second words' });

    const versions = await t.admin({ method: 'GET', url: `${flowsUrl()}/${created.id}/versions` });
    expect(versions.json().map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const first = await t.admin({ method: 'GET', url: `${flowsUrl()}/${created.id}/versions/1` });
    expect(first.json()).toMatchObject({ version: 1, message: 'First words' });

    const [row] = await t.db.database.db
      .select({ document: callFlowVersions.document, version: callFlowVersions.version })
      .from(campaigns)
      .innerJoin(callFlowVersions, eq(callFlowVersions.id, campaigns.callFlowVersionId))
      .where(eq(campaigns.id, campaign.json().id));
    expect(row?.version).toBe(1);
    expect(row?.document.steps[0]).toMatchObject({ type: 'say', text: 'First words' });
    const missing = await t.admin({ method: 'PUT', url: `${flowsUrl()}/999999`, payload: { name: 'X', message: 'Y' } });
    expect(missing.statusCode).toBe(404);
  });

  it('previews the spoken texts and the SMS for a name and parameters, with SMS parts', async () => {
    const created = (await t.admin({ method: 'POST', url: flowsUrl(), payload: { name: 'Preview', flow: MENU_FLOW_EXAMPLE } })).json();
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/callflows/${created.id}/preview`,
      headers: tenant.headers,
      payload: { name: 'Ann', parameters: [{ parameter: 1, value: 'Friday' }] },
    });
    expect(response.statusCode).toBe(200);
    const texts = response.json().texts as { stepNumber: number; stepId: string; field: string; kind: string; text: string; smsParts?: number }[];
    const prompt = texts.find((entry) => entry.stepId === 'menu' && entry.field === 'prompt')!;
    expect(prompt.stepNumber).toBe(1);
    expect(prompt.text).toContain('Hello Ann');
    expect(prompt.text).toContain('on Friday');
    const sms = texts.find((entry) => entry.field === 'smsOnBusy')!;
    expect(sms).toMatchObject({ kind: 'sms', smsParts: 1 });
    expect(sms.text).toContain('Hi Ann');
    const other = await t.createTenant();
    expect((await t.app.inject({ method: 'POST', url: `/api/callflows/${created.id}/preview`, headers: other.headers, payload: {} })).statusCode).toBe(404);
  });
});

describe.each(BACKENDS)('the SMS length limit of call flows on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    // One part only: 160 GSM-7 characters.
    t = await createTestApp(kind, { SMS_MAX_PARTS: '1' });
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  it('refuses an SMS text longer than SMS_MAX_PARTS parts, and accepts one that fits', async () => {
    const url = `/api/admin/clients/${tenant.clientId}/callflows`;
    const tooLong = await t.admin({ method: 'POST', url, payload: { name: 'Long', smsText: 'x'.repeat(161) } });
    expect(tooLong.statusCode).toBe(400);
    expect(Object.keys(tooLong.json().errors)).toEqual(['SmsText']);
    const fits = await t.admin({ method: 'POST', url, payload: { name: 'Short', smsText: 'x'.repeat(160) } });
    expect(fits.statusCode).toBe(201);
  });
});
