// Says plainly which backends this run covers. With REQUIRE_PEERS=1 (set by .ci/run) a missing PostgreSQL fails
// the run instead of being skipped.
import { ensurePgliteTemplate } from './pglite-template.js';

export default async function setup(): Promise<void> {
  await ensurePgliteTemplate();
  announceBackends();
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
