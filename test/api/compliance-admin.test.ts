// The operator's compliance settings per client (issue 9): calling-hours profile and the 24-hour machine rule; and
// the compliance reports (a client's, and the operator's over every client).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { eq } from 'drizzle-orm';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { expectCreated, postCampaign, uniqueName } from './campaign-create.helpers.js';
import { calls, campaigns, phoneNumbers } from '../../src/store/schema.js';
import { CallOutcome } from '../../src/domain/enums.js';

describe.each(BACKENDS)('operator compliance settings on $kind', ({ kind }) => {
  let t: TestApp;
  let a: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    a = await t.createTenant();
  });
  afterAll(() => t?.close());
  const url = (path: string) => `/api/admin/clients/${a.clientId}/${path}`;

  it('starts from the default profile with the machine rule on', async () => {
    const response = await t.admin({ method: 'GET', url: url('compliance') });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      callingHoursIsDefault: true,
      callingHours: { weekdays: { monday: [{ start: '08:00', finish: '21:00' }], sunday: [] }, holidays: ['england-and-wales'], excludedDates: [] },
      machineRule: { on: true, offReason: null },
    });
  });

  it('sets a profile (fields left out keep the default) and resets it with null', async () => {
    const set = await t.admin({
      method: 'PUT',
      url: url('calling-hours'),
      payload: { weekdays: { saturday: [], friday: [{ start: '09:00', finish: '17:00' }] }, holidays: ['scotland'], excludedDates: ['2026-12-24'] },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      callingHoursIsDefault: false,
      callingHours: { weekdays: { friday: [{ start: '09:00', finish: '17:00' }], saturday: [], monday: [{ start: '08:00', finish: '21:00' }] }, holidays: ['scotland'], excludedDates: ['2026-12-24'] },
    });
    const bad = await t.admin({ method: 'PUT', url: url('calling-hours'), payload: { weekdays: { friday: [{ start: '18:00', finish: '09:00' }] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual({ 'callingHours.weekdays.friday[0]': ['finish 09:00 must be after start 18:00.'] });
    const reset = await t.admin({ method: 'PUT', url: url('calling-hours'), payload: 'null', headers: { 'content-type': 'application/json' } });
    expect(reset.json()).toMatchObject({ callingHoursIsDefault: true });
  });

  it('switches the machine rule off only with a reason, and back on', async () => {
    const noReason = await t.admin({ method: 'PUT', url: url('machine-rule'), payload: { on: false } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors.reason[0]).toMatch(/Say why/);
    const off = await t.admin({ method: 'PUT', url: url('machine-rule'), payload: { on: false, reason: 'Client confirms a person is guaranteed on retries (contract 12).' } });
    expect(off.json()).toMatchObject({ machineRule: { on: false, offReason: 'Client confirms a person is guaranteed on retries (contract 12).' } });
    const on = await t.admin({ method: 'PUT', url: url('machine-rule'), payload: { on: true } });
    expect(on.json()).toMatchObject({ machineRule: { on: true, offReason: null } });
  });

  it('answers 404 for an unknown client and 401 without the token', async () => {
    expect((await t.admin({ method: 'GET', url: '/api/admin/clients/424242/compliance' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: url('compliance') })).statusCode).toBe(401);
  });
});

describe.each(BACKENDS)('compliance report on $kind', ({ kind }) => {
  let t: TestApp;
  let a: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    a = await t.createTenant();
  });
  afterAll(() => t?.close());

  /** A campaign of the tenant with one call per outcome, started at `startTime`, and the guard's note on it. */
  const campaignWithCalls = async (tenant: Tenant, outcomes: number[], note: string | null, startTime = new Date('2026-11-26T08:00:00Z')) => {
    const db = t.db.database.db;
    const phone = (i: number) => ({ number: `07722 5${String(tenant.clientId % 100).padStart(2, '0')}${String(i).padStart(3, '0')}` });
    const created = expectCreated(
      await postCampaign(t, tenant, validCampaign(tenant, { name: uniqueName('Rates'), startDate: '2026-11-27', phoneNumbers: outcomes.map((_, i) => phone(i)) })),
    );
    await db.update(campaigns).set({ complianceNote: note, callCount: outcomes.length }).where(eq(campaigns.id, created.id));
    const rows = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, created.id)).orderBy(phoneNumbers.id);
    await db.insert(calls).values(outcomes.map((outcome, i) => ({ phoneNumberId: rows[i]!.id, attemptNumber: 1, startTime, stage: 0, outcome })));
    return created.id;
  };
  const repeat = (count: number, outcome: number) => Array<number>(count).fill(outcome);

  it('shows the 24-hour figures, the lists and the guards in force to the client and the operator', async () => {
    await t.app.inject({ method: 'POST', url: '/api/suppression', headers: a.headers, payload: { numbers: ['07722 123456'] } });
    const response = await t.app.inject({ method: 'GET', url: '/api/compliance', headers: a.headers });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({
      to: '2026-11-26T10:00:00.000Z',
      from: '2026-11-25T10:00:00.000Z',
      client: { live: 0, abandoned: 0, machine: 0, ratePercent: 0, action: 'normal' },
      campaigns: [],
      suppression: { client: { numberCount: 1 }, operator: { numberCount: 0 }, tps: { numberCount: 0, downloadedAt: null } },
      guards: { abandonedRateLimitPercent: 3, repeatAfterAbandonedHours: 72, repeatAfterMachineHours: 24, machineRuleOffReason: null, tpsScreeningMaxAgeDays: 28 },
    });
    expect(report.guards.callingHours.weekdays.saturday).toEqual([{ start: '09:00', finish: '21:00' }]);
    const viaOperator = await t.admin({ method: 'GET', url: `/api/admin/clients/${a.clientId}/compliance/report` });
    expect(viaOperator.json()).toEqual(report);
  });

  it("shows the operator every client's 24-hour rate, highest first, the service's total and the campaigns a guard acted on", async () => {
    const b = await t.createTenant();
    // Client a: 36 live, 4 abandoned: 4 / 40 = 10%, over the pause level with 40 calls. Client b: 99 live, 1 abandoned: 1%.
    const paused = await campaignWithCalls(a, [...Array<number>(36).fill(CallOutcome.Answered), ...Array<number>(4).fill(CallOutcome.Abandoned)], 'paused: abandoned-call rate 10.0% ...');
    await campaignWithCalls(b, [...Array<number>(99).fill(CallOutcome.Answered), CallOutcome.Abandoned], null);

    const response = await t.admin({ method: 'GET', url: '/api/admin/compliance' });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.operator).toEqual({ live: 135, abandoned: 5, machine: 0, estimatedFalsePositives: 0, ratePercent: Math.round((5 / 140) * 10_000) / 100 });
    expect(report.clients.map((c: { id: number }) => c.id)).toEqual([a.clientId, b.clientId]);
    expect(report.clients[0]).toMatchObject({
      live: 36,
      abandoned: 4,
      ratePercent: 10,
      action: 'pause',
      campaignsWithNotes: [{ id: paused, complianceNote: 'paused: abandoned-call rate 10.0% ...' }],
    });
    expect(report.clients[1]).toMatchObject({ live: 99, abandoned: 1, ratePercent: 1, action: 'normal', campaignsWithNotes: [] });
    expect(report.suppression).toMatchObject({ operator: { numberCount: 0 }, tps: { downloadedAt: null } });
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/compliance', headers: a.headers })).statusCode).toBe(401);
  });

  it("reports a client's campaigns with calls: Ofcom's formula per campaign and for the client, the guard's action, only the last 24 hours", async () => {
    const c = await t.createTenant();
    const { Answered, Abandoned, AnsweringMachine } = CallOutcome;
    // 97 live, 2 abandoned and 100 machine verdicts (1% of them, 1 call, counted as people): (2 + 1) / (97 + 2 + 1) = 3%,
    // at the limit: slowed.
    const atLimit = await campaignWithCalls(c, [...repeat(97, Answered), ...repeat(2, Abandoned), ...repeat(100, AnsweringMachine)], 'slowed: 3.0% ...');
    const clean = await campaignWithCalls(c, repeat(100, Answered), null);
    // Abandoned calls of 25 hours ago are outside the rolling 24 hours: in no figure.
    await campaignWithCalls(c, repeat(50, Abandoned), null, new Date('2026-11-25T09:00:00Z'));

    const response = await t.app.inject({ method: 'GET', url: '/api/compliance', headers: c.headers });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.campaigns).toEqual([
      { id: atLimit, name: expect.any(String), complianceNote: 'slowed: 3.0% ...', live: 97, abandoned: 2, machine: 100, estimatedFalsePositives: 1, ratePercent: 3, action: 'slow' },
      { id: clean, name: expect.any(String), complianceNote: null, live: 100, abandoned: 0, machine: 0, estimatedFalsePositives: 0, ratePercent: 0, action: 'normal' },
    ]);
    // The client: (2 + 1) / (197 + 2 + 1) = 1.5%, within the limit.
    expect(report.client).toEqual({ live: 197, abandoned: 2, machine: 100, estimatedFalsePositives: 1, ratePercent: 1.5, action: 'normal' });
    const viaOperator = await t.admin({ method: 'GET', url: `/api/admin/clients/${c.clientId}/compliance/report` });
    expect(viaOperator.json()).toEqual(report);
  });
});
