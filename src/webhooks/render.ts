// The JSON body of an event: the envelope (id, type, createdAt, apiVersion) and its data, in the documented API's
// field names. call.completed shows the call through the phone-number listing's own serializer (toCallResult).
// Bodies are rendered a claimed batch at a time (one query for the batch's calls) and frozen at the first attempt.
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { calls, campaigns, phoneNumbers } from '../store/schema.js';
import { toCallResult } from '../api/routes/campaign-views.js';
import { WEBHOOK_API_VERSION } from './event-types.js';
import type { ClaimedDelivery } from '../store/repositories/webhooks.js';

type CallData = { campaignId: number; numberId: number; attempt: number; call: ReturnType<typeof toCallResult> };

async function callsById(db: Db, ids: number[]): Promise<Map<number, CallData>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ call: calls, campaignId: phoneNumbers.campaignId, timeZone: campaigns.timeZone })
    .from(calls)
    .innerJoin(phoneNumbers, eq(phoneNumbers.id, calls.phoneNumberId))
    .innerJoin(campaigns, eq(campaigns.id, phoneNumbers.campaignId))
    .where(inArray(calls.id, ids));
  return new Map(
    rows.map((row) => [
      row.call.id,
      { campaignId: row.campaignId, numberId: row.call.phoneNumberId, attempt: row.call.attemptNumber, call: toCallResult(row.call, row.timeZone) },
    ]),
  );
}

/** The body of each delivery of the batch that has none yet, by delivery id. */
export async function renderBodies(db: Db, deliveries: readonly ClaimedDelivery[]): Promise<Map<number, string>> {
  const unrendered = deliveries.filter((delivery) => delivery.body === null);
  const found = await callsById(
    db,
    unrendered.filter((delivery) => delivery.type === 'call.completed').map((delivery) => Number(delivery.subject.callId)),
  );
  return new Map(
    unrendered.map((delivery) => {
      // A call whose campaign was deleted since is gone with it: the facts of the moment are all there is.
      const data = delivery.type === 'call.completed' ? (found.get(Number(delivery.subject.callId)) ?? delivery.subject) : delivery.subject;
      const body = JSON.stringify({
        id: delivery.eventId,
        type: delivery.type,
        createdAt: delivery.createdAt.toISOString(),
        apiVersion: WEBHOOK_API_VERSION,
        data,
      });
      return [delivery.id, body];
    }),
  );
}
