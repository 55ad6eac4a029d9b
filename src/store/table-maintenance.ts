// Does what autovacuum would where it does not run: PGlite (single-user mode, no autovacuum at all) and a PostgreSQL
// server with `autovacuum = off`. Planner statistics refreshed, dead rows vacuumed, a table at a time.
//
// - ANALYZE: a database that started empty kept the statistics of an empty one, and the dialer's claim counted the
//   last second's calls by reading every call (issue 10, a 10,000-number campaign in virtual time: 2.6 ms a claim for
//   that count, 1.1 ms once analyzed). Once a column has a histogram the planner finds its current end from the index,
//   so a table that keeps growing is planned well between refreshes.
// - VACUUM: every claim and every recorded call writes a new version of its number's row, and the old one stays, with
//   its index entries, until a vacuum. The claim reads the due index from a campaign's earliest due time, where the
//   entries of every number already claimed lie: 500-1,100 index and heap pages for a claim of 9-12 numbers an hour
//   into a 100,000-number campaign (EXPLAIN ANALYZE, bench/dialer-virtual-time.ts), and the tables never stopped
//   growing. On a PostgreSQL server with autovacuum off, 30 virtual minutes into the same campaign phone_numbers held
//   299,295 dead rows for 100,000 live ones, and the lease-recovery scan of the dialling index read 128,958 entries
//   and 2,319 heap pages to find none expired (9.6 ms, every pass). A table is vacuumed when its dead rows pass
//   autovacuum's rule (a base plus a share of its live rows), read from PostgreSQL's activity counters.
//
// PGlite runs on the event loop, and one ANALYZE of every table with the default sample (30,000 rows a table) held it
// for 170-240 ms once the tables had 100,000 rows (bench/create-latency.ts: a 204 ms block during a create, against
// its 50 ms limit). So each table is done in a statement of its own, the event loop handed back between them, and on
// PGlite with a sample of PGLITE_STATISTICS_TARGET x 300 rows: enough for row counts and the coarse distributions
// these plans turn on. A vacuum cannot be split: 30-55 ms for the 100,000 numbers of a running campaign every 10 s,
// 146 ms after all of its numbers were first scheduled (an update of every row). On PostgreSQL the work is the
// server's, the processes sharing it take turns through an advisory lock, and only the vacuums run (each with its
// ANALYZE): see openDatabase for what the periodic ANALYZE of every table did there.
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { sql } from 'drizzle-orm';
import { yieldToEventLoop } from '../domain/stepwise.js';
import type { Db } from './database.js';
import { pgliteOf } from './prepared-statements.js';
import { rowsOf } from './repositories/rows.js';

export const MAINTENANCE_INTERVAL_MS = 10_000;
/** The first pass comes sooner: a new database fills fastest at first (a campaign created with its numbers). */
export const FIRST_MAINTENANCE_MS = 5_000;
/** Statistics are refreshed every this many passes (30 s), or when a table is vacuumed. */
export const ANALYZE_EVERY_PASSES = 3;
/** default_statistics_target while analyzing on PGlite (PostgreSQL's default is 100). */
export const PGLITE_STATISTICS_TARGET = 10;
/** A table is vacuumed when its dead rows exceed this base plus VACUUM_SCALE of its live rows (autovacuum: 50, 0.2). */
export const VACUUM_BASE_ROWS = 1_000;
export const VACUUM_SCALE = 0.1;
/** pg_try_advisory_lock key: one process at a time looks after a shared PostgreSQL's tables. */
export const MAINTENANCE_LOCK_KEY = 0x52434d54; // 'RCMT'

interface TableActivity {
  name: string;
  deadRows: number;
  liveRows: number;
}

/** What a maintenance pass needs of a database: plain statements, outside any transaction, on one session. */
export interface MaintenanceSession {
  /** Whether statistics are gathered with the small PGlite sample (the work runs on the event loop). */
  readonly onEventLoop: boolean;
  query<T extends Record<string, unknown>>(text: string): Promise<T[]>;
  /** False once the database is closing: a pass stops between tables. */
  isOpen(): boolean;
}

