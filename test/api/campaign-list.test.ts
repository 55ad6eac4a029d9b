// The three read shapes of a campaign (list, page, by id) and the paging, sorting and filtering of /p.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { campaigns } from '../../src/store/schema.js';
import { CAMPAIGN_LIST_FIELDS } from '../../src/domain/campaign-list.js';

const PROBLEM_JSON = /^application\/problem\+json/;

const LIST_KEYS = ['callCount', 'callFlow_Id', 'campaignStatus', 'cli_id', 'finishtime', 'id', 'name', 'startDate', 'starttime', 'type'];
// The document's keys plus Ringcast's extensions: timeZone, and (issue 9) marketing, complianceNote, abandonedCalls24h.
const DETAIL_KEYS = [
  'abandonedCalls24h',
  'attempts',
  'callCount',
  'callFlow_Id',
  'campaignStatus',
  'cli_Id',
  'complianceNote',
  'finishtime',
  'id',
  'marketing',
  'name',
  'runOverDays',
  'startDate',
  'starttime',
  'timeZone',
  'type',
];

interface ListItem {
  id: number;
  name: string;
  startDate: string;
  starttime: string;
  finishtime: string;
  type: number;
  callFlow_Id: number;
  campaignStatus: number;
  callCount: number;
  cli_id: number;
}
interface Page {
  pageIndex: number;
  totalPages: number;
  totalRecords: number;
  items: (ListItem & { progress: Record<string, number> })[];
}

/** What the fixture campaigns look like; `flow`/`cli` pick the tenant's first or second call flow and CLI. */
interface Spec {
  name: string;
  startDate: string;
  startTime: string;
  finishTime: string;
  flow: 0 | 1;
  cli: 0 | 1;
  status: number;
  callCount: number;
}
const SPECS: Spec[] = [
  { name: 'Alpha reminders', startDate: '2027-01-11', startTime: '09:00', finishTime: '17:00', flow: 0, cli: 0, status: 0, callCount: 0 },
  { name: 'beta Survey', startDate: '2027-01-11', startTime: '14:30', finishTime: '18:00', flow: 1, cli: 0, status: 5, callCount: 40 },
  { name: 'Gamma 100% done', startDate: '2027-01-12', startTime: '08:15', finishTime: '12:00', flow: 0, cli: 1, status: 5, callCount: 7 },
  { name: 'Delta_under', startDate: '2027-01-12', startTime: '10:00', finishTime: '11:00', flow: 1, cli: 1, status: 1, callCount: 3 },
  { name: 'Epsilon', startDate: '2027-01-13', startTime: '09:00', finishTime: '10:00', flow: 0, cli: 0, status: 2, callCount: 12 },
  { name: 'zeta', startDate: '2027-02-01', startTime: '08:00', finishTime: '09:00', flow: 0, cli: 0, status: 3, callCount: 0 },
  { name: 'Eta deltaX', startDate: '2027-03-15', startTime: '20:00', finishTime: '20:59', flow: 1, cli: 1, status: 4, callCount: 1 },
  ...[1, 2, 3, 4, 5].map((n) => ({
    name: `Filler 0${n}`,
    startDate: `2027-04-0${n + 4}`,
    startTime: '09:00',
    finishTime: '12:00',
    flow: 0 as const,
    cli: 0 as const,
    status: 0,
    callCount: n * 2,
  })),
];

