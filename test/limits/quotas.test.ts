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

  it('refuses an add that would pass maxNumbersPerCampaign, adding nothing; numbers it has already do not count twice', async () => {
    await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { maxNumbersPerCampaign: null } });
    const created = await create(validCampaign(tenant, { name: 'Quota add', phoneNumbers: [{ number: '07722100001' }, { number: '07722100002' }] }));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as number;
    await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { maxNumbersPerCampaign: 3 } });
    const add = (numbers: string[]) =>
      t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${id}/phonenumbers`, headers: tenant.headers, payload: { phoneNumbers: numbers.map((number) => ({ number })) } });
    const numbersOf = async () => ((await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}/phonenumbers/100/1`, headers: tenant.headers })).json() as unknown[]).length;

    const over = await add(['07722100003', '07722100004']);
    expect(over.statusCode, over.body).toBe(403);
    expect(Object.keys(over.json().errors)).toEqual(['maxNumbersPerCampaign']);
    expect(await numbersOf()).toBe(2);
    // Two numbers it holds and one new: three in all, within the quota.
    const within = await add(['07722100001', '07722100002', '07722100003']);
    expect(within.statusCode, within.body).toBe(201);
    expect(within.json()).toMatchObject({ added: 1 });
    expect(await numbersOf()).toBe(3);
    // The CSV add keeps the same quota.
    const boundary = 'quota-boundary';
    const csv = [`--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="more.csv"', 'Content-Type: text/csv', '', 'number', '07722100005', `--${boundary}--`, ''].join('\r\n');
    const csvAdd = await t.app.inject({
      method: 'POST',
      url: `/api/campaigns/voice/${id}/phonenumbers/csv`,
      headers: { ...tenant.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: csv,
    });
    expect(csvAdd.statusCode, csvAdd.body).toBe(403);
    expect(Object.keys(csvAdd.json().errors)).toEqual(['maxNumbersPerCampaign']);
    expect(await numbersOf()).toBe(3);
    await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { maxNumbersPerCampaign: null } });
  });

  it("shows and sets the dialer's maxConcurrentCalls and maxNumbersPerDay with the other limits", async () => {
    const url = `/api/admin/clients/${tenant.clientId}/limits`;
    const initial = (await t.admin({ method: 'GET', url })).json();
    expect(initial).toMatchObject({ maxConcurrentCalls: null, maxNumbersPerDay: null, effectiveMaxConcurrentCalls: 30 });
    const set = await t.admin({ method: 'PUT', url, payload: { maxConcurrentCalls: 4, maxNumbersPerDay: 1000 } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ maxConcurrentCalls: 4, maxNumbersPerDay: 1000, effectiveMaxConcurrentCalls: 4, maxActiveCampaigns: null });
    // At least one line: 0 would stop the client's calls without saying so (the setting's minimum is 1 too).
    const zero = await t.admin({ method: 'PUT', url, payload: { maxConcurrentCalls: 0 } });
    expect(zero.statusCode).toBe(400);
    expect((await t.admin({ method: 'PUT', url, payload: {} })).json()).toMatchObject({ maxConcurrentCalls: null, maxNumbersPerDay: null, effectiveMaxConcurrentCalls: 30 });
  });

  it('keeps a limit of 0 as 0 (not null): no active campaign allowed, an unlimited rate', async () => {
    const url = `/api/admin/clients/${tenant.clientId}/limits`;
    for (const quota of ['maxActiveCampaigns', 'maxNumbersPerDay']) {
      const set = await t.admin({ method: 'PUT', url, payload: { [quota]: 0, rateLimitPerMin: 0 } });
      expect(set.statusCode, set.body).toBe(200);
      expect(set.json()).toMatchObject({ [quota]: 0, rateLimitPerMin: 0, effectiveRateLimitPerMin: 0 });
      const refused = await create(validCampaign(tenant));
      expect(refused.statusCode, refused.body).toBe(403);
      expect(Object.keys(refused.json().errors)).toEqual([quota]);
    }
    await t.admin({ method: 'PUT', url, payload: {} });
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
