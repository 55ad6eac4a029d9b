// Idempotency keys (issue 12). One row per (client, key): claimed with INSERT ... ON CONFLICT DO NOTHING in its own
// transaction before the work, so of two concurrent requests with one key exactly one does the work; completed with
// the first answer (status and body) afterwards, which later requests with that key get back.
import { date, index, integer, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { clients } from './schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** SHA-256 (hex) of method, path and body: the same key with another request is refused, not replayed. */
    requestHash: text('request_hash').notNull(),
    /** The first answer's status; null while the first request is still being worked on. */
    responseStatus: smallint('response_status'),
    responseBody: text('response_body'),
    responseContentType: text('response_content_type'),
    createdAt: at('created_at').notNull(),
    /** Rows past this instant are ignored and deleted (24 h after createdAt). */
    expiresAt: at('expires_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.clientId, table.key] }), index('idempotency_keys_expires_idx').on(table.expiresAt)],
);

/** Limits the operator set for a client; a null column means the default from the settings. */
export const clientLimits = pgTable('client_limits', {
  clientId: integer('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  /** Requests a minute per client across the client API (RATE_LIMIT_PER_MIN when null). */
  rateLimitPerMin: integer('rate_limit_per_min'),
  /** Quotas (src/domain/limits/quotas.ts); null = none. */
  maxActiveCampaigns: integer('max_active_campaigns'),
  maxNumbersPerCampaign: integer('max_numbers_per_campaign'),
  /** Numbers added to the client's campaigns per UTC day (src/domain/limits/numbers-per-day.ts); null = none. */
  maxNumbersPerDay: integer('max_numbers_per_day'),
  /** Calls of the client in flight at once across every dialer process (CLIENT_MAX_CALLS when null). */
  maxConcurrentCalls: integer('max_concurrent_calls'),
  updatedAt: at('updated_at').notNull(),
});

/**
 * The numbers a client added to its campaigns on one UTC day, for maxNumbersPerDay: one row per client holding its
 * latest day (a charge on a later day starts the count again), written under the client's row lock in the
 * transaction that adds the numbers. Kept only while the client has that quota: counting the rows of phone_numbers
 * instead would read millions for a large client.
 */
export const clientDailyNumbers = pgTable('client_daily_numbers', {
  clientId: integer('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  /** The UTC day counted. */
  day: date('day', { mode: 'string' }).notNull(),
  numbers: integer('numbers').notNull(),
});
