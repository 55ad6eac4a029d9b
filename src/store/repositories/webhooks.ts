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

/** An endpoint's failed attempts since its last 2xx, and when the first of them was made. */
export interface FailureRun {
  consecutiveFailures: number;
  failingSince: Date | null;
}

export interface AttemptRecord {
  deliveryId: number;
  endpointId: number;
  leasedBy: string;
  attemptedAt: Date;
  /** The body sent, to keep for every retry; null when the delivery already holds it. */
  body: string | null;
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

/**
 * Makes the statement's transaction commit without waiting for its WAL to reach the disk (synchronous_commit off,
 * for this transaction only; the record sets it inside its statement, no extra round trip; the claim sets it with
 * its planner setting). For the deliverer's own bookkeeping
 * only, leases and attempt records, never the events: the flush was half of a claim's and a record's time on
 * PostgreSQL (pg_stat_activity during the bench: IO:WALSync). What it risks is a crash of the database server itself
 * (not of a Ringcast process: a commit is visible and kept once the statement returns) forgetting the last moment of
 * that bookkeeping: a lease forgotten lets another process claim the event now instead of after the lease, a record
 * forgotten sends the event again; both are the at-least-once rule, and the order per number holds (an event is
 * claimable only once every earlier one of its number is recorded as delivered or failed).
 */
const COMMIT_WITHOUT_FLUSH = sql`(select set_config('synchronous_commit', 'off', true)) is not null`;

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
    const result = await this.db.transaction(async (tx) => {
      // The claim must walk the due index in order and stop at the limit. With statistics taken mid-drain the planner
      // expected a handful of due rows and read every due one instead (a bitmap scan or a hash join with the
      // endpoints, the per-number check on each, then a sort): 13-34 ms a claim over 2,500-10,000 pending events
      // (EXPLAIN ANALYZE during the bench), growing with the backlog, against 0.5-0.8 ms. So: ordered by the due
      // index's own key (the order among events due at one instant is not needed: order per number is the NOT
      // EXISTS), the endpoint's switch read per row instead of joined, and bitmap scans off for this transaction.
      // It commits without waiting for the WAL flush (see COMMIT_WITHOUT_FLUSH).
      await tx.execute(sql`select set_config('enable_bitmapscan', 'off', true), set_config('synchronous_commit', 'off', true)`);
      return tx.execute(sql`
      with due as (
        select d.id from webhook_deliveries d
        where d.state = ${PENDING} and d.next_attempt_at <= ${now.toISOString()}
          and (select e.enabled from webhook_endpoints e where e.id = d.endpoint_id)
          and (d.lease_until is null or d.lease_until <= ${now.toISOString()})
          and (d.number_id is null or not exists (
            select 1 from webhook_deliveries earlier
            where earlier.endpoint_id = d.endpoint_id and earlier.number_id = d.number_id
              and earlier.state = ${PENDING} and earlier.id < d.id))
        order by d.next_attempt_at
        limit ${limit}
        for update of d skip locked
      )
      update webhook_deliveries d set leased_by = ${leasedBy}, lease_until = ${leaseUntil.toISOString()}
      from due, webhook_endpoints e
      where d.id = due.id and e.id = d.endpoint_id
      returning d.id, d.event_id as "eventId", d.endpoint_id as "endpointId", e.client_id as "clientId", d.type,
        d.created_at as "createdAt", d.subject, d.body, d.attempts, d.first_attempt_at as "firstAttemptAt", e.url, e.secret,
        e.previous_secret as "previousSecret", e.previous_secret_until as "previousSecretUntil"`);
    });
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
   * Records a batch of attempts and each delivery's new state in one statement (one commit for the batch: recorded
   * one statement each, the attempts of a batch queued on the endpoint row's lock and a commit flush each, 190 ms for
   * 49 on PostgreSQL against 4 ms for their work). Each record counts only if this process still holds its delivery's
   * lease (a process whose lease expired while it waited on a slow receiver must not overwrite the newer holder's
   * result); its attempt row is written only then. Records are given in the order the answers came, which is the
   * order the endpoints' failure runs follow: a 2xx ends the run, each failure after it extends it, and an endpoint
   * with a `disableReason` in the batch is disabled. Returns the ids of the deliveries recorded (the others' leases
   * were lost: they will be sent again).
   */
  async recordAttempts(records: readonly AttemptRecord[]): Promise<Set<number>> {
    if (records.length === 0) return new Set();
    const column = <T>(pick: (record: AttemptRecord) => T) => sql.param(records.map(pick));
    const leasedBy = [...new Set(records.map((record) => record.leasedBy))];
    if (leasedBy.length !== 1) throw new Error('recordAttempts: one lease holder per batch');
    const result = await this.db.execute(sql`
      with input as (
        select * from unnest(
          ${column((r) => r.deliveryId)}::bigint[], ${column((r) => r.endpointId)}::int[], ${column((r) => r.body)}::text[],
          ${column((r) => r.state)}::smallint[], ${column((r) => r.attemptedAt)}::timestamptz[], ${column((r) => r.statusCode)}::int[],
          ${column((r) => r.latencyMs)}::int[], ${column((r) => r.error)}::text[], ${column((r) => r.nextRetryAt)}::timestamptz[],
          ${column((r) => r.disableReason ?? null)}::text[]
        ) with ordinality as i(delivery_id, endpoint_id, body, state, attempted_at, status_code, latency_ms, error, next_retry_at, disable_reason, seq)
      ),
      updated as (
        update webhook_deliveries d set body = coalesce(i.body, d.body), state = i.state, attempts = d.attempts + 1,
          first_attempt_at = coalesce(d.first_attempt_at, i.attempted_at),
          delivered_at = case when i.state = ${DeliveryState.Delivered} then i.attempted_at else d.delivered_at end,
          next_attempt_at = coalesce(i.next_retry_at, d.next_attempt_at),
          leased_by = null, lease_until = null
        from input i
        where d.id = i.delivery_id and d.leased_by = ${leasedBy[0]!} and ${COMMIT_WITHOUT_FLUSH}
        returning d.id
      ),
      recorded as (select i.* from input i join updated u on u.id = i.delivery_id),
      attempt as (
        insert into webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, error, next_retry_at)
        select delivery_id, attempted_at, status_code, latency_ms, error, next_retry_at from recorded order by seq
      ),
      -- Per endpoint: the failures after its last 2xx in the batch (all of them when there was none).
      marked as (
        select r.*, max(seq) filter (where state = ${DeliveryState.Delivered}) over (partition by endpoint_id) as last_delivered_seq from recorded r
      ),
      runs as (
        select endpoint_id, last_delivered_seq is not null as reset,
          (count(*) filter (where seq > coalesce(last_delivered_seq, 0)))::int as failures,
          min(attempted_at) filter (where seq > coalesce(last_delivered_seq, 0)) as failing_since,
          max(disable_reason) as disable_reason, max(attempted_at) as last_at
        from marked where state <> ${DeliveryState.Delivered} or seq = last_delivered_seq
        group by endpoint_id, last_delivered_seq
      ),
      endpoint as (
        update webhook_endpoints e set
          consecutive_failures = case when r.reset then r.failures else e.consecutive_failures + r.failures end,
          failing_since = case when r.reset then r.failing_since else coalesce(e.failing_since, r.failing_since) end,
          enabled = e.enabled and r.disable_reason is null,
          disabled_reason = coalesce(r.disable_reason, e.disabled_reason),
          disabled_at = case when r.disable_reason is null then e.disabled_at else r.last_at end
        from runs r
        -- Only when the run changes: a healthy endpoint's row is not rewritten (nor locked) by every record.
        where e.id = r.endpoint_id and (r.failures > 0 or e.consecutive_failures <> 0 or e.failing_since is not null or r.disable_reason is not null)
      )
      select delivery_id from recorded`);
    return new Set(rowsOf<{ delivery_id: number | string }>(result).map((row) => Number(row.delivery_id)));
  }

  /** Endpoints' failure runs (failed attempts since the last 2xx, and since when), read before deciding to disable them. */
  async failureRuns(endpointIds: readonly number[]): Promise<Map<number, FailureRun>> {
    if (endpointIds.length === 0) return new Map();
    const rows = await this.db
      .select({ id: webhookEndpoints.id, consecutiveFailures: webhookEndpoints.consecutiveFailures, failingSince: webhookEndpoints.failingSince })
      .from(webhookEndpoints)
      .where(sql`${webhookEndpoints.id} = any(${sql.param([...new Set(endpointIds)])}::int[])`);
    return new Map(rows.map((row) => [row.id, { consecutiveFailures: row.consecutiveFailures, failingSince: row.failingSince }]));
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
