// Which part of a Kannel text a delivery report is for. Kannel sends one final report per part to the one dlr-url
// of the text, and the report does not say which part it is (src/sms/kannel/kannel-provider.ts), so a report goes to
// the lowest-numbered part still `sent`: the text's status depends only on how many parts are delivered, failed or
// expired, never on which. Read-only: the write is SmsPartsStore.applyReceipt.
import { asc, eq, and } from 'drizzle-orm';
import type { Db } from '../database.js';
import { smsMessageParts } from '../schema.js';
import { KANNEL_PROVIDER_NAME, kannelPartIds } from '../../sms/kannel/kannel-provider.js';

export type KannelPartLookup =
  /** No text has this id (not handed over yet, or never sent by this database). */
  | { kind: 'unknown' }
  /** Every part has its final report already: this one is a repeat. */
  | { kind: 'settled' }
  | { kind: 'open'; providerMessageId: string };

export async function nextOpenKannelPart(db: Db, messageId: string): Promise<KannelPartLookup> {
  // Part 1's id finds the text through the (provider, provider_message_id) unique index.
  const [first] = await db
    .select({ smsMessageId: smsMessageParts.smsMessageId })
    .from(smsMessageParts)
    .where(and(eq(smsMessageParts.provider, KANNEL_PROVIDER_NAME), eq(smsMessageParts.providerMessageId, kannelPartIds(messageId, 1)[0]!)));
  if (!first) return { kind: 'unknown' };
  const parts = await db
    .select({ providerMessageId: smsMessageParts.providerMessageId, state: smsMessageParts.state })
    .from(smsMessageParts)
    .where(eq(smsMessageParts.smsMessageId, first.smsMessageId))
    .orderBy(asc(smsMessageParts.partNumber));
  const open = parts.find((part) => part.state === 'sent');
  return open ? { kind: 'open', providerMessageId: open.providerMessageId } : { kind: 'settled' };
}
