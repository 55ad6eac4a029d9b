// The maxNumbersPerDay quota: numbers added to a client's campaigns per UTC day (JSON and CSV creates and adds),
// counted under the client's row lock; past it 429 with Retry-After to the next 00:00 UTC, nothing added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { CSV_CREATE_URL, campaignFields, csvParts, postMultipart } from '../api/campaign-csv.helpers.js';
import { checkNumbersPerDay, numbersAddedToday, secondsToNextUtcMidnight, utcDay } from '../../src/domain/limits/numbers-per-day.js';
import { NO_QUOTAS, QuotaExceeded } from '../../src/domain/limits/quotas.js';

const CREATE_URL = '/api/campaigns/voice';

function thrownBy(step: () => void): QuotaExceeded | undefined {
  try {
    step();
  } catch (error) {
    return error as QuotaExceeded;
  }
  return undefined;
}

describe('numbers per day rules', () => {
  it('count UTC days and refill at 00:00 UTC', () => {
    expect(utcDay(new Date('2026-11-26T23:59:59.999Z'))).toBe('2026-11-26');
    expect(utcDay(new Date('2026-11-27T00:00:00Z'))).toBe('2026-11-27');
    expect(secondsToNextUtcMidnight(new Date('2026-11-26T10:00:00Z'))).toBe(14 * 3600);
    expect(secondsToNextUtcMidnight(new Date('2026-11-26T23:59:59.500Z'))).toBe(1);
    expect(secondsToNextUtcMidnight(new Date('2026-11-27T00:00:00Z'))).toBe(24 * 3600);
    const now = new Date('2026-11-26T10:00:00Z');
    expect(numbersAddedToday({ day: '2026-11-26', numbers: 7 }, now)).toBe(7);
    expect(numbersAddedToday({ day: '2026-11-25', numbers: 7 }, now)).toBe(0);
    expect(numbersAddedToday(undefined, now)).toBe(0);
  });

  it('refuse what would pass the quota: 429-style (Retry-After) when waiting helps, without one when it never can', () => {
    const now = new Date('2026-11-26T10:00:00Z');
    const quotas = { ...NO_QUOTAS, maxNumbersPerDay: 5 };
    expect(() => checkNumbersPerDay(NO_QUOTAS, 1e9, 1e9, now)).not.toThrow();
    expect(() => checkNumbersPerDay(quotas, 3, 2, now)).not.toThrow();
    const refill = thrownBy(() => checkNumbersPerDay(quotas, 4, 2, now));
    expect(refill).toBeInstanceOf(QuotaExceeded);
    expect(refill!.quota).toBe('maxNumbersPerDay');
    expect(refill!.retryAfterS).toBe(14 * 3600);
    expect(refill!.message).toMatch(/00:00 UTC/);
    const never = thrownBy(() => checkNumbersPerDay(quotas, 0, 6, now));
    expect(never).toBeInstanceOf(QuotaExceeded);
    expect(never!.quota).toBe('maxNumbersPerDay');
    expect(never!.retryAfterS).toBeUndefined();
  });
});

