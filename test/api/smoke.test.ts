import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, documentExampleBody, type Tenant, type TestApp } from '../helpers/app.js';

describe.each(BACKENDS)('the document example on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  it('accepts the example request verbatim, comment line included, and reads it back', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: { ...tenant.headers, 'content-type': 'application/json' },
      payload: documentExampleBody({ callflowId: tenant.callFlowId, cliId: tenant.cliId }),
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    expect(created.headers.location).toBe(`/api/campaigns/voice/${id}`);
    const detail = await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}`, headers: tenant.headers });
    expect(detail.json()).toMatchObject({
      id,
      name: 'Test Campaign',
      startDate: '2027-10-01T09:00:00',
      starttime: '09:00',
      finishtime: '12:00',
      type: 1,
      callFlow_Id: tenant.callFlowId,
      campaignStatus: 0,
      callCount: 0,
      cli_Id: tenant.cliId,
      attempts: [
        { interval: 0, attemptNumber: 1 },
        { interval: 15, attemptNumber: 2 },
        { interval: 30, attemptNumber: 3 },
      ],
      runOverDays: [{ date: '2027-10-02', startTime: '09:00', finishTime: '12:00' }],
    });
  });
});
