// Status changes a client asks for. Each is one conditional UPDATE (or a transaction), so a dialer acting on the same
// campaign at the same moment cannot interleave with it.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { campaigns, phoneNumbers } from '../schema.js';
import { moveNumbers } from '../number-status-counts.js';
import { CampaignStatus, NumberStatus } from '../../domain/enums.js';

export class CampaignLifecycleRepository {
  constructor(private readonly db: Db) {}

  /** Moves a campaign from one of `from` to `to`; false if it was not in one of them (someone got there first). */
  async transition(clientId: number, id: number, from: readonly number[], to: number): Promise<boolean> {
    const updated = await this.db
      .update(campaigns)
      .set({ status: to })
      .where(and(eq(campaigns.id, id), eq(campaigns.clientId, clientId), inArray(campaigns.status, [...from])))
      .returning({ id: campaigns.id });
    return updated.length > 0;
  }

  /** Cancels and gives every number still waiting the final status Cancelled; calls in progress finish. */
  async cancel(clientId: number, id: number, from: readonly number[], now: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = await tx
        .update(campaigns)
        .set({ status: CampaignStatus.Cancelled, finishedAt: now })
        .where(and(eq(campaigns.id, id), eq(campaigns.clientId, clientId), inArray(campaigns.status, [...from])))
        .returning({ id: campaigns.id });
      if (updated.length === 0) return false;
      await moveNumbers(tx, {
        from: NumberStatus.Pending,
        set: sql`status = ${NumberStatus.Cancelled}, due_at = null`,
        where: sql`${phoneNumbers.campaignId} = ${id}`,
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
