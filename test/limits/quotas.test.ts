// Quotas per client set by the operator: numbers per campaign and active campaigns, at create, on each backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { checkActiveCampaigns, checkNumbersPerCampaign, NO_QUOTAS, QuotaExceeded } from '../../src/domain/limits/quotas.js';

const CREATE_URL = '/api/campaigns/voice';

describe('quota rules', () => {
  it('name the quota a request would pass, and nothing without a quota', () => {
    expect(() => checkNumbersPerCampaign(NO_QUOTAS, 1e6)).not.toThrow();
    expect(() => checkNumbersPerCampaign({ ...NO_QUOTAS, maxNumbersPerCampaign: 2 }, 2)).not.toThrow();
    expect(() => checkNumbersPerCampaign({ ...NO_QUOTAS, maxNumbersPerCampaign: 2 }, 3)).toThrow(QuotaExceeded);
    expect(() => checkActiveCampaigns({ ...NO_QUOTAS, maxActiveCampaigns: 1 }, 1)).toThrow(/maxActiveCampaigns/);
    expect(() => checkActiveCampaigns({ ...NO_QUOTAS, maxActiveCampaigns: 1 }, 0)).not.toThrow();
  });
});

describe.each(BACKENDS)('quotas ($kind)', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t?.close());

  const create = (payload: object) => t.app.inject({ method: 'POST', url: CREATE_URL, headers: tenant.headers, payload });
  const count = async () => ((await t.app.inject({ method: 'GET', url: CREATE_URL, headers: tenant.headers })).json() as unknown[]).length;

  it('refuses a campaign with more numbers than its quota, creating nothing', async () => {
    await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { maxNumbersPerCampaign: 1 } });
    const answer = await create(validCampaign(tenant, { phoneNumbers: [{ number: '07722123456' }, { number: '07722734716' }] }));
    expect(answer.statusCode).toBe(403);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(Object.keys(answer.json().errors)).toEqual(['maxNumbersPerCampaign']);
    expect(await count()).toBe(0);
    expect((await create(validCampaign(tenant))).statusCode).toBe(201);
  });

  it('lets parallel creates past maxActiveCampaigns create only up to it', async () => {
    const before = await count();
    await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { maxActiveCampaigns: before + 2 } });
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(validCampaign(tenant))));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, 201, 403, 403, 403, 403]);
    expect(answers.find((a) => a.statusCode === 403)!.json().errors).toHaveProperty('maxActiveCampaigns');
    expect(await count()).toBe(before + 2);
  });
});
