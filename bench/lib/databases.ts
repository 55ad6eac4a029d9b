// The databases a benchmark runs on: PGlite always, and PostgreSQL when BENCH_DATABASE_URL (or TEST_DATABASE_URL)
// names a server; there a scratch database is made for the run and dropped after it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/database.js';

export type BenchBackend = 'PGlite' | 'PostgreSQL';

export function benchPostgresUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
}

/** Runs `measure` on a fresh, migrated database of the backend, and closes (and on PostgreSQL drops) it after. */
export async function onFreshDatabase<T>(backend: BenchBackend, measure: (database: Database, url?: string) => Promise<T>): Promise<T> {
  if (backend === 'PGlite') {
    // In a data folder, as `ringcast serve` runs it: memory:// has a different cost (its file system copies a table's
    // whole file each time the file outgrows its buffer), so a figure measured there is not the server's.
    const dataDir = process.env.BENCH_PGLITE_MEMORY === '1' ? 'memory://' : mkdtempSync(join(tmpdir(), 'ringcast-bench-pglite-'));
    const database = await openDatabase({ dataDir });
    try {
      await database.migrate();
      return await measure(database);
    } finally {
      await database.close();
      if (dataDir !== 'memory://') rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const url = benchPostgresUrl();
  if (!url) throw new Error('PostgreSQL benchmarks need BENCH_DATABASE_URL or TEST_DATABASE_URL');
  const name = `ringcast_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: target.toString() });
  try {
    await database.migrate();
    return await measure(database, target.toString());
  } finally {
    await database.close();
    // BENCH_KEEP_DATABASE=1 leaves it for EXPLAIN ANALYZE after the run (its name is printed).
    if (process.env.BENCH_KEEP_DATABASE === '1') console.log(`(kept the scratch database ${name})`);
    else await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/**
 * The backends this run measures: PGlite, and PostgreSQL when a server is named. BENCH_BACKEND=pglite|postgres
 * measures only that one (to profile one backend).
 */
export function benchBackends(): BenchBackend[] {
  const only = process.env.BENCH_BACKEND?.toLowerCase();
  if (only === 'pglite') return ['PGlite'];
  if (only === 'postgres' || only === 'postgresql') {
    if (!benchPostgresUrl()) throw new Error('BENCH_BACKEND=postgres needs BENCH_DATABASE_URL (or TEST_DATABASE_URL)');
    return ['PostgreSQL'];
  }
  return benchPostgresUrl() ? ['PGlite', 'PostgreSQL'] : ['PGlite'];
}
