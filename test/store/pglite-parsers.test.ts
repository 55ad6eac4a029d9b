// Drizzle's per-query parsers installed once on the PGlite instance (src/store/pglite-parsers.ts): the rows must be
// exactly those drizzle gets from a PGlite left as it is, in and out of transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite, types, type QueryOptions } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { sql } from 'drizzle-orm';
import { installDrizzleParsers, withoutInstalledParsers } from '../../src/store/pglite-parsers.js';

const identity = (value: string) => value;

describe('withoutInstalledParsers', () => {
  it('drops parsers only when every one is for a type the instance returns as text', () => {
    expect(withoutInstalledParsers(undefined)).toBeUndefined();
    expect(withoutInstalledParsers({ rowMode: 'array' })).toEqual({ rowMode: 'array' });
    expect(withoutInstalledParsers({ rowMode: 'array', parsers: { [types.TIMESTAMPTZ]: identity, 1185: identity } })).toEqual({ rowMode: 'array' });
    const own = { rowMode: 'object' as const, parsers: { [types.TIMESTAMPTZ]: identity, [types.INT4]: identity } };
    expect(withoutInstalledParsers(own)).toBe(own);
  });
});

describe('installDrizzleParsers', () => {
  let plain: PGlite;
  let installed: PGlite;
  const seen: { parsers: boolean }[] = [];

  beforeAll(async () => {
    plain = new PGlite();
    installed = new PGlite();
    await Promise.all([plain.waitReady, installed.waitReady]);
    // Records what reaches PGlite's own query (the transaction's too) once the parsers are installed.
    const query = installed.query.bind(installed);
    installed.query = ((text: string, params?: unknown[], options?: QueryOptions) => {
      seen.push({ parsers: options?.parsers !== undefined });
      return query(text, params, options);
    }) as PGlite['query'];
    installDrizzleParsers(installed);
    const schema = `create table t (id int primary key, at timestamptz not null, day date, span interval, ats timestamptz[], amounts numeric[], price numeric(12, 4))`;
    const row = `insert into t values (1, '2027-01-12 09:00:00.123+00', '2027-01-12', '1 day 02:03:04', array['2027-01-12 09:00+00'::timestamptz, null], array[1.5, 2.25], 0.0123)`;
    for (const client of [plain, installed]) await client.exec(`${schema}; ${row}`);
  });
  afterAll(async () => {
    await plain?.close();
    await installed?.close();
  });

  const read = `select id, at, day, span, ats, amounts, price, now() - now() as zero, array[current_date] as days from t`;

  it('gives drizzle the same rows as a PGlite left as it is, and PGlite no parsers to merge', async () => {
    const expected = await drizzle(plain).execute(sql.raw(read));
    seen.length = 0;
    const actual = await drizzle(installed).execute(sql.raw(read));
    expect(actual.rows).toEqual(expected.rows);
    expect(typeof (actual.rows[0] as { at: unknown }).at).toBe('string');
    expect(seen).toEqual([{ parsers: false }]);
  });

  it('does the same inside a transaction, which keeps its own members', async () => {
    const expected = await drizzle(plain).transaction((tx) => tx.execute(sql.raw(read)));
    const actual = await drizzle(installed).transaction(async (tx) => {
      const result = await tx.execute(sql.raw(read));
      await tx.execute(sql`update t set price = price + 1 where id = 1`);
      tx.rollback();
      return result;
    }).catch((error: Error) => error);
    // drizzle's rollback() throws to end the transaction: the update was undone, the read still came back whole.
    expect(actual).toBeInstanceOf(Error);
    const after = await installed.query<{ price: string }>('select price::text as price from t');
    expect(after.rows[0]!.price).toBe('0.0123');
    const again = await drizzle(installed).transaction((tx) => tx.execute(sql.raw(read)));
    expect(again.rows).toEqual(expected.rows);
  });

  it('leaves a query with parsers of its own to PGlite to merge', async () => {
    const result = await installed.query<{ id: string }>('select id from t', [], { parsers: { [types.INT4]: (value: string) => `#${value}` } });
    expect(result.rows[0]!.id).toBe('#1');
  });
});
