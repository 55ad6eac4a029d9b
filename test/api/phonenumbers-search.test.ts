// GET /api/campaigns/voice/:id/phonenumbers[/:pageSize]/:pageNumber?search= (Ringcast extension, issue 11): numbers
// whose E.164 contains the typed digits (spacing ignored, a leading UK 0 read as +44) or whose name contains the text,
// paged over the matches in upload order; LIKE wildcards in the search are literal; no search, no change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { phoneNumberSearchTerms } from '../../src/domain/phone-number-search.js';

const PROBLEM_JSON = /^application\/problem\+json/;

/** Uploaded in this order (ids follow it). */
const NAMED = [
  { number: '07722 123456', name: 'Ben Smith' },
  { number: '07722734716', name: 'Dave 50%_off' },
  { number: '07723 900123', name: 'SMITHERS, Anne' },
  { number: '020 7946 0123', name: 'Carol' },
  { number: '07911 123456', name: 'back\\slash' },
];
/** 25 more mobiles named Bulk N, after the named ones. */
const BULK = Array.from({ length: 25 }, (_, index) => ({ number: `0780055${5000 + index}`, name: `Bulk ${index + 1}` }));

interface NumberResult {
  id: number;
  number: string;
  name: string;
}

describe('phone-number search terms', () => {
  it('reads digits with spacing taken out, and a leading UK 0 as +44 as well', () => {
    expect(phoneNumberSearchTerms(' 07722 123-456 ')).toEqual({ numberFragments: ['07722123456', '+447722123456'], nameFragment: '07722 123-456' });
    expect(phoneNumberSearchTerms('+44 (20) 7946')).toEqual({ numberFragments: ['+44207946'], nameFragment: '+44 (20) 7946' });
    expect(phoneNumberSearchTerms('0044 20')).toEqual({ numberFragments: ['004420'], nameFragment: '0044 20' });
    expect(phoneNumberSearchTerms('0').numberFragments).toEqual(['0']);
    expect(phoneNumberSearchTerms('Smith 2').numberFragments).toEqual([]);
  });
});

describe.each(BACKENDS)('phone-number search on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let other: Tenant;
  let campaignId: number;
  let otherCampaignId: number;

  const list = (url: string, who: Tenant = tenant) => t.app.inject({ method: 'GET', url, headers: who.headers });
  const search = async (text: string, page = '/100/1', id = campaignId): Promise<NumberResult[]> => {
    const response = await list(`/api/campaigns/voice/${id}/phonenumbers${page}?search=${encodeURIComponent(text)}`);
    expect(response.statusCode, `${text}: ${response.body}`).toBe(200);
    return response.json() as NumberResult[];
  };
  const names = (rows: NumberResult[]) => rows.map((row) => row.name);

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
    other = await t.createTenant();
    const create = async (who: Tenant, phoneNumbers: unknown[]) => {
      const response = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: who.headers, payload: validCampaign(who, { phoneNumbers }) });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id as number;
    };
    campaignId = await create(tenant, [...NAMED, ...BULK]);
    // Another client's campaign holding a number and a name that every search below would match.
    otherCampaignId = await create(other, [{ number: '07722 123457', name: 'Other Smith' }]);
  });
  afterAll(() => t.close());

  it('finds names containing the text, in any case, in upload order', async () => {
    expect(names(await search('smith'))).toEqual(['Ben Smith', 'SMITHERS, Anne']);
    expect(names(await search('CAROL'))).toEqual(['Carol']);
    expect(await search('nobody here')).toEqual([]);
  });

  it('finds numbers by their digits as typed, spacing ignored, with a leading 0 read as +44', async () => {
    expect((await search('07722 123 456')).map((row) => row.number)).toEqual(['+447722123456']);
    // "0123" is no UK prefix that matters here: it finds the numbers ending in those digits.
    expect(names(await search('0123'))).toEqual(['SMITHERS, Anne', 'Carol']);
    expect(names(await search('+44 20'))).toEqual(['Carol']);
    expect(names(await search('020-7946'))).toEqual(['Carol']);
    expect(names(await search('123456'))).toEqual(['Ben Smith', 'back\\slash']);
  });

  it('takes LIKE wildcards and backslashes literally', async () => {
    expect(names(await search('%'))).toEqual(['Dave 50%_off']);
    expect(names(await search('_'))).toEqual(['Dave 50%_off']);
    expect(names(await search('0%_'))).toEqual(['Dave 50%_off']);
    expect(names(await search('\\'))).toEqual(['back\\slash']);
    expect(await search('D_ve')).toEqual([]);
  });

  it('pages over the matches with the same pageSize and pageNumber, in id order', async () => {
    const all = await search('Bulk');
    expect(all).toHaveLength(25);
    expect(all.map((row) => row.id)).toEqual([...all.map((row) => row.id)].sort((a, b) => a - b));
    expect(await search('Bulk', '/10/2')).toEqual(all.slice(10, 20));
    expect(await search('Bulk', '/10/3')).toEqual(all.slice(20));
    expect(await search('Bulk', '/10/4')).toEqual([]);
    // One path parameter is the page number with the default size of 10; none is page 1.
    expect(await search('Bulk', '/2')).toEqual(all.slice(10, 20));
    expect(await search('Bulk', '')).toEqual(all.slice(0, 10));
    expect(names(await search('07800 555', '/3/1'))).toEqual(['Bulk 1', 'Bulk 2', 'Bulk 3']);
  });

  it('changes nothing without a search, and matches the query name in any case', async () => {
    const plain = await list(`/api/campaigns/voice/${campaignId}/phonenumbers/100/1`);
    expect(plain.statusCode).toBe(200);
    expect(names(plain.json())).toEqual([...NAMED, ...BULK].map((entry) => entry.name));
    const upper = await list(`/api/campaigns/voice/${campaignId}/phonenumbers/100/1?Search=carol`);
    expect(names(upper.json())).toEqual(['Carol']);
  });

  it('searches only the campaign asked for, and only the caller’s own', async () => {
    const foreign = await list(`/api/campaigns/voice/${otherCampaignId}/phonenumbers/10/1?search=smith`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(names((await list(`/api/campaigns/voice/${otherCampaignId}/phonenumbers/10/1?search=smith`, other)).json())).toEqual(['Other Smith']);
  });

  it('answers an empty, blank or over-long search with 400 problem+json naming it', async () => {
    for (const bad of ['', '   ', 'x'.repeat(65)]) {
      const response = await list(`/api/campaigns/voice/${campaignId}/phonenumbers/10/1?search=${encodeURIComponent(bad)}`);
      expect(response.statusCode, JSON.stringify(bad)).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(Object.keys(response.json().errors ?? {}).join(' ')).toMatch(/search/i);
    }
    expect((await search('x'.repeat(64))).length).toBe(0);
  });
});
