// GET /api/campaigns/voice/:id/phonenumbers[/:pageNumber | /:pageSize/:pageNumber]: the numbers in upload order with
// their call and SMS outcomes. The dialer does not exist yet, so calls and SMS rows are written straight to the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { calls, smsMessages } from '../../src/store/schema.js';

const PROBLEM_JSON = /^application\/problem\+json/;
// The document's keys plus Ringcast's documented extensions (number `status`, `statusReason`; call `answeredBy`,
// `voicemailLeft`, `endReason`, `optedOut`, `firstAudioMs`).
const NUMBER_KEYS = ['calls', 'id', 'name', 'number', 'parameters', 'sms', 'status', 'statusReason'];
const CALL_KEYS = [
  'answeredBy',
  'attemptNumber',
  'endReason',
  'endTime',
  'firstAudioMs',
  'isTransferCall',
  'optedOut',
  'outcome',
  'price',
  'secondsDuration',
  'stage',
  'startTime',
  'userInput',
  'voicemailLeft',
];
const SMS_KEYS = ['attemptNumber', 'error', 'parts', 'sentAt', 'status', 'statusAt', 'text'];

interface NumberResult {
  id: number;
  number: string;
  name: string;
  parameters: { value: string; parameter: number }[];
  calls: Record<string, unknown>[];
  sms: Record<string, unknown>[];
}

/** 25 distinct valid mobiles, deliberately not in numeric order, so upload order and number order differ. */
const UPLOADED = Array.from({ length: 25 }, (_, index) => `077221234${String(((index * 7) % 25) + 10).padStart(2, '0')}`);
const e164 = (national: string) => `+44${national.slice(1)}`;

