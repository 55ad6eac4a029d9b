// Opens the store: embedded PGlite (default, data in DATA_DIR) or PostgreSQL through a node-postgres pool when a
// DATABASE_URL is given. Both are driven by the same Drizzle schema, queries and migrations.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Applies every pending migration; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The migrations folder sits at the package root, two levels above both src/store and dist/store. */
export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface DatabaseOptions {
  /** postgres://... ; when absent PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` (or undefined) keeps it in memory. */
  dataDir?: string | undefined;
  /** node-postgres pool size. */
  poolSize?: number;
  /** Start PGlite from this dump (from `dumpPglite`) instead of an empty cluster: much faster than initdb. */
  pgliteTemplate?: Blob;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      migrate: () => migrateWithLock(pool, () => migratePg(drizzlePg(pool, { schema }), { migrationsFolder })),
      close: () => pool.end(),
    };
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? options.dataDir : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = options.pgliteTemplate
    ? new PGlite({ ...(dataDir ? { dataDir } : {}), loadDataDir: options.pgliteTemplate })
    : new PGlite(dataDir);
  await client.waitReady;
  // PGlite runs on the event-loop thread, so a statement that starts a new 16 MB WAL segment blocked every request
  // for 100-270 ms while the segment was zero-filled (bench/create-latency.ts); its file system does not need it.
  await client.exec('set wal_init_zero = off');
  const db = drizzlePglite(client, { schema });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}

/** A PGlite database's whole data folder as a blob, to start copies of it with `pgliteTemplate`. */
export async function dumpPglite(database: Database): Promise<Blob> {
  if (database.kind !== 'pglite') throw new Error('only a PGlite database can be dumped');
  return ((database.db as unknown as { $client: PGlite }).$client).dumpDataDir('none');
}

/** Several processes may start at once against one PostgreSQL: an advisory lock makes them migrate in turn. */
async function migrateWithLock(pool: pg.Pool, run: () => Promise<void>): Promise<void> {
  const MIGRATION_LOCK_KEY = 7_123_001;
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await run();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    client.release();
  }
}
