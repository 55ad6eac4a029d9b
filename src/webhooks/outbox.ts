// Writing events to the outbox, inside the caller's transaction. One statement: an INSERT ... SELECT over the client's
// enabled endpoints subscribed to the type, so with no such endpoint nothing is written (an index lookup on
// webhook_endpoints(client_id) that finds no row: a dialer without webhooks pays next to nothing).
import { sql, type SQL } from 'drizzle-orm';
import type { WebhookEventType } from './event-types.js';

interface Executor {
  execute(query: SQL): Promise<unknown>;
}

export interface OutboxEvent {
  type: WebhookEventType;
  /** The client, as a value or as SQL (e.g. a subquery on the campaign) evaluated in the same statement. */
  clientId: number | SQL;
  /** Facts of the moment, rendered into the body at delivery (src/webhooks/render.ts). */
  subject: Record<string, unknown>;
  /** Set for events about one number: they are delivered in order per number. */
  numberId?: number | null;
  now: Date;
}

export function outboxInsert(event: OutboxEvent): SQL {
  const now = event.now.toISOString();
  return sql`insert into webhook_deliveries (endpoint_id, type, created_at, subject, number_id, next_attempt_at)
    select e.id, ${event.type}, ${now}, ${JSON.stringify(event.subject)}::jsonb, ${event.numberId ?? null}, ${now}
    from webhook_endpoints e
    where e.client_id = (${event.clientId}) and e.enabled and ${event.type} = any(e.events)`;
}

/** Adds the event's deliveries through `tx` (the transaction of the change it reports). */
export async function writeEvent(tx: Executor, event: OutboxEvent): Promise<void> {
  await tx.execute(outboxInsert(event));
}
