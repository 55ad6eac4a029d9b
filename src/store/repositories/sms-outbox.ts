// The SMS outbox (issue 13): queue a text (its sms_messages row, status queued, and its outbox row with the
// queueing process's lease) in one transaction; hand it over (write the provider's answer, its part ids, its sms.*
// webhook event, and delete the outbox row) in another; claim rows whose lease ran out with FOR UPDATE SKIP LOCKED,
// so two processes never take the same one.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { smsMessages, smsOutbox } from '../schema.js';
import { insertSmsParts, settleTextStatus } from './sms-parts-store.js';
import { changeSmsStatus } from '../sms-status-change.js';
import { rowsOf } from './rows.js';
import type { SmsResult } from '../../sms/sms-port.js';

export interface QueuedSms {
  smsMessageId: number;
  to: string;
  from: string;
  text: string;
}

/** A text to queue: its sms_messages row (status queued) and its outbox row, leased to `owner`. */
export interface SmsToQueue {
  phoneNumberId: number;
  attemptNumber: number;
  sentAt: Date;
  text: string;
  parts: number;
  encoding: string;
  to: string;
  from: string;
  owner: string;
  leaseUntil: Date;
}

/**
 * Queues a text in the caller's transaction: the call result that asks for a text on busy writes it in the same
 * transaction as the result (DialerStore.finishCalls), so a crash can neither lose the text nor queue one for a
 * result that was not written.
 */
export async function queueSmsIn(tx: Pick<Db, 'insert'>, args: SmsToQueue): Promise<number> {
  const [row] = await tx
    .insert(smsMessages)
    .values({
      phoneNumberId: args.phoneNumberId,
      attemptNumber: args.attemptNumber,
      sentAt: args.sentAt,
      text: args.text,
      parts: args.parts,
      encoding: args.encoding,
      status: 'queued',
      statusAt: args.sentAt,
      providerId: null,
    })
    .returning({ id: smsMessages.id });
  await tx.insert(smsOutbox).values({ smsMessageId: row!.id, toNumber: args.to, sender: args.from, leaseOwner: args.owner, leaseUntil: args.leaseUntil });
  return row!.id;
}

export class SmsOutboxRepository {
  constructor(private readonly db: Db) {}

  /** Queues a text on its own (a call flow's sms step, while the call goes on). */
  async queue(args: SmsToQueue): Promise<number> {
    return this.db.transaction((tx) => queueSmsIn(tx as unknown as Db, args));
  }

  /** The texts of one attempt still in the outbox and leased to `owner`: what its call result queued, to send now. */
  async queuedFor(phoneNumberId: number, attemptNumber: number, owner: string): Promise<number[]> {
    const rows = await this.db
      .select({ id: smsOutbox.smsMessageId })
      .from(smsOutbox)
      .innerJoin(smsMessages, eq(smsMessages.id, smsOutbox.smsMessageId))
      .where(and(eq(smsMessages.phoneNumberId, phoneNumberId), eq(smsMessages.attemptNumber, attemptNumber), eq(smsOutbox.leaseOwner, owner)))
      .orderBy(smsOutbox.smsMessageId);
    return rows.map((row) => row.id);
  }

  /**
   * Writes the provider's answer and takes the text out of the outbox, with its sms.sent or sms.failed (refused)
   * webhook event, and applies the receipts that came for its parts before this (kept by SmsPartsStore.applyReceipt),
   * which may make it delivered, failed or expired at once (that event follows sms.sent). False when the row was no
   * longer in the outbox (handed over already by another process after this one's lease ran out): nothing is
   * written then.
   */
  async handOver(smsMessageId: number, result: SmsResult, provider: string, at: Date): Promise<boolean> {
    return this.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      const removed = await tx.delete(smsOutbox).where(eq(smsOutbox.smsMessageId, smsMessageId)).returning({ id: smsOutbox.smsMessageId });
      if (removed.length === 0) return false;
      if (result.status === 'failed') {
        await changeSmsStatus(tx, { smsMessageId, status: `failed: ${result.reason}`, error: result.reason, at, refused: true });
        return true;
      }
      const receiptsBefore = result.partIds && result.partIds.length > 0 ? await insertSmsParts(tx, { smsMessageId, provider, partIds: result.partIds, at }) : 0;
      await tx.update(smsMessages).set({ providerId: result.providerId }).where(eq(smsMessages.id, smsMessageId));
      await changeSmsStatus(tx, { smsMessageId, status: 'sent', error: null, at });
      if (receiptsBefore > 0) await settleTextStatus(tx, smsMessageId, at);
      return true;
    });
  }

  /** Takes up to `limit` texts whose lease ran out before `now`, leasing them to `owner` until `leaseUntil`. */
  async claimExpired(args: { owner: string; now: Date; leaseUntil: Date; limit: number }): Promise<QueuedSms[]> {
    const result = await this.db.execute(sql`
      with taken as (
        select ${smsOutbox.smsMessageId} as id from ${smsOutbox}
        where ${smsOutbox.leaseUntil} < ${args.now.toISOString()}
        order by ${smsOutbox.leaseUntil}
        limit ${args.limit}
        for update skip locked
      )
      update ${smsOutbox} set lease_owner = ${args.owner}, lease_until = ${args.leaseUntil.toISOString()}, reclaims = ${smsOutbox.reclaims} + 1
      from taken join ${smsMessages} on ${smsMessages.id} = taken.id
      where ${smsOutbox.smsMessageId} = taken.id
      returning ${smsOutbox.smsMessageId} as sms_message_id, ${smsOutbox.toNumber} as to_number, ${smsOutbox.sender} as sender, ${smsMessages.text} as text`);
    return rowsOf<{ sms_message_id: string | number; to_number: string; sender: string; text: string }>(result).map((row) => ({
      smsMessageId: Number(row.sms_message_id),
      to: row.to_number,
      from: row.sender,
      text: row.text,
    }));
  }

  async waiting(): Promise<number> {
    const [row] = await this.db.select({ count: sql<number>`count(*)::int` }).from(smsOutbox);
    return Number(row?.count ?? 0);
  }
}
