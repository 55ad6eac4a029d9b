// Status changes a client asks for. Each is one conditional UPDATE (or a transaction), so a dialer acting on the same
// campaign at the same moment cannot interleave with it; its webhook events are written with it (campaign-status-change.ts).
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { campaigns, phoneNumbers } from '../schema.js';
import { moveNumbers } from '../number-status-counts.js';
import { changeCampaignStatus } from '../campaign-status-change.js';
import { CampaignStatus, NumberStatus } from '../../domain/enums.js';

export class CampaignLifecycleRepository {
  constructor(private readonly db: Db) {}

  /** Moves a campaign from one of `from` to `to`; false if it was not in one of them (someone got there first). */
  async transition(clientId: number, id: number, from: readonly number[], to: number, now: Date): Promise<boolean> {
    return changeCampaignStatus(this.db, { campaignId: id, clientId, from, to, now });
  }

  /** Cancels and gives every number still waiting the final status Cancelled; calls in progress finish. */
  async cancel(clientId: number, id: number, from: readonly number[], now: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await changeCampaignStatus(tx, { campaignId: id, clientId, from, to: CampaignStatus.Cancelled, now, finished: true }))) return false;
      await moveNumbers(tx, {
        from: NumberStatus.Pending,
        set: sql`status = ${NumberStatus.Cancelled}, due_at = null`,
        where: sql`${phoneNumbers.campaignId} = ${id}`,
        eventsAt: now,
      });
      return true;
    });
  }

  /** Deletes a campaign that has not started (numbers, attempts and runover days go with it). */
  async delete(clientId: number, id: number): Promise<boolean> {
    const deleted = await this.db
      .delete(campaigns)
      .where(
        and(eq(campaigns.id, id), eq(campaigns.clientId, clientId), eq(campaigns.status, CampaignStatus.Scheduled), eq(campaigns.callCount, 0)),
      )
      .returning({ id: campaigns.id });
    return deleted.length > 0;
  }
}
