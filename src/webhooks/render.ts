// The JSON body of an event: the envelope (id, type, createdAt, apiVersion) and its data, in the documented API's
// field names. call.completed shows the call through the phone-number listing's own serializer (toCallResult).
import { eq } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { calls, campaigns, phoneNumbers } from '../store/schema.js';
import { toCallResult } from '../api/routes/campaign-views.js';
import { WEBHOOK_API_VERSION } from './event-types.js';
import type { ClaimedDelivery } from '../store/repositories/webhooks.js';

async function dataOf(db: Db, delivery: ClaimedDelivery): Promise<Record<string, unknown>> {
  const subject = delivery.subject;
  if (delivery.type !== 'call.completed') return subject;
  const callId = Number(subject.callId);
  const [row] = await db
    .select({ call: calls, campaignId: phoneNumbers.campaignId, timeZone: campaigns.timeZone })
    .from(calls)
    .innerJoin(phoneNumbers, eq(phoneNumbers.id, calls.phoneNumberId))
    .innerJoin(campaigns, eq(campaigns.id, phoneNumbers.campaignId))
    .where(eq(calls.id, callId));
  // The campaign was deleted since: its numbers and calls went with it; the facts of the moment are all there is.
  if (!row) return subject;
  return {
    campaignId: row.campaignId,
    numberId: row.call.phoneNumberId,
    attempt: row.call.attemptNumber,
    call: toCallResult(row.call, row.timeZone),
  };
}

/** The body sent for a delivery, built once at its first attempt. */
export async function renderBody(db: Db, delivery: ClaimedDelivery): Promise<string> {
  return JSON.stringify({
    id: delivery.eventId,
    type: delivery.type,
    createdAt: delivery.createdAt.toISOString(),
    apiVersion: WEBHOOK_API_VERSION,
    data: await dataOf(db, delivery),
  });
}
