// Idempotency-Key on campaign create, add numbers and the CSV import, through the real app on each backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { CSV_CREATE_URL, campaignFields, csvParts, multipartBody, type Part } from '../api/campaign-csv.helpers.js';

const CREATE_URL = '/api/campaigns/voice';

describe.each(BACKENDS)('Idempotency-Key ($kind)', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t?.close());

  const create = (key: string | undefined, payload: unknown, who: Tenant = tenant) =>
    t.app.inject({ method: 'POST', url: CREATE_URL, headers: { ...who.headers, ...(key === undefined ? {} : { 'idempotency-key': key }) }, payload: payload as object });
  const campaignCount = async (who: Tenant = tenant) =>
    ((await t.app.inject({ method: 'GET', url: CREATE_URL, headers: who.headers })).json() as unknown[]).length;

  it('replays the first answer for the same key and body, creating nothing more', async () => {
    const body = validCampaign(tenant);
    const before = await campaignCount();
    const first = await create('create-1', body);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await create('create-1', body);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await campaignCount()).toBe(before + 1);
  });

  it('answers 422 for the same key with another body, and 400 for a malformed key', async () => {
    expect((await create('create-2', validCampaign(tenant))).statusCode).toBe(201);
    const other = await create('create-2', validCampaign(tenant));
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    const bad = await create('x'.repeat(256), validCampaign(tenant));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('Idempotency-Key');
  });

  it('answers a body nested too deep to fingerprint with the 400 it gets without a key', async () => {
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const response = await t.app.inject({
      method: 'POST',
      url: CREATE_URL,
      headers: { ...tenant.headers, 'idempotency-key': 'nested-1', 'content-type': 'application/json' },
      payload: nested,
    });
    expect(response.statusCode, response.body).toBe(400);
  });

  it('keeps keys per client: another client may use the same key', async () => {
    const other = await t.createTenant();
    expect((await create('shared-key', validCampaign(tenant))).statusCode).toBe(201);
    const theirs = await create('shared-key', validCampaign(other), other);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('replays a validation failure too, and forgets a key after 24 hours', async () => {
    const invalid = validCampaign(tenant, { startTime: '25:00' });
    const first = await create('invalid-1', invalid);
    expect(first.statusCode).toBe(400);
    const again = await create('invalid-1', invalid);
    expect(again.statusCode).toBe(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
    t.clock.advanceMs(24 * 60 * 60 * 1000 + 1000);
    const later = await create('invalid-1', invalid);
    expect(later.statusCode).toBe(400);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  it('creates one campaign from parallel requests with one key; the others replay it or are told to retry', async () => {
    const body = validCampaign(tenant);
    const before = await campaignCount();
    const answers = await Promise.all(Array.from({ length: 8 }, () => create('parallel-1', body)));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const answer of answers) {
      if (answer.statusCode === 409) expect(answer.headers['retry-after']).toBe('1');
      else expect(answer.statusCode).toBe(201);
    }
    const ids = new Set(answers.filter((a) => a.statusCode === 201).map((a) => (a.json() as { id: number }).id));
    expect(ids.size).toBe(1);
    expect(await campaignCount()).toBe(before + 1);
  });

  it('replays add numbers without adding them twice', async () => {
    const created = (await create(undefined, validCampaign(tenant))).json() as { id: number };
    const add = () =>
      t.app.inject({
        method: 'POST',
        url: `${CREATE_URL}/${created.id}/phonenumbers`,
        headers: { ...tenant.headers, 'idempotency-key': 'add-1' },
        payload: { phoneNumbers: [{ number: '07722734716' }] },
      });
    const first = await add();
    expect(first.statusCode).toBe(201);
    expect(first.json().added).toBe(1);
    const again = await add();
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  });

  it('replays the CSV import', async () => {
    const { body, contentType } = await multipartBody(csvParts(campaignFields(tenant, 'Idempotent CSV'), 'number\n07722123456\n'));
    const post = () =>
      t.app.inject({ method: 'POST', url: CSV_CREATE_URL, headers: { ...tenant.headers, 'content-type': contentType, 'idempotency-key': 'csv-1' }, payload: body });
    const before = await campaignCount();
    const first = await post();
    expect(first.statusCode, first.body).toBe(201);
    const again = await post();
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await campaignCount()).toBe(before + 1);
  });

  it('replays the CSV add, refuses another file under its key, and replays after the campaign finished', async () => {
    const created = (await create(undefined, validCampaign(tenant))).json() as { id: number };
    const url = `${CREATE_URL}/${created.id}/phonenumbers/csv`;
    const post = async (key: string, parts: Part[]) => {
      const { body, contentType } = await multipartBody(parts);
      return t.app.inject({ method: 'POST', url, headers: { ...tenant.headers, 'content-type': contentType, 'idempotency-key': key }, payload: body });
    };
    const numbersHeld = async () =>
      ((await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${created.id}/phonenumbers/100/1`, headers: tenant.headers })).json() as unknown[]).length;
    const file = csvParts(undefined, 'number\n07722734716\n07722734717\n');
    const first = await post('csv-add-1', file);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().added).toBe(2);
    const again = await post('csv-add-1', file);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await numbersHeld()).toBe(3);
    // The file's content is part of the request: another file under the key is refused, and adds nothing.
    const other = await post('csv-add-1', csvParts(undefined, 'number\n07722734718\n'));
    expect(other.statusCode, other.body).toBe(422);
    expect(await numbersHeld()).toBe(3);
    // Cancelled since: the retry still gets its first answer; a new key gets the refusal.
    expect((await t.app.inject({ method: 'POST', url: `${CREATE_URL}/${created.id}/cancel`, headers: tenant.headers })).statusCode).toBe(200);
    const afterCancel = await post('csv-add-1', file);
    expect(afterCancel.statusCode, afterCancel.body).toBe(201);
    expect(afterCancel.headers['idempotent-replayed']).toBe('true');
    const fresh = await post('csv-add-2', file);
    expect(fresh.statusCode, fresh.body).toBe(409);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
  });
});
