// Readiness: whether this process should be sent traffic now (Kubernetes' readinessProbe). Four checks, each named in
// the answer: the database answers SELECT 1 quickly, its schema is at the newest migration this build ships, the SIP
// trunks that must register are registered, and the process is not draining after SIGTERM. Liveness (/healthz) is
// none of these: a process that cannot reach its database is not dead, and restarting it would not help.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { migrationsFolder } from '../store/database.js';
import { rowsOf } from '../store/repositories/rows.js';
import type { CarrierStatus } from '../telephony/carrier-status.js';

export const READINESS_CHECKS = ['database', 'migrations', 'carrier', 'draining'] as const;
export type ReadinessCheckName = (typeof READINESS_CHECKS)[number];

export interface ReadinessCheck {
  name: ReadinessCheckName;
  ok: boolean;
  detail: string;
}

/** A probe's own timeout is typically 1 s: a database slower than this is reported as not ready, not waited for. */
export const DATABASE_CHECK_TIMEOUT_MS = 800;

/** Set once SIGTERM arrives: the process answers requests while it drains, but asks for no new ones. */
export class DrainState {
  private since: Date | undefined;

  start(at: Date): void {
    this.since ??= at;
  }

  get draining(): boolean {
    return this.since !== undefined;
  }

  check(): ReadinessCheck {
    return this.since === undefined
      ? { name: 'draining', ok: true, detail: 'not draining' }
      : { name: 'draining', ok: false, detail: `draining since ${this.since.toISOString()} (SIGTERM): finishing calls in progress` };
  }
}

/** Rejects with a timeout error if `work` takes longer than `timeoutMs`. */
async function within<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkDatabase(db: Db, timeoutMs = DATABASE_CHECK_TIMEOUT_MS): Promise<ReadinessCheck> {
  try {
    await within(db.execute(sql`select 1`), timeoutMs, 'SELECT 1');
    return { name: 'database', ok: true, detail: 'SELECT 1 answered' };
  } catch (error) {
    return { name: 'database', ok: false, detail: `database unreachable: ${(error as Error).message}` };
  }
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

/** The newest migration this build ships: drizzle records its journal `when` as created_at when it applies it. */
export async function newestShippedMigration(folder = migrationsFolder): Promise<{ tag: string; when: number }> {
  const journal = JSON.parse(await readFile(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  const newest = journal.entries.reduce((a, b) => (b.when > a.when ? b : a));
  return { tag: newest.tag, when: newest.when };
}

/** Compares the newest applied migration (drizzle.__drizzle_migrations) with the newest the build ships. */
export function migrationCheck(appliedWhen: number | undefined, shipped: { tag: string; when: number }): ReadinessCheck {
  if (appliedWhen === undefined) return { name: 'migrations', ok: false, detail: 'no migration has been applied' };
  if (appliedWhen < shipped.when) {
    return { name: 'migrations', ok: false, detail: `the database is behind: ${shipped.tag} is not applied yet (run ringcast migrate)` };
  }
  if (appliedWhen > shipped.when) {
    return { name: 'migrations', ok: false, detail: `the database has migrations newer than ${shipped.tag}: this build is older than the schema` };
  }
  return { name: 'migrations', ok: true, detail: `at ${shipped.tag}` };
}

export async function checkMigrations(
  db: Db,
  shipped: () => Promise<{ tag: string; when: number }>,
  timeoutMs = DATABASE_CHECK_TIMEOUT_MS,
): Promise<ReadinessCheck> {
  try {
    const result = await within(db.execute(sql`select max(created_at) as "when" from drizzle.__drizzle_migrations`), timeoutMs, 'the migrations query');
    // created_at is a bigint: node-postgres returns it as a string.
    const value = rowsOf<{ when: string | number | null }>(result)[0]?.when;
    return migrationCheck(value === null || value === undefined ? undefined : Number(value), await shipped());
  } catch (error) {
    return { name: 'migrations', ok: false, detail: `migrations unknown: ${(error as Error).message}` };
  }
}

/**
 * Trunks that must register and are not registered make the process unready: its calls would fail. A trunk whose
 * state is unknown here (an API-only process: the dialer process knows) does not, as this process places no calls.
 */
export function carrierCheck(status: CarrierStatus): ReadinessCheck {
  const down = status.trunks.filter((trunk) => trunk.registration === 'unregistered' || trunk.registration === 'failed');
  if (down.length > 0) {
    return { name: 'carrier', ok: false, detail: down.map((trunk) => `trunk ${trunk.name} ${trunk.registration}${trunk.detail ? `: ${trunk.detail}` : ''}`).join('; ') };
  }
  if (status.carrier === 'simulated') return { name: 'carrier', ok: true, detail: 'simulated carrier' };
  const registering = status.trunks.filter((trunk) => trunk.registration === 'registered').length;
  return { name: 'carrier', ok: true, detail: status.note ?? `${status.trunks.length} trunk(s) usable, ${registering} registered` };
}