export function pgliteSession(client: PGlite): MaintenanceSession {
  return {
    onEventLoop: true,
    query: async <T extends Record<string, unknown>>(text: string) => (await client.query<T>(text)).rows,
    isOpen: () => !client.closed,
  };
}

function postgresSession(client: pg.ClientBase, isOpen: () => boolean): MaintenanceSession {
  return {
    onEventLoop: false,
    query: async <T extends Record<string, unknown>>(text: string) => (await client.query<T>(text)).rows,
    isOpen,
  };
}

/**
 * A statement that changed this many rows of a table whose statistics counted `estimatedRows` leaves them out of date
 * (autovacuum's analyze rule: a base plus a share of the counted rows; PostgreSQL's own are 50 and 0.1).
 */
export const ANALYZE_BASE_ROWS = 1_000;
export const ANALYZE_SCALE = 0.1;
export const needsAnalyze = (changedRows: number, estimatedRows: number): boolean =>
  changedRows > ANALYZE_BASE_ROWS + ANALYZE_SCALE * Math.max(0, estimatedRows);

/**
 * ANALYZE of one table (of `columns`, when given) now, by whoever has just changed much of it and statements over it
 * are planned next (a create storing a campaign's numbers, analyzeIfOutOfDate; the dialer scheduling numbers stored
 * without a due time): a periodic pass or the server's autovacuum comes seconds to a minute later, and until then the
 * planner believes the statistics. On PGlite with the small sample, as a pass does.
 */
export async function analyzeNow(db: Db, table: string, columns?: readonly string[]): Promise<void> {
  const session: MaintenanceSession = {
    onEventLoop: pgliteOf(db) !== undefined,
    query: async <T extends Record<string, unknown>>(text: string) => rowsOf<T>(await db.execute(sql.raw(text))),
    isOpen: () => true,
  };
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  await refreshTable(session, columns ? `${quote(table)} (${columns.map(quote).join(', ')})` : quote(table), false);
}

/**
 * The columns of phone_numbers the dialer's statements are planned on (its claim, result write, lease renewal and
 * recovery): what a create's ANALYZE refreshes (analyzeIfOutOfDate). The table's row count comes with any of them; a
 * periodic pass or autovacuum does the rest (names, parameters) soon after. On PGlite, after a create of 100,000
 * numbers (bench/create-latency.ts): 34-39 ms for these columns against 47 ms for the whole table, on the event loop.
 */
export const DIALER_NUMBER_COLUMNS = ['id', 'campaign_id', 'status', 'due_at', 'number', 'lease_owner', 'lease_expires_at'] as const;

/**
 * ANALYZE of `table` (of `columns`, when given) now if a statement that just changed `changedRows` of its rows left
 * its statistics out of date (needsAnalyze, against the row count they hold). A campaign's create and an add of
 * numbers call this for phone_numbers: the dialer's first claims of the new numbers are planned next, and planned on
 * statistics taken before the upload they joined the due numbers to every number in a nested loop (3.4 s a claim,
 * bench/dialer-throughput.ts).
 */
export async function analyzeIfOutOfDate(db: Db, table: string, changedRows: number, columns?: readonly string[]): Promise<void> {
  // Below the rule's base no row count makes it out of date: no need to ask.
  if (!needsAnalyze(changedRows, 0)) return;
  const [row] = rowsOf<{ estimated: number | string | null }>(await db.execute(sql`select reltuples as estimated from pg_class where oid = ${table}::regclass`));
  if (needsAnalyze(changedRows, Number(row?.estimated ?? 0))) await analyzeNow(db, table, columns);
}

/**
 * VACUUM (ANALYZE) or ANALYZE of one table (`name` quoted), on PGlite with the small sample. Statements of their own:
 * VACUUM cannot run in the implicit transaction of a multi-statement string.
 */
