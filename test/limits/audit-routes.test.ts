// Every route under /api that changes state has an audit action name (src/audit/actions.ts): the app refuses to start
// with one that has none, and every name in the table belongs to a real route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { AUDIT_ACTIONS, auditActionOf, auditRouteKey, auditTargets } from '../../src/audit/actions.js';
import { AuditLogWriter } from '../../src/api/plugins/audit-log.js';
import { ManualClock } from '../../src/domain/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { AuditLogRepository } from '../../src/store/repositories/audit-log.js';

describe('audit action names', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(() => t?.close());

  it('name every non-GET route under /api, and only real routes', () => {
    // The app was built, so no route was missing from the table; and the table names no route that does not exist.
    expect([...t.app.services.audit.routeKeys].sort()).toEqual(Object.keys(AUDIT_ACTIONS).sort());
    expect(t.app.services.audit.routeKeys.size).toBeGreaterThan(40);
  });

  it('stop an app with an unnamed route from starting', async () => {
    const app = Fastify();
    new AuditLogWriter({} as AuditLogRepository, new ManualClock('2026-11-26T10:00:00Z')).install(app);
    // Reads and routes outside /api need no name; a change under /api does.
    void app.register(async (plugin) => {
      plugin.get('/api/read', async () => 'ok');
      plugin.post('/outside', async () => 'ok');
    });
    void app.register(async (plugin) => {
      plugin.post('/api/new-thing', async () => 'ok');
    });
    await expect(app.ready()).rejects.toThrow(/POST \/api\/new-thing has no audit action/);
    await app.close().catch(() => undefined);
  });

  it('match route patterns without constraints or a trailing slash', () => {
    expect(auditRouteKey('delete', '/api/campaigns/voice/:id(^\\d+$)')).toBe('DELETE /api/campaigns/voice/:id');
    expect(auditRouteKey('POST', '/api/campaigns/voice/')).toBe('POST /api/campaigns/voice');
    expect(auditActionOf('POST', '/api/campaigns/voice/')).toBe('campaign.create');
    expect(auditActionOf('POST', '/api/callflows/:id/preview')).toBeNull();
    expect(auditActionOf('POST', '/api/unknown')).toBeUndefined();
  });

  it('keep id parameters and leave phone numbers out of the targets', () => {
    expect(auditTargets({ clientId: 3, number: '07700900123' }, undefined)).toEqual({ clientId: 3 });
    expect(auditTargets({ id: 9, eventId: 'e1', ignoreInvalidPhoneNumbers: 'true' }, 12)).toEqual({ id: 9, eventId: 'e1', createdId: 12 });
  });
});
