// The webhook event types and delivery states: the one list the API schemas, the outbox writers and the README use.

/** sms.failed's `failure`: how the text failed. */
export const SMS_FAILURES = [
  { name: 'refused', description: 'the provider refused it when it was handed over' },
  { name: 'failed', description: 'a delivery receipt said it was not delivered' },
  { name: 'expired', description: 'a delivery receipt said it expired' },
] as const;
export type SmsFailure = (typeof SMS_FAILURES)[number]['name'];

export const WEBHOOK_EVENT_TYPES = [
  { type: 'call.completed', description: 'A call ended: the call as GET .../phonenumbers shows it, with numberId, campaignId and attempt' },
  { type: 'number.completed', description: 'A number reached its final status' },
  { type: 'campaign.status_changed', description: "A campaign's campaignStatus changed" },
  { type: 'compliance.campaign_paused', description: 'A UK compliance guard (abandoned-call rate) paused a campaign' },
  { type: 'sms.sent', description: "The SMS provider took a text: the text as GET .../phonenumbers' sms array shows it, with smsId, numberId and campaignId" },
  { type: 'sms.delivered', description: "A text's receipts say every part was delivered: the text as the sms array shows it, with smsId, numberId and campaignId" },
  {
    type: 'sms.failed',
    description: `A text failed: the text as the sms array shows it, with smsId, numberId, campaignId and failure (${SMS_FAILURES.map((f) => `${f.name}: ${f.description}`).join('; ')})`,
  },
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]['type'];
export const WEBHOOK_EVENT_TYPE_NAMES = WEBHOOK_EVENT_TYPES.map((entry) => entry.type) as WebhookEventType[];

/** The version of the event envelope and its data, sent in every event as apiVersion. */
export const WEBHOOK_API_VERSION = '2026-12-01';

/** webhook_deliveries.state */
export const DeliveryState = { Pending: 0, Delivered: 1, Failed: 2 } as const;
export type DeliveryState = (typeof DeliveryState)[keyof typeof DeliveryState];
export const DELIVERY_STATE_NAMES = { 0: 'pending', 1: 'delivered', 2: 'failed' } as const satisfies Record<DeliveryState, string>;

/** Why a delivery attempt did not deliver: no answer in time, no connection, an answer other than 2xx, a URL refused. */
export const FAILED_ATTEMPT_REASONS = ['timeout', 'network', 'status', 'refused'] as const;
export type FailedAttemptReason = (typeof FAILED_ATTEMPT_REASONS)[number];
