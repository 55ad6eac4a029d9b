// Says plainly which backends this run covers. With REQUIRE_PEERS=1 (set by .ci/run) a missing PostgreSQL fails
// the run instead of being skipped.
//
// Every PostgreSQL database a test file makes is named after this run (backends.ts), and the teardown drops any the
// run left behind, naming them: a file whose close did not finish (a timeout, a crash) once left its database on the
// shared server after every run, there for the next CI run on the same machine to find.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensurePgliteTemplate } from './pglite-template.js';
import { TEST_DATABASE_PREFIX } from './test-database-names.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensurePgliteTemplate();
  announceBackends();
  const runId = randomBytes(4).toString('hex');
  project.provide('testDatabaseRun', runId);
  return () => dropLeftovers(runId);
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseRun: string;
  }
}

async function dropLeftovers(runId: string): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string; file: string | null }>(
      `select datname, shobj_description(oid, 'pg_database') as file from pg_database where datname like $1`,
      [`${TEST_DATABASE_PREFIX}${runId}\\_%`],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    if (rows.length > 0) {
      const named = rows.map((row) => `${row.datname} (made by ${row.file ?? 'an unknown file'})`);
      console.warn(`[ringcast tests] dropped ${rows.length} database(s) a test file left behind: ${named.join(', ')}`);
    }
  } finally {
    await admin.end();
  }
}

function announceBackends(): void {
  if (process.env.TEST_DATABASE_URL) {
    console.log(`[ringcast tests] databases: PGlite and PostgreSQL (${redact(process.env.TEST_DATABASE_URL)})`);
    return;
  }
  if (process.env.REQUIRE_PEERS === '1') {
    throw new Error('REQUIRE_PEERS=1 but TEST_DATABASE_URL is not set: the PostgreSQL half of the suite cannot run.');
  }
  console.warn(
    '\n[ringcast tests] NOTICE: TEST_DATABASE_URL is not set, so the PostgreSQL runs are SKIPPED; only PGlite is tested.\n' +
      '  Set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to cover PostgreSQL too.\n',
  );
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
