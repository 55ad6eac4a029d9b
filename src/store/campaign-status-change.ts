// A campaign's status change and its webhook events, in one statement (so the event exists exactly when the change
// does): the client's pause/resume/cancel (repositories/campaign-lifecycle.ts) and the dialer's moves
// (repositories/dialer-store.ts transitionCampaign, the compliance guard's pause) all go through here.
import { sql } from 'drizzle-orm';
import type { Db } from './database.js';
import { rowsOf } from './repositories/rows.js';
import { outboxInsertFrom } from '../webhooks/outbox.js';

export interface StatusChange {
  campaignId: number;
  /** Only this client's campaign (the client API); undefined: any (the dialer). */
  clientId?: number;
  from: readonly number[];
  to: number;
  now: Date;
  /** Also set finished_at (completed, cancelled). */
  finished?: boolean;
  /** The compliance guard's reason: a compliance.campaign_paused event goes with the change. */
  complianceReason?: string;
}

type Executor = Pick<Db, 'execute'>;

/** Moves the campaign from one of `from` to `to`; false if it was not in one of them (someone got there first). */
export async function changeCampaignStatus(db: Executor, change: StatusChange): Promise<boolean> {
  const now = sql`${change.now.toISOString()}::timestamptz`;
  const complianceEvent = change.complianceReason
    ? sql`, paused_event as (${outboxInsertFrom({
        type: 'compliance.campaign_paused',
        from: sql`changed`,
        clientId: sql`changed.client_id`,
        subject: sql`jsonb_build_object('campaignId', changed.id, 'reason', ${change.complianceReason}::text)`,
        numberId: sql`null::bigint`,
        now,
      })})`
    : sql``;
  const result = await db.execute(sql`
    with old as (
      select id, client_id, status from campaigns
      where id = ${change.campaignId}${change.clientId === undefined ? sql`` : sql` and client_id = ${change.clientId}`}
        and status = any(${sql.param([...change.from])}::smallint[])
      for update
    ),
    changed as (
      update campaigns c set status = ${change.to}${change.finished ? sql`, finished_at = ${now}` : sql``}
      from old where c.id = old.id
      returning c.id, old.client_id, old.status as previous
    ),
    status_event as (${outboxInsertFrom({
      type: 'campaign.status_changed',
      from: sql`changed`,
      clientId: sql`changed.client_id`,
      subject: sql`jsonb_build_object('campaignId', changed.id, 'campaignStatus', ${change.to}::int, 'previousCampaignStatus', changed.previous)`,
      numberId: sql`null::bigint`,
      now,
    })})${complianceEvent}
    select id from changed`);
  return rowsOf(result).length > 0;
}
