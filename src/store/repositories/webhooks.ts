// Webhook endpoints, the outbox's deliveries and their attempts. The claim follows the dialer's numbers: due rows are
// taken with FOR UPDATE SKIP LOCKED and leased, so several processes deliver without sending one row twice at once,
// and a process killed mid-batch leaves leases that expire and let another process send again (at least once).
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../schema.js';
import { rowsOf } from './rows.js';
import { DeliveryState } from '../../webhooks/event-types.js';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;

export interface EndpointInput {
  url: string;
  events: string[];
  description: string;
}

/** A claimed delivery with what the deliverer needs to send it. */
export interface ClaimedDelivery {
  id: number;
  eventId: string;
  endpointId: number;
  clientId: number;
  type: string;
  createdAt: Date;
  subject: Record<string, unknown>;
  body: string | null;
  attempts: number;
  firstAttemptAt: Date | null;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

export interface AttemptRecord {
  deliveryId: number;
  endpointId: number;
  leasedBy: string;
  attemptedAt: Date;
  body: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The delivery's new state: delivered, failed, or pending with a retry time. */
  state: DeliveryState;
  nextRetryAt: Date | null;
  /** Set when this attempt's failure disables the endpoint. */
  disableReason?: string | null;
}

const PENDING = DeliveryState.Pending;

export class WebhookRepository {
  constructor(private readonly db: Db) {}

  async create(clientId: number, input: EndpointInput, secret: string, now: Date): Promise<EndpointRow> {
    const [row] = await this.db
      .insert(webhookEndpoints)
      .values({ clientId, url: input.url, events: input.events, description: input.description, secret, createdAt: now })
      .returning();
    return row!;
  }

  async list(clientId: number | null): Promise<EndpointRow[]> {
    const query = this.db.select().from(webhookEndpoints);
    return (clientId === null ? query : query.where(eq(webhookEndpoints.clientId, clientId))).orderBy(webhookEndpoints.id);
  }

