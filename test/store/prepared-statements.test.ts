// Named prepared statements (src/store/prepared-statements.ts) on each backend: parameters of every kind the dialer
// sends arrive as query() would send them, a statement runs inside the caller's transaction (and is rolled back with
// it), errors keep their SQLSTATE and leave the session usable, and on PGlite a run from outside waits for another
// caller's open transaction instead of running inside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { constant, FixedStatement, pgliteOf, runFixed, runPrepared } from '../../src/store/prepared-statements.js';
import type { Db } from '../../src/store/database.js';

describe.each(BACKENDS)('prepared statements on $kind', ({ kind }) => {
  let test: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    db = test.database.db;
    await db.execute(sql`create table prepared_probe (id int primary key, note text)`);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it('sends dates, arrays with nulls, text and numbers as the client query would, and reads the rows', async () => {
    const at = new Date('2027-01-12T09:00:00.250Z');
    const statement = () => sql`
      select ${at}::timestamptz as at, ${sql.param([1, 2, 3])}::bigint[] as ids, ${sql.param([at, null])}::timestamptz[] as dues,
             ${sql.param(['a', null, "it's"])}::text[] as notes, ${sql.param([true, false])}::boolean[] as flags,
             ${sql.param([1.5, null])}::float8[] as prices, ${7}::int + 1 as eight, ${'quote \' and \\ backslash'}::text as text,
             ${constant(3)} as three`;
    // Twice: the first run prepares the statement, the second only binds it.
    for (let run = 0; run < 2; run++) {
      const [row] = await runPrepared<Record<string, unknown>>(db, statement());
      const plain = (await db.execute(statement())) as unknown as { rows: Record<string, unknown>[] };
      expect(new Date(row!.at as string | Date).toISOString()).toBe(at.toISOString());
      expect((row!.ids as unknown[]).map(Number)).toEqual([1, 2, 3]);
      // Timestamp arrays come as PGlite's query() gives them to drizzle there (text), as Dates from node-postgres.
      if (typeof row!.dues === 'string') expect(row!.dues).toBe(plain.rows[0]!.dues);
      else expect((row!.dues as (Date | null)[]).map((d) => d?.toISOString() ?? null)).toEqual([at.toISOString(), null]);
      expect(row!.notes).toEqual(['a', null, "it's"]);
      expect(row!.flags).toEqual([true, false]);
      expect(row!.prices).toEqual([1.5, null]);
      expect(Number(row!.eight)).toBe(8);
      expect(row!.text).toBe("quote ' and \\ backslash");
      expect(Number(row!.three)).toBe(3);
      expect(Number(plain.rows[0]!.eight)).toBe(8);
    }
  });

  it('runs a statement rendered once with its placeholders filled each run, multi-byte text and nulls included', async () => {
    const fixed = new FixedStatement(sql`
      select ${sql.placeholder('id')}::int + 1 as next, ${sql.placeholder('notes')}::text[] as notes, ${sql.placeholder('note')}::text as note,
             ${'bound once'}::text as kept`);
    for (const [id, notes, note] of [
      [1, ['a', null, 'b'], 'plain'],
      [41, ['£5 — café ☎', ''], null],
      [7, [], 'x'.repeat(70_000)],
    ] as const) {
      const [row] = await runFixed<Record<string, unknown>>(db, fixed, { id, notes: [...notes], note });
      expect({ next: Number(row!.next), notes: row!.notes, note: row!.note, kept: row!.kept }).toEqual({ next: id + 1, notes, note, kept: 'bound once' });
    }
    // The same text run by runPrepared shares the prepared statement (one name per text on a session or connection).
    const [same] = await runPrepared<{ next: number }>(
      db,
      sql`
      select ${2}::int + 1 as next, ${sql.param(['z'])}::text[] as notes, ${'n'}::text as note,
             ${'bound once'}::text as kept`,
    );
    expect(Number(same!.next)).toBe(3);
    await expect(runFixed(db, fixed, { id: 1, notes: [] })).rejects.toThrow(/note/);
  });

  it('refuses a constant that is not an integer (it is written into the text)', () => {
    expect(() => constant(1.5)).toThrow(TypeError);
    expect(() => constant(Number.NaN)).toThrow(TypeError);
  });

  it("runs inside the caller's transaction and is rolled back with it", async () => {
    await expect(
      db.transaction(async (tx) => {
        await runPrepared(db, sql`insert into prepared_probe (id, note) values (${1}, ${'rolled back'})`, tx);
        const seen = await runPrepared<{ n: number }>(db, sql`select count(*)::int as n from prepared_probe where id = ${1}`, tx);
        expect(Number(seen[0]!.n)).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = await runPrepared<{ n: number }>(db, sql`select count(*)::int as n from prepared_probe where id = ${1}`);
    expect(Number(after[0]!.n)).toBe(0);
    await db.transaction(async (tx) => {
      await runPrepared(db, sql`insert into prepared_probe (id, note) values (${2}, ${'kept'})`, tx);
    });
    const kept = await runPrepared<{ note: string }>(db, sql`select note from prepared_probe where id = ${2}`);
    expect(kept).toEqual([{ note: 'kept' }]);
  });

  it('keeps the SQLSTATE of an error, and the session works afterwards', async () => {
    const insert = (id: number) => sql`insert into prepared_probe (id, note) values (${id}, ${'dup'})`;
    await runPrepared(db, insert(10));
    await expect(runPrepared(db, insert(10))).rejects.toMatchObject({ code: '23505' });
    await expect(runPrepared(db, sql`select * from no_such_table where id = ${1}`)).rejects.toMatchObject({ code: '42P01' });
    const [row] = await runPrepared<{ n: number }>(db, sql`select count(*)::int as n from prepared_probe where id = ${10}`);
    expect(Number(row!.n)).toBe(1);
  });

  it('prepares again after the session dropped its prepared statements', async () => {
    const statement = () => sql`select ${5}::int * 2 as ten`;
    expect(Number((await runPrepared<{ ten: number }>(db, statement()))[0]!.ten)).toBe(10);
    if (kind === 'pglite') await db.execute(sql`deallocate all`);
    expect(Number((await runPrepared<{ ten: number }>(db, statement()))[0]!.ten)).toBe(10);
  });

  it.runIf(kind === 'pglite')("waits for another caller's open transaction rather than running inside it", async () => {
    expect(pgliteOf(db)).toBeDefined();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    const transaction = db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into prepared_probe (id, note) values (${20}, ${'in an open transaction'})`);
        inside();
        await held;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await opened;
    // Outside the transaction: must not run in it (it would see row 20, and its insert would be rolled back with it).
    const outside = runPrepared<{ n: number }>(db, sql`select count(*)::int as n from prepared_probe where id = ${20}`);
    const insertOutside = runPrepared(db, sql`insert into prepared_probe (id, note) values (${21}, ${'outside'})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await transaction;
    expect(Number((await outside)[0]!.n)).toBe(0);
    await insertOutside;
    const [row] = await runPrepared<{ n: number }>(db, sql`select count(*)::int as n from prepared_probe where id = ${21}`);
    expect(Number(row!.n)).toBe(1);
  });
});
