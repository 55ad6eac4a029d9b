// Prepared statements on PGlite read their rows from PGlite's raw output (src/store/pglite-raw-results.ts): the rows
// must be what PGlite's own query() makes of the same statement with the instance's parsers, errors must be PGlite's
// DatabaseError with every field, and notifications raised by a statement that commits itself must reach listen().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { messages, type PGlite } from '@electric-sql/pglite';
import { createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { pgliteOf, runPrepared } from '../../src/store/prepared-statements.js';
import type { Db } from '../../src/store/database.js';

describe('rows read from PGlite output', () => {
  let test: TestDatabase;
  let db: Db;
  let pglite: PGlite;

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    db = test.database.db;
    pglite = pgliteOf(db)!;
    await db.execute(sql`create table raw_probe (id int primary key, note text not null, constraint raw_probe_note_short check (length(note) < 20))`);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  /** The same statement through PGlite's query() (its own parsing), parameters inlined as literals. */
  const viaQuery = async (text: string) => (await pglite.query<Record<string, unknown>>(text)).rows;

  it('gives the rows query() gives, for every type the store reads', async () => {
    const text = `select 1::int2 as small, 2147483647::int4 as int, 9007199254740993::int8 as big, 12.3400::numeric(8,4) as price,
        1.5::float8 as ratio, true as yes, false as no, null::text as nothing, '' as empty, '£5 — café ☎ "quoted" \\ back' as text,
        '{"a":[1,{"b":null}]}'::json as json, '{"k": "v"}'::jsonb as jsonb, timestamptz '2027-01-12T09:00:00.25Z' as at,
        date '2027-01-12' as day, interval '90 minutes' as span, array[1, null, 3]::int[] as ints,
        array['a', null, 'it''s', 'x,y', '{z}']::text[] as texts, array[timestamptz '2027-01-12T09:00:00Z']::timestamptz[] as ats,
        '\\xdeadbeef'::bytea as bytes, 'a' as same, 'b' as same`;
    const [queried] = await viaQuery(text);
    // Twice: the first run prepares the statement, the second only binds it.
    for (let run = 0; run < 2; run++) {
      const rows = await runPrepared<Record<string, unknown>>(db, sql.raw(text));
      expect(rows).toEqual([queried]);
    }
    expect(queried!.same).toBe('b');
  });

  it('reads many rows, long fields and no rows at all', async () => {
    const many = `select g as id, repeat('x', g % 7) || g as note, case when g % 3 = 0 then null else g * 1.5 end as value
                  from generate_series(1, 5000) g`;
    expect(await runPrepared(db, sql.raw(many))).toEqual(await viaQuery(many));
    const long = `select repeat('é', 300000) as note`;
    expect(await runPrepared(db, sql.raw(long))).toEqual(await viaQuery(long));
    expect(await runPrepared(db, sql`select 1 as one where ${1}::int = 2`)).toEqual([]);
    await runPrepared(db, sql`insert into raw_probe (id, note) values (${1}, ${'one'})`);
    expect(await runPrepared(db, sql`update raw_probe set note = ${'uno'} where id = ${1}`)).toEqual([]);
    expect(await runPrepared(db, sql`update raw_probe set note = ${'one'} where id = ${1} returning id, note`)).toEqual([{ id: 1, note: 'one' }]);
  });

  it("throws PGlite's own DatabaseError, with its fields, and the session goes on", async () => {
    await runPrepared(db, sql`insert into raw_probe (id, note) values (${2}, ${'two'})`);
    const duplicate = await runPrepared(db, sql`insert into raw_probe (id, note) values (${2}, ${'again'})`).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(messages.DatabaseError);
    expect(duplicate).toMatchObject({ code: '23505', constraint: 'raw_probe_pkey', table: 'raw_probe', detail: expect.stringContaining('(id)=(2)') });
    const tooLong = await runPrepared(db, sql`insert into raw_probe (id, note) values (${3}, ${'x'.repeat(30)})`).catch((error: unknown) => error);
    expect(tooLong).toMatchObject({ code: '23514', constraint: 'raw_probe_note_short' });
    // An error raised after rows were sent: the rows are not returned, the error is thrown.
    await expect(runPrepared(db, sql`select 1 / (g - ${3}) as x from generate_series(1, 5) g`)).rejects.toMatchObject({ code: '22012' });
    expect(await runPrepared(db, sql`select count(*)::int as n from raw_probe where id = ${2}`)).toEqual([{ n: 1 }]);
  });

  it('tells listen() callbacks of notifications raised by a statement that commits itself, once each', async () => {
    const heard: string[] = [];
    const unlisten = await pglite.listen('Raw_Probe_Channel', (payload) => heard.push(`plain ${payload}`));
    const unlistenQuoted = await pglite.listen('"Quoted Channel"', (payload) => heard.push(`quoted ${payload}`));
    await runPrepared(db, sql`select pg_notify('raw_probe_channel', ${'outside'})`);
    await runPrepared(db, sql`select pg_notify('Quoted Channel', ${'exact name'})`);
    await runPrepared(db, sql`select pg_notify('Raw_Probe_Channel', ${'not the lower-case name'})`);
    // Inside a transaction the notification comes with the commit, which PGlite's own parsing hands over.
    await db.transaction(async (tx) => {
      await runPrepared(db, sql`select pg_notify('raw_probe_channel', ${'in a transaction'})`, tx);
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard.sort()).toEqual(['plain in a transaction', 'plain outside', 'quoted exact name']);
    await unlisten();
    await unlistenQuoted();
    await runPrepared(db, sql`select pg_notify('raw_probe_channel', ${'after unlisten'})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard).toHaveLength(3);
    // PGlite's unlisten() called directly, for a channel or one of its listeners, stops them here too.
    await pglite.listen('raw_probe_channel', (payload) => heard.push(`again ${payload}`));
    await pglite.unlisten('raw_probe_channel');
    const kept = (payload: string) => heard.push(`kept ${payload}`);
    await pglite.listen('raw_probe_channel', kept);
    await pglite.listen('raw_probe_channel', (payload) => heard.push(`dropped ${payload}`));
    await runPrepared(db, sql`select pg_notify('raw_probe_channel', ${'x'})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard.slice(3).sort()).toEqual(['dropped x', 'kept x']);
    await pglite.unlisten('raw_probe_channel', kept);
    await runPrepared(db, sql`select pg_notify('raw_probe_channel', ${'y'})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard.slice(5)).toEqual(['dropped y']);
  });
});
