// PGlite has no autovacuum, and a PostgreSQL server may have it off, so Ringcast looks after its tables itself
// (src/store/table-maintenance.ts): statistics refreshed and dead rows vacuumed, each table of the public schema in a
// statement of its own (on PGlite with a small sample, the event loop handed back in between).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { MAINTENANCE_LOCK_KEY, maintainPostgres, maintainTables, needsVacuum, pgliteSession, PGLITE_STATISTICS_TARGET, VACUUM_BASE_ROWS } from '../../src/store/table-maintenance.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';

describe('maintainTables on PGlite: statistics', () => {
  let client: PGlite;

  beforeAll(async () => {
    client = new PGlite();
    await client.exec(`
      create table big (id int primary key, kind int not null);
      create table small (id int primary key);
      insert into big select g, g % 7 from generate_series(1, 50000) g;
      insert into small values (1), (2);
      create schema other;
      create table other.untouched (id int);
      insert into other.untouched values (1);`);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('gives every public table its row count and column statistics, with the small sample, and leaves the setting as it was', async () => {
    const before = await client.query<{ reltuples: number }>(`select reltuples from pg_class where relname = 'big'`);
    expect(Number(before.rows[0]!.reltuples)).toBeLessThan(1);

    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    await maintainTables(pgliteSession(client), { analyze: true });
    clearInterval(counting);

    const tables = await client.query<{ relname: string; reltuples: number }>(
      `select relname, reltuples from pg_class where relname in ('big', 'small', 'untouched') order by relname`,
    );
    expect(tables.rows.map((row) => [row.relname, Number(row.reltuples)])).toEqual([
      ['big', 50000],
      ['small', 2],
      ['untouched', -1],
    ]);
    const kinds = await client.query<{ n_distinct: number; buckets: number | null }>(
      `select n_distinct, array_length(most_common_vals::text::text[], 1) as buckets from pg_stats where tablename = 'big' and attname = 'kind'`,
    );
    expect(Number(kinds.rows[0]!.n_distinct)).toBe(7);
    // The histogram of the unique column has at most PGLITE_STATISTICS_TARGET + 1 bounds: the small sample was used.
    const ids = await client.query<{ bounds: number }>(
      `select array_length(histogram_bounds::text::text[], 1) as bounds from pg_stats where tablename = 'big' and attname = 'id'`,
    );
    expect(ids.rows[0]!.bounds).toBeLessThanOrEqual(PGLITE_STATISTICS_TARGET + 1);
    const setting = await client.query<{ default_statistics_target: string }>('show default_statistics_target');
    expect(setting.rows[0]!.default_statistics_target).toBe('100');
    // The event loop ran between the tables.
    expect(turns).toBeGreaterThan(0);
  });
});

describe('maintainTables on PGlite', () => {
  let client: PGlite;

  beforeAll(async () => {
    client = new PGlite();
    await client.exec(`
      create table churned (id int primary key, due int not null);
      create index churned_due_idx on churned (due);
      create table steady (id int primary key);
      insert into churned select g, g from generate_series(1, 20000) g;
      insert into steady select g from generate_series(1, 20000) g;`);
  });
  afterAll(async () => {
    await client?.close();
  });

  const activity = async (table: string) => {
    await client.query('select pg_stat_force_next_flush()');
    const { rows } = await client.query<{ dead: number; vacuumed: Date | null; analyzed: Date | null }>(
      `select n_dead_tup as dead, last_vacuum as vacuumed, last_analyze as analyzed from pg_stat_user_tables where relname = $1`,
      [table],
    );
    return { dead: Number(rows[0]!.dead), vacuumed: rows[0]!.vacuumed, analyzed: rows[0]!.analyzed };
  };

  it('vacuums a table whose dead rows pass the threshold, and only that one, leaving statistics alone when not asked', async () => {
    // Every row moved, as the dialer moves a number twice per call: 20,000 dead versions with their index entries.
    await client.exec('update churned set due = due + 100000; update steady set id = id where id <= 10');
    expect((await activity('churned')).dead).toBe(20_000);

    expect(await maintainTables(pgliteSession(client), { analyze: false })).toEqual(['churned']);

    const churned = await activity('churned');
    expect(churned.dead).toBe(0);
    expect(churned.vacuumed).not.toBeNull();
    // VACUUM (ANALYZE): the statistics came with it.
    expect(churned.analyzed).not.toBeNull();
    const steady = await activity('steady');
    expect(steady.dead).toBe(10);
    expect(steady.vacuumed).toBeNull();
    expect(steady.analyzed).toBeNull();
  });

  it('analyzes every table when asked, vacuuming none that does not need it', async () => {
    expect(await maintainTables(pgliteSession(client), { analyze: true })).toEqual([]);
    expect((await activity('steady')).analyzed).not.toBeNull();
  });

  it('follows autovacuum\'s rule: a base of dead rows plus a share of the live ones', () => {
    expect(needsVacuum({ deadRows: VACUUM_BASE_ROWS, liveRows: 0 })).toBe(false);
    expect(needsVacuum({ deadRows: VACUUM_BASE_ROWS + 1, liveRows: 0 })).toBe(true);
    expect(needsVacuum({ deadRows: 5_000, liveRows: 100_000 })).toBe(false);
    expect(needsVacuum({ deadRows: 12_000, liveRows: 100_000 })).toBe(true);
  });
});

describe.skipIf(!BACKENDS.some((backend) => backend.kind === 'postgres'))('maintainPostgres', () => {
  let test: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    pool = new pg.Pool({ connectionString: test.url, max: 2 });
    await pool.query(`
      create table churned (id int primary key, due int not null);
      create index churned_due_idx on churned (due);
      insert into churned select g, g from generate_series(1, 20000) g;
      update churned set due = due + 100000;`);
  });
  afterAll(async () => {
    await pool?.end();
    await test?.dispose();
  });

  const autovacuumOn = async () => (await pool.query<{ on: boolean }>(`select current_setting('autovacuum') = 'on' as on`)).rows[0]!.on;
  const lastVacuum = async () =>
    (await pool.query<{ vacuumed: Date | null }>(`select last_vacuum as vacuumed from pg_stat_user_tables where relname = 'churned'`)).rows[0]!.vacuumed;

  it('vacuums churned tables when the server does not, and stays out of the way when it does', async () => {
    // The server publishes the update's counters within a second or so.
    for (let waited = 0; waited < 5_000; waited += 100) {
      const { rows } = await pool.query<{ dead: string }>(`select n_dead_tup as dead from pg_stat_user_tables where relname = 'churned'`);
      if (Number(rows[0]?.dead) >= 20_000) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const vacuumed = await maintainPostgres(pool, { analyze: false }, () => true);
    if (await autovacuumOn()) {
      expect(vacuumed).toBeNull();
    } else {
      expect(vacuumed).toEqual(['churned']);
      expect(await lastVacuum()).not.toBeNull();
    }
  });

  it('skips the pass while another process holds the maintenance lock', async () => {
    const other = await pool.connect();
    try {
      await other.query(`select pg_advisory_lock(${MAINTENANCE_LOCK_KEY})`);
      expect(await maintainPostgres(pool, { analyze: true }, () => true)).toBeNull();
      await other.query(`select pg_advisory_unlock(${MAINTENANCE_LOCK_KEY})`);
    } finally {
      other.release();
    }
  });
});
