// The webhook backlog for the ringcast_webhook_backlog_events gauge: deliveries not yet made (pending, including
// those waiting for a retry), counted at scrape time with one statement that the partial index on pending rows
// (webhook_deliveries_due_idx, WHERE state = 0) answers.
import { sql } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { rowsOf } from '../store/repositories/rows.js';

export async function webhookBacklog(db: Db): Promise<number> {
  const result = await db.execute(sql`select count(*)::int as pending from webhook_deliveries where state = 0`);
  return rowsOf<{ pending: number }>(result)[0]?.pending ?? 0;
}
