// A campaign's numbers by status, kept in campaign_number_counts (schema.ts) by the statements that move numbers
// between statuses. Inserts and deletes of numbers are counted by migration 0015's statement triggers (imports, adds
// and deletes of whole campaigns are rare, large statements); status changes are counted here, by the writers
// themselves, because the dialer makes them thousands of times a second. As a statement trigger on UPDATE, the count
// ran on every update of phone_numbers (lease renewals too, whose rows keep their status) through transition tables:
// 0.2-0.3 ms a statement on PGlite, where it runs on the dialer's event loop, and 8% of the virtual-time campaign
// (issue 10). A trigger cannot be limited to status changes: PostgreSQL refuses transition tables on `UPDATE OF`.
//
// Every statement that changes phone_numbers.status must therefore add its moves here, in the same statement or
// transaction: NUMBER_STATUS_WRITERS in test/store/number-status-counts.test.ts lists them and checks the counts.
//
// A move never waits for a row lock (the reason of 0015's design, kept): the dialer's claim holds lines_in_use rows
// after the numbers it changes, and its result statements the other way round, so one counter row per key locked by
// both would deadlock two dialer transactions. A change goes to a row of its key that no other transaction holds
// (FOR UPDATE SKIP LOCKED; a row this transaction holds already is taken again), or to a new row when every row of the
// key is held. Readers sum the key's rows.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.js';
import { campaignNumberCounts, campaigns, phoneNumbers } from './schema.js';
import { NumberStatus } from '../domain/enums.js';
import { outboxInsertFrom } from '../webhooks/outbox.js';
import { rowsOf } from './repositories/rows.js';

/**
 * Common tables (for a WITH list; the names start with number_counts_) that add `changes` to the kept counts.
 * `changes` is a query of (campaign_id, status, delta) rows; deltas of one key are summed, and a key whose deltas sum
 * to nothing writes nothing. Data-modifying common tables run whether or not the statement reads them.
 */
export function keepNumberCounts(changes: SQL): SQL {
  return sql`
      number_counts_changed as (
        select campaign_id, status, sum(delta)::int as delta from (${changes}) as c(campaign_id, status, delta)
        group by 1, 2 having sum(delta) <> 0
      ),
      number_counts_slot as (
        select ch.*, (select k.id from ${campaignNumberCounts} k where k.campaign_id = ch.campaign_id and k.status = ch.status
                      limit 1 for update skip locked) as id
        from number_counts_changed ch
      ),
      number_counts_bumped as (
        update ${campaignNumberCounts} k set numbers = k.numbers + s.delta from number_counts_slot s where k.id = s.id
      ),
      number_counts_added as (
        insert into ${campaignNumberCounts} (campaign_id, status, numbers)
        select s.campaign_id, s.status, s.delta from number_counts_slot s where s.id is null
      )`;
}

/**
 * The changes of numbers moved by a common table `moved` that returns each moved number's campaign_id and new status,
 * all of which were in status `from` before: -1 from the old key, +1 to the new one.
 */
export function movedFrom(from: number, moved = 'moved'): SQL {
  const table = sql.identifier(moved);
  return sql`select campaign_id, status, 1 from ${table} union all select campaign_id, ${from}::smallint, -1 from ${table}`;
}

/**
 * number.completed webhook events for the numbers a move finished (any status but Pending and Dialling), in the
 * move's statement, stamped `at` (the caller's clock). Skipped at once (a one-time filter) when no endpoint is enabled.
 */
const finishedNumberEvents = (at: Date) => outboxInsertFrom({
  type: 'number.completed',
  from: sql`(
    select m.id, m.campaign_id, m.status, m.status_reason, c.client_id from moved m join ${campaigns} c on c.id = m.campaign_id
    where m.status not in (${NumberStatus.Pending}, ${NumberStatus.Dialling}) and exists (select 1 from webhook_endpoints where enabled)
  ) as finished`,
  clientId: sql`finished.client_id`,
  subject: sql`jsonb_build_object('numberId', finished.id, 'campaignId', finished.campaign_id, 'status', finished.status, 'statusReason', finished.status_reason)`,
  numberId: sql`finished.id`,
  now: at,
  orderBy: sql`finished.id`,
});

/**
 * Moves numbers in status `from` that `where` picks to what `set` gives (which must set status), and counts the moves,
 * in one statement; returns how many numbers moved. `set` and `where` are SQL over phone_numbers' own columns. With
 * `eventsAt`, numbers it finishes get their number.completed webhook events in the same statement.
 */
export async function moveNumbers(db: Pick<Db, 'execute'>, move: { from: number; set: SQL; where: SQL; eventsAt?: Date }): Promise<number> {
  const [row] = rowsOf<{ count: number | string }>(
    await db.execute(sql`
      with moved as (
        update ${phoneNumbers} set ${move.set}
        where (${move.where}) and ${phoneNumbers.status} = ${move.from}
        returning ${phoneNumbers.id} as id, ${phoneNumbers.campaignId} as campaign_id, ${phoneNumbers.status} as status,
          ${phoneNumbers.statusReason} as status_reason
      ),
      ${keepNumberCounts(movedFrom(move.from))}${move.eventsAt ? sql`,
      finished_number_events as (${finishedNumberEvents(move.eventsAt)})` : sql``}
      select count(*)::int as count from moved`),
  );
  return Number(row?.count ?? 0);
}
