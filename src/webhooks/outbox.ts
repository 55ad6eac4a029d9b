// Writing events to the outbox, inside the statement or transaction of the change they report. Each write is one
// INSERT ... SELECT joining the client's enabled endpoints subscribed to the type, so with no such endpoint nothing
// is written (an index lookup on webhook_endpoints(client_id) that finds no row: a dialer without webhooks pays next
// to nothing). One row per (event, endpoint): see src/store/schema-webhooks.ts.
import { sql, type SQL } from 'drizzle-orm';
import type { WebhookEventType } from './event-types.js';

export interface OutboxInsertFrom {
  /** The type, or an SQL expression giving it per row (several kinds of event in one insert, in order). */
  type: WebhookEventType | SQL;
  /** A FROM item (a CTE name, a subquery with an alias) giving one row per event. */
  from: SQL;
  /** Per row: the client whose endpoints receive it, the subject (jsonb) and the number id (or null). */
  clientId: SQL;
  subject: SQL;
  numberId: SQL;
  /** When the change happened (the event's createdAt, and when it is first due). */
  now: SQL | Date;
  /** Row order, so ids (the delivery order per number) follow the order of the changes. */
  orderBy?: SQL;
}

/** The INSERT, usable as a data-modifying CTE (`events as (${outboxInsertFrom(...)})`) or as a statement. */
export function outboxInsertFrom(event: OutboxInsertFrom): SQL {
  const now = event.now instanceof Date ? sql`${event.now.toISOString()}::timestamptz` : event.now;
  return sql`insert into webhook_deliveries (endpoint_id, type, created_at, subject, number_id, next_attempt_at)
    select e.id, ${event.type}, ${now}, ${event.subject}, ${event.numberId}, ${now}
    from ${event.from}
    join webhook_endpoints e on e.client_id = ${event.clientId} and e.enabled and ${event.type} = any(e.events)${event.orderBy ? sql` order by ${event.orderBy}, e.id` : sql``}`;
}

/** One event given as values, as a statement to run in the caller's transaction. */
export function outboxInsert(event: { type: WebhookEventType; clientId: number; subject: Record<string, unknown>; numberId?: number | null; now: Date }): SQL {
  return outboxInsertFrom({
    type: event.type,
    from: sql`(select 1) as one`,
    clientId: sql`${event.clientId}`,
    subject: sql`${JSON.stringify(event.subject)}::jsonb`,
    numberId: sql`${event.numberId ?? null}::bigint`,
    now: event.now,
  });
}
