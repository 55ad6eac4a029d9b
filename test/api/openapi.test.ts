// The OpenAPI 3 document at /openapi.json (generated from the route schemas) and Swagger UI at /docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { CallOutcome, CallStage, CampaignStatus, CampaignType, MAX_CALL_STAGE, type EnumMember } from '../../src/domain/enums.js';

/** Parsed JSON walked by path; the document's shape is what these tests check, so it is not typed up front. */
type Json = Record<string, any>;

const DOCUMENTED: Record<string, string[]> = {
  '/api/campaigns/voice': ['get', 'post'],
  '/api/campaigns/voice/p': ['get'],
  '/api/campaigns/voice/{id}': ['get'],
  '/api/campaigns/voice/{id}/phonenumbers': ['get'],
  '/api/campaigns/voice/{id}/phonenumbers/{pageNumber}': ['get'],
  '/api/campaigns/voice/{id}/phonenumbers/{pageSize}/{pageNumber}': ['get'],
  '/api/campaigns/voice/{ignoreInvalidPhoneNumbers}': ['post'],
  '/api/callflows': ['get'],
  '/api/clis': ['get'],
  '/api/admin/clients': ['get', 'post'],
  '/api/admin/clients/{clientId}': ['delete', 'get'],
  '/api/admin/clients/{clientId}/apikeys': ['get', 'post'],
  '/api/admin/apikeys/{keyId}': ['delete'],
  '/api/admin/clients/{clientId}/callflows': ['get', 'post'],
  '/api/admin/clients/{clientId}/callflows/{id}': ['delete', 'get'],
  '/api/admin/clients/{clientId}/clis': ['get', 'post'],
  '/api/admin/clients/{clientId}/clis/{id}': ['delete', 'get'],
};
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

