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
