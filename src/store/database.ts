// Opens the store: embedded PGlite (default, data in DATA_DIR) or PostgreSQL through a node-postgres pool when a
// DATABASE_URL is given. Both are driven by the same Drizzle schema, queries and migrations.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { installDrizzleParsers } from './pglite-parsers.js';
import { takeTurns } from './pglite-turns.js';
import { mirrorListeners } from './pglite-raw-results.js';
import { maintainPeriodically, maintainPostgres, maintainTables, pgliteSession } from './table-maintenance.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Connections open, idle, and queries waiting for one (the Prometheus pool gauges read this at scrape time). */
  poolUse(): { total: number; idle: number; waiting: number };
  /** Applies every pending migration; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The migrations folder sits at the package root, two levels above both src/store and dist/store. */
export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * PGlite's buffer pool. Its default, 128MB, lives in the WASM heap and stays resident once touched, while the data
 * files it caches are already in the operating system's page cache (or, in memory://, in JavaScript memory): with
 * 16MB the process's RSS after opening was 223 MB against 357 MB, and after 400,000 inserted numbers 270 MB against
 * 401 MB, at the same insert speed (bench/create-bulk.ts measures the server's RSS during a 100,000-number create).
 */
const PGLITE_SHARED_BUFFERS = '16MB';
/** PGlite's own start parameters, which startParams replaces rather than extends. */
const PGLITE_START_PARAMS: string[] = (PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams;

/**
 * Session settings for every PostgreSQL connection. JIT compilation is off: every Ringcast statement reads or writes
 * a handful of rows, and JIT starts whenever the planner's estimate, not the work, passes jit_above_cost. The
 * claim's count of the last second's call starts was estimated at 8,990 rows (its statistics lag behind the clock)
 * and so compiled 23 functions for 13 ms, every claim, to read 68 rows in 0.3 ms: 22 of the 53 s of database time in
 * the virtual-time campaign (pg_stat_statements and auto_explain; bench/dialer-virtual-time.ts went from 100-117 s
 * to 70 s). An `options` parameter in DATABASE_URL replaces this one (node-postgres lets the URL win).
 */
export const POSTGRES_SESSION_OPTIONS = '-c jit=off';

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
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, options: POSTGRES_SESSION_OPTIONS });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    // Only where the server's own autovacuum is off (maintainPostgres checks each pass), one process at a time, and
    // only tables whose dead rows call for a vacuum (analyzed with it): with an ANALYZE of every table every 30 s as
    // well, the api-reads bench's fill (one statement inserting 3,030,000 calls) ran for more than 16 minutes instead
    // of 48 s, the server's time in the foreign-key checks' index scans (gdb; the planning cause not isolated).
    let open = true;
    const maintenance = maintainPeriodically(() => (open ? maintainPostgres(pool, { analyze: false }, () => open) : Promise.resolve()));
    return {
      db,
      kind: 'postgres',
      poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      migrate: () => migrateWithLock(pool, () => migratePg(drizzlePg(pool, { schema }), { migrationsFolder })),
      close: async () => {
        open = false;
        maintenance.stop();
        await pool.end();
      },
    };
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? options.dataDir : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  if (dataDir && !options.pgliteTemplate && !existsSync(join(dataDir, 'PG_VERSION'))) {
    // A new data folder is made by initdb inside the WASM module, and the memory initdb touched stays resident for
    // the life of that instance: a server's RSS was 865 MB after its first start against 386 MB after any later one
    // (bench/create-bulk.ts). So the folder is made in a child process, whose memory goes with it, and the server
    // opens it afresh. (A worker thread was not enough: its freed memory stayed in this process's allocator, 341 MB
    // idle after a first start against 249 MB after later ones.)
    await initdbInChildProcess(dataDir);
  }
  const startParams = [...PGLITE_START_PARAMS, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
  const client = options.pgliteTemplate
    ? new PGlite({ ...(dataDir ? { dataDir } : {}), loadDataDir: options.pgliteTemplate, startParams })
    : new PGlite({ ...(dataDir ? { dataDir } : {}), startParams });
  await client.waitReady;
  // Statements queued inside PGlite take turns with the rest of the event loop (pglite-turns.ts).
  takeTurns(client);
  installDrizzleParsers(client);
  // Before any listen(): prepared statements read their own output (pglite-raw-results.ts) and tell these listeners.
  mirrorListeners(client);
  // PGlite runs on the event-loop thread, so a statement that starts a new 16 MB WAL segment blocked every request
  // for 100-270 ms while the segment was zero-filled (bench/create-latency.ts); its file system does not need it.
  await client.exec('set wal_init_zero = off');
  const db = drizzlePglite(client, { schema });
  const maintenance = maintainPeriodically((options) => (client.closed ? Promise.resolve() : maintainTables(pgliteSession(client), options)));
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    // One embedded connection in this process; statements queue inside PGlite, where the count cannot be read.
    poolUse: () => ({ total: 1, idle: 1, waiting: 0 }),
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: async () => {
      maintenance.stop();
      await client.close();
    },
  };
}

/** Makes a PGlite data folder (initdb) in a child process that then exits. */
async function initdbInChildProcess(dataDir: string): Promise<void> {
  // A CommonJS script given PGlite's CommonJS build (found from here) and the folder as arguments.
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const code = `
    const [pglite, dataDir] = process.argv.slice(1);
    const { PGlite } = require(pglite);
    (async () => { const db = new PGlite(dataDir); await db.waitReady; await db.close(); })()
      .catch((error) => { console.error(String((error && error.stack) || error)); process.exit(1); });`;
  try {
    // No inherited NODE_OPTIONS: a loader or a profiler flag meant for this process has no business there.
    await promisify(execFile)(process.execPath, ['-e', code, pglite, dataDir], { env: { ...process.env, NODE_OPTIONS: '' } });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`could not make the PGlite data folder ${dataDir}: ${stderr || (error as Error).message}`);
  }
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
