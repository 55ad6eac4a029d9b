// POST /api/campaigns/voice with bodies that are not a campaign: malformed JSON, other JSON values, other media
// types, a body over the limit, and seeded random garbage. Whatever arrives, the answer is a 4xx problem+json,
// never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, documentExampleBody, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { expectCreated, expectValidationProblem, postCampaign, uniqueName } from './campaign-create.helpers.js';

/** mulberry32: a small seeded PRNG, so that a failing random case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Strings that have caused trouble somewhere: control and unstorable characters, comment markers, phone-number and
// date look-alikes, the schema's own property names in odd cases, and long text.
const AWKWARD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', '😀', '//', '/*', '*/', '"', '\\', '\n', 'null', 'true', '0', '-1',
  '1e308', '07722123456', '+447722123456', '999', '0909 876 5432', '2027-01-15', '2027-02-30', '9999-12-31', '0000-01-01',
  '09:00', '24:00', '23:59:59', 'Europe/London', 'Mars/Base', '__proto__', 'constructor', 'toString', 'PhoneNumbers',
  'x'.repeat(101), 'é'.repeat(70),
];
const KEYS = [
  'name', 'NAME', 'startDate', 'startTime', 'finishTime', 'timeZone', 'runoverDays', 'callflow_Id', 'CallFlow_Id',
  'defaultCli_Id', 'attempts', 'answerMachineDetected', 'AnswerPhoneMessage', 'smsOnBusy', 'phoneNumbers', 'number',
  'parameters', 'parameter', 'value', 'date', 'interval', 'attemptNumber', '__proto__', 'constructor', 'x',
];

function randomJson(random: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const roll = random();
  if (depth > 4 || roll < 0.15) return pick([null, true, false]);
  if (roll < 0.35) return pick([0, -1, 1, 2, 3, 1.5, 2 ** 31, -(2 ** 53), 1e308, Math.floor(random() * 1e6)]);
  if (roll < 0.6) return pick(AWKWARD_STRINGS);
  if (roll < 0.8) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
  const value: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) value[pick(KEYS)] = randomJson(random, depth + 1);
  return value;
}

/** A valid campaign with one value somewhere inside replaced, removed or renamed. */
function mutatedCampaign(random: () => number, base: Record<string, unknown>): Record<string, unknown> {
  const body = structuredClone(base);
  // Walk down a random path through objects and arrays, then change what is there.
  let container: Record<string, unknown> | unknown[] = body;
  for (let depth = 0; depth < 4; depth++) {
    const keys: (string | number)[] = Array.isArray(container) ? container.map((_, i) => i) : Object.keys(container);
    if (keys.length === 0) break;
    const key = keys[Math.floor(random() * keys.length)]!;
    const child: unknown = (container as Record<string | number, unknown>)[key];
    const roll = random();
    if (roll < 0.5 || child === null || typeof child !== 'object') {
      if (roll < 0.1 && !Array.isArray(container)) delete container[key as string];
      else if (roll < 0.2 && !Array.isArray(container)) {
        delete container[key as string];
        container[String(key).toUpperCase()] = child;
      } else (container as Record<string | number, unknown>)[key] = randomJson(random);
      break;
    }
    container = child as Record<string, unknown> | unknown[];
  }
  return body;
}

function expectClientError(response: LightMyRequestResponse, allowed: number[], input: string): void {
  expect(allowed, `status ${response.statusCode} for ${input.slice(0, 300)}\n${response.body.slice(0, 300)}`).toContain(response.statusCode);
  if (response.statusCode >= 400) {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json() as { status: number; errors?: Record<string, string[]> };
    expect(problem.status).toBe(response.statusCode);
    if (problem.errors) expect(Object.keys(problem.errors).length).toBeGreaterThan(0);
  }
}

