// PGlite has no autovacuum, so Ringcast refreshes the planner's statistics itself (src/store/database.ts): each table
// of the public schema in a statement of its own, with a small sample, the event loop handed back in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { analyzeTables, PGLITE_STATISTICS_TARGET } from '../../src/store/database.js';

describe('analyzeTables on PGlite', () => {
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
    await analyzeTables(client);
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