async function refreshTable(session: MaintenanceSession, name: string, vacuum: boolean): Promise<void> {
  if (session.onEventLoop) await session.query(`set default_statistics_target = ${PGLITE_STATISTICS_TARGET}`);
  try {
    await session.query(`${vacuum ? 'vacuum (analyze)' : 'analyze'} ${name}`);
  } finally {
    if (session.onEventLoop) await session.query('reset default_statistics_target');
  }
}

export const needsVacuum = (table: Pick<TableActivity, 'deadRows' | 'liveRows'>): boolean =>
  table.deadRows > VACUUM_BASE_ROWS + VACUUM_SCALE * table.liveRows;

/** The public schema's tables with their dead and live rows, from the activity counters. */
async function tableActivity(session: MaintenanceSession): Promise<TableActivity[]> {
  // A backend publishes its counters at intervals; this makes PGlite's one backend publish them now. A PostgreSQL
  // server's other backends publish theirs within a second or so by themselves.
  if (session.onEventLoop) await session.query('select pg_stat_force_next_flush()');
  const rows = await session.query<{ name: string; dead: number | string | null; live: number | string | null }>(
    `select quote_ident(c.relname) as name, s.n_dead_tup as dead, s.n_live_tup as live
     from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
     where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace order by c.relname`,
  );
  return rows.map((row) => ({ name: row.name, deadRows: Number(row.dead ?? 0), liveRows: Number(row.live ?? 0) }));
}

/**
 * One pass over the public schema's tables, each in a statement of its own with the event loop handed back before
 * it: VACUUM ANALYZE where dead rows call for it, ANALYZE alone when `analyze` is set. Returns the tables vacuumed.
 */
export async function maintainTables(session: MaintenanceSession, options: { analyze: boolean }): Promise<string[]> {
  const vacuumed: string[] = [];
  for (const table of await tableActivity(session)) {
    const vacuum = needsVacuum(table);
    if (!vacuum && !options.analyze) continue;
    await yieldToEventLoop();
    if (!session.isOpen()) break;
    await refreshTable(session, table.name, vacuum);
    if (vacuum) vacuumed.push(table.name);
  }
  return vacuumed;
}

/**
 * One pass on a PostgreSQL server, if it needs one: none when the server's own autovacuum runs, none while another
 * process holds the maintenance lock. Returns the tables vacuumed, or null when the pass was skipped.
 */
export async function maintainPostgres(pool: pg.Pool, options: { analyze: boolean }, isOpen: () => boolean): Promise<string[] | null> {
  const client = await pool.connect();
  try {
    const [setting] = (await client.query<{ on: boolean }>(`select current_setting('autovacuum') = 'on' as on`)).rows;
    if (setting?.on) return null;
    const [lock] = (await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(${MAINTENANCE_LOCK_KEY}) as locked`)).rows;
    if (!lock?.locked) return null;
    try {
      return await maintainTables(postgresSession(client, isOpen), options);
    } finally {
      await client.query(`select pg_advisory_unlock(${MAINTENANCE_LOCK_KEY})`);
    }
  } finally {
    client.release();
  }
}

/** Runs `pass` after FIRST_MAINTENANCE_MS and then every MAINTENANCE_INTERVAL_MS (real time), until stopped. */
export function maintainPeriodically(pass: (options: { analyze: boolean }) => Promise<unknown>): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let passes = 0;
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      if (stopped) return;
      // A failure (the database closing meanwhile, a server restart) just waits for the next run.
      pass({ analyze: passes++ % ANALYZE_EVERY_PASSES === 0 })
        .catch(() => {})
        .finally(() => {
          if (!stopped) schedule(MAINTENANCE_INTERVAL_MS);
        });
    }, delayMs);
    // Not a reason to keep the process alive.
    timer.unref();
  };
  schedule(FIRST_MAINTENANCE_MS);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
