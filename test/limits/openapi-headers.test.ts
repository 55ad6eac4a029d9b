// The limits' response headers are in the OpenAPI document (/docs/json): Idempotent-Replayed on the routes that take
// an Idempotency-Key, Retry-After and RateLimit-* on the 429 of every client API route, and not on the operator's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

interface Operation {
  parameters?: { in: string; name: string }[];
  responses: Record<string, { description: string; headers?: Record<string, { schema: { type: string }; description?: string }> }>;
}

describe('OpenAPI document: limit headers', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    t = await createTestApp('pglite');
    const answer = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(answer.statusCode).toBe(200);
    paths = answer.json().paths;
  });
  afterAll(() => t?.close());

  const keyed: [string, string][] = [
    ['post', '/api/campaigns/voice'],
    ['post', '/api/campaigns/voice/csv'],
    ['post', '/api/campaigns/voice/{id}/phonenumbers'],
    ['post', '/api/campaigns/voice/{id}/phonenumbers/csv'],
  ];

  it.each(keyed)('%s %s takes Idempotency-Key and declares Idempotent-Replayed on its answers', (method, path) => {
    const operation = paths[path]?.[method];
    expect(operation, `${method} ${path} in ${Object.keys(paths).join(', ')}`).toBeDefined();
    expect(operation!.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);
    expect(operation!.responses['201']!.headers?.['Idempotent-Replayed']?.schema.type).toBe('string');
    expect(operation!.responses['201']!.headers?.['Idempotent-Replayed']?.description).toMatch(/first answer/);
    // A 400 is stored and replayed too; a 422 (the key reused) never is.
    expect(operation!.responses['400']!.headers).toHaveProperty('Idempotent-Replayed');
    expect(operation!.responses['422']!.headers).toBeUndefined();
    expect(operation!.responses['409']!.headers).toHaveProperty('Retry-After');
  });

  it('declares Retry-After and RateLimit-* on the 429 of every client route, and on no operator route', () => {
    let clientRoutes = 0;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const tooMany = operation.responses['429'];
        if (path.startsWith('/api/admin')) {
          expect(tooMany, `${method} ${path}`).toBeUndefined();
          continue;
        }
        if (!path.startsWith('/api/')) continue;
        clientRoutes++;
        expect(tooMany, `${method} ${path}`).toBeDefined();
        // (A keyed route's 429 of maxNumbersPerDay is stored and replayed: it has Idempotent-Replayed too.)
        expect(Object.keys(tooMany!.headers ?? {}), `${method} ${path}`).toEqual(
          expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After']),
        );
        expect(tooMany!.headers!['Retry-After']!.schema.type).toBe('integer');
      }
    }
    expect(clientRoutes).toBeGreaterThan(10);
    // The routes without a key do not claim to replay.
    expect(paths['/api/campaigns/voice']!.get!.responses['200']!.headers).toBeUndefined();
    expect(Object.keys(paths['/api/campaigns/voice']!.get!.responses['429']!.headers!)).not.toContain('Idempotent-Replayed');
  });
});
