// The suite runs on embedded PGlite always, and on real PostgreSQL too when TEST_DATABASE_URL is set
// (.ci/run sets it). Each test file gets a database of its own, created fresh and dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { existsSync, readFileSync } from 'node:fs';
import { openDatabase, type Database } from '../../src/store/database.js';
import { PGLITE_TEMPLATE_PATH } from './pglite-template.js';
import { expect, inject } from 'vitest';
import { TEST_DATABASE_PREFIX } from './test-database-names.js';

/** This vitest run's id (global-setup.ts), which names its databases so that its teardown drops what is left. */
function runOfThisTest(): string {
  return inject('testDatabaseRun');
}

export type BackendKind = 'pglite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

/** The backends this run covers; describe.each over this list runs a file's tests on each. */
export const BACKENDS: { kind: BackendKind }[] = [{ kind: 'pglite' }, ...(TEST_DATABASE_URL ? [{ kind: 'postgres' as const }] : [])];

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export interface TestDatabase {
  database: Database;
  /** postgres:// URL of the fresh database (postgres backend only), for child processes. */
  url?: string;
  dispose(): Promise<void>;
}

/** A migrated, empty database on the given backend. */
export async function createTestDatabase(kind: BackendKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // The global setup leaves a migrated PGlite dump behind; starting from it skips initdb (seconds per file).
    const template = existsSync(PGLITE_TEMPLATE_PATH) ? new Blob([readFileSync(PGLITE_TEMPLATE_PATH)]) : undefined;
    const database = await openDatabase({ dataDir: 'memory://', ...(template ? { pgliteTemplate: template } : {}) });
    await database.migrate();
    return { database, dispose: () => database.close() };
  }
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${TEST_DATABASE_PREFIX}${runOfThisTest()}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  // Which test file made it, for the run's teardown to name if the file leaves it behind.
  await admin.query(`comment on database ${name} is '${(expect.getState().testPath ?? 'unknown').replaceAll("'", "''")}'`);
  await admin.end();
  const url = withDatabaseName(TEST_DATABASE_URL, name);
  const database = await openDatabase({ databaseUrl: url, poolSize: 4 });
  await database.migrate();
  return {
    database,
    url,
    async dispose() {
      try {
        await database.close();
      } finally {
        const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await cleanup.connect();
        await cleanup.query(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      }
    },
  };
}