describe.each(BACKENDS)('maxNumbersPerDay ($kind)', ({ kind }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  const setQuota = async (tenant: Tenant, maxNumbersPerDay: number | null) => {
    const answer = await t.admin({ method: 'PUT', url: `/api/admin/clients/${tenant.clientId}/limits`, payload: { maxNumbersPerDay } });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().maxNumbersPerDay).toBe(maxNumbersPerDay);
  };
  const numbers = (first: number, count: number) => Array.from({ length: count }, (_, i) => ({ number: `077221${String(first + i).padStart(5, '0')}` }));
  const create = (tenant: Tenant, count: number, first: number) =>
    t.app.inject({ method: 'POST', url: CREATE_URL, headers: tenant.headers, payload: validCampaign(tenant, { phoneNumbers: numbers(first, count) }) });
  const add = (tenant: Tenant, id: number, phoneNumbers: { number: string }[]) =>
    t.app.inject({ method: 'POST', url: `${CREATE_URL}/${id}/phonenumbers`, headers: tenant.headers, payload: { phoneNumbers } });
  const csvFile = (count: number, first: number) => `number\n${numbers(first, count).map((n) => n.number).join('\n')}\n`;
  const numbersHeld = async (tenant: Tenant) => {
    let total = 0;
    for (const campaign of (await t.app.inject({ method: 'GET', url: CREATE_URL, headers: tenant.headers })).json() as { id: number }[]) {
      total += ((await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${campaign.id}/phonenumbers/1000/1`, headers: tenant.headers })).json() as unknown[]).length;
    }
    return total;
  };
  const expectDailyRefusal = (answer: { statusCode: number; headers: Record<string, unknown>; body: string; json: () => { errors: object } }) => {
    expect(answer.statusCode, answer.body).toBe(429);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(Object.keys(answer.json().errors)).toEqual(['maxNumbersPerDay']);
    // To the next 00:00 UTC from the clock's now.
    expect(Number(answer.headers['retry-after'])).toBe(secondsToNextUtcMidnight(t.clock.now()));
  };

  /** A new client with the quota and one campaign of `numbersAdded` numbers, created within it. */
  const campaignUnderQuota = async (maxNumbersPerDay: number, numbersAdded: number) => {
    const tenant = await t.createTenant();
    await setQuota(tenant, maxNumbersPerDay);
    const created = await create(tenant, numbersAdded, 1);
    expect(created.statusCode, created.body).toBe(201);
    return { tenant, id: created.json().id as number };
  };

  it('counts creates and adds (JSON and CSV) per UTC day; past the quota 429 until 00:00 UTC, nothing added', async () => {
    const { tenant, id } = await campaignUnderQuota(6, 3);
    // 3 today; 4 more would be 7.
    expectDailyRefusal(await add(tenant, id, numbers(10, 4)));
    expectDailyRefusal(await create(tenant, 4, 20));
    expectDailyRefusal(await postMultipart(t, tenant, CSV_CREATE_URL, csvParts(campaignFields(tenant, 'Daily CSV'), csvFile(4, 30))));
    expectDailyRefusal(await postMultipart(t, tenant, `${CREATE_URL}/${id}/phonenumbers/csv`, csvParts(undefined, csvFile(4, 40))));
    expect(await numbersHeld(tenant)).toBe(3);
    // Numbers the campaign has already are not added, so not counted: 2 held + 1 new.
    const within = await add(tenant, id, [...numbers(1, 2), ...numbers(50, 1)]);
    expect(within.statusCode, within.body).toBe(201);
    expect(within.json().added).toBe(1);
    const csvAdd = await postMultipart(t, tenant, `${CREATE_URL}/${id}/phonenumbers/csv`, csvParts(undefined, csvFile(1, 60)));
    expect(csvAdd.statusCode, csvAdd.body).toBe(201);
    const csvCreate = await postMultipart(t, tenant, CSV_CREATE_URL, csvParts(campaignFields(tenant, 'Daily CSV 2'), csvFile(1, 70)));
    expect(csvCreate.statusCode, csvCreate.body).toBe(201);
    expect(await numbersHeld(tenant)).toBe(6);
    expectDailyRefusal(await add(tenant, id, numbers(80, 1)));
    // A new UTC day: the quota is whole again. (The test clock is at 10:00 UTC; 14 h on is midnight.)
    t.clock.advanceMs(secondsToNextUtcMidnight(t.clock.now()) * 1000);
    expect(utcDay(t.clock.now())).not.toBe(utcDay(new Date(t.clock.now().getTime() - 1)));
    const nextDay = await add(tenant, id, numbers(80, 6));
    expect(nextDay.statusCode, nextDay.body).toBe(201);
    expect(nextDay.json().added).toBe(6);
  });

  it('answers 403 for one request larger than the whole daily quota, and leaves other clients alone', async () => {
    const tenant = await t.createTenant();
    const other = await t.createTenant();
    await setQuota(tenant, 2);
    const tooBig = await create(tenant, 3, 1);
    expect(tooBig.statusCode, tooBig.body).toBe(403);
    expect(Object.keys(tooBig.json().errors)).toEqual(['maxNumbersPerDay']);
    expect(tooBig.headers['retry-after']).toBeUndefined();
    expect((await create(other, 3, 1)).statusCode).toBe(201);
    // Lifting the quota lifts the refusal.
    await setQuota(tenant, null);
    expect((await create(tenant, 3, 1)).statusCode).toBe(201);
  });

  it('lets parallel creates and adds of one client add no more than the quota', async () => {
    const { tenant, id } = await campaignUnderQuota(10, 1);
    // 1 counted; 9 left. Eight requests of 3 numbers each (creates and adds): 3 fit, 5 are refused.
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? create(tenant, 3, 100 + i * 10) : add(tenant, id, numbers(100 + i * 10, 3)))),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    expect(await numbersHeld(tenant)).toBe(10);
  });
});
