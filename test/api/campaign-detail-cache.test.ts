// The campaign detail cache (src/store/campaign-detail-cache.ts): a detail read is kept until the database says the
// campaign changed, whoever changed it (another database client, another app on the same database, this app), and
// tenancy and the size cap hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { CampaignDetailCache } from '../../src/store/campaign-detail-cache.js';
import type { CampaignDetail } from '../../src/store/repositories/campaigns.js';

/** Waits until `check` passes (a NOTIFY reaches a listener shortly after the commit). */
async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe.each(BACKENDS)('campaign detail cache on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let other: Tenant;
  let second: App;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
    other = await t.createTenant();
    // A second app on the same database, as a second server process would be.
    second = await buildApp({ settings: loadSettings({ LOG_LEVEL: 'silent' }), database: t.db.database, clock: t.clock });
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  const create = async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
    expect(response.statusCode).toBe(201);
    return response.json().id as number;
  };
  const read = (app: App, id: number, headers = tenant.headers) => app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}`, headers });
  /** SQL from outside either app: a pg client of its own on PostgreSQL, the shared PGlite instance's driver otherwise. */
  const sql = async (text: string, params: unknown[]) => {
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        await client.query(text, params);
      } finally {
        await client.end();
      }
    } else {
      await (t.db.database.db as unknown as { $client: { query(text: string, params: unknown[]): Promise<unknown> } }).$client.query(text, params);
    }
  };

  it('serves a second read from the cache and drops it when another database client changes the campaign', async () => {
    const id = await create();
    // The create's own notifications (its attempts, run-over days, the end of filling) arrive after its answer and
    // may evict the first read: once they are in, a read stays.
    await eventually(async () => {
      expect((await read(t.app, id)).json().name).not.toBe('Renamed elsewhere');
      expect(t.app.services.campaignDetails.has(id)).toBe(true);
    });
    await sql('update campaigns set name = $1 where id = $2', ['Renamed elsewhere', id]);
    await eventually(async () => expect((await read(t.app, id)).json().name).toBe('Renamed elsewhere'));
  });

  it('drops a cached detail when an attempt or a run-over day changes', async () => {
    const id = await create();
    const before = (await read(t.app, id)).json();
    await sql('update campaign_attempts set interval_minutes = interval_minutes + 7 where campaign_id = $1 and attempt_number = 1', [id]);
    await eventually(async () =>
      expect((await read(t.app, id)).json().attempts[0].interval).toBe(before.attempts[0].interval + 7),
    );
    await sql('delete from campaign_runover_days where campaign_id = $1', [id]);
    await eventually(async () => expect((await read(t.app, id)).json().runOverDays).toEqual([]));
  });

  it("sees another app's pause, and reads its own pause at once", async () => {
    const id = await create();
    expect((await read(t.app, id)).json().campaignStatus).not.toBe(4);
    expect((await read(second, id)).json().campaignStatus).not.toBe(4);
    const paused = await second.inject({ method: 'POST', url: `/api/campaigns/voice/${id}/pause`, headers: tenant.headers });
    expect(paused.statusCode).toBe(200);
    const status = paused.json().campaignStatus as number;
    // The writing app evicted synchronously: no wait.
    expect((await read(second, id)).json().campaignStatus).toBe(status);
    await eventually(async () => expect((await read(t.app, id)).json().campaignStatus).toBe(status));
  });

  it.runIf(kind === 'postgres')('after its listening connection drops, bypasses the cache, reconnects and keeps it again', async () => {
    const id = await create();
    await eventually(async () => {
      await read(t.app, id);
      expect(t.app.services.campaignDetails.has(id)).toBe(true);
    });
    const listeners = async () => {
      const client = new pg.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        const result = await client.query<{ pid: number }>(
          `select pid from pg_stat_activity where datname = current_database() and query = 'LISTEN campaign_changed' and pid <> pg_backend_pid()`,
        );
        return result.rows.map((row) => row.pid);
      } finally {
        await client.end();
      }
    };
    const before = await listeners();
    // Both apps' listening connections (this one and `second`).
    expect(before.length).toBeGreaterThanOrEqual(2);
    await sql('select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1::int[])', [before]);
    // The connection's end empties the cache: a change made while nobody listens cannot leave a stale entry.
    await eventually(async () => expect(t.app.services.campaignDetails.has(id)).toBe(false));
    await sql('update campaigns set name = $1 where id = $2', ['Renamed while deaf', id]);
    expect((await read(t.app, id)).json().name).toBe('Renamed while deaf');
    // Reconnected (new backends, after the backoff), the cache keeps reads again and hears changes again.
    await eventually(async () => {
      const now = await listeners();
      expect(now.length).toBe(before.length);
      expect(now.some((pid) => before.includes(pid))).toBe(false);
    });
    await eventually(async () => {
      await read(t.app, id);
      expect(t.app.services.campaignDetails.has(id)).toBe(true);
    });
    await sql('update campaigns set name = $1 where id = $2', ['Renamed after reconnecting', id]);
    await eventually(async () => expect((await read(t.app, id)).json().name).toBe('Renamed after reconnecting'));
  });

  it("answers 404 to another client's key, cached or not, and after a delete", async () => {
    const id = await create();
    expect((await read(t.app, id)).statusCode).toBe(200);
    expect((await read(t.app, id, other.headers)).statusCode).toBe(404);
    expect((await read(t.app, id)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/campaigns/voice/${id}`, headers: tenant.headers })).statusCode).toBe(204);
    expect((await read(t.app, id)).statusCode).toBe(404);
  });
});

describe('campaign detail cache rules', () => {
  const detailOf = (id: number) => ({ campaign: { id } }) as unknown as CampaignDetail;
  const counting = () => {
    const calls: number[] = [];
    return { calls, get: async (_clientId: number, id: number) => (calls.push(id), detailOf(id)) };
  };

  it('keeps at most its size cap, dropping the oldest entry', async () => {
    const repository = counting();
    const cache = new CampaignDetailCache(repository, 2);
    cache.listening(true);
    for (const id of [1, 2, 3]) await cache.get(1, id);
    expect(cache.size).toBe(2);
    await cache.get(1, 3);
    await cache.get(1, 1);
    expect(repository.calls).toEqual([1, 2, 3, 1]);
  });

  it('does not keep a read that a change raced, and is bypassed while not listening', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: number[] = [];
    const cache = new CampaignDetailCache({ get: async (_c: number, id: number) => (calls.push(id), await gate, detailOf(id)) });
    cache.listening(true);
    const read = cache.get(1, 5);
    cache.changed(5);
    release();
    await read;
    expect(cache.size).toBe(0);
    cache.listening(false);
    await cache.get(1, 6);
    await cache.get(1, 6);
    expect(cache.size).toBe(0);
    expect(calls).toEqual([5, 6, 6]);
  });
});