describe.each(BACKENDS)('campaign creation input handling on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    // A 1 MB limit, so that the 413 test needs only a modest body.
    t = await createTestApp(kind, { BODY_LIMIT_MB: '1' });
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  const postRaw = (payload: string, contentType = 'application/json') => postCampaign(t, tenant, payload, { contentType });

  describe('malformed JSON', () => {
    it.each([
      ['a truncated object', '{"name": "x", '],
      ['a trailing comma', '{"name": "x",}'],
      ['single quotes', "{'name': 'x'}"],
      ['an unterminated /* comment', '{"name": "x" /* never closed'],
      ['text after the object', '{"name": "x"} extra'],
      ['a bare word', 'campaign'],
    ])('answers %s with 400 malformed-json problem details', async (_case, payload) => {
      const response = await postRaw(payload);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 400, type: expect.stringMatching(/malformed-json$/), detail: expect.any(String) });
    });

    it('answers a deeply nested array with 400, not a stack overflow', async () => {
      const response = await postRaw(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
      expectValidationProblem(response, ['body']);
    });
  });

  describe('JSON that is not an object', () => {
    it.each([
      ['an array', '[{"name": "x"}]'],
      ['a string', '"campaign"'],
      ['a number', '42'],
      ['null', 'null'],
      ['true', 'true'],
      ['an empty body', ''],
      ['only a comment', '// nothing here'],
    ])('answers %s with 400 at "body"', async (_case, payload) => {
      const problem = expectValidationProblem(await postRaw(payload), ['body']);
      expect(problem.errors.body).toEqual(['The request body must be a JSON object.']);
    });
  });

  describe('media types', () => {
    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonp'])(
      'answers %s with 415',
      async (contentType) => {
        const response = await postRaw(JSON.stringify(validCampaign(tenant, { name: uniqueName('Media') })), contentType);
        expect(response.statusCode).toBe(415);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      },
    );

    it('answers a body without a Content-Type with 415', async () => {
      const payload = JSON.stringify(validCampaign(tenant, { name: uniqueName('No media type') }));
      const response = await postCampaign(t, tenant, payload, { contentType: undefined });
      expect(response.statusCode).toBe(415);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8', 'application/vnd.ringcast+json'])(
      'accepts %s',
      async (contentType) => {
        expectCreated(await postRaw(JSON.stringify(validCampaign(tenant, { name: uniqueName('Media') })), contentType));
      },
    );

    it('accepts a body that starts with a byte order mark (as Windows tools write it)', async () => {
      expectCreated(await postRaw(`\uFEFF${JSON.stringify(validCampaign(tenant, { name: uniqueName('BOM') }))}`));
    });

    it('keeps // and /* inside strings: only comments outside strings are removed', async () => {
      const name = uniqueName('http://example.com/* not a comment */');
      const body = documentExampleBody({ callflowId: tenant.callFlowId, cliId: tenant.cliId, name });
      expect(expectCreated(await postRaw(`/* leading */ ${body} // trailing`)).name).toBe(name);
    });
  });

  describe('body size', () => {
    it('answers a body over BODY_LIMIT_MB with 413 problem details', async () => {
      const phoneNumbers = Array.from({ length: 30_000 }, (_, i) => ({ number: `0772${String(i).padStart(7, '0')}`, name: 'Customer' }));
      const payload = JSON.stringify(validCampaign(tenant, { name: uniqueName('Too big'), phoneNumbers }));
      expect(payload.length).toBeGreaterThan(1024 * 1024);
      const response = await postRaw(payload);
      expect(response.statusCode).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 413, type: expect.stringMatching(/payload-too-large$/) });
    });
  });

  describe('hostile property names', () => {
    it('does not read fields from a "__proto__" key', async () => {
      const fields = validCampaign(tenant, { name: uniqueName('Proto') });
      const payload = `{"__proto__": ${JSON.stringify(fields)}}`;
      expectValidationProblem(await postRaw(payload), [
        'Name',
        'StartDate',
        'StartTime',
        'FinishTime',
        'CallFlow_Id',
        'DefaultCli_Id',
        'AnswerPhoneMessage',
        'SMSOnBusy',
        'PhoneNumbers',
      ]);
    });

    it('takes the last of two spellings of one property', async () => {
      const first = uniqueName('First spelling');
      const last = uniqueName('Last spelling');
      const fields = JSON.stringify(validCampaign(tenant)).slice(1);
      const created = expectCreated(await postRaw(`{"name": ${JSON.stringify(first)}, "NAME": ${JSON.stringify(last)}, ${fields.replace(/"name":"[^"]*",/, '')}`));
      expect(created.name).toBe(last);
    });
  });

  describe('random input (seeded; a failure message shows the input)', () => {
    it('answers random JSON values with 400 problem details', async () => {
      const random = prng(0x5eed0001);
      for (let i = 0; i < 300; i++) {
        const payload = JSON.stringify(randomJson(random)) ?? 'null';
        expectClientError(await postRaw(payload), [400], payload);
      }
    });

    it('answers random text and truncated campaigns with 400 problem details', async () => {
      const random = prng(0x5eed0002);
      const example = documentExampleBody({ callflowId: tenant.callFlowId, cliId: tenant.cliId });
      const alphabet = '{}[]":,/*\\ \n\t0123456789abcdeflnrstu-+.E\u0000\ud800é';
      for (let i = 0; i < 300; i++) {
        const payload =
          i % 2 === 0
            ? example.slice(0, Math.floor(random() * example.length))
            : Array.from({ length: Math.floor(random() * 200) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
        expectClientError(await postRaw(payload), [400], payload);
      }
    });

    it('answers valid campaigns with one random change with 201 or 400, never 500', async () => {
      const random = prng(0x5eed0003);
      const base = JSON.parse(
        JSON.stringify({
          ...validCampaign(tenant),
          runoverDays: [{ date: '2027-01-16', startTime: '09:00', finishTime: '12:00' }],
          attempts: [{ interval: 0, attemptNumber: 1 }, { interval: 30, attemptNumber: 2 }],
          phoneNumbers: [
            { number: '07722123456', name: 'Ben', parameters: [{ parameter: 1, value: 'one' }] },
            { number: '07722123457', name: 'Dave' },
          ],
        }),
      ) as Record<string, unknown>;
      const statuses = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const body = mutatedCampaign(random, { ...base, name: uniqueName('Fuzz') });
        const payload = JSON.stringify(body);
        const response = await postRaw(payload);
        expectClientError(response, [201, 400], payload);
        statuses.add(response.statusCode);
        // The same change with ignoreInvalidPhoneNumbers, under another name (the first request may have taken it).
        const renamed = typeof body.name === 'string' ? { ...body, name: `${body.name}!` } : body;
        expectClientError(await postCampaign(t, tenant, renamed, { path: '/true' }), [201, 400], payload);
      }
      // The mutations reach both outcomes, so they exercise the rules and not only the schema.
      expect([...statuses].sort()).toEqual([201, 400]);
    });
  });
});