  /** One endpoint; with a client id, only that client's. */
  async get(id: number, clientId: number | null): Promise<EndpointRow | undefined> {
    const [row] = await this.db
      .select()
      .from(webhookEndpoints)
      .where(clientId === null ? eq(webhookEndpoints.id, id) : and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.clientId, clientId)));
    return row;
  }

  async update(id: number, clientId: number, change: Partial<EndpointInput>): Promise<EndpointRow | undefined> {
    if (Object.keys(change).length === 0) return this.get(id, clientId);
    const [row] = await this.db
      .update(webhookEndpoints)
      .set(change)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.clientId, clientId)))
      .returning();
    return row;
  }

  async delete(id: number, clientId: number): Promise<boolean> {
    const rows = await this.db
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.clientId, clientId)))
      .returning({ id: webhookEndpoints.id });
    return rows.length > 0;
  }

  /** A new secret; the old one keeps signing until `overlapUntil`. */
  async rotate(id: number, clientId: number, secret: string, overlapUntil: Date): Promise<EndpointRow | undefined> {
    const [row] = await this.db
      .update(webhookEndpoints)
      .set({ secret, previousSecret: sql`${webhookEndpoints.secret}`, previousSecretUntil: overlapUntil })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.clientId, clientId)))
      .returning();
    return row;
  }

  /** The operator's switch; enabling also clears the failure run, so the endpoint is not disabled again at once. */
  async setEnabled(id: number, enabled: boolean, reason: string | null, now: Date): Promise<EndpointRow | undefined> {
    const [row] = await this.db
      .update(webhookEndpoints)
      .set(
        enabled
          ? { enabled, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null }
          : { enabled, disabledReason: reason, disabledAt: now },
      )
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return row;
  }

  /**
   * Leases up to `limit` due deliveries of enabled endpoints. A delivery waits while an earlier one for the same
   * number and endpoint is still pending (order per number), whether or not that one is due or leased.
   */
  async claim(leasedBy: string, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const result = await this.db.execute(sql`
      with due as (
        select d.id from webhook_deliveries d
        join webhook_endpoints e on e.id = d.endpoint_id and e.enabled
        where d.state = ${PENDING} and d.next_attempt_at <= ${now.toISOString()}
          and (d.lease_until is null or d.lease_until <= ${now.toISOString()})
          and (d.number_id is null or not exists (
            select 1 from webhook_deliveries earlier
            where earlier.endpoint_id = d.endpoint_id and earlier.number_id = d.number_id
              and earlier.state = ${PENDING} and earlier.id < d.id))
        order by d.next_attempt_at, d.id
        limit ${limit}
        for update of d skip locked
      )
      update webhook_deliveries d set leased_by = ${leasedBy}, lease_until = ${leaseUntil.toISOString()}
      from due, webhook_endpoints e
      where d.id = due.id and e.id = d.endpoint_id
      returning d.id, d.event_id as "eventId", d.endpoint_id as "endpointId", e.client_id as "clientId", d.type,
        d.created_at as "createdAt", d.subject, d.body, d.attempts, d.first_attempt_at as "firstAttemptAt", e.url, e.secret,
        e.previous_secret as "previousSecret", e.previous_secret_until as "previousSecretUntil"`);
    return rowsOf<ClaimedDelivery & { id: number | string; createdAt: Date | string; firstAttemptAt: Date | string | null; previousSecretUntil: Date | string | null; subject: unknown }>(result)
      .map((row) => ({
        ...row,
        id: Number(row.id),
        createdAt: new Date(row.createdAt),
        firstAttemptAt: row.firstAttemptAt === null ? null : new Date(row.firstAttemptAt),
        previousSecretUntil: row.previousSecretUntil === null ? null : new Date(row.previousSecretUntil),
        subject: (typeof row.subject === 'string' ? JSON.parse(row.subject) : row.subject) as Record<string, unknown>,
      }))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Records one attempt and the delivery's new state, if this process still holds the lease (a process whose lease
   * expired while it waited on a slow receiver must not overwrite the newer holder's result). Keeps the endpoint's
   * failure run and disables it when `disableReason` is given. Returns false when the lease was lost.
   */
  async recordAttempt(record: AttemptRecord): Promise<boolean> {
    // One statement (its data-modifying CTEs are atomic together): a round trip per attempt, not a transaction of
    // three; the attempt and the endpoint change only when the lease still held (the `updated` row exists).
    const at = sql`${record.attemptedAt.toISOString()}::timestamptz`;
    const delivered = record.state === DeliveryState.Delivered;
    const result = await this.db.execute(sql`
      with updated as (
        update webhook_deliveries set body = ${record.body}, state = ${record.state}, attempts = attempts + 1,
          first_attempt_at = coalesce(first_attempt_at, ${at}),
          delivered_at = ${delivered ? at : sql`delivered_at`},
          next_attempt_at = coalesce(${record.nextRetryAt?.toISOString() ?? null}::timestamptz, next_attempt_at),
          leased_by = null, lease_until = null
        where id = ${record.deliveryId} and leased_by = ${record.leasedBy}
        returning id
      ),
      attempt as (
        insert into webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, error, next_retry_at)
        select id, ${at}, ${record.statusCode}::int, ${record.latencyMs}::int, ${record.error}::text, ${record.nextRetryAt?.toISOString() ?? null}::timestamptz
        from updated
      ),
      endpoint as (
        update webhook_endpoints set ${
          delivered
            ? sql`consecutive_failures = 0, failing_since = null`
            : sql`consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, ${at})${
                record.disableReason ? sql`, enabled = false, disabled_reason = ${record.disableReason}::text, disabled_at = ${at}` : sql``
              }`
        }
        where id = ${record.endpointId} and exists (select 1 from updated)
      )
      select id from updated`);
    return rowsOf(result).length > 0;
  }

  /** The endpoint's failure run, read before deciding whether to disable it. */
  async failureRun(endpointId: number): Promise<{ consecutiveFailures: number; failingSince: Date | null }> {
    const [row] = await this.db
      .select({ consecutiveFailures: webhookEndpoints.consecutiveFailures, failingSince: webhookEndpoints.failingSince })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, endpointId));
    return row ?? { consecutiveFailures: 0, failingSince: null };
  }

  /** A page of an endpoint's deliveries, newest first, each with its attempts. */
  async deliveries(endpointId: number, limit: number, beforeId?: number): Promise<(DeliveryRow & { attemptLog: AttemptRow[] })[]> {
    const rows = await this.db
      .select()
      .from(webhookDeliveries)
      .where(beforeId ? and(eq(webhookDeliveries.endpointId, endpointId), sql`${webhookDeliveries.id} < ${beforeId}`) : eq(webhookDeliveries.endpointId, endpointId))
      .orderBy(desc(webhookDeliveries.id))
      .limit(limit);
    if (rows.length === 0) return [];
    const attempts = await this.db
      .select()
      .from(webhookAttempts)
      .where(sql`${webhookAttempts.deliveryId} in (${sql.join(rows.map((row) => sql`${row.id}`), sql`, `)})`)
      .orderBy(webhookAttempts.id);
    return rows.map((row) => ({ ...row, attemptLog: attempts.filter((attempt) => attempt.deliveryId === row.id) }));
  }

  /** Sends a delivery again (same event id and body), now; false when the endpoint has no such delivery. */
  async redeliver(endpointId: number, eventId: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(webhookDeliveries)
      .set({ state: PENDING, nextAttemptAt: now, leasedBy: null, leaseUntil: null, firstAttemptAt: null })
      .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.eventId, eventId)))
      .returning({ id: webhookDeliveries.id });
    return rows.length > 0;
  }

  /** Deliveries still pending (the backlog), for tests and metrics. */
  async pendingCount(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(eq(webhookDeliveries.state, PENDING));
    return Number(row?.n ?? 0);
  }
}
