// The state of one SMS part by its provider message id, for a receipt route that must not let a late report undo
// an earlier failure (src/api/routes/kannel-dlr.ts). Read-only: receipts are written by SmsPartsStore.applyReceipt.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { smsMessageParts } from '../schema.js';
import type { SmsPartState } from '../../sms/receipt-status.js';

/** The part's state, or undefined when no part has this id. */
export async function smsPartState(db: Db, provider: string, providerMessageId: string): Promise<SmsPartState | undefined> {
  const [part] = await db
    .select({ state: smsMessageParts.state })
    .from(smsMessageParts)
    .where(and(eq(smsMessageParts.provider, provider), eq(smsMessageParts.providerMessageId, providerMessageId)));
  return part?.state as SmsPartState | undefined;
}
