// The sms.* events (issue 12): which one a text's new status makes, and its data, the text as the phonenumbers
// output's `sms` array shows it (toSmsResult, the listing's own serializer) with the ids that place it. Pure.
import { toSmsResult } from '../api/routes/campaign-views.js';
import type { PageSms } from '../store/repositories/campaigns.js';
import type { SmsFailure, WebhookEventType } from './event-types.js';

/** The event a text's new status makes; undefined for queued (a text is written queued: no change to report). */
export function smsEventType(status: string): Extract<WebhookEventType, `sms.${string}`> | undefined {
  if (status === 'sent') return 'sms.sent';
  if (status === 'delivered') return 'sms.delivered';
  if (status === 'expired' || status === 'failed' || status.startsWith('failed: ')) return 'sms.failed';
  return undefined;
}

export interface SmsEventFacts {
  smsId: number;
  numberId: number;
  campaignId: number;
  sms: PageSms;
  timeZone: string;
  /** For sms.failed: refused at hand-over; otherwise it follows the status (expired, or failed by a receipt). */
  refused: boolean;
}

export function smsEventData(facts: SmsEventFacts) {
  const failure: SmsFailure = facts.refused ? 'refused' : facts.sms.status === 'expired' ? 'expired' : 'failed';
  return {
    smsId: facts.smsId,
    numberId: facts.numberId,
    campaignId: facts.campaignId,
    ...toSmsResult(facts.sms, facts.timeZone),
    ...(smsEventType(facts.sms.status) === 'sms.failed' ? { failure } : {}),
  };
}
