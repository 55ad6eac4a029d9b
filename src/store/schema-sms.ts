// SMS parts as the provider took them (issue 13): one row per part with the provider's message id, so a delivery
// receipt for any part finds its text (sms_messages), and the text's status can wait for every part's receipt.
import { bigint, bigserial, index, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { smsMessages } from './schema.js';

export const smsMessageParts = pgTable(
  'sms_message_parts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    smsMessageId: bigint('sms_message_id', { mode: 'number' })
      .notNull()
      .references(() => smsMessages.id, { onDelete: 'cascade' }),
    /** 1-based, the part's place in the concatenated text. */
    partNumber: smallint('part_number').notNull(),
    /** The provider's name (smpp...) and its message id for this part; ids are unique per provider only. */
    provider: text('provider').notNull(),
    providerMessageId: text('provider_message_id').notNull(),
    /** sent (accepted, no receipt yet), delivered, failed, expired (SMS_PART_STATES). */
    state: text('state').notNull(),
    error: text('error'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    uniqueIndex('sms_message_parts_provider_id_idx').on(table.provider, table.providerMessageId),
    index('sms_message_parts_message_idx').on(table.smsMessageId),
  ],
);

/**
 * The SMS outbox: a text waiting to be handed to the provider. The row is written with the text (status queued) and
 * deleted in the transaction that writes the provider's answer, so a text is in here exactly until the provider has
 * taken or refused it. The process that queued it holds a lease and sends it at once; a row whose lease ran out
 * (its process died before the answer was written) is claimed by any process's sender loop with FOR UPDATE SKIP
 * LOCKED and sent again.
 */
export const smsOutbox = pgTable(
  'sms_outbox',
  {
    smsMessageId: bigint('sms_message_id', { mode: 'number' })
      .primaryKey()
      .references(() => smsMessages.id, { onDelete: 'cascade' }),
    toNumber: text('to_number').notNull(),
    sender: text('sender').notNull(),
    leaseOwner: text('lease_owner').notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }).notNull(),
    /** Times a sender loop claimed it after a lease ran out. */
    reclaims: smallint('reclaims').notNull().default(0),
  },
  (table) => [index('sms_outbox_lease_idx').on(table.leaseUntil)],
);

/**
 * Receipts that came before their part: the SMSC (or Kannel) may report part 1 delivered while Ringcast still
 * submits part 2, and the parts are written only with the provider's whole answer (SmsOutboxRepository.handOver).
 * SmsPartsStore.applyReceipt keeps such a receipt here, and handOver applies it in the transaction that writes the
 * part with that id, so a crash in between loses nothing. One row per part id (a later receipt replaces an earlier
 * one). A receipt for an id this database never writes (another database's text) stays until applyReceipt, which
 * keeps the early ones, deletes those older than a day (SMS_EARLY_RECEIPT_MAX_AGE_MS) each time it keeps one.
 */
export const smsReceiptsEarly = pgTable(
  'sms_receipts_early',
  {
    provider: text('provider').notNull(),
    providerMessageId: text('provider_message_id').notNull(),
    /** delivered, failed, expired (SMS_PART_STATES but sent). */
    state: text('state').notNull(),
    error: text('error'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.provider, table.providerMessageId] }), index('sms_receipts_early_received_idx').on(table.receivedAt)],
);
