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
import { yieldToEventLoop } from '../domain/stepwise.js';
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

/**
 * PGlite's buffer pool. Its default, 128MB, lives in the WASM heap and stays resident once touched, while the data
 * files it caches are already in the operating system's page cache (or, in memory://, in JavaScript memory): with
 * 16MB the process's RSS after opening was 223 MB against 357 MB, and after 400,000 inserted numbers 270 MB against
 * 401 MB, at the same insert speed (bench/create-bulk.ts measures the server's RSS during a 100,000-number create).
 */
const PGLITE_SHARED_BUFFERS = '16MB';
/** PGlite's own start parameters, which startParams replaces rather than extends. */
const PGLITE_START_PARAMS: string[] = (PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams;

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
  // PGlite runs on the event-loop thread, so a statement that starts a new 16 MB WAL segment blocked every request
  // for 100-270 ms while the segment was zero-filled (bench/create-latency.ts); its file system does not need it.
  await client.exec('set wal_init_zero = off');
  const db = drizzlePglite(client, { schema });
  const analyzer = analyzePeriodically(client);
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: async () => {
      analyzer.stop();
      await client.close();
    },
  };
}

/**
 * How often PGlite's planner statistics are refreshed. PGlite runs PostgreSQL in single-user mode, with no
 * autovacuum to ANALYZE tables as they grow (nor the activity counters autovacuum decides by), so a database that
 * started empty kept the statistics of an empty one: the dialer's claim counted the last second's calls by reading
 * every call (issue 10, a 10,000-number campaign in virtual time: 2.6 ms a claim for that count, 1.1 ms once
 * analyzed). Once a column has a histogram the planner finds its current end from the index, so a table that keeps
 * growing is planned well between refreshes.
 *
 * PGlite runs on the event loop, and one ANALYZE of every table with the default sample (30,000 rows a table) held it
 * for 170-240 ms once the tables had 100,000 rows (bench/create-latency.ts: a 204 ms block during a create, against
 * its 50 ms limit). So each table is analyzed in a statement of its own, the event loop handed back between them,
 * with a sample of PGLITE_STATISTICS_TARGET x 300 rows: enough for row counts and the coarse distributions these
 * plans turn on.
 */
export const PGLITE_ANALYZE_INTERVAL_MS = 30_000;
/** The first refresh comes sooner: a new database fills fastest at first (a campaign created with its numbers). */
export const PGLITE_FIRST_ANALYZE_MS = 5_000;
/** default_statistics_target while analyzing (PostgreSQL's default is 100). */
export const PGLITE_STATISTICS_TARGET = 10;

/** ANALYZE of each table of the public schema in turn, yielding to the event loop before each. */
export async function analyzeTables(client: PGlite): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(relname) as name from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace order by relname`,
  );
  for (const { name } of rows) {
    await yieldToEventLoop();
    if (client.closed) return;
    await client.exec(`set default_statistics_target = ${PGLITE_STATISTICS_TARGET}; analyze ${name}; reset default_statistics_target`);
  }
}

/** Runs ANALYZE after PGLITE_FIRST_ANALYZE_MS and then every PGLITE_ANALYZE_INTERVAL_MS (real time) until stopped. */
function analyzePeriodically(client: PGlite): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      if (stopped || client.closed) return;
      // A failure (the database closing meanwhile) just waits for the next run.
      analyzeTables(client)
        .catch(() => {})
        .finally(() => {
          if (!stopped) schedule(PGLITE_ANALYZE_INTERVAL_MS);
        });
    }, delayMs);
    // Not a reason to keep the process alive.
    timer.unref();
  };
  schedule(PGLITE_FIRST_ANALYZE_MS);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
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