describe.each(BACKENDS)('phone numbers with outcomes on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let campaignId: number;
  let first: NumberResult[];

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: tenant.headers });
  const numbers = async (suffix: string, id = campaignId): Promise<NumberResult[]> => {
    const response = await get(`/api/campaigns/voice/${id}/phonenumbers${suffix}`);
    expect(response.statusCode, `${suffix}: ${response.body}`).toBe(200);
    return response.json() as NumberResult[];
  };
  const createCampaign = async (overrides: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant, overrides) });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as number;
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant('Numbers');
    campaignId = await createCampaign({
      phoneNumbers: UPLOADED.map((number, index) => {
        if (index === 0) return { number, name: 'Jon Smith', parameters: [{ value: 'Tuesday', parameter: 3 }, { value: '10:30', parameter: 1 }] };
        if (index === 1) return { number };
        if (index === 2) return { number, name: null, parameters: null };
        return { number, name: `Person ${index}` };
      }),
    });
    first = await numbers('');
  });
  afterAll(() => t.close());

  describe('paths and paging', () => {
    it('answers the first 10 numbers in upload order by default', () => {
      expect(first.map((entry) => entry.number)).toEqual(UPLOADED.slice(0, 10).map(e164));
    });

    it('gives each number exactly {id, number, name, status, statusReason, parameters, calls, sms}, the number in E.164', () => {
      for (const entry of first) {
        expect(Object.keys(entry).sort()).toEqual(NUMBER_KEYS);
        expect(Number.isInteger(entry.id)).toBe(true);
        expect(entry.number).toMatch(/^\+44\d{10}$/);
      }
      expect(new Set(first.map((entry) => entry.id)).size).toBe(first.length);
    });

    it('shows names and parameters as uploaded, parameters in parameter order, absent ones empty', () => {
      expect(first[0]).toMatchObject({
        name: 'Jon Smith',
        parameters: [
          { value: '10:30', parameter: 1 },
          { value: 'Tuesday', parameter: 3 },
        ],
      });
      for (const parameter of first[0]!.parameters) expect(Object.keys(parameter)).toEqual(['value', 'parameter']);
      expect(first[1]).toMatchObject({ name: '', parameters: [] });
      expect(first[2]).toMatchObject({ name: '', parameters: [] });
      expect(first[3]).toMatchObject({ name: 'Person 3', parameters: [] });
    });

    it('pages by /:pageNumber with 10 per page', async () => {
      expect((await numbers('/1')).map((entry) => entry.id)).toEqual(first.map((entry) => entry.id));
      expect((await numbers('/2')).map((entry) => entry.number)).toEqual(UPLOADED.slice(10, 20).map(e164));
      expect((await numbers('/3')).map((entry) => entry.number)).toEqual(UPLOADED.slice(20).map(e164));
      expect(await numbers('/4')).toEqual([]);
    });

    it('pages by /:pageSize/:pageNumber', async () => {
      expect((await numbers('/5/3')).map((entry) => entry.number)).toEqual(UPLOADED.slice(10, 15).map(e164));
      expect((await numbers('/7/4')).map((entry) => entry.number)).toEqual(UPLOADED.slice(21, 25).map(e164));
      expect((await numbers('/1000/1')).map((entry) => entry.number)).toEqual(UPLOADED.map(e164));
      expect(await numbers('/1000/2')).toEqual([]);
      expect(await numbers('/1000/2147483647')).toEqual([]);
    });

    it('ignores a trailing slash', async () => {
      expect((await numbers('/5/2/')).map((entry) => entry.number)).toEqual(UPLOADED.slice(5, 10).map(e164));
    });

    it('refuses a page size over 1000 and pages or sizes that are not positive integers with 400 keyed by the parameter', async () => {
      for (const [suffix, key] of [
        ['/1001/1', 'pageSize'],
        ['/0/1', 'pageSize'],
        ['/abc/1', 'pageSize'],
        ['/10/0', 'pageNumber'],
        ['/0', 'pageNumber'],
        ['/-1', 'pageNumber'],
        ['/abc', 'pageNumber'],
        ['/1.5', 'pageNumber'],
        ['/10/2147483648', 'pageNumber'],
      ]) {
        const response = await get(`/api/campaigns/voice/${campaignId}/phonenumbers${suffix}`);
        expect(response.statusCode, suffix).toBe(400);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(Object.keys(response.json().errors), suffix).toEqual([key]);
      }
    });

    it('answers 404 problem+json on every path for a campaign that does not exist', async () => {
      for (const suffix of ['', '/1', '/10/1']) {
        const response = await get(`/api/campaigns/voice/2147483647/phonenumbers${suffix}`);
        expect(response.statusCode, suffix).toBe(404);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      }
      expect((await get('/api/campaigns/voice/abc/phonenumbers')).statusCode).toBe(400);
    });
  });

  describe('calls and SMS', () => {
    let withCalls: number;
    let entries: NumberResult[];

    beforeAll(async () => {
      withCalls = await createCampaign({
        name: 'Calls campaign',
        phoneNumbers: [{ number: '07722000001', name: 'Ann' }, { number: '07722000002', name: 'Bob' }, { number: '07722000003', name: 'Cat' }],
      });
      const [ann, bob] = await numbers('', withCalls);
      const db = t.db.database.db;
      // Inserted out of attempt order: the listing orders calls by attempt.
      await db.insert(calls).values([
        {
          phoneNumberId: ann!.id,
          attemptNumber: 2,
          startTime: new Date('2027-07-01T11:16:15.637Z'),
          endTime: new Date('2027-07-01T11:17:04.977Z'),
          stage: 12,
          outcome: 5,
          userInput: '1#',
          price: 0.433,
          isTransferCall: false,
          secondsDuration: 50,
        },
        {
          phoneNumberId: ann!.id,
          attemptNumber: 1,
          startTime: new Date('2027-01-15T09:00:00.000Z'),
          endTime: new Date('2027-01-15T09:00:30.500Z'),
          stage: 2,
          outcome: 2,
          price: 0,
          secondsDuration: 0,
        },
        {
          phoneNumberId: bob!.id,
          attemptNumber: 1,
          startTime: new Date('2027-07-01T23:30:00.001Z'),
          endTime: null,
          stage: 7,
          outcome: 0,
          userInput: '9',
          price: 1.25,
          isTransferCall: true,
          secondsDuration: 12,
        },
      ]);
      await db.insert(smsMessages).values([
        { phoneNumberId: bob!.id, attemptNumber: 2, sentAt: new Date('2027-07-02T08:00:00.250Z'), text: 'Hello Bob, we tried to call', parts: 1, status: 'sent', statusAt: new Date('2027-07-02T08:00:01.000Z') },
        { phoneNumberId: bob!.id, attemptNumber: 1, sentAt: new Date('2027-07-01T08:00:00.000Z'), text: 'First', parts: 2, status: 'delivered', statusAt: new Date('2027-07-01T08:00:09.500Z') },
      ]);
      entries = await numbers('', withCalls);
    });

    it('gives each call exactly the documented fields, in attempt order', () => {
      const ann = entries[0]!;
      expect(ann.calls).toHaveLength(2);
      for (const call of ann.calls) expect(Object.keys(call).sort()).toEqual(CALL_KEYS);
      expect(ann.calls.map((call) => call.attemptNumber)).toEqual([1, 2]);
    });

    it('shows the document example call as the document shows it, times on the campaign zone wall clock', () => {
      // 11:16 UTC on 1 July is 12:16 in London (BST).
      expect(entries[0]!.calls[1]).toEqual({
        startTime: '2027-07-01T12:16:15.637',
        endTime: '2027-07-01T12:17:04.977',
        stage: 12,
        outcome: 5,
        userInput: '1#',
        price: 0.433,
        isTransferCall: false,
        attemptNumber: 2,
        secondsDuration: 50,
        answeredBy: null,
        voicemailLeft: false,
        endReason: null,
        optedOut: false,
        firstAudioMs: null,
      });
    });

    it('shows winter calls at UTC, since London is on GMT then, with milliseconds always written', () => {
      expect(entries[0]!.calls[0]).toMatchObject({
        startTime: '2027-01-15T09:00:00.000',
        endTime: '2027-01-15T09:00:30.500',
        userInput: '',
        price: 0,
        isTransferCall: false,
      });
    });

    it('shows a call still in progress with a null endTime, and a price as a JSON number', () => {
      const call = entries[1]!.calls[0]!;
      // 23:30 UTC is after midnight in London: the date rolls over too.
      expect(call).toMatchObject({ startTime: '2027-07-02T00:30:00.001', endTime: null, outcome: 0, price: 1.25, isTransferCall: true, userInput: '9' });
      expect(typeof call.price).toBe('number');
    });

    it('lists SMS sent to a number, oldest first, with times on the campaign zone wall clock', () => {
      const bob = entries[1]!;
      for (const sms of bob.sms) expect(Object.keys(sms).sort()).toEqual(SMS_KEYS);
      expect(bob.sms).toEqual([
        { sentAt: '2027-07-01T09:00:00.000', attemptNumber: 1, text: 'First', parts: 2, status: 'delivered', statusAt: '2027-07-01T09:00:09.500', error: null },
        { sentAt: '2027-07-02T09:00:00.250', attemptNumber: 2, text: 'Hello Bob, we tried to call', parts: 1, status: 'sent', statusAt: '2027-07-02T09:00:01.000', error: null },
      ]);
      expect(entries[0]!.sms).toEqual([]);
    });

    it('gives a number never called empty calls and sms', () => {
      expect(entries[2]).toMatchObject({ name: 'Cat', calls: [], sms: [] });
    });

    it("keeps each number's calls to itself across pages", async () => {
      const [bobOnly] = await numbers('/1/2', withCalls);
      expect(bobOnly!.name).toBe('Bob');
      expect(bobOnly!.calls).toHaveLength(1);
      expect(bobOnly!.sms).toHaveLength(2);
    });

    it("writes times on the wall clock of the campaign's own zone", async () => {
      const newYork = await createCampaign({ name: 'NY campaign', timeZone: 'America/New_York', phoneNumbers: [{ number: '07722000009' }] });
      const [entry] = await numbers('', newYork);
      await t.db.database.db.insert(calls).values({
        phoneNumberId: entry!.id,
        attemptNumber: 1,
        startTime: new Date('2027-07-01T11:16:15.637Z'),
        endTime: new Date('2027-07-01T11:17:04.977Z'),
        stage: 12,
        outcome: 5,
      });
      const [after] = await numbers('', newYork);
      expect(after!.calls[0]).toMatchObject({ startTime: '2027-07-01T07:16:15.637', endTime: '2027-07-01T07:17:04.977' });
    });
  });
});
