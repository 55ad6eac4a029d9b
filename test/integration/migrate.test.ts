// `ringcast migrate` applies every migration and exits, on an embedded data folder and on PostgreSQL; running it
// again changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/backends.js';
import { spawnRingcast } from '../helpers/processes.js';

const migrate = async (env: Record<string, string>) => {
  const run = spawnRingcast('migrate', env);
  const exit = await run.exited;
  return { code: exit.code, output: run.output() };
};

describe('ringcast migrate', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-migrate-'));
  let testDb: TestDatabase | undefined;
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await testDb?.dispose();
  });

  it('migrates an embedded PGlite data folder, twice without harm', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await migrate({ DATA_DIR: dataDir });
      expect(result).toMatchObject({ code: 0 });
      expect(result.output).toContain('migrations applied (pglite)');
    }
  }, 120_000);

  it.skipIf(!TEST_DATABASE_URL)('migrates a PostgreSQL database, twice without harm', async () => {
    // createTestDatabase migrates already; drop the schema so the command has the work to do.
    testDb = await createTestDatabase('postgres');
    const client = new pg.Client({ connectionString: testDb.url });
    await client.connect();
    await client.query('drop schema public cascade; create schema public; drop schema if exists drizzle cascade');
    for (let i = 0; i < 2; i++) {
      const result = await migrate({ DATABASE_URL: testDb.url! });
      expect(result).toMatchObject({ code: 0 });
      expect(result.output).toContain('migrations applied (postgres)');
    }
    const tables = await client.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
    expect(tables.rows[0].n).toBeGreaterThanOrEqual(11);
    await client.end();
  }, 120_000);
});
