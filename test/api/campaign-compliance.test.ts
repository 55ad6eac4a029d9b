// UK compliance guards at the API (issue 9): a campaign's days within its client's calling hours (narrowed, never
// widened, by its own callingHours), the do-not-call lists at create and when numbers are added (TPS/CTPS for
// marketing campaigns only), and the extension fields of the campaign detail and the phone-number listing.
// TEST_NOW is Thursday 2026-11-26 10:00 UTC.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { CREATE_URL, expectCreated, expectValidationProblem, postCampaign, uniqueName } from './campaign-create.helpers.js';
import { calls, campaigns, phoneNumbers } from '../../src/store/schema.js';
import { CallOutcome, NumberStatus } from '../../src/domain/enums.js';
import { FIGURE_REUSE_MS } from '../../src/store/repositories/recent-abandoned-counts.js';
import { LOOKUP_CHUNK } from '../../src/api/do-not-call-screen.js';

const FRIDAY = '2026-11-27';
const SATURDAY = '2026-11-28';
const SUNDAY = '2026-11-29';
const MONDAY = '2026-11-30';

describe.each(BACKENDS)('campaign compliance on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    // 10% of machine verdicts counted as people, so that the detail's rate shows the setting is used.
    t = await createTestApp(kind, { AMD_FALSE_POSITIVE_PERCENT: '10' });
    tenant = await t.createTenant();
  });
  afterAll(() => t?.close());

  const campaign = (overrides: Record<string, unknown> = {}) => validCampaign(tenant, { name: uniqueName('Compliance'), startDate: FRIDAY, ...overrides });
  const storedRow = async (id: number) => (await t.db.database.db.select().from(campaigns).where(eq(campaigns.id, id)))[0]!;
  const addToClientList = async (numbers: string[], reason?: string) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/suppression', headers: tenant.headers, payload: { numbers, ...(reason ? { reason } : {}) } });
    expect(response.statusCode, response.body).toBe(200);
  };
  const addNumbers = (id: number, numbers: string[], ignoreInvalid = false) =>
    t.app.inject({
      method: 'POST',
      url: `${CREATE_URL}/${id}/phonenumbers${ignoreInvalid ? '?ignoreInvalidPhoneNumbers=true' : ''}`,
      headers: tenant.headers,
      payload: { phoneNumbers: numbers.map((number) => ({ number })) },
    });

  describe('calling hours', () => {
    it('refuses a campaign entirely on a Sunday, saying why', async () => {
      const problem = expectValidationProblem(
        await postCampaign(t, tenant, campaign({ startDate: SUNDAY, startTime: '10:00', finishTime: '12:00' })),
        ['StartDate'],
      );
      expect(problem.errors.StartDate!.join(' ')).toMatch(/no calls on Sundays/);
      expect(problem.errors.StartDate!.join(' ')).toContain(SUNDAY);
    });

    it('reports the Sunday together with the other failing fields', async () => {
      const problem = expectValidationProblem(
        await postCampaign(t, tenant, campaign({ startDate: SUNDAY, callflow_Id: 999_999 })),
        ['StartDate', 'CallFlow_Id'],
      );
      expect(problem.errors.StartDate!.join(' ')).toMatch(/Sundays/);
    });

    it('accepts Saturday 08:00-12:00, trimmed to 09:00 and said so in the echo', async () => {
      const created = expectCreated(await postCampaign(t, tenant, campaign({ startDate: SATURDAY, startTime: '08:00', finishTime: '12:00' })));
      expect(created.callingHoursTrimmed).toEqual([
        { date: SATURDAY, requested: '08:00-12:00', allowed: ['09:00-12:00'], reason: expect.stringContaining('09:00-21:00') },
      ]);
      expect(created.marketing).toBe(false);
    });

    it('echoes an empty callingHoursTrimmed when nothing was cut, and stores the default profile', async () => {
      const created = expectCreated(await postCampaign(t, tenant, campaign()));
      expect(created.callingHoursTrimmed).toEqual([]);
      const row = await storedRow(created.id);
      expect(row.callingHours?.weekdays.sunday).toEqual([]);
      expect(row.callingHours?.weekdays.friday).toEqual([{ start: '08:00', finish: '21:00' }]);
      expect(row.marketing).toBe(false);
    });

    it('drops a Sunday runover day and keeps the rest', async () => {
      const created = expectCreated(
        await postCampaign(
          t,
          tenant,
          campaign({
            runoverDays: [
              { date: SUNDAY, startTime: '09:00', finishTime: '12:00' },
              { date: MONDAY, startTime: '09:00', finishTime: '12:00' },
            ],
          }),
        ),
      );
      expect(created.callingHoursTrimmed).toEqual([{ date: SUNDAY, requested: '09:00-12:00', allowed: [], reason: 'no calls on Sundays' }]);
    });

    it("stores a campaign's narrowing of the calling hours (property names in any case)", async () => {
      const created = expectCreated(
        await postCampaign(
          t,
          tenant,
          campaign({ CallingHours: { Weekdays: { friday: [{ start: '10:00', finish: '16:00' }] }, excludedDates: ['2026-12-24'] } }),
        ),
      );
      expect(created.callingHoursTrimmed).toEqual([
        { date: FRIDAY, requested: '09:00-17:00', allowed: ['10:00-16:00'], reason: expect.stringContaining('10:00-16:00') },
      ]);
      const row = await storedRow(created.id);
      expect(row.callingHours?.weekdays.friday).toEqual([{ start: '10:00', finish: '16:00' }]);
      expect(row.callingHours?.weekdays.monday).toEqual([{ start: '08:00', finish: '21:00' }]);
      expect(row.callingHours?.excludedDates).toEqual(['2026-12-24']);
      expect(row.callingHours?.holidays).toEqual(['england-and-wales']);
    });

    it('refuses a widening with the path of the interval at fault', async () => {
      const problem = expectValidationProblem(
        await postCampaign(t, tenant, campaign({ callingHours: { weekdays: { monday: [{ start: '07:00', finish: '22:00' }] } } })),
        ['CallingHours.weekdays.monday[0]'],
      );
      expect(problem.errors['CallingHours.weekdays.monday[0]']!.join(' ')).toMatch(/outside this client's calling hours/);
    });

    it('refuses a calling-hours value that is not an object, and a bad marketing flag', async () => {
      expectValidationProblem(await postCampaign(t, tenant, campaign({ callingHours: 'weekdays', marketing: 'often' })), ['CallingHours', 'Marketing']);
    });

    it('keeps null callingHours as absent', async () => {
      const created = expectCreated(await postCampaign(t, tenant, campaign({ callingHours: null })));
      expect(created.callingHoursTrimmed).toEqual([]);
    });
  });

  describe('do-not-call lists at create', () => {
    beforeAll(async () => {
      await addToClientList(['07722 410001'], 'complained');
      const operator = await t.admin({ method: 'POST', url: '/api/admin/suppression', payload: { numbers: ['07722 410002'] } });
      expect(operator.statusCode, operator.body).toBe(200);
      const tps = await t.admin({
        method: 'POST',
        url: '/api/admin/tps?downloadedAt=2026-11-20',
        headers: { 'content-type': 'text/plain' },
        payload: '07722410003\n',
      });
      expect(tps.statusCode, tps.body).toBe(200);
    });

    it("refuses a number on the client's list with a 400 naming the list", async () => {
      const problem = expectValidationProblem(
        await postCampaign(t, tenant, campaign({ phoneNumbers: [{ number: '07722 410009' }, { number: '07722 410001' }] })),
        ['PhoneNumbers[1].Number'],
      );
      expect(problem.errors['PhoneNumbers[1].Number']).toEqual(["07722 410001 is on the client's do-not-call list (complained)."]);
    });

    it("drops a number on the client's list with ignoreInvalidPhoneNumbers, listing the reason", async () => {
      const created = expectCreated(
        await postCampaign(t, tenant, campaign({ phoneNumbers: [{ number: '07722 410001' }, { number: '07722 410009' }] }), { path: '/true' }),
      );
      expect(created.invalidPhoneNumbers).toEqual([{ index: 0, number: '07722 410001', reasons: [expect.stringContaining("client's do-not-call list")] }]);
      expect(created.phoneNumbers).toEqual([{ number: '07722 410009' }]);
      const stored = await t.db.database.db.select({ number: phoneNumbers.number }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, created.id));
      expect(stored.map((row) => row.number)).toEqual(['+447722410009']);
    });

    it("applies the operator's list to every client", async () => {
      const problem = expectValidationProblem(await postCampaign(t, tenant, campaign({ phoneNumbers: [{ number: '+447722410002' }] })), [
        'PhoneNumbers[0].Number',
      ]);
      expect(problem.errors['PhoneNumbers[0].Number']!.join(' ')).toMatch(/operator's do-not-call list/);
      const created = expectCreated(
        await postCampaign(t, tenant, campaign({ phoneNumbers: [{ number: '+447722410002' }, { number: '07722410009' }] }), { path: '/true' }),
      );
      expect(created.invalidPhoneNumbers).toEqual([{ index: 0, number: '+447722410002', reasons: [expect.stringMatching(/operator's do-not-call list/)] }]);
    });

    it('screens every lookup chunk: listed numbers past the first chunk are caught too', async () => {
      // The lookup runs a chunk at a time (LOOKUP_CHUNK: 1,000 on PGlite, 5,000 on PostgreSQL): listed numbers at the
      // start, across a boundary and at the very end of each backend's chunks.
      const chunk = kind === 'pglite' ? LOOKUP_CHUNK.onEventLoop : LOOKUP_CHUNK.onServer;
      const count = 2 * chunk + 3;
      const listedAt = [0, chunk - 1, chunk, 2 * chunk + 2];
      const numbers = Array.from({ length: count }, (_, i) => ({ number: `+4477225${String(i).padStart(5, '0')}` }));
      await addToClientList(listedAt.map((i) => numbers[i]!.number), 'chunked');
      const created = expectCreated(await postCampaign(t, tenant, campaign({ phoneNumbers: numbers }), { path: '/true' }));
      expect((created.invalidPhoneNumbers as { index: number }[]).map((entry) => entry.index)).toEqual(listedAt);
      expect(created.phoneNumbers).toHaveLength(count - listedAt.length);
    });

    it('a request whose every number is listed has no valid number, with ignoreInvalidPhoneNumbers too', async () => {
      expectValidationProblem(await postCampaign(t, tenant, campaign({ phoneNumbers: [{ number: '07722 410001' }] }), { path: '/true' }), ['PhoneNumbers']);
    });

    it('applies TPS only to marketing campaigns', async () => {
      const numbers = [{ number: '07722 410003' }];
      const service = expectCreated(await postCampaign(t, tenant, campaign({ phoneNumbers: numbers })));
      expect(service.marketing).toBe(false);
      const problem = expectValidationProblem(await postCampaign(t, tenant, campaign({ marketing: true, phoneNumbers: numbers })), ['PhoneNumbers[0].Number']);
      expect(problem.errors['PhoneNumbers[0].Number']!.join(' ')).toMatch(/TPS/);
      const marketing = expectCreated(
        await postCampaign(t, tenant, campaign({ Marketing: true, phoneNumbers: [...numbers, { number: '07722 410009' }] }), { path: '/true' }),
      );
      expect(marketing.marketing).toBe(true);
      expect(marketing.invalidPhoneNumbers).toEqual([{ index: 0, number: '07722 410003', reasons: [expect.stringMatching(/TPS register/)] }]);
      expect((await storedRow(marketing.id)).marketing).toBe(true);
    });
  });

  describe('do-not-call lists when numbers are added', () => {
    it("applies the lists, and TPS by the campaign's marketing flag", async () => {
      await addToClientList(['07722 420001']);
      await t.admin({ method: 'POST', url: '/api/admin/tps?downloadedAt=2026-11-20', headers: { 'content-type': 'text/plain' }, payload: '07722420003\n' });
      const service = expectCreated(await postCampaign(t, tenant, campaign()));
      const refused = await addNumbers(service.id, ['07722 420009', '07722 420001']);
      expect(expectValidationProblem(refused, ['PhoneNumbers[1].Number']).errors['PhoneNumbers[1].Number']!.join(' ')).toMatch(/client's do-not-call/);
      const dropped = await addNumbers(service.id, ['07722 420001', '07722 420003', '07722 420009'], true);
      expect(dropped.statusCode, dropped.body).toBe(201);
      expect(dropped.json()).toMatchObject({ added: 2, invalidPhoneNumbers: [{ index: 0, number: '07722 420001' }] });

      const marketing = expectCreated(await postCampaign(t, tenant, campaign({ marketing: true })));
      const screened = await addNumbers(marketing.id, ['07722 420003', '07722 420009'], true);
      expect(screened.statusCode, screened.body).toBe(201);
      expect(screened.json()).toMatchObject({ added: 1, invalidPhoneNumbers: [{ index: 0, number: '07722 420003', reasons: [expect.stringMatching(/TPS/)] }] });
    });
  });

  describe('output', () => {
    it('shows marketing, complianceNote and the last 24 hours of abandoned calls in the campaign detail', async () => {
      const created = expectCreated(
        await postCampaign(t, tenant, campaign({ marketing: true, phoneNumbers: Array.from({ length: 14 }, (_, i) => ({ number: `07722 43${String(i).padStart(4, '0')}` })) })),
      );
      const db = t.db.database.db;
      // The dialer counts the calls it places in callCount: set with the calls, as it would be.
      await db.update(campaigns).set({ complianceNote: 'slowed: abandoned-call rate 3.2% over 24 hours', callCount: 14 }).where(eq(campaigns.id, created.id));
      const rows = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, created.id)).orderBy(phoneNumbers.id);
      // 2 live, 1 abandoned, 10 machine within 24 hours; one abandoned call older than that is not counted.
      const outcomes = [CallOutcome.Answered, CallOutcome.Answered, CallOutcome.Abandoned, ...Array<number>(10).fill(CallOutcome.AnsweringMachine)];
      await db.insert(calls).values(
        outcomes.map((outcome, i) => ({ phoneNumberId: rows[i]!.id, attemptNumber: 1, startTime: new Date('2026-11-26T09:00:00Z'), stage: 0, outcome })),
      );
      await db.insert(calls).values({ phoneNumberId: rows[13]!.id, attemptNumber: 1, startTime: new Date('2026-11-25T09:59:00Z'), stage: 0, outcome: CallOutcome.Abandoned });

      const detail = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${created.id}`, headers: tenant.headers });
      expect(detail.statusCode, detail.body).toBe(200);
      // (1 abandoned + 10% of 10 machines) / (2 live + 1 abandoned + 1) = 50%.
      expect(detail.json()).toMatchObject({
        marketing: true,
        complianceNote: 'slowed: abandoned-call rate 3.2% over 24 hours',
        abandonedCalls24h: { live: 2, abandoned: 1, machine: 10, ratePercent: 50 },
      });
      // The detail's body is built once per cached detail and shared count: a call recorded since (no campaign change,
      // so the same cached detail) shows once the count is older than FIGURE_REUSE_MS, the body rebuilt around it.
      await db.insert(calls).values({ phoneNumberId: rows[12]!.id, attemptNumber: 2, startTime: new Date('2026-11-26T09:30:00Z'), stage: 0, outcome: CallOutcome.Answered });
      await new Promise((resolve) => setTimeout(resolve, FIGURE_REUSE_MS + 50));
      const later = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${created.id}`, headers: tenant.headers });
      expect(later.headers['content-type']).toBe('application/json; charset=utf-8');
      // (1 + 1) / (3 + 1 + 1) = 40%.
      expect(later.json()).toMatchObject({ abandonedCalls24h: { live: 3, abandoned: 1, machine: 10, ratePercent: 40 } });

      const quiet = expectCreated(await postCampaign(t, tenant, campaign()));
      const quietDetail = (await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${quiet.id}`, headers: tenant.headers })).json();
      expect(quietDetail).toMatchObject({ marketing: false, complianceNote: null, abandonedCalls24h: { live: 0, abandoned: 0, machine: 0, ratePercent: 0 } });
    });

    it('shows statusReason per number and optedOut / firstAudioMs per call in the phone-number listing', async () => {
      const created = expectCreated(await postCampaign(t, tenant, campaign({ phoneNumbers: [{ number: '07722 440001' }, { number: '07722 440002' }] })));
      const db = t.db.database.db;
      const [first, second] = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, created.id)).orderBy(phoneNumbers.id);
      await db
        .update(phoneNumbers)
        .set({ status: NumberStatus.Suppressed, statusReason: "on the client's do-not-call list" })
        .where(eq(phoneNumbers.id, second!.id));
      await db.insert(calls).values([
        { phoneNumberId: first!.id, attemptNumber: 1, startTime: new Date('2026-11-27T09:00:00Z'), stage: 1, outcome: CallOutcome.Answered, optedOut: true, firstAudioMs: 640 },
        { phoneNumberId: first!.id, attemptNumber: 2, startTime: new Date('2026-11-27T10:00:00Z'), stage: 0, outcome: CallOutcome.NoAnswer },
      ]);
      const response = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${created.id}/phonenumbers`, headers: tenant.headers });
      expect(response.statusCode, response.body).toBe(200);
      const [a, b] = response.json() as { statusReason: string | null; status: number; calls: { optedOut: boolean; firstAudioMs: number | null }[] }[];
      expect(a).toMatchObject({ statusReason: null, calls: [{ optedOut: true, firstAudioMs: 640 }, { optedOut: false, firstAudioMs: null }] });
      expect(b).toMatchObject({ status: NumberStatus.Suppressed, statusReason: "on the client's do-not-call list", calls: [] });
    });
  });
});