describe.each(BACKENDS)('OpenAPI document and Swagger UI on $kind', ({ kind }) => {
  let t: TestApp;
  let doc: Json;

  const operations = () =>
    Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      Object.entries(item as Json)
        .filter(([method]) => HTTP_METHODS.has(method))
        .map(([method, operation]) => ({ path, method, operation: operation as Json })),
    );
  const okSchema = (path: string, method = 'get', status = '200') => doc.paths[path][method].responses[status].content['application/json'].schema as Json;
  /** Each value appears as "value = Name" in the description, the form the README uses too. */
  const expectEnumDocumented = (schema: Json, members: readonly EnumMember[]) => {
    expect(schema.enum).toEqual(members.map((member) => member.value));
    for (const member of members) expect(schema.description).toContain(`${member.value} = ${member.name}`);
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    doc = response.json();
  });
  afterAll(() => t.close());

  it('is an OpenAPI 3 document with a title and version', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
  });

  it('documents every endpoint with its methods, and nothing internal', () => {
    for (const [path, methods] of Object.entries(DOCUMENTED)) {
      expect(doc.paths[path], path).toBeDefined();
      // Ringcast's own additions (e.g. DELETE of a campaign) may sit beside the documented methods.
      expect(Object.keys(doc.paths[path]).filter((method) => HTTP_METHODS.has(method)), path).toEqual(expect.arrayContaining(methods));
    }
    // Internal routes stay out of the document (Ringcast extensions beyond the contract may be added to it).
    for (const hidden of ['/openapi.json', '/health', '/docs', '/docs/json']) expect(doc.paths[hidden], hidden).toBeUndefined();
    expect(Object.keys(doc.paths).every((path) => path.startsWith('/api/'))).toBe(true);
  });

  it('gives every operation a summary and a documented 401', () => {
    for (const { path, method, operation } of operations()) {
      expect(operation.summary, `${method} ${path}`).toEqual(expect.any(String));
      expect(operation.responses['401'], `${method} ${path}`).toBeDefined();
    }
  });

  it('declares every path parameter in the path template, and every template variable as a required path parameter', () => {
    for (const { path, method, operation } of operations()) {
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      const declared = ((operation.parameters ?? []) as Json[]).filter((parameter) => parameter.in === 'path');
      expect(declared.map((parameter) => parameter.name).sort(), `${method} ${path}`).toEqual(inTemplate);
      for (const parameter of declared) expect(parameter.required, `${method} ${path} ${parameter.name}`).toBe(true);
    }
  });

  it('describes errors with the shared problem details schema', () => {
    for (const { path, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        if (!/^[45]/.test(status)) continue;
        const ref = (response as Json).content['application/json'].schema.$ref as string;
        expect(ref, `${method} ${path} ${status}`).toMatch(/^#\/components\/schemas\//);
        const problem = doc.components.schemas[ref.split('/').pop()!];
        expect(problem.required, ref).toEqual(expect.arrayContaining(['type', 'title', 'status', 'traceId']));
      }
    }
  });

  it('names the shared problem schema Problem', () => {
    expect(Object.keys(doc.components.schemas)).toContain('Problem');
  });

  it('secures client endpoints with a Bearer key or X-API-Key, and operator endpoints with Bearer only', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.apiKeyHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(doc.security).toEqual(expect.arrayContaining([{ bearerAuth: [] }, { apiKeyHeader: [] }]));
    for (const { path, method, operation } of operations()) {
      if (path.startsWith('/api/admin/')) expect(operation.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
      else expect(operation.security, `${method} ${path}`).toBeUndefined();
    }
  });

  it('describes every value of type and campaignStatus in the list items', () => {
    const item = okSchema('/api/campaigns/voice').items as Json;
    expectEnumDocumented(item.properties.type, CampaignType.members);
    expectEnumDocumented(item.properties.campaignStatus, CampaignStatus.members);
    const pageItem = okSchema('/api/campaigns/voice/p').properties.items.items as Json;
    expectEnumDocumented(pageItem.properties.campaignStatus, CampaignStatus.members);
    const detail = okSchema('/api/campaigns/voice/{id}');
    expectEnumDocumented(detail.properties.type, CampaignType.members);
  });

  it('describes call stage (the last flow step reached) and every call outcome in the phone-number listing', () => {
    for (const path of [
      '/api/campaigns/voice/{id}/phonenumbers',
      '/api/campaigns/voice/{id}/phonenumbers/{pageNumber}',
      '/api/campaigns/voice/{id}/phonenumbers/{pageSize}/{pageNumber}',
    ]) {
      const call = okSchema(path).items.properties.calls.items as Json;
      expect(call.properties.stage).toMatchObject({ type: 'integer', minimum: 0, maximum: MAX_CALL_STAGE });
      expect(call.properties.stage.description).toMatch(/last call-flow step reached/);
      expectEnumDocumented(call.properties.outcome, CallOutcome.members);
    }
  });

  it('tabulates the enumerations in the document description too', () => {
    for (const members of [CampaignType.members, CampaignStatus.members, CallStage.members, CallOutcome.members]) {
      for (const member of members) expect(doc.info.description).toContain(`| ${member.value} | ${member.name} |`);
    }
  });

  it('documents the response shapes key for key, with the document\'s casing', () => {
    const listItem = okSchema('/api/campaigns/voice').items as Json;
    expect(Object.keys(listItem.properties).sort()).toEqual(
      ['callCount', 'callFlow_Id', 'campaignStatus', 'cli_id', 'finishtime', 'id', 'name', 'startDate', 'starttime', 'type'],
    );
    expect(Object.keys(okSchema('/api/campaigns/voice/p').properties).sort()).toEqual(['items', 'pageIndex', 'totalPages', 'totalRecords']);
    const detail = okSchema('/api/campaigns/voice/{id}');
    expect(detail.properties.cli_Id).toBeDefined();
    expect(detail.properties.cli_id).toBeUndefined();
    expect(Object.keys(detail.properties.runOverDays.items.properties).sort()).toEqual(['date', 'finishTime', 'startTime']);
    const number = okSchema('/api/campaigns/voice/{id}/phonenumbers').items as Json;
    expect(Object.keys(number.properties).sort()).toEqual(['calls', 'id', 'name', 'number', 'parameters', 'sms', 'status', 'statusReason']);
  });

  it('documents the paging, sorting and filtering parameters of /p with their limits', () => {
    const parameters = doc.paths['/api/campaigns/voice/p'].get.parameters as Json[];
    const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
    for (const name of ['pageIndex', 'pageSize', 'sortColumn', 'sortOrder', 'name', 'campaignStatus', 'type', 'callFlow_Id', 'cli_id', 'startDateFrom', 'startDateTo', 'filterColumn', 'filterQuery']) {
      expect(byName.get(name)?.in, name).toBe('query');
      expect(byName.get(name)?.schema.description ?? byName.get(name)?.description, name).toEqual(expect.any(String));
    }
    expect(byName.get('pageIndex')!.schema).toMatchObject({ type: 'integer', minimum: 1, default: 1 });
    expect(byName.get('pageSize')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 10 });
  });

  it('describes every integer a request takes (path, query, body) as an integer with its range or its values', () => {
    // The strict integer rule (src/api/strict-integer.ts) accepts only what the column holds: each field states it.
    const integers: { where: string; schema: Json }[] = [];
    const collect = (schema: Json | undefined, where: string): void => {
      if (!schema || typeof schema !== 'object') return;
      if (schema.type === 'integer') integers.push({ where, schema });
      for (const [name, child] of Object.entries((schema.properties ?? {}) as Json)) collect(child, `${where}.${name}`);
      collect(schema.items, `${where}[]`);
      for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])] as Json[]) collect(branch, where);
    };
    for (const { path, method, operation } of operations()) {
      for (const parameter of (operation.parameters ?? []) as Json[]) collect(parameter.schema, `${method} ${path} ${parameter.in} ${parameter.name}`);
      collect(operation.requestBody?.content?.['application/json']?.schema, `${method} ${path} body`);
    }
    expect(integers.map(({ where }) => where)).toEqual(
      expect.arrayContaining(['get /api/campaigns/voice/{id} path id', 'get /api/campaigns/voice/p query pageIndex', 'post /api/campaigns/voice body.callflow_Id']),
    );
    for (const { where, schema } of integers) {
      if (schema.enum) continue;
      expect(schema, where).toMatchObject({ minimum: expect.any(Number), maximum: expect.any(Number) });
      expect(schema.maximum, where).toBeLessThanOrEqual(2147483647);
    }
  });

  it('documents the phone-number page size limit', () => {
    const parameters = doc.paths['/api/campaigns/voice/{id}/phonenumbers/{pageSize}/{pageNumber}'].get.parameters as Json[];
    expect(parameters.find((parameter) => parameter.name === 'pageSize')!.schema).toMatchObject({ maximum: 1000 });
  });

  it('serves Swagger UI at /docs as HTML', async () => {
    let response = await t.app.inject({ method: 'GET', url: '/docs' });
    for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops++) {
      response = await t.app.inject({ method: 'GET', url: String(response.headers.location) });
    }
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/swagger/i);
  });

  it('serves the same document to Swagger UI as at /openapi.json', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json().paths).sort()).toEqual(Object.keys(doc.paths).sort());
  });
});
