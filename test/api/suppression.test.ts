// Do-not-call lists over HTTP (issue 9): the client's list, the operator's, and the TPS register import; JSON and
// streamed CSV / plain-text uploads; paging, checking and removing.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, type Tenant, type TestApp } from '../helpers/app.js';
import { ukMobiles } from '../helpers/processes.js';

describe.each(BACKENDS)('do-not-call lists on $kind', ({ kind }) => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(() => t?.close());

  const as = (tenant: Tenant) => ({
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: tenant.headers }),
    post: (url: string, payload: unknown, contentType = 'application/json') =>
      t.app.inject({ method: 'POST', url, headers: { ...tenant.headers, 'content-type': contentType }, payload: payload as string }),
    delete: (url: string) => t.app.inject({ method: 'DELETE', url, headers: tenant.headers }),
  });

  it('adds numbers from JSON in any usual form, stores E.164 once, and reports invalid ones by index', async () => {
    const response = await as(a).post('/api/suppression', {
      numbers: ['07722 123456', '+44 7722 123456', '0044 7722 123457', 'not a number', '0909 8790000', 7722],
      reason: 'asked by phone',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ lines: 6, changed: 2, unchanged: 1, invalid: 3 });
    expect(response.json().invalidLines.map((l: { line: number }) => l.line)).toEqual([3, 4, 5]);
    const page = (await as(a).get('/api/suppression?pageSize=10')).json();
    expect(page).toMatchObject({ kind: 'client', numberCount: 2, totalRecords: 2, totalPages: 1, pageIndex: 1 });
    expect(page.items.map((i: { number: string }) => i.number)).toEqual(['+447722123456', '+447722123457']);
    expect(page.items[0]).toMatchObject({ source: 'api', reason: 'asked by phone' });
  });

  it('streams a CSV upload: header skipped, first cell read (quoted or not), bad lines named by line number', async () => {
    const csv = 'Telephone,Name\n"07722 200001",Ann\n07722200002;Bob\n\nbad-number,Carl\n07722200001,Ann again\n';
    const response = await as(a).post('/api/suppression?reason=CRM%20export', csv, 'text/csv');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ lines: 6, changed: 2, unchanged: 1, invalid: 1, invalidLines: [{ line: 5, value: 'bad-number' }] });
    const check = (await as(a).get('/api/suppression/check/+447722200002')).json();
    expect(check).toEqual({ number: '+447722200002', suppressed: true, lists: [{ kind: 'client', reason: 'CRM export' }] });
  });

  it("keeps each client's list to itself, and the operator's list applies to every client", async () => {
    expect((await as(b).get('/api/suppression/check/07722123456')).json()).toMatchObject({ suppressed: false, lists: [] });
    const added = await t.admin({ method: 'POST', url: '/api/admin/suppression', payload: { numbers: ['07722 300003'] } });
    expect(added.json()).toMatchObject({ changed: 1 });
    for (const tenant of [a, b]) {
      expect((await as(tenant).get('/api/suppression/check/07722300003')).json()).toMatchObject({ suppressed: true, lists: [{ kind: 'operator' }] });
    }
    const viaOperator = await t.admin({ method: 'GET', url: `/api/admin/clients/${a.clientId}/suppression/check/07722123456` });
    expect(viaOperator.json()).toMatchObject({ suppressed: true, lists: [{ kind: 'client' }] });
    expect((await t.admin({ method: 'GET', url: '/api/admin/clients/999999/suppression' })).statusCode).toBe(404);
  });

  it('removes one number or many', async () => {
    expect((await as(a).delete('/api/suppression/07722%20123457')).statusCode).toBe(204);
    expect((await as(a).delete('/api/suppression/07722123457')).statusCode).toBe(404);
    const removed = await as(a).post('/api/suppression/remove', '07722200001\n07722999999\n', 'text/plain');
    expect(removed.json()).toMatchObject({ changed: 1, unchanged: 1 });
    expect((await as(a).get('/api/suppression')).json()).toMatchObject({ numberCount: 2, totalRecords: 2 });
  });

  it('answers bad input clearly', async () => {
    expect((await as(a).post('/api/suppression', { list: [] })).json()).toMatchObject({ status: 400, errors: { numbers: [expect.stringContaining('text/csv')] } });
    expect((await as(a).get('/api/suppression/check/12')).statusCode).toBe(400);
    expect((await as(a).post('/api/suppression', '<numbers/>', 'application/xml')).statusCode).toBe(415);
    expect((await as(a).get('/api/suppression?pageSize=5000')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/suppression' })).statusCode).toBe(401);
  });

  it('imports the TPS register with its download date; a new file replaces it without a gap', async () => {
    const first = await t.admin({ method: 'POST', url: '/api/admin/tps?downloadedAt=2026-11-20', headers: { 'content-type': 'text/plain' }, payload: '07722400001\n07722400002\n' });
    expect(first.json()).toMatchObject({ changed: 2, removedByRefresh: 0 });
    t.clock.advanceMs(60_000);
    const second = await t.admin({ method: 'POST', url: '/api/admin/tps?downloadedAt=2026-11-25', headers: { 'content-type': 'text/plain' }, payload: '07722400002\n07722400003\n' });
    expect(second.json()).toMatchObject({ changed: 1, unchanged: 1, removedByRefresh: 1 });
    const page = (await t.admin({ method: 'GET', url: '/api/admin/tps' })).json();
    expect(page).toMatchObject({ kind: 'tps', numberCount: 2, downloadedAt: '2026-11-25T00:00:00.000Z' });
    expect(page.items.map((i: { number: string }) => i.number)).toEqual(['+447722400002', '+447722400003']);
    expect((await t.admin({ method: 'POST', url: '/api/admin/tps', payload: { numbers: [] } })).statusCode).toBe(400); // downloadedAt is required
  });

  it('adds to the CTPS register without removing what is there with replace=false (a partial update file)', async () => {
    const ctps = (query: string, payload: string) =>
      t.admin({ method: 'POST', url: `/api/admin/ctps?${query}`, headers: { 'content-type': 'text/plain' }, payload });
    expect((await ctps('downloadedAt=2026-11-20', '07722410001\n07722410002\n')).json()).toMatchObject({ changed: 2, removedByRefresh: 0 });
    t.clock.advanceMs(60_000);
    const added = await ctps('downloadedAt=2026-11-24&replace=false', '07722410002\n07722410003\n');
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json()).toMatchObject({ changed: 1, unchanged: 1, removedByRefresh: 0 });
    const page = (await t.admin({ method: 'GET', url: '/api/admin/ctps' })).json();
    expect(page).toMatchObject({ kind: 'ctps', numberCount: 3, downloadedAt: '2026-11-24T00:00:00.000Z' });
    expect(page.items.map((i: { number: string }) => i.number)).toEqual(['+447722410001', '+447722410002', '+447722410003']);
    // A full file afterwards (replace defaults to true) removes what it no longer lists.
    t.clock.advanceMs(60_000);
    expect((await ctps('downloadedAt=2026-11-26', '07722410003\n')).json()).toMatchObject({ changed: 0, unchanged: 1, removedByRefresh: 2 });
    expect((await t.admin({ method: 'GET', url: '/api/admin/ctps' })).json()).toMatchObject({ numberCount: 1 });
  });

  it('streams 100,000 numbers in one upload and pages through them', async () => {
    const numbers = ukMobiles(100_000, 500_000);
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < numbers.length; i += 10_000) yield `${numbers.slice(i, i + 10_000).join('\n')}\n`;
      })(),
    );
    const response = await t.app.inject({ method: 'POST', url: '/api/suppression', headers: { ...b.headers, 'content-type': 'text/plain' }, payload: body });
    expect(response.json()).toMatchObject({ lines: 100_000, changed: 100_000, invalid: 0 });
    const last = (await as(b).get('/api/suppression?pageSize=1000&pageIndex=100')).json();
    expect(last).toMatchObject({ numberCount: 100_000, totalRecords: 100_000, totalPages: 100 });
    expect(last.items).toHaveLength(1000);
    expect(last.items.at(-1).number).toBe(`+44${numbers.at(-1)!.slice(1)}`);
  }, 120_000);
});
