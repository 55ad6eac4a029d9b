// A text's status change and its webhook event, in the caller's transaction (so the event exists exactly when the
// change does): the outbox's hand-over (sent, or refused: repositories/sms-outbox.ts) and receipts (delivered,
// failed, expired: repositories/sms-parts-store.ts) all go through here. A status equal to the one stored changes
// nothing and reports nothing: two receipts for the two parts of a text leave it sent, then delivered, so the text
// makes one sms.delivered, when its last part's receipt comes.
import { sql } from 'drizzle-orm';
import type { Db } from './database.js';
import { rowsOf } from './repositories/rows.js';
import { outboxInsert } from '../webhooks/outbox.js';
import { smsEventData, smsEventType } from '../webhooks/sms-event.js';

export interface SmsStatusChange {
  smsMessageId: number;
  /** sms_messages.status: sent, delivered, expired, `failed: <why>`. */
  status: string;
  error: string | null;
  at: Date;
  /** The provider refused the text when it was handed over (sms.failed's failure: refused). */
  refused?: boolean;
}

interface ChangedRow {
  id: string | number;
  phone_number_id: string | number;
  attempt_number: number;
  sent_at: Date | string;
  text: string;
  parts: number;
  status: string;
  status_at: Date | string;
  error: string | null;
  campaign_id: number;
  client_id: number;
  time_zone: string;
}

/** Sets the text's status, its time and error; true when the status changed (and its event, if any, was written). */
export async function changeSmsStatus(db: Pick<Db, 'execute'>, change: SmsStatusChange): Promise<boolean> {
  const at = change.at.toISOString();
  // The campaign (client id for the endpoints, zone for the times) comes with the update: one statement.
  const [row] = rowsOf<ChangedRow>(
    await db.execute(sql`
      update sms_messages s set status = ${change.status}, status_at = ${at}::timestamptz, error = ${change.error}
      from phone_numbers p join campaigns c on c.id = p.campaign_id
      where s.id = ${change.smsMessageId} and p.id = s.phone_number_id and s.status <> ${change.status}
      returning s.id, s.phone_number_id, s.attempt_number, s.sent_at, s.text, s.parts, s.status, s.status_at, s.error,
        p.campaign_id, c.client_id, c.time_zone`),
  );
  if (!row) return false;
  const type = smsEventType(row.status);
  if (type === undefined) return true;
  const data = smsEventData({
    smsId: Number(row.id),
    numberId: Number(row.phone_number_id),
    campaignId: Number(row.campaign_id),
    sms: {
      sentAt: new Date(row.sent_at),
      attemptNumber: row.attempt_number,
      text: row.text,
      parts: row.parts,
      status: row.status,
      statusAt: new Date(row.status_at),
      error: row.error,
    },
    timeZone: row.time_zone,
    refused: change.refused === true,
  });
  await db.execute(outboxInsert({ type, clientId: Number(row.client_id), subject: data, numberId: Number(row.phone_number_id), now: change.at }));
  return true;
}
