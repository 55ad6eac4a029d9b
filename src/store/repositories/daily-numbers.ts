// The maxNumbersPerDay counter (client_daily_numbers in schema-limits.ts): charged in the transaction that adds the
// numbers, under the client's row lock, so concurrent requests of one client count one after another and none races
// past the quota; a transaction that fails afterwards takes its charge back with it.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { clientDailyNumbers, clients } from '../schema.js';
import { checkNumbersPerDay, numbersAddedToday, utcDay } from '../../domain/limits/numbers-per-day.js';
import type { ClientQuotas } from '../../domain/limits/quotas.js';

/** Locks the client's row until the transaction ends: the lock every quota of a client is counted under. */
export async function lockClient(tx: Pick<Db, 'select'>, clientId: number): Promise<void> {
  await tx.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId)).for('update');
}

/**
 * Counts `adding` numbers against the client's maxNumbersPerDay on now's UTC day, or throws QuotaExceeded and counts
 * nothing. Does nothing without the quota (a quota set during a day counts from then). Run inside a transaction.
 */
export async function chargeNumbersPerDay(tx: Db, clientId: number, adding: number, quotas: ClientQuotas, now: Date): Promise<void> {
  if (quotas.maxNumbersPerDay === null) return;
  await lockClient(tx, clientId);
  const [counter] = await tx
    .select({ day: clientDailyNumbers.day, numbers: clientDailyNumbers.numbers })
    .from(clientDailyNumbers)
    .where(eq(clientDailyNumbers.clientId, clientId));
  const addedToday = numbersAddedToday(counter, now);
  checkNumbersPerDay(quotas, addedToday, adding, now);
  if (adding === 0) return;
  const day = utcDay(now);
  await tx
    .insert(clientDailyNumbers)
    .values({ clientId, day, numbers: addedToday + adding })
    .onConflictDoUpdate({ target: clientDailyNumbers.clientId, set: { day, numbers: addedToday + adding } });
}

/**
 * Takes back a charge whose numbers were not kept after all (PGlite's create, whose later batches go outside the
 * first transaction, failed and deleted its campaign). Only on the day charged: a new day's count is not touched.
 */
export async function refundNumbersPerDay(db: Db, clientId: number, numbers: number, now: Date): Promise<void> {
  await db
    .update(clientDailyNumbers)
    .set({ numbers: sql`greatest(0, ${clientDailyNumbers.numbers} - ${numbers})` })
    .where(sql`${clientDailyNumbers.clientId} = ${clientId} and ${clientDailyNumbers.day} = ${utcDay(now)}`);
}
