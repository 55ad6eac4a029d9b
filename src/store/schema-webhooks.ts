// Webhook endpoints and the durable outbox (issue 12). Design: one outbox row per (event, endpoint): the row is the
// event as that endpoint receives it and its delivery state at once. Writers add rows with one
// INSERT ... SELECT FROM webhook_endpoints WHERE <enabled, subscribed> inside the transaction of the change they
// report, so a client without endpoints costs one indexed lookup that finds nothing, and there is no separate fan-out
// step that could be lost between commit and delivery. Rows keep only the facts of the moment (ids, statuses); the
// body is rendered from the stored rows at the first attempt and frozen, so every retry sends the same bytes.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, serial, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { clients } from './schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** Event types delivered to this endpoint (src/webhooks/event-types.ts). */
    events: text('events').array().notNull(),
    /** The signing secret (HMAC key: it has to be kept, not hashed). Shown to the client once, at create or rotate. */
    secret: text('secret').notNull(),
    /** After a rotation, the old secret still signs (a second v1=) until previousSecretUntil. */
    previousSecret: text('previous_secret'),
    previousSecretUntil: at('previous_secret_until'),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    disabledAt: at('disabled_at'),
    /** Failed attempts since the last 2xx, and when that run started: the automatic disabling rule (backoff.ts). */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    failingSince: at('failing_since'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [index('webhook_endpoints_client_idx').on(table.clientId)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The event's id: the same for every endpoint that receives it is not needed, so each row has its own stable one. */
    eventId: uuid('event_id').notNull().default(sql`gen_random_uuid()`),
    endpointId: integer('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    createdAt: at('created_at').notNull(),
    /** The facts at the moment of the change (ids, statuses), from which the body is rendered. */
    subject: jsonb('subject').$type<Record<string, unknown>>().notNull(),
    /** Deliveries about one number go out in order: a later one waits while an earlier one is undelivered. */
    numberId: bigint('number_id', { mode: 'number' }),
    /** The JSON body, rendered at the first attempt and sent unchanged on every retry. */
    body: text('body'),
    /** 0 pending, 1 delivered, 2 failed (DeliveryState in src/webhooks/event-types.ts). */
    state: smallint('state').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    firstAttemptAt: at('first_attempt_at'),
    deliveredAt: at('delivered_at'),
    leasedBy: text('leased_by'),
    leaseUntil: at('lease_until'),
  },
  (table) => [
    index('webhook_deliveries_due_idx').on(table.nextAttemptAt).where(sql`state = 0`),
    index('webhook_deliveries_endpoint_idx').on(table.endpointId, table.id),
    index('webhook_deliveries_number_idx').on(table.endpointId, table.numberId, table.id).where(sql`state = 0 and number_id is not null`),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: at('attempted_at').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
    nextRetryAt: at('next_retry_at'),
  },
  (table) => [index('webhook_attempts_delivery_idx').on(table.deliveryId)],
);
