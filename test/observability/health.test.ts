// /healthz (alive, checks nothing) and /readyz (database, migrations, carrier, drain), as Kubernetes probes read
// them: 200 when ready, 503 listing each check otherwise. /health stays as the older alias.
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { carrierCheck, migrationCheck } from '../../src/observability/readiness.js';

const SIP_REGISTERING = {
  CARRIER: 'sip',
  SIP_TRUNK_HOST: '192.0.2.10',
  SIP_TRUNK_USERNAME: 'ringcast',
  SIP_TRUNK_PASSWORD: 'secret-password',
  SIP_TRUNK_REGISTER: 'true',
};

interface Readiness {
  status: string;
  checks: { name: string; ok: boolean; detail: string }[];
}

const check = (body: Readiness, name: string) => body.checks.find((c) => c.name === name)!;

describe.each(BACKENDS)('health probes ($kind)', ({ kind }) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close().catch(() => {});
    t = undefined;
  });

  it('healthz answers ok without auth; readyz is ready with every check named; /health still answers', async () => {
    t = await createTestApp(kind);
    const alive = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(alive.statusCode).toBe(200);
    expect(alive.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    const body = ready.json() as Readiness;
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => c.name)).toEqual(['database', 'migrations', 'carrier', 'draining']);
    expect(body.checks.every((c) => c.ok)).toBe(true);
    expect(check(body, 'migrations').detail).toMatch(/^at \d{4}_/);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ status: 'ok', database: kind });
  });

  it('readyz is 503 once draining (SIGTERM), while healthz stays 200', async () => {
    t = await createTestApp(kind);
    t.app.services.drain.start(new Date('2026-11-26T10:00:00Z'));
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const body = ready.json() as Readiness;
    expect(body.status).toBe('unready');
    expect(check(body, 'draining')).toMatchObject({ ok: false, detail: expect.stringContaining('draining since 2026-11-26T10:00:00.000Z') });
    expect(check(body, 'database').ok).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('readyz is 503 when the database is closed', async () => {
    t = await createTestApp(kind);
    await t.db.database.close();
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const body = ready.json() as Readiness;
    expect(check(body, 'database')).toMatchObject({ ok: false, detail: expect.stringContaining('database unreachable') });
    expect(check(body, 'migrations').ok).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('readyz is 503 while a trunk that must register is unregistered, and 200 once it is registered', async () => {
    t = await createTestApp(kind, SIP_REGISTERING);
    let state: 'unregistered' | 'registered' = 'unregistered';
    const trunk = t.app.services.carrierStatus.status().trunks[0]!.name;
    t.app.services.carrierStatus.watch({
      registrations: () => [{ trunk, state, detail: { reason: state === 'registered' ? '200 OK' : 'first REGISTER sent' } }],
    });
    const unready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(unready.statusCode).toBe(503);
    expect(check(unready.json() as Readiness, 'carrier')).toMatchObject({ ok: false, detail: expect.stringContaining(`trunk ${trunk} unregistered`) });
    state = 'registered';
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(check(ready.json() as Readiness, 'carrier').ok).toBe(true);
  });

  it('an API-only process (trunk states unknown here) is ready: it places no calls', async () => {
    t = await createTestApp(kind, SIP_REGISTERING);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(check(ready.json() as Readiness, 'carrier').detail).toContain('No dialer runs in this process');
  });
});

describe('readiness rules', () => {
  const shipped = { tag: '0016_number_status_counts_by_writers', when: 1_000 };
  it('migrations: behind, ahead, none and current', () => {
    expect(migrationCheck(undefined, shipped)).toMatchObject({ ok: false, detail: 'no migration has been applied' });
    expect(migrationCheck(999, shipped)).toMatchObject({ ok: false, detail: expect.stringContaining('behind') });
    expect(migrationCheck(1_001, shipped)).toMatchObject({ ok: false, detail: expect.stringContaining('newer than') });
    expect(migrationCheck(1_000, shipped)).toMatchObject({ ok: true, detail: `at ${shipped.tag}` });
  });

  it('carrier: a failed registration is not ready; not-required and simulated are', () => {
    expect(carrierCheck({ carrier: 'sip', trunks: [{ name: 'a', address: 'udp:x', registration: 'failed', detail: '403 Forbidden' }] }).ok).toBe(false);
    expect(carrierCheck({ carrier: 'sip', trunks: [{ name: 'a', address: 'udp:x', registration: 'not-required' }] }).ok).toBe(true);
    expect(carrierCheck({ carrier: 'simulated', trunks: [] })).toEqual({ name: 'carrier', ok: true, detail: 'simulated carrier' });
  });
});