describe.each(BACKENDS)('campaign lists on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let flows: [number, number];
  let clis: [number, number];
  /** Fixture campaign ids, in SPECS order. */
  const ids: number[] = [];
  let all: ListItem[];

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: tenant.headers });
  const page = async (query: string): Promise<Page> => {
    const response = await get(`/api/campaigns/voice/p?${query}`);
    expect(response.statusCode, `${query}: ${response.body}`).toBe(200);
    return response.json() as Page;
  };
  /** Ids of the fixture campaigns matching `predicate`, in id order. */
  const idsWhere = (predicate: (spec: Spec) => boolean) => SPECS.flatMap((spec, index) => (predicate(spec) ? [ids[index]!] : []));
  const pageIds = async (query: string) => (await page(`pageSize=1000&${query}`)).items.map((item) => item.id);
  const badRequest = async (query: string) => {
    const response = await get(`/api/campaigns/voice/p?${query}`);
    expect(response.statusCode, `${query}: ${response.body}`).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    const body = response.json();
    expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, traceId: expect.any(String) });
    return body.errors as Record<string, string[]>;
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant('Lister');
    const flow2 = await t.admin({ method: 'POST', url: `/api/admin/clients/${tenant.clientId}/callflows`, payload: { name: 'Flow 2' } });
    const cli2 = await t.admin({ method: 'POST', url: `/api/admin/clients/${tenant.clientId}/clis`, payload: { number: '02079460001' } });
    flows = [tenant.callFlowId, flow2.json().id];
    clis = [tenant.cliId, cli2.json().id];
    for (const spec of SPECS) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/campaigns/voice',
        headers: tenant.headers,
        payload: validCampaign(tenant, {
          name: spec.name,
          startDate: spec.startDate,
          startTime: spec.startTime,
          finishTime: spec.finishTime,
          callflow_Id: flows[spec.flow],
          defaultCli_Id: clis[spec.cli],
        }),
      });
      expect(response.statusCode, response.body).toBe(201);
      const id = response.json().id as number;
      ids.push(id);
      // Status and call count move only when the dialer runs, which these tests do not start: set them directly.
      await t.db.database.db.update(campaigns).set({ status: spec.status, callCount: spec.callCount }).where(eq(campaigns.id, id));
    }
    // Another client's campaigns never appear in these lists.
    const other = await t.createTenant('Other');
    const foreign = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: other.headers, payload: validCampaign(other, { name: 'Alpha foreign' }) });
    expect(foreign.statusCode).toBe(201);
    all = (await get('/api/campaigns/voice')).json() as ListItem[];
  });
  afterAll(() => t.close());

  describe('GET /api/campaigns/voice', () => {
    it('lists every campaign of the caller, in id order, as the document shows them', () => {
      expect(all.map((item) => item.id)).toEqual(ids);
      SPECS.forEach((spec, index) => {
        expect(all[index]).toEqual({
          id: ids[index],
          name: spec.name,
          startDate: `${spec.startDate}T${spec.startTime}:00`,
          starttime: spec.startTime,
          finishtime: spec.finishTime,
          type: 1,
          callFlow_Id: flows[spec.flow],
          campaignStatus: spec.status,
          callCount: spec.callCount,
          cli_id: clis[spec.cli],
        });
      });
    });

    it('gives each item exactly the documented keys, cli_id spelled as the document spells it', () => {
      for (const item of all) expect(Object.keys(item).sort()).toEqual(LIST_KEYS);
    });

    it('writes startDate as YYYY-MM-DDTHH:mm:ss and the times as HH:mm', () => {
      for (const item of all) {
        expect(item.startDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
        expect(item.starttime).toMatch(/^\d{2}:\d{2}$/);
        expect(item.finishtime).toMatch(/^\d{2}:\d{2}$/);
      }
    });

    it('answers an empty array for a client without campaigns', async () => {
      const empty = await t.createTenant('Empty');
      const response = await t.app.inject({ method: 'GET', url: '/api/campaigns/voice', headers: empty.headers });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([]);
      const paged = await t.app.inject({ method: 'GET', url: '/api/campaigns/voice/p', headers: empty.headers });
      expect(paged.json()).toEqual({ pageIndex: 1, totalPages: 0, totalRecords: 0, items: [] });
    });
  });

  describe('GET /api/campaigns/voice/:id', () => {
    it('gives exactly the documented keys, cli_Id with a capital I, plus the extensions', async () => {
      const response = await get(`/api/campaigns/voice/${ids[1]}`);
      expect(response.statusCode).toBe(200);
      const detail = response.json();
      expect(Object.keys(detail).sort()).toEqual(DETAIL_KEYS);
      const { cli_id: cliId, ...listed } = all[1]!;
      expect(detail).toEqual({
        ...listed,
        cli_Id: cliId,
        timeZone: 'Europe/London',
        attempts: [{ interval: 0, attemptNumber: 1 }],
        runOverDays: [],
        marketing: false,
        complianceNote: null,
        abandonedCalls24h: { live: 0, abandoned: 0, machine: 0, ratePercent: 0 },
      });
    });

    it('shows attempts and runover days in order, each with exactly the documented keys', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/campaigns/voice',
        headers: tenant.headers,
        payload: validCampaign(tenant, {
          name: 'With runovers',
          runoverDays: [
            { date: '2027-01-18', startTime: '10:00', finishTime: '11:00' },
            { date: '2027-01-16', startTime: '09:30', finishTime: '12:00' },
          ],
          attempts: [
            { interval: 0, attemptNumber: 1 },
            { interval: 60, attemptNumber: 2 },
          ],
        }),
      });
      expect(created.statusCode, created.body).toBe(201);
      const detail = (await get(`/api/campaigns/voice/${created.json().id}`)).json();
      expect(detail.attempts).toEqual([
        { interval: 0, attemptNumber: 1 },
        { interval: 60, attemptNumber: 2 },
      ]);
      expect(detail.runOverDays).toEqual([
        { date: '2027-01-16', startTime: '09:30', finishTime: '12:00' },
        { date: '2027-01-18', startTime: '10:00', finishTime: '11:00' },
      ]);
      for (const day of detail.runOverDays) expect(Object.keys(day).sort()).toEqual(['date', 'finishTime', 'startTime']);
      // Keep the fixture set as it was for the paging tests.
      await t.db.database.db.delete(campaigns).where(eq(campaigns.id, created.json().id));
    });

    it('answers 404 problem+json for an unknown id and 400 for an id that is not a positive integer', async () => {
      const missing = await get('/api/campaigns/voice/2147483647');
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
      for (const id of ['abc', '0', '-1', '1.5', '99999999999']) {
        const response = await get(`/api/campaigns/voice/${id}`);
        expect(response.statusCode, id).toBe(400);
        expect(Object.keys(response.json().errors), id).toEqual(['id']);
      }
    });
  });

  describe('GET /api/campaigns/voice/p paging', () => {
    it('defaults to page 1 of 10 and gives exactly {pageIndex, totalPages, totalRecords, items}', async () => {
      const response = await get('/api/campaigns/voice/p');
      expect(response.statusCode).toBe(200);
      const body = response.json() as Page;
      expect(Object.keys(body).sort()).toEqual(['items', 'pageIndex', 'totalPages', 'totalRecords']);
      expect(body).toMatchObject({ pageIndex: 1, totalPages: 2, totalRecords: 12 });
      // The list's items with the Ringcast progress extension (issue 11; test/api/campaign-summary.test.ts checks its counts).
      expect(body.items.map(({ progress: _progress, ...item }) => item)).toEqual(all.slice(0, 10));
      for (const item of body.items) expect(Object.keys(item).sort()).toEqual([...LIST_KEYS, 'progress'].sort());
      for (const item of body.items) expect(Object.keys(item.progress).sort()).toEqual(['callsAnswered', 'cost', 'numbersFinished', 'numbersTotal']);
    });

    it('walks the pages without gaps or repeats and counts them right', async () => {
      const seen: number[] = [];
      for (let pageIndex = 1; pageIndex <= 3; pageIndex++) {
        const body = await page(`pageIndex=${pageIndex}&pageSize=5`);
        expect(body).toMatchObject({ pageIndex, totalPages: 3, totalRecords: 12 });
        expect(body.items).toHaveLength(pageIndex < 3 ? 5 : 2);
        seen.push(...body.items.map((item) => item.id));
      }
      expect(seen).toEqual(ids);
    });

    it('counts an exact multiple of the page size as that many pages', async () => {
      expect(await page('pageSize=4')).toMatchObject({ totalPages: 3, totalRecords: 12 });
      expect(await page('pageSize=12')).toMatchObject({ totalPages: 1, totalRecords: 12 });
      expect(await page('pageSize=1')).toMatchObject({ totalPages: 12, totalRecords: 12 });
    });

    it('answers a page beyond the end with the totals and no items', async () => {
      expect(await page('pageIndex=4&pageSize=5')).toEqual({ pageIndex: 4, totalPages: 3, totalRecords: 12, items: [] });
      expect(await page('pageIndex=2147483647&pageSize=1000')).toEqual({ pageIndex: 2147483647, totalPages: 1, totalRecords: 12, items: [] });
    });

    it('accepts a pageSize of 1000 and refuses 1001', async () => {
      expect((await page('pageSize=1000')).items).toHaveLength(12);
      const errors = await badRequest('pageSize=1001');
      expect(Object.keys(errors)).toEqual(['pageSize']);
    });

    it('matches parameter names in any case', async () => {
      const body = await page('PageSize=5&PAGEINDEX=2');
      expect(body).toMatchObject({ pageIndex: 2, totalPages: 3 });
      expect(body.items.map((item) => item.id)).toEqual(ids.slice(5, 10));
      const errors = await badRequest('PAGESIZE=0');
      expect(Object.keys(errors)).toEqual(['pageSize']);
    });

    it('totals the filtered set, not all campaigns', async () => {
      expect(await page('campaignStatus=5&pageSize=1')).toMatchObject({ totalRecords: 2, totalPages: 2 });
    });
  });

  describe('GET /api/campaigns/voice/p sorting', () => {
    /** The comparison the API promises: by the field (names ignoring case), ties by id, all in one direction. */
    const expected = (field: (typeof CAMPAIGN_LIST_FIELDS)[number], descending: boolean) => {
      const key = (item: ListItem): string | number => (field === 'name' ? item.name.toLowerCase() : item[field]);
      const sign = descending ? -1 : 1;
      return [...all]
        .sort((x, y) => {
          const [kx, ky] = [key(x), key(y)];
          const byField = kx < ky ? -1 : kx > ky ? 1 : 0;
          return sign * (byField !== 0 ? byField : x.id - y.id);
        })
        .map((item) => item.id);
    };

    for (const field of CAMPAIGN_LIST_FIELDS) {
      it(`sorts by ${field} ascending and descending`, async () => {
        expect(await pageIds(`sortColumn=${field}`)).toEqual(expected(field, false));
        expect(await pageIds(`sortColumn=${field}&sortOrder=asc`)).toEqual(expected(field, false));
        expect(await pageIds(`sortColumn=${field}&sortOrder=desc`)).toEqual(expected(field, true));
      });
    }

    it('sorts startDate by day and then by time of day', async () => {
      const sorted = await pageIds('sortColumn=startDate');
      expect(sorted.slice(0, 4)).toEqual([ids[0], ids[1], ids[2], ids[3]]);
      expect(sorted.at(-1)).toBe(ids[11]);
    });

    it('accepts sortBy for sortColumn, any case of names and values', async () => {
      const wanted = expected('callCount', true);
      expect(await pageIds('sortBy=callCount&sortOrder=desc')).toEqual(wanted);
      expect(await pageIds('SortBy=CALLCOUNT&SortOrder=DESC')).toEqual(wanted);
      expect(await pageIds('SORTCOLUMN=callcount&sortorder=Desc')).toEqual(wanted);
    });

    it('sorts before paging, so page 2 continues page 1', async () => {
      const first = await page('sortColumn=name&sortOrder=desc&pageSize=5&pageIndex=1');
      const second = await page('sortColumn=name&sortOrder=desc&pageSize=5&pageIndex=2');
      expect([...first.items, ...second.items].map((item) => item.id)).toEqual(expected('name', true).slice(0, 10));
    });

    it('refuses an unknown sort column or order with 400 keyed by the parameter', async () => {
      const errors = await badRequest('sortColumn=bogus');
      expect(Object.keys(errors)).toEqual(['sortColumn']);
      expect(errors.sortColumn![0]).toContain('callFlow_Id');
      expect(Object.keys(await badRequest('sortBy=startdate;drop'))).toEqual(['sortColumn']);
      expect(await badRequest('sortOrder=sideways')).toEqual({ sortOrder: ['sortOrder must be asc or desc.'] });
    });
  });

  describe('GET /api/campaigns/voice/p filtering', () => {
    it('filters by name: contains, ignoring case', async () => {
      expect(await pageIds('name=delta')).toEqual(idsWhere((spec) => /delta/i.test(spec.name)));
      expect(await pageIds('name=DELTA')).toEqual([ids[3], ids[6]]);
      expect(await pageIds('name=survey')).toEqual([ids[1]]);
      expect(await pageIds('name=nothing%20like%20this')).toEqual([]);
    });

    it('treats % and _ in a name filter as themselves, not as wildcards', async () => {
      expect(await pageIds('name=%25')).toEqual([ids[2]]);
      expect(await pageIds('name=100%25')).toEqual([ids[2]]);
      expect(await pageIds('name=_')).toEqual([ids[3]]);
      expect(await pageIds('name=a_u')).toEqual([ids[3]]);
      expect(await pageIds('name=%5C')).toEqual([]);
    });

    it('filters by campaignStatus, one value or a comma list', async () => {
      expect(await pageIds('campaignStatus=5')).toEqual(idsWhere((spec) => spec.status === 5));
      expect(await pageIds('campaignStatus=0,5')).toEqual(idsWhere((spec) => spec.status === 0 || spec.status === 5));
      expect(await pageIds('campaignStatus=0,%205')).toEqual(idsWhere((spec) => spec.status === 0 || spec.status === 5));
      expect(await pageIds('campaignstatus=4')).toEqual([ids[6]]);
    });

    it('filters by type', async () => {
      expect(await pageIds('type=1')).toEqual(ids);
    });

    it('filters by callFlow_Id and cli_id', async () => {
      expect(await pageIds(`callFlow_Id=${flows[1]}`)).toEqual(idsWhere((spec) => spec.flow === 1));
      expect(await pageIds(`cli_id=${clis[1]}`)).toEqual(idsWhere((spec) => spec.cli === 1));
      expect(await pageIds(`callflow_id=${flows[0]},${flows[1]}`)).toEqual(ids);
      expect(await pageIds(`CLI_ID=${clis[0]}`)).toEqual(idsWhere((spec) => spec.cli === 0));
    });

    it('filters by a startDate range, bounds inclusive, a bare date covering its whole day', async () => {
      expect(await pageIds('startDateFrom=2027-01-12&startDateTo=2027-01-12')).toEqual([ids[2], ids[3]]);
      expect(await pageIds('startDateFrom=2027-01-11T14:30')).toEqual(ids.slice(1));
      expect(await pageIds('startDateFrom=2027-01-11T14:30:01')).toEqual(ids.slice(2));
      expect(await pageIds('startDateTo=2027-01-11T14:30:00')).toEqual([ids[0], ids[1]]);
      expect(await pageIds('startDateTo=2027-01-11T14:29')).toEqual([ids[0]]);
      expect(await pageIds('startDateTo=2027-03-15')).toEqual(ids.slice(0, 7));
      expect(await pageIds('startDateFrom=2027-02-01T08:00:00&startDateTo=2027-02-01T08:00:00')).toEqual([ids[5]]);
      expect(await pageIds('startDateFrom=2030-01-01')).toEqual([]);
    });

    it('combines filters with AND', async () => {
      expect(await pageIds(`campaignStatus=5&cli_id=${clis[1]}`)).toEqual([ids[2]]);
      expect(await pageIds(`name=e&callFlow_Id=${flows[1]}&startDateFrom=2027-01-12`)).toEqual([ids[3], ids[6]]);
    });

    it('supports the generic filterColumn/filterQuery pair', async () => {
      expect(await pageIds('filterColumn=name&filterQuery=DELTA')).toEqual([ids[3], ids[6]]);
      expect(await pageIds('filterColumn=campaignStatus&filterQuery=5')).toEqual([ids[1], ids[2]]);
      expect(await pageIds('filterColumn=callCount&filterQuery=40')).toEqual([ids[1]]);
      expect(await pageIds(`filterColumn=CLI_ID&filterQuery=${clis[1]}`)).toEqual(idsWhere((spec) => spec.cli === 1));
      expect(await pageIds(`filterColumn=id&filterQuery=${ids[4]}`)).toEqual([ids[4]]);
      expect(await pageIds('FilterColumn=type&FilterQuery=1')).toEqual(ids);
    });

    it('refuses a bad filterColumn/filterQuery pair with 400 keyed by the parameter', async () => {
      expect(Object.keys(await badRequest('filterColumn=bogus&filterQuery=1'))).toEqual(['filterColumn']);
      expect(Object.keys(await badRequest('filterColumn=campaignStatus'))).toEqual(['filterQuery']);
      expect(Object.keys(await badRequest('filterColumn=campaignStatus&filterQuery=abc'))).toEqual(['filterQuery']);
      expect(Object.keys(await badRequest('filterQuery=abc'))).toEqual(['filterColumn']);
    });

    it('refuses malformed paging values with 400 keyed by the parameter', async () => {
      for (const [query, key] of [
        ['pageIndex=0', 'pageIndex'],
        ['pageIndex=-1', 'pageIndex'],
        ['pageIndex=1.5', 'pageIndex'],
        ['pageIndex=abc', 'pageIndex'],
        ['pageIndex=2147483648', 'pageIndex'],
        ['pageSize=abc', 'pageSize'],
        ['pageSize=0', 'pageSize'],
      ]) {
        expect(Object.keys(await badRequest(query!)), query).toEqual([key]);
      }
      // Each says what it expects, not "is not in the expected format".
      expect(await badRequest('campaignStatus=abc&startDateFrom=tomorrow')).toEqual({
        campaignStatus: ['campaignStatus must be a whole number, or whole numbers separated by commas (such as 1,2).'],
        startDateFrom: ['startDateFrom must be a date as YYYY-MM-DD, or a date and time as YYYY-MM-DDTHH:mm[:ss].'],
      });
    });

    it('refuses malformed filter values with 400 keyed by the parameter', async () => {
      for (const [query, key] of [
        ['campaignStatus=abc', 'campaignStatus'],
        ['campaignStatus=1,,2', 'campaignStatus'],
        ['campaignStatus=-1', 'campaignStatus'],
        ['type=x', 'type'],
        ['callFlow_Id=1.5', 'callFlow_Id'],
        ['cli_id=%27', 'cli_id'],
        ['name=' + 'x'.repeat(101), 'name'],
      ]) {
        expect(Object.keys(await badRequest(query!)), query).toEqual([key]);
      }
    });

    it('refuses numbers too large for their column with 400 rather than failing in the database', async () => {
      for (const [query, key] of [
        ['campaignStatus=9999999999', 'campaignStatus'],
        ['campaignStatus=40000', 'campaignStatus'],
        ['type=99999', 'type'],
        ['callFlow_Id=9999999999', 'callFlow_Id'],
        ['cli_id=2147483648', 'cli_id'],
        ['filterColumn=campaignStatus&filterQuery=99999', 'filterQuery'],
        ['filterColumn=id&filterQuery=9999999999', 'filterQuery'],
        ['filterColumn=callCount&filterQuery=9999999999', 'filterQuery'],
      ]) {
        expect(Object.keys(await badRequest(query!)), query).toEqual([key]);
      }
    });

    it('refuses an unknown campaignStatus or type, listing the known values', async () => {
      const errors = await badRequest('campaignStatus=0,9');
      expect(errors.campaignStatus![0]).toMatch(/0, 1, 2, 3, 4, 5/);
      expect(Object.keys(await badRequest('type=2'))).toEqual(['type']);
    });

    it('refuses malformed or impossible dates and a reversed range', async () => {
      for (const [query, key] of [
        ['startDateFrom=garbage', 'startDateFrom'],
        ['startDateFrom=2027-1-1', 'startDateFrom'],
        ['startDateFrom=2027-02-30', 'startDateFrom'],
        ['startDateTo=2027-13-01', 'startDateTo'],
        ['startDateFrom=2027-01-10T25:00', 'startDateFrom'],
        ['startDateTo=2027-01-10T12:60', 'startDateTo'],
        ['startDateFrom=2027-01-12&startDateTo=2027-01-11', 'startDateFrom'],
        ['startDateFrom=2027-01-11T10:01&startDateTo=2027-01-11T10:00', 'startDateFrom'],
      ]) {
        expect(Object.keys(await badRequest(query!)), query).toEqual([key]);
      }
    });

    it('reports every malformed parameter at once', async () => {
      const errors = await badRequest('pageIndex=0&pageSize=abc&startDateFrom=garbage&campaignStatus=x');
      expect(Object.keys(errors).sort()).toEqual(['campaignStatus', 'pageIndex', 'pageSize', 'startDateFrom']);
    });

    it('reports every well-formed but unusable parameter at once', async () => {
      const errors = await badRequest('sortColumn=bogus&filterColumn=nope&filterQuery=1&campaignStatus=9&startDateTo=2027-02-30');
      expect(Object.keys(errors).sort()).toEqual(['campaignStatus', 'filterColumn', 'sortColumn', 'startDateTo']);
    });
  });
});
