// Every error leaves as application/problem+json {type, title, status, traceId}: unknown routes (404), wrong methods
// (405 with Allow), bad bodies (400, 413, 415), and the auth and conflict answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';

const PROBLEM_JSON = /^application\/problem\+json/;

/** Checks the RFC 9457 frame every error shares and returns the body. */
function expectProblem(response: LightMyRequestResponse, status: number): Record<string, unknown> {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ type: expect.stringMatching(/^https?:\/\//), title: expect.any(String), status, traceId: expect.any(String) });
  expect((body.title as string).length).toBeGreaterThan(0);
  expect((body.traceId as string).length).toBeGreaterThan(0);
  return body;
}

describe.each(BACKENDS)('HTTP errors on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  describe('unknown routes', () => {
    it('answers 404 problem+json for a path no route has, with or without credentials', async () => {
      for (const options of [
        { method: 'GET', url: '/nope' },
        { method: 'GET', url: '/api/campaigns' },
        { method: 'GET', url: '/api/campaigns/voice/1/calls' },
        { method: 'GET', url: '/api/campaigns/voice/1/phonenumbers/10/1/extra' },
        { method: 'POST', url: '/api/admin/nothing', payload: {} },
        { method: 'GET', url: '/api/campaigns/sms', headers: tenant.headers },
      ] as InjectOptions[]) {
        const body = expectProblem(await t.app.inject(options), 404);
        expect(body.type).toMatch(/not-found$/);
        expect(body.detail).toContain(String(options.url));
      }
    });

    it('gives each error its own traceId', async () => {
      const first = (await t.app.inject({ method: 'GET', url: '/nope' })).json();
      const second = (await t.app.inject({ method: 'GET', url: '/nope' })).json();
      expect(first.traceId).not.toBe(second.traceId);
    });
  });

  describe('errors the router raises itself', () => {
    it('answers a long path segment with a 400 naming the field, a segment past 500 characters with 414, bad percent-encoding with 400: all problem+json', async () => {
      const long = expectProblem(await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${'9'.repeat(400)}`, headers: tenant.headers }), 400);
      expect(Object.keys(long.errors ?? {})).toEqual(['id']);
      const tooLong = expectProblem(await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${'9'.repeat(600)}`, headers: tenant.headers }), 414);
      expect(tooLong.type).toMatch(/uri-too-long$/);
      const badEncoding = expectProblem(await t.app.inject({ method: 'GET', url: '/api/campaigns/voice/%', headers: tenant.headers }), 400);
      expect(badEncoding.detail).toMatch(/percent-encoding/);
    });
  });

  describe('wrong methods', () => {
    it('answers 405 with an Allow header listing the methods the path supports', async () => {
      for (const [method, url, allow] of [
        ['PUT', '/api/campaigns/voice/p', ['GET', 'HEAD']],
        ['PUT', '/api/campaigns/voice', ['GET', 'HEAD', 'POST']],
        ['PATCH', '/api/campaigns/voice/', ['GET', 'HEAD', 'POST']],
        ['DELETE', '/api/campaigns/voice/5/phonenumbers', ['GET', 'HEAD']],
        ['POST', '/api/callflows', ['GET', 'HEAD']],
        ['PUT', '/api/admin/clients', ['GET', 'HEAD', 'POST']],
        ['PUT', '/api/admin/apikeys/3', ['DELETE']],
        ['PATCH', '/api/campaigns/voice/p?pageIndex=2', ['GET', 'HEAD']],
      ] as const) {
        const response = await t.app.inject({ method, url, headers: tenant.headers });
        const body = expectProblem(response, 405);
        expect(body.type).toMatch(/method-not-allowed$/);
        const listed = String(response.headers.allow).split(/,\s*/);
        // `/p` also matches POST /:ignoreInvalidPhoneNumbers, so Allow may rightly name POST there; the listed ones must be present.
        for (const expected of allow) expect(listed, `${method} ${url}`).toContain(expected);
        expect(listed, `${method} ${url}`).not.toContain(method);
      }
    });

    it('answers DELETE on the page listing /p with 405, not as a campaign id "p"', async () => {
      // DELETE /:id exists for campaigns, so only an id that is a number should reach it.
      const response = await t.app.inject({ method: 'DELETE', url: '/api/campaigns/voice/p', headers: tenant.headers });
      expectProblem(response, 405);
      expect(String(response.headers.allow).split(/,\s*/)).toEqual(expect.arrayContaining(['GET', 'HEAD']));
    });

    it('answers 405 before asking for credentials', async () => {
      const response = await t.app.inject({ method: 'PUT', url: '/api/campaigns/voice' });
      expectProblem(response, 405);
    });
  });

  describe('bad request bodies on the operator API', () => {
    it('answers 400 malformed-json for a body that is not JSON', async () => {
      const response = await t.admin({ method: 'POST', url: '/api/admin/clients', headers: { 'content-type': 'application/json' }, payload: '{"name": "Acme",' });
      const body = expectProblem(response, 400);
      expect(body.type).toMatch(/malformed-json$/);
    });

    it('answers 400 for a missing body', async () => {
      const response = await t.admin({ method: 'POST', url: '/api/admin/clients' });
      expectProblem(response, 400);
    });

    it('answers 400 for a JSON body that is not an object', async () => {
      for (const payload of ['[]', '"Acme"', 'null', '42']) {
        const response = await t.admin({ method: 'POST', url: '/api/admin/clients', headers: { 'content-type': 'application/json' }, payload });
        expectProblem(response, 400);
      }
    });

    it('answers 415 for a form-encoded body (what curl -d sends without a content type)', async () => {
      const response = await t.admin({
        method: 'POST',
        url: '/api/admin/clients',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=Acme',
      });
      const body = expectProblem(response, 415);
      expect(body.type).toMatch(/unsupported-media-type$/);
    });

    it('answers 415 for a text/plain body, and accepts JSON with a charset', async () => {
      // Only JSON is parsed anywhere in the API; any other media type is refused before validation.
      const response = await t.admin({ method: 'POST', url: '/api/admin/clients', headers: { 'content-type': 'text/plain' }, payload: 'Acme' });
      expectProblem(response, 415);
      const withCharset = await t.admin({
        method: 'POST',
        url: '/api/admin/clients',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        payload: '{"name": "Charset Ltd"}',
      });
      expect(withCharset.statusCode).toBe(201);
    });

    it('answers 413 for a body over the limit', async () => {
      const limitBytes = Math.round(t.app.services.settings.BODY_LIMIT_MB * 1024 * 1024);
      const response = await t.admin({
        method: 'POST',
        url: '/api/admin/clients',
        headers: { 'content-type': 'application/json' },
        payload: `{"name": "${'x'.repeat(limitBytes)}"}`,
      });
      const body = expectProblem(response, 413);
      expect(body.type).toMatch(/payload-too-large$/);
    });

    it('gives a validation problem the ValidationProblemDetails shape', async () => {
      const response = await t.admin({ method: 'POST', url: '/api/admin/clients', payload: {} });
      const body = expectProblem(response, 400);
      expect(body.type).toMatch(/validation$/);
      expect(body.errors).toEqual({ Name: [expect.any(String)] });
    });
  });

  describe('every error is a problem', () => {
    it('answers 401, 404, 409 and 400 from the API as problem+json', async () => {
      expectProblem(await t.app.inject({ method: 'GET', url: '/api/clis' }), 401);
      expectProblem(await t.app.inject({ method: 'GET', url: '/api/campaigns/voice/424242', headers: tenant.headers }), 404);
      expectProblem(await t.app.inject({ method: 'GET', url: '/api/campaigns/voice/p?pageSize=0', headers: tenant.headers }), 400);
      expectProblem(await t.admin({ method: 'GET', url: '/api/admin/clients/424242' }), 404);

      const campaign = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
      expect(campaign.statusCode).toBe(201);
      const conflict = expectProblem(await t.admin({ method: 'DELETE', url: `/api/admin/clients/${tenant.clientId}/clis/${tenant.cliId}` }), 409);
      expect(conflict.type).toMatch(/conflict$/);
    });

    it('does not leak internals (stack traces, SQL) in any error body', async () => {
      const responses = await Promise.all([
        t.app.inject({ method: 'GET', url: '/api/campaigns/voice/p?campaignStatus=9999999999', headers: tenant.headers }),
        t.app.inject({ method: 'GET', url: '/api/campaigns/voice/p?cli_id=9999999999', headers: tenant.headers }),
        t.admin({ method: 'POST', url: '/api/admin/clients', headers: { 'content-type': 'application/json' }, payload: '{' }),
      ]);
      for (const response of responses) {
        expect(response.statusCode).toBeLessThan(500);
        expect(response.body).not.toMatch(/\bat .+\.(?:ts|js):\d+|select |insert |postgres|drizzle/i);
      }
    });
  });
});
