// Pause, resume, cancel and delete through the API: allowed transitions, 409 for the rest, 404 across clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { phoneNumbers } from '../../src/store/schema.js';
import { eq } from 'drizzle-orm';

describe.each(BACKENDS)('campaign lifecycle on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let other: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
    other = await t.createTenant();
  });
  afterAll(() => t.close());

  const create = async (overrides: Record<string, unknown> = {}) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant, overrides) });
    expect(response.statusCode).toBe(201);
    return response.json().id as number;
  };
  const act = (id: number, action: string, headers = tenant.headers) =>
    t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${id}/${action}`, headers });

  it('pauses and resumes a scheduled campaign', async () => {
    const id = await create();
    const paused = await act(id, 'pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ id, campaignStatus: CampaignStatus.Paused });
    const resumed = await act(id, 'resume');
    expect(resumed.json()).toMatchObject({ id, campaignStatus: CampaignStatus.Scheduled });
  });

  it('answers an illegal transition with 409 problem+json naming the status', async () => {
    const id = await create();
    const resume = await act(id, 'resume');
    expect(resume.statusCode).toBe(409);
    expect(resume.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(resume.json().detail).toMatch(/is Scheduled; resuming needs it to be Paused/);
    await act(id, 'cancel');
    for (const action of ['pause', 'resume', 'cancel']) expect((await act(id, action)).statusCode).toBe(409);
    const remove = await t.app.inject({ method: 'DELETE', url: `/api/campaigns/voice/${id}`, headers: tenant.headers });
    expect(remove.statusCode).toBe(409);
  });

  it('cancels: waiting numbers end as Cancelled and the campaign reads back as Cancelled', async () => {
    const id = await create({ phoneNumbers: [{ number: '07722123456' }, { number: '07722123457' }] });
    const cancelled = await act(id, 'cancel');
    expect(cancelled.json()).toMatchObject({ campaignStatus: CampaignStatus.Cancelled });
    const statuses = await t.db.database.db.select({ status: phoneNumbers.status }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, id));
    expect(statuses.map((row) => row.status)).toEqual([NumberStatus.Cancelled, NumberStatus.Cancelled]);
    const detail = await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}`, headers: tenant.headers });
    expect(detail.json().campaignStatus).toBe(CampaignStatus.Cancelled);
  });

  it('deletes a campaign before it starts, and refuses once its start has passed', async () => {
    const id = await create();
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/campaigns/voice/${id}`, headers: tenant.headers });
    expect(removed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}`, headers: tenant.headers })).statusCode).toBe(404);

    const started = await create({ startDate: '2026-11-26', startTime: '11:00', finishTime: '17:00' });
    t.clock.set('2026-11-26T11:30:00Z');
    try {
      const refused = await t.app.inject({ method: 'DELETE', url: `/api/campaigns/voice/${started}`, headers: tenant.headers });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().detail).toMatch(/has started; cancel it instead/);
    } finally {
      t.clock.set('2026-11-26T10:00:00Z');
    }
  });

  it("answers 404 for another client's campaign and for unknown ids", async () => {
    const id = await create();
    expect((await act(id, 'pause', other.headers)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/campaigns/voice/${id}`, headers: other.headers })).statusCode).toBe(404);
    expect((await act(999_999, 'cancel')).statusCode).toBe(404);
    expect((await act(id, 'pause', {})).statusCode).toBe(401);
  });
});

describe.each(BACKENDS)('adding numbers to a campaign on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  const create = async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: tenant.headers,
      payload: validCampaign(tenant, { phoneNumbers: [{ number: '07722123456', name: 'Ben' }] }),
    });
    return response.json().id as number;
  };
  const add = (id: number, payload: unknown, query = '') =>
    t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${id}/phonenumbers${query}`, headers: tenant.headers, payload: payload as object });

  it('adds numbers with the creation rules, skipping ones the campaign has and merging repeats', async () => {
    const id = await create();
    const response = await add(id, {
      PhoneNumbers: [
        { number: '+44 7722 123456', name: 'Ben again' },
        { number: '07722 000111', name: 'New', parameters: [{ parameter: 2, value: 'Tuesday' }] },
        { number: '07722000111', name: 'Repeat' },
      ],
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      added: 1,
      alreadyInCampaign: ['+447722123456'],
      invalidPhoneNumbers: [],
      duplicatePhoneNumbers: [{ index: 2, number: '+447722000111', duplicateOfIndex: 1 }],
    });
    const numbers = (await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}/phonenumbers`, headers: tenant.headers })).json();
    expect(numbers.map((n: { number: string; status: number }) => [n.number, n.status])).toEqual([
      ['+447722123456', NumberStatus.Pending],
      ['+447722000111', NumberStatus.Pending],
    ]);
    expect(numbers[1].parameters).toEqual([{ value: 'Tuesday', parameter: 2 }]);
  });

  it('reports invalid numbers as a 400, or drops and lists them with ignoreInvalidPhoneNumbers=true', async () => {
    const id = await create();
    const refused = await add(id, { phoneNumbers: [{ number: '09012345678' }, { number: '07722000222' }] });
    expect(refused.statusCode).toBe(400);
    expect(Object.keys(refused.json().errors)).toEqual(['PhoneNumbers[0].Number']);
    const dropped = await add(id, { phoneNumbers: [{ number: '09012345678' }, { number: '07722000222' }] }, '?ignoreInvalidPhoneNumbers=TRUE');
    expect(dropped.statusCode).toBe(201);
    expect(dropped.json()).toMatchObject({ added: 1, invalidPhoneNumbers: [{ index: 0, number: '09012345678' }] });
    expect((await add(id, { phoneNumbers: [] })).statusCode).toBe(400);
    expect((await add(id, { phoneNumbers: [{ number: '07722000333' }] }, '?ignoreInvalidPhoneNumbers=maybe')).statusCode).toBe(400);
  });

  it('refuses numbers for a finished campaign with 409', async () => {
    const id = await create();
    await t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${id}/cancel`, headers: tenant.headers });
    const response = await add(id, { phoneNumbers: [{ number: '07722000444' }] });
    expect(response.statusCode).toBe(409);
  });
});
