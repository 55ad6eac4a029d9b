// SMS parts and their delivery receipts (issue 13). The outbox's handOver writes the parts with the answer; a receipt
// updates its part and then the text's status (sms_messages.status) from all its parts, in one transaction with the
// text's row locked, so two receipts for two parts of one text arriving at once cannot both read the other's part as
// pending. The status change writes its sms.* webhook event in the same transaction (../sms-status-change.ts).
//
// A receipt can come before its part is written (the SMSC reports part 1 while Ringcast still submits part 2; the
// parts are written with the provider's whole answer): it is kept in sms_receipts_early, in the receipt's
// transaction, and the hand-over that writes the part applies it in its own. Both take a transaction-scoped advisory
// lock on the part's (provider, id) first, so one of them always sees the other's row: without it, a receipt that
// found no part and a hand-over that found no early receipt, running at once, would leave the receipt unapplied.
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { smsMessageParts, smsMessages, smsReceiptsEarly } from '../schema.js';
import { receiptReplaces, textStatus, type SmsPartState } from '../../sms/receipt-status.js';
import { changeSmsStatus } from '../sms-status-change.js';

/** A receipt for a part id no part has is kept this long for its part to be written, then deleted. */
export const SMS_EARLY_RECEIPT_MAX_AGE_MS = 24 * 60 * 60_000;

/** Advisory lock namespace (pg_advisory_xact_lock(int, int)) of the per-part locks; the other keys are bigints. */
const PART_LOCK_NAMESPACE = 7_123_003;

export type SmsReceiptState = Exclude<SmsPartState, 'sent'>;

/** Locks the parts' (provider, id) for the transaction, in one order (two hand-overs never wait on each other). */
async function lockPartIds(db: Pick<Db, 'execute'>, provider: string, partIds: readonly string[]): Promise<void> {
  await db.execute(sql`
    select pg_advisory_xact_lock(${PART_LOCK_NAMESPACE}, hashtext(${provider} || ' ' || id))
    from (select distinct id from unnest(${sql.param([...partIds])}::text[]) as ids(id) order by id) as sorted`);
}

/**
 * Writes the parts of a text the provider took, each with the receipt that came for it before (taken out of
 * sms_receipts_early), in the caller's transaction. Answers how many parts had one: then the text's status is to be
 * settled from its parts (settleTextStatus) once the hand-over has written it sent.
 */
export async function insertSmsParts(db: Db, args: { smsMessageId: number; provider: string; partIds: string[]; at: Date }): Promise<number> {
  await lockPartIds(db, args.provider, args.partIds);
  const early = await db
    .delete(smsReceiptsEarly)
    .where(and(eq(smsReceiptsEarly.provider, args.provider), inArray(smsReceiptsEarly.providerMessageId, args.partIds)))
    .returning();
  const earlyById = new Map(early.map((receipt) => [receipt.providerMessageId, receipt]));
  await db.insert(smsMessageParts).values(
    args.partIds.map((providerMessageId, index) => {
      const receipt = earlyById.get(providerMessageId);
      return {
        smsMessageId: args.smsMessageId,
        partNumber: index + 1,
        provider: args.provider,
        providerMessageId,
        state: receipt?.state ?? 'sent',
        error: receipt?.error ?? null,
        updatedAt: receipt?.receivedAt ?? args.at,
      };
    }),
  );
  return early.length;
}

/** Sets the text's status from all its parts (and its event when that changes it), in the caller's transaction. */
export async function settleTextStatus(db: Db, smsMessageId: number, at: Date): Promise<string> {
  const parts = await db
    .select({ state: smsMessageParts.state, error: smsMessageParts.error })
    .from(smsMessageParts)
    .where(eq(smsMessageParts.smsMessageId, smsMessageId));
  const settled = textStatus(parts.map((part) => ({ state: part.state as SmsPartState, error: part.error })));
  await changeSmsStatus(db, { smsMessageId, status: settled.status, error: settled.error, at });
  return settled.status;
}

export class SmsPartsStore {
  constructor(private readonly db: Db) {}

  /**
   * Applies a final receipt to the part with this provider message id (unless it would undo a failure:
   * receiptReplaces); answers whether it did and the text's status after it, or undefined
   * when no part has that id yet: the receipt is then kept (sms_receipts_early) and applied when the hand-over
   * writes that part, or deleted after SMS_EARLY_RECEIPT_MAX_AGE_MS if none ever does (a text of another database).
   * Applying the same receipt twice changes nothing the second time (no second event).
   */
  async applyReceipt(args: { provider: string; providerMessageId: string; state: SmsReceiptState; error: string | undefined; at: Date }): Promise<ReceiptApplied | undefined> {
    return this.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      await lockPartIds(tx, args.provider, [args.providerMessageId]);
      const [part] = await tx
        .select({ smsMessageId: smsMessageParts.smsMessageId, state: smsMessageParts.state })
        .from(smsMessageParts)
        .where(and(eq(smsMessageParts.provider, args.provider), eq(smsMessageParts.providerMessageId, args.providerMessageId)));
      if (!part) {
        await keepEarly(tx, args);
        return undefined;
      }
      // Read and decided under the part's lock: two reports of one part cannot both pass the rule on a stale state.
      if (!receiptReplaces(part.state as SmsPartState, args.state)) {
        const [text] = await tx.select({ status: smsMessages.status }).from(smsMessages).where(eq(smsMessages.id, part.smsMessageId));
        return { changed: false, textStatus: text?.status ?? 'failed' };
      }
      await tx.execute(sql`select 1 from sms_messages where id = ${part.smsMessageId} for update`);
      await tx
        .update(smsMessageParts)
        .set({ state: args.state, error: args.error ?? null, updatedAt: args.at })
        .where(and(eq(smsMessageParts.provider, args.provider), eq(smsMessageParts.providerMessageId, args.providerMessageId)));
      return { changed: true, textStatus: await settleTextStatus(tx, part.smsMessageId, args.at) };
    });
  }
}

/** What a receipt did: whether it was applied (a failure is not undone: receiptReplaces), and the text's status. */
export interface ReceiptApplied {
  changed: boolean;
  textStatus: string;
}

/**
 * Keeps a receipt for a part not written yet (a later one for the same id replaces it), and deletes the kept ones
 * older than SMS_EARLY_RECEIPT_MAX_AGE_MS: the writer of early receipts is their cleaner, so the table holds at most
 * a day of them without a sweeper of its own (one index range on received_at, usually empty).
 */
async function keepEarly(db: Db, args: { provider: string; providerMessageId: string; state: SmsReceiptState; error: string | undefined; at: Date }): Promise<void> {
  const receipt = { state: args.state, error: args.error ?? null, receivedAt: args.at };
  // The same rule as for a written part (receiptReplaces), under the same lock: a kept failure stays.
  const [kept] = await db
    .select({ state: smsReceiptsEarly.state })
    .from(smsReceiptsEarly)
    .where(and(eq(smsReceiptsEarly.provider, args.provider), eq(smsReceiptsEarly.providerMessageId, args.providerMessageId)));
  if (kept && !receiptReplaces(kept.state as SmsPartState, args.state)) return;
  await db
    .insert(smsReceiptsEarly)
    .values({ provider: args.provider, providerMessageId: args.providerMessageId, ...receipt })
    .onConflictDoUpdate({ target: [smsReceiptsEarly.provider, smsReceiptsEarly.providerMessageId], set: receipt });
  await db.delete(smsReceiptsEarly).where(lt(smsReceiptsEarly.receivedAt, new Date(args.at.getTime() - SMS_EARLY_RECEIPT_MAX_AGE_MS)));
}
