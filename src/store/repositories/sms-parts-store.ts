// SMS parts and their delivery receipts (issue 13). The outbox's handOver writes the parts with the answer; a receipt updates its
// part and then the text's status (sms_messages.status) from all its parts, in one transaction with the text's row
// locked, so two receipts for two parts of one text arriving at once cannot both read the other's part as pending.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { smsMessageParts, smsMessages } from '../schema.js';
import { textStatus, type SmsPartState } from '../../sms/receipt-status.js';

export async function insertSmsParts(db: Db, args: { smsMessageId: number; provider: string; partIds: string[]; at: Date }): Promise<void> {
  await db.insert(smsMessageParts).values(
    args.partIds.map((providerMessageId, index) => ({
      smsMessageId: args.smsMessageId,
      partNumber: index + 1,
      provider: args.provider,
      providerMessageId,
      state: 'sent',
      updatedAt: args.at,
    })),
  );
}

export class SmsPartsStore {
  constructor(private readonly db: Db) {}

  /**
   * Applies a final receipt to the part with this provider message id; answers the text's new status, or undefined
   * when no part has that id (a receipt for a text this database never sent, or forged).
   */
  async applyReceipt(args: { provider: string; providerMessageId: string; state: Exclude<SmsPartState, 'sent'>; error: string | undefined; at: Date }): Promise<string | undefined> {
    return this.db.transaction(async (tx) => {
      const [part] = await tx
        .select({ smsMessageId: smsMessageParts.smsMessageId })
        .from(smsMessageParts)
        .where(and(eq(smsMessageParts.provider, args.provider), eq(smsMessageParts.providerMessageId, args.providerMessageId)));
      if (!part) return undefined;
      await tx.execute(sql`select 1 from ${smsMessages} where ${smsMessages.id} = ${part.smsMessageId} for update`);
      await tx
        .update(smsMessageParts)
        .set({ state: args.state, error: args.error ?? null, updatedAt: args.at })
        .where(and(eq(smsMessageParts.provider, args.provider), eq(smsMessageParts.providerMessageId, args.providerMessageId)));
      const parts = await tx
        .select({ state: smsMessageParts.state, error: smsMessageParts.error })
        .from(smsMessageParts)
        .where(eq(smsMessageParts.smsMessageId, part.smsMessageId));
      const status = textStatus(parts.map((p) => ({ state: p.state as SmsPartState, error: p.error })));
      await tx.update(smsMessages).set({ status }).where(eq(smsMessages.id, part.smsMessageId));
      return status;
    });
  }
}
