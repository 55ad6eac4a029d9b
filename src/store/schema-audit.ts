// The audit log (issue 12): one row per successful change made through the API, by the operator or a client's key.
// No foreign keys on purpose: the log outlives what it names (a deleted client's entries, a revoked key's, stay).
// Rows hold ids and names only: never a secret, a request body or a phone number (src/audit/actions.ts).
import { bigserial, index, integer, jsonb, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import type { AuditActorKind } from '../audit/actions.js';

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    actorKind: text('actor_kind').$type<AuditActorKind>().notNull(),
    /** The acting client, or for the operator the client the route names (null when it names none). */
    clientId: integer('client_id'),
    /** The client's API key that made the request; null for the operator. */
    apiKeyId: integer('api_key_id'),
    /** A stable name such as `campaign.create` (AUDIT_ACTIONS). */
    action: text('action').notNull(),
    /** The route's id parameters and the created resource's id, as JSON. */
    targets: jsonb('targets').$type<Record<string, string | number>>().notNull(),
    statusCode: smallint('status_code').notNull(),
    requestId: text('request_id').notNull(),
  },
  // Newest first by id, filtered by client, action or time (GET /api/admin/audit).
  (table) => [
    index('audit_log_client_idx').on(table.clientId, table.id),
    index('audit_log_action_idx').on(table.action, table.id),
    index('audit_log_at_idx').on(table.at),
  ],
);
