// The operator API (/api/admin): clients, API keys, call flows and caller IDs, authorised by ADMIN_TOKEN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { ADMIN_TOKEN, createTestApp, validCampaign, type TestApp } from '../helpers/app.js';
import { DEFAULT_FLOW_MESSAGE, DEFAULT_SMS_TEXT, DEFAULT_VOICEMAIL_MESSAGE } from '../../src/domain/call-flow-defaults.js';

const PROBLEM_JSON = /^application\/problem\+json/;

describe.each(BACKENDS)('operator API on $kind', ({ kind }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const createClient = async (name = 'Acme Ltd') => {
    const response = await t.admin({ method: 'POST', url: '/api/admin/clients', payload: { name } });
    expect(response.statusCode).toBe(201);
    return response.json() as { id: number; name: string; apiKey: string };
  };
  const asClient = (apiKey: string, url = '/api/callflows') =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}` } });

  describe('authorisation', () => {
    it('refuses a request without a token with 401 problem+json and a Bearer challenge', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/admin/clients' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(response.json()).toMatchObject({ status: 401, title: expect.any(String), type: expect.any(String), traceId: expect.any(String) });
    });

    it('refuses a wrong token, a token in X-API-Key and a non-Bearer scheme', async () => {
      for (const headers of [
        { authorization: 'Bearer not-the-admin-token-at-all' },
        { authorization: `Bearer ${ADMIN_TOKEN}x` },
        { 'x-api-key': ADMIN_TOKEN },
        { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
      ]) {
        const response = await t.app.inject({ method: 'GET', url: '/api/admin/clients', headers });
        expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      }
    });

    it('does not accept a client API key as the admin token', async () => {
      const { apiKey } = await createClient('Key is not admin');
      const response = await t.app.inject({ method: 'GET', url: '/api/admin/clients', headers: { authorization: `Bearer ${apiKey}` } });
      expect(response.statusCode).toBe(401);
    });

    it('does not accept the admin token as a client API key', async () => {
      const response = await asClient(ADMIN_TOKEN, '/api/campaigns/voice');
      expect(response.statusCode).toBe(401);
    });

    it('answers 403 problem+json on every operator path when ADMIN_TOKEN is unset', async () => {
      // loadSettings treats an empty variable as unset, as a shell `ADMIN_TOKEN=` would be.
      const off = await createTestApp(kind, { ADMIN_TOKEN: '' });
      try {
        for (const [method, url] of [
          ['GET', '/api/admin/clients'],
          ['POST', '/api/admin/clients'],
          ['DELETE', '/api/admin/apikeys/1'],
        ] as const) {
          // Even a request carrying the token a configured server would accept is refused: there is no token.
          const response = await off.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: method === 'POST' ? { name: 'x' } : undefined });
          expect(response.statusCode, `${method} ${url}`).toBe(403);
          expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
          expect(response.json()).toMatchObject({ status: 403, traceId: expect.any(String) });
          expect(response.json().detail).toMatch(/ADMIN_TOKEN/);
        }
      } finally {
        await off.close();
      }
    });
  });

  describe('clients', () => {
    it('creates a client: 201 {id, name, allowedCountries, apiKey} with a Location, and the key works at once', async () => {
      const response = await t.admin({ method: 'POST', url: '/api/admin/clients', payload: { name: 'Widgets plc' } });
      expect(response.statusCode).toBe(201);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual(['allowedCountries', 'apiKey', 'id', 'name']);
      // No country beyond the UK unless the operator allows it.
      expect(body).toEqual({ id: expect.any(Number), name: 'Widgets plc', allowedCountries: [], apiKey: expect.any(String) });
      expect(Number.isInteger(body.id)).toBe(true);
      expect(body.apiKey.length).toBeGreaterThanOrEqual(32);
      expect(response.headers.location).toBe(`/api/admin/clients/${body.id}`);
      expect((await asClient(body.apiKey)).statusCode).toBe(200);
    });

    it('gives every client a different key', async () => {
      const a = await createClient('Twin');
      const b = await createClient('Twin');
      expect(a.id).not.toBe(b.id);
      expect(a.apiKey).not.toBe(b.apiKey);
    });

    it('lists and reads clients, without any key material', async () => {
      const created = await createClient('Listed Ltd');
      const list = await t.admin({ method: 'GET', url: '/api/admin/clients' });
      expect(list.statusCode).toBe(200);
      const entry = (list.json() as Record<string, unknown>[]).find((client) => client.id === created.id);
      expect(entry).toEqual({ id: created.id, name: 'Listed Ltd', allowedCountries: [], createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
      const read = await t.admin({ method: 'GET', url: `/api/admin/clients/${created.id}` });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(entry);
      expect(list.body).not.toContain(created.apiKey);
    });

    it('creates a client allowed to call further countries: codes uppercased, sorted, once each, the UK left implicit', async () => {
      const response = await t.admin({
        method: 'POST',
        url: '/api/admin/clients',
        payload: { name: 'Abroad Ltd', allowedCountries: ['ie', 'FR', 'GB', 'fr', 'JE'] },
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().allowedCountries).toEqual(['FR', 'IE']);
      const read = await t.admin({ method: 'GET', url: `/api/admin/clients/${response.json().id}` });
      expect(read.json().allowedCountries).toEqual(['FR', 'IE']);
    });

    it('refuses country codes that are not ISO 3166 alpha-2 with a numbering plan, at AllowedCountries[i]', async () => {
      const response = await t.admin({
        method: 'POST',
        url: '/api/admin/clients',
        payload: { name: 'Bad countries', allowedCountries: ['FR', 'FRA', 'XX', '', 'France', '001'] },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const { errors } = response.json();
      expect(Object.keys(errors).sort()).toEqual(['AllowedCountries[1]', 'AllowedCountries[2]', 'AllowedCountries[3]', 'AllowedCountries[4]', 'AllowedCountries[5]']);
      expect(errors['AllowedCountries[2]'][0]).toMatch(/"XX" is not an ISO 3166 alpha-2 country code/);
      const names = (await t.admin({ method: 'GET', url: '/api/admin/clients' })).json().map((c: { name: string }) => c.name);
      expect(names).not.toContain('Bad countries');
    });

    it('PATCH replaces the allowed countries or the name; [] closes every country but the UK', async () => {
      const client = await createClient('Patched Ltd');
      const patch = (payload: unknown) => t.admin({ method: 'PATCH', url: `/api/admin/clients/${client.id}`, payload: payload as object });
      const opened = await patch({ allowedCountries: ['FR', 'US'] });
      expect(opened.statusCode, opened.body).toBe(200);
      expect(opened.json()).toMatchObject({ id: client.id, name: 'Patched Ltd', allowedCountries: ['FR', 'US'] });
      const renamed = await patch({ name: '  Patched plc ' });
      expect(renamed.json()).toMatchObject({ name: 'Patched plc', allowedCountries: ['FR', 'US'] });
      const closed = await patch({ allowedCountries: [] });
      expect(closed.json().allowedCountries).toEqual([]);
      const bad = await patch({ allowedCountries: ['ZZ'] });
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json().errors)).toEqual(['AllowedCountries[0]']);
      expect((await patch({})).statusCode).toBe(400);
      expect((await t.admin({ method: 'PATCH', url: '/api/admin/clients/999999', payload: { allowedCountries: ['FR'] } })).statusCode).toBe(404);
    });

    it('rejects a missing, blank or over-long name with 400 at Name', async () => {
      for (const payload of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(201) }, { name: null }]) {
        const response = await t.admin({ method: 'POST', url: '/api/admin/clients', payload });
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(Object.keys(response.json().errors)).toEqual(['Name']);
      }
    });

    it('trims the name', async () => {
      const response = await t.admin({ method: 'POST', url: '/api/admin/clients', payload: { name: '  Spaced Ltd \t' } });
      expect(response.statusCode).toBe(201);
      expect(response.json().name).toBe('Spaced Ltd');
    });

    it('answers 404 for an unknown client and 400 for a non-numeric id', async () => {
      expect((await t.admin({ method: 'GET', url: '/api/admin/clients/999999' })).statusCode).toBe(404);
      expect((await t.admin({ method: 'DELETE', url: '/api/admin/clients/999999' })).statusCode).toBe(404);
      expect((await t.admin({ method: 'POST', url: '/api/admin/clients/999999/apikeys' })).statusCode).toBe(404);
      expect((await t.admin({ method: 'GET', url: '/api/admin/clients/999999/callflows' })).statusCode).toBe(404);
      expect((await t.admin({ method: 'GET', url: '/api/admin/clients/999999/clis' })).statusCode).toBe(404);
      expect((await t.admin({ method: 'POST', url: '/api/admin/clients/999999/callflows', payload: { name: 'F' } })).statusCode).toBe(404);
      expect((await t.admin({ method: 'POST', url: '/api/admin/clients/999999/clis', payload: { number: '02079460000' } })).statusCode).toBe(404);
      const bad = await t.admin({ method: 'GET', url: '/api/admin/clients/abc' });
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json().errors)).toEqual(['clientId']);
    });

    it('deletes a client with everything it owns, campaigns included, and its keys stop working', async () => {
      const tenant = await t.createTenant('Doomed Ltd');
      const campaign = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
      expect(campaign.statusCode).toBe(201);
      const deleted = await t.admin({ method: 'DELETE', url: `/api/admin/clients/${tenant.clientId}` });
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}` })).statusCode).toBe(404);
      expect((await asClient(tenant.apiKey)).statusCode).toBe(401);
    });
  });

  describe('API keys', () => {
    it('issues another key: 201 {id, apiKey}; both keys work', async () => {
      const client = await createClient('Two keys');
      const response = await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/apikeys` });
      expect(response.statusCode).toBe(201);
      const body = response.json();
      expect(Object.keys(body).sort()).toEqual(['apiKey', 'id']);
      expect(Number.isInteger(body.id)).toBe(true);
      expect(body.apiKey).not.toBe(client.apiKey);
      expect((await asClient(client.apiKey)).statusCode).toBe(200);
      expect((await asClient(body.apiKey)).statusCode).toBe(200);
    });

    it('lists keys by prefix only, never the key itself', async () => {
      const client = await createClient('Prefixes');
      const second = (await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/apikeys` })).json() as { id: number; apiKey: string };
      const list = await t.admin({ method: 'GET', url: `/api/admin/clients/${client.id}/apikeys` });
      expect(list.statusCode).toBe(200);
      const keys = list.json() as Record<string, unknown>[];
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        expect(Object.keys(key).sort()).toEqual(['clientId', 'createdAt', 'id', 'keyPrefix', 'revokedAt']);
        expect(key.clientId).toBe(client.id);
        expect(key.revokedAt).toBeNull();
      }
      expect(keys[1]!.id).toBe(second.id);
      expect(client.apiKey.startsWith(keys[0]!.keyPrefix as string)).toBe(true);
      expect(second.apiKey.startsWith(keys[1]!.keyPrefix as string)).toBe(true);
      expect((keys[0]!.keyPrefix as string).length).toBeLessThan(client.apiKey.length / 2);
      expect(list.body).not.toContain(client.apiKey);
      expect(list.body).not.toContain(second.apiKey);
    });

    it('revokes a key at once: the next request with it is 401, the other key still works', async () => {
      const client = await createClient('Revoker');
      const second = (await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/apikeys` })).json() as { id: number; apiKey: string };
      expect((await asClient(second.apiKey)).statusCode).toBe(200);
      const revoked = await t.admin({ method: 'DELETE', url: `/api/admin/apikeys/${second.id}` });
      expect(revoked.statusCode).toBe(204);
      const after = await asClient(second.apiKey);
      expect(after.statusCode).toBe(401);
      expect(after.headers['content-type']).toMatch(PROBLEM_JSON);
      expect((await t.app.inject({ method: 'GET', url: '/api/clis', headers: { 'x-api-key': second.apiKey } })).statusCode).toBe(401);
      expect((await asClient(client.apiKey)).statusCode).toBe(200);

      const list = (await t.admin({ method: 'GET', url: `/api/admin/clients/${client.id}/apikeys` })).json() as { id: number; revokedAt: string | null }[];
      expect(list.find((key) => key.id === second.id)!.revokedAt).toBe(new Date(t.clock.now()).toISOString());
    });

    it('answers 404 for revoking an unknown or already revoked key', async () => {
      expect((await t.admin({ method: 'DELETE', url: '/api/admin/apikeys/999999' })).statusCode).toBe(404);
      const client = await createClient('Twice revoked');
      const key = (await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/apikeys` })).json() as { id: number };
      expect((await t.admin({ method: 'DELETE', url: `/api/admin/apikeys/${key.id}` })).statusCode).toBe(204);
      const again = await t.admin({ method: 'DELETE', url: `/api/admin/apikeys/${key.id}` });
      expect(again.statusCode).toBe(404);
      expect(again.headers['content-type']).toMatch(PROBLEM_JSON);
    });
  });

  describe('call flows', () => {
    it('creates a call flow from a name alone, with the default messages', async () => {
      const client = await createClient('Flows');
      const response = await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/callflows`, payload: { name: 'Reminder' } });
      expect(response.statusCode).toBe(201);
      const flow = response.json();
      expect(flow).toEqual({
        id: expect.any(Number),
        clientId: client.id,
        name: 'Reminder',
        // Version 1 of a one-step flow document, and its texts as the first API showed them.
        version: 1,
        flow: {
          version: 1,
          start: 'message',
          steps: [{ id: 'message', type: 'say', text: DEFAULT_FLOW_MESSAGE }],
          voicemail: { say: DEFAULT_VOICEMAIL_MESSAGE },
          smsOnBusy: DEFAULT_SMS_TEXT,
        },
        message: DEFAULT_FLOW_MESSAGE,
        voicemailMessage: DEFAULT_VOICEMAIL_MESSAGE,
        smsText: DEFAULT_SMS_TEXT,
        createdAt: expect.any(String),
      });
      expect(response.headers.location).toBe(`/api/admin/clients/${client.id}/callflows/${flow.id}`);
      // The defaults say something and use only known placeholders.
      for (const text of [flow.message, flow.voicemailMessage, flow.smsText]) expect(text.length).toBeGreaterThan(10);
    });

    it('keeps given messages, with any-case placeholders {Name} and {Parameter1}..{Parameter9}', async () => {
      const client = await createClient('Flows 2');
      const payload = {
        name: 'Appointments',
        message: 'Hi {Name}, your appointment is on {Parameter1} at {parameter9}.',
        voicemailMessage: 'Hi {NAME}, call us back.',
        smsText: 'Appointment {Parameter2}',
      };
      const response = await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/callflows`, payload });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject(payload);
    });

    it('matches body property names case-insensitively', async () => {
      const client = await createClient('Flows 3');
      const response = await t.admin({
        method: 'POST',
        url: `/api/admin/clients/${client.id}/callflows`,
        payload: { Name: 'Cased', Message: 'Hello {Name}', SMSText: 'Text {Name}' },
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ name: 'Cased', message: 'Hello {Name}', smsText: 'Text {Name}' });
    });

    it('rejects unknown placeholders, naming each field and placeholder', async () => {
      const client = await createClient('Flows 4');
      const response = await t.admin({
        method: 'POST',
        url: `/api/admin/clients/${client.id}/callflows`,
        payload: { name: 'Bad', message: 'Hi {Parameter10}', voicemailMessage: 'Hi {Foo} {Parameter0}', smsText: 'ok {Name}' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const { errors } = response.json();
      expect(Object.keys(errors).sort()).toEqual(['Message', 'VoicemailMessage']);
      expect(errors.Message.join(' ')).toContain('{Parameter10}');
      expect(errors.VoicemailMessage.join(' ')).toContain('{Foo}');
      expect(errors.VoicemailMessage.join(' ')).toContain('{Parameter0}');
      // Nothing was stored.
      const list = await t.admin({ method: 'GET', url: `/api/admin/clients/${client.id}/callflows` });
      expect(list.json()).toEqual([]);
    });

    it('rejects a missing or blank name and empty messages', async () => {
      const client = await createClient('Flows 5');
      const url = `/api/admin/clients/${client.id}/callflows`;
      for (const [payload, fields] of [
        [{}, ['Name']],
        [{ name: '  ' }, ['Name']],
        [{ name: 'x'.repeat(101) }, ['Name']],
        [{ name: 'ok', message: '' }, ['Message']],
        [{ name: 'ok', smsText: '' }, ['SmsText']],
        [{ name: 'ok', voicemailMessage: 'x'.repeat(5001) }, ['VoicemailMessage']],
      ] as const) {
        const response = await t.admin({ method: 'POST', url, payload });
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(Object.keys(response.json().errors), JSON.stringify(payload)).toEqual(fields);
      }
    });

    it('lists, reads and deletes call flows; another client\'s flow is 404 under this client', async () => {
      const a = await createClient('Flows A');
      const b = await createClient('Flows B');
      const flowA = (await t.admin({ method: 'POST', url: `/api/admin/clients/${a.id}/callflows`, payload: { name: 'A1' } })).json();
      const flowB = (await t.admin({ method: 'POST', url: `/api/admin/clients/${b.id}/callflows`, payload: { name: 'B1' } })).json();

      const list = await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/callflows` });
      expect(list.json()).toEqual([flowA]);
      const read = await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/callflows/${flowA.id}` });
      expect(read.json()).toEqual(flowA);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/callflows/${flowB.id}` })).statusCode).toBe(404);
      expect((await t.admin({ method: 'DELETE', url: `/api/admin/clients/${a.id}/callflows/${flowB.id}` })).statusCode).toBe(404);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/callflows/999999` })).statusCode).toBe(404);

      const deleted = await t.admin({ method: 'DELETE', url: `/api/admin/clients/${a.id}/callflows/${flowA.id}` });
      expect(deleted.statusCode).toBe(204);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/callflows/${flowA.id}` })).statusCode).toBe(404);
      expect((await t.admin({ method: 'DELETE', url: `/api/admin/clients/${a.id}/callflows/${flowA.id}` })).statusCode).toBe(404);
      // B's flow is untouched.
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${b.id}/callflows/${flowB.id}` })).json()).toEqual(flowB);
    });

    it('refuses with 409 to delete a call flow a campaign uses', async () => {
      const tenant = await t.createTenant('Flow in use');
      const campaign = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
      expect(campaign.statusCode).toBe(201);
      const response = await t.admin({ method: 'DELETE', url: `/api/admin/clients/${tenant.clientId}/callflows/${tenant.callFlowId}` });
      expect(response.statusCode).toBe(409);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.json()).toMatchObject({ status: 409, traceId: expect.any(String) });
      // Still there, still usable.
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/callflows/${tenant.callFlowId}` })).statusCode).toBe(200);
    });
  });

  describe('caller IDs', () => {
    it('creates a CLI: 201 with the number in E.164 and the label', async () => {
      const client = await createClient('Clis');
      const response = await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/clis`, payload: { number: '02079460000', label: 'London office' } });
      expect(response.statusCode).toBe(201);
      const cli = response.json();
      expect(cli).toEqual({ id: expect.any(Number), clientId: client.id, number: '+442079460000', label: 'London office', createdAt: expect.any(String) });
      expect(response.headers.location).toBe(`/api/admin/clients/${client.id}/clis/${cli.id}`);
    });

    it('normalises the common written forms and accepts mobiles, 03 and freephone; the label is optional', async () => {
      const client = await createClient('Clis 2');
      for (const [number, e164] of [
        ['020 7946 0000', '+442079460000'],
        ['+44 (0)20 7946 0001', '+442079460001'],
        ['0044 20 7946 0002', '+442079460002'],
        ['07722 123456', '+447722123456'],
        ['0300 123 4567', '+443001234567'],
        ['0800 123 4567', '+448001234567'],
      ]) {
        const response = await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/clis`, payload: { number } });
        expect(response.statusCode, number).toBe(201);
        expect(response.json()).toMatchObject({ number: e164, label: '' });
      }
    });

    it('refuses premium rate, revenue sharing, personal, pager, non-UK and invalid numbers with 400 at Number', async () => {
      const client = await createClient('Clis 3');
      for (const number of [
        '09098790000', // premium rate
        '0844 123 4567', // revenue sharing
        '0871 123 4567', // revenue sharing
        '070 1234 5678', // personal number
        '07640 123456', // pager
        '12345', // not a number
        '999', // emergency short code
        '+33 1 23 45 67 89', // valid, but not UK
        'call me', // letters
        '',
      ]) {
        const response = await t.admin({ method: 'POST', url: `/api/admin/clients/${client.id}/clis`, payload: { number } });
        expect(response.statusCode, number).toBe(400);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        const { errors } = response.json();
        expect(Object.keys(errors), number).toEqual(['Number']);
        expect(errors.Number[0]).toEqual(expect.any(String));
      }
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${client.id}/clis` })).json()).toEqual([]);
    });

    it('trims the label and refuses one over 100 characters with 400 at Label', async () => {
      const client = await createClient('Clis labels');
      const url = `/api/admin/clients/${client.id}/clis`;
      const trimmed = await t.admin({ method: 'POST', url, payload: { number: '02079460020', label: '  Reception  ' } });
      expect(trimmed.json()).toMatchObject({ label: 'Reception' });
      const long = await t.admin({ method: 'POST', url, payload: { number: '02079460021', label: 'x'.repeat(101) } });
      expect(long.statusCode).toBe(400);
      expect(Object.keys(long.json().errors)).toEqual(['Label']);
    });

    it('lists, reads and deletes CLIs; another client\'s CLI is 404 under this client', async () => {
      const a = await createClient('Clis A');
      const b = await createClient('Clis B');
      const cliA = (await t.admin({ method: 'POST', url: `/api/admin/clients/${a.id}/clis`, payload: { number: '02079460010', label: 'A' } })).json();
      const cliB = (await t.admin({ method: 'POST', url: `/api/admin/clients/${b.id}/clis`, payload: { number: '02079460011', label: 'B' } })).json();

      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/clis` })).json()).toEqual([cliA]);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/clis/${cliA.id}` })).json()).toEqual(cliA);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/clis/${cliB.id}` })).statusCode).toBe(404);
      expect((await t.admin({ method: 'DELETE', url: `/api/admin/clients/${a.id}/clis/${cliB.id}` })).statusCode).toBe(404);

      expect((await t.admin({ method: 'DELETE', url: `/api/admin/clients/${a.id}/clis/${cliA.id}` })).statusCode).toBe(204);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${a.id}/clis/${cliA.id}` })).statusCode).toBe(404);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${b.id}/clis/${cliB.id}` })).json()).toEqual(cliB);
    });

    it('refuses with 409 to delete a CLI a campaign uses', async () => {
      const tenant = await t.createTenant('CLI in use');
      const campaign = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
      expect(campaign.statusCode).toBe(201);
      const response = await t.admin({ method: 'DELETE', url: `/api/admin/clients/${tenant.clientId}/clis/${tenant.cliId}` });
      expect(response.statusCode).toBe(409);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect((await t.admin({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/clis/${tenant.cliId}` })).statusCode).toBe(200);
    });
  });

  it("refuses a field that Ringcast's own bodies do not name, on every closed route, by name", async () => {
    const client = await createClient('Closed Ltd');
    const tenant = await t.createTenant();
    const endpoint = await t.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: tenant.headers,
      payload: { url: 'https://example.com/hook', events: ['call.completed'] },
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const routes: [method: 'POST' | 'PATCH' | 'PUT', url: string, payload: Record<string, unknown>, asClient?: boolean][] = [
      ['POST', '/api/admin/clients', { name: 'Typo Ltd' }],
      ['PATCH', `/api/admin/clients/${client.id}`, { name: 'Typo plc' }],
      ['POST', `/api/admin/clients/${client.id}/callflows`, { name: 'Flow' }],
      ['POST', `/api/admin/clients/${client.id}/clis`, { number: '020 7946 0999' }],
      ['PUT', `/api/admin/clients/${client.id}/limits`, {}],
      ['PUT', `/api/admin/clients/${client.id}/machine-rule`, { on: true }],
      ['POST', `/api/admin/webhooks/${endpoint.json().id}/disable`, { reason: 'testing' }],
      ['POST', '/api/webhooks', { url: 'https://example.com/hook', events: ['call.completed'] }, true],
      ['PATCH', `/api/webhooks/${endpoint.json().id}`, { description: 'x' }, true],
    ];
    for (const [method, url, payload, asClient] of routes) {
      const request = { method, url, payload: { ...payload, colour: 'blue' } };
      const response = asClient ? await t.app.inject({ ...request, headers: tenant.headers }) : await t.admin(request);
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(400);
      expect(response.json().errors, `${method} ${url}`).toEqual({ Colour: ['Colour is not a field of the body.'] });
    }
  });
});
