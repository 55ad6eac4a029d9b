// Every PostgreSQL connection Ringcast opens runs without JIT compilation (POSTGRES_SESSION_OPTIONS), unless the
// operator's DATABASE_URL carries its own `options`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/store/database.js';
import { rowsOf } from '../../src/store/repositories/rows.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';

const postgres = BACKENDS.some((backend) => backend.kind === 'postgres');

describe.skipIf(!postgres)('PostgreSQL session settings', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await test?.dispose();
  });

  const jitOf = async (db: TestDatabase['database']['db']) => {
    const [row] = rowsOf<{ jit: string }>(await db.execute(sql`select current_setting('jit') as jit`));
    return row?.jit;
  };

  it('turns JIT off on every pooled connection', async () => {
    // Several at once, so that more than one connection of the pool answers.
    const settings = await Promise.all(Array.from({ length: 6 }, () => jitOf(test.database.db)));
    expect(new Set(settings)).toEqual(new Set(['off']));
  });

  it('lets options in the URL replace its own', async () => {
    const url = new URL(test.url!);
    url.searchParams.set('options', '-c jit=on');
    const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
    try {
      expect(await jitOf(database.db)).toBe('on');
    } finally {
      await database.close();
    }
  });
});
