// The status a text shows once receipts come in for its parts, and the error shown beside it. Pure.
//
// A text sent as several parts is delivered only when every part is; any part failed or expired makes the whole
// text failed or expired (the handset cannot show it whole), failed winning over expired; otherwise it stays sent.
export const SMS_PART_STATES = ['sent', 'delivered', 'failed', 'expired'] as const;
export type SmsPartState = (typeof SMS_PART_STATES)[number];

export interface TextStatus {
  /** sms_messages.status: sent, delivered, expired, or `failed: <error>` (`failed` when the receipt gave none). */
  status: string;
  /** The error of the part that decided a failed or expired status, null otherwise. */
  error: string | null;
}

export function textStatus(parts: readonly { state: SmsPartState; error: string | null }[]): TextStatus {
  const failed = parts.find((part) => part.state === 'failed');
  if (failed) return { status: failed.error ? `failed: ${failed.error}` : 'failed', error: failed.error };
  const expired = parts.find((part) => part.state === 'expired');
  if (expired) return { status: 'expired', error: expired.error };
  if (parts.length > 0 && parts.every((part) => part.state === 'delivered')) return { status: 'delivered', error: null };
  return { status: 'sent', error: null };
}

/**
 * Whether a final receipt may replace a part's state. A failure stands: when the SMSC refuses part 2 of a long text,
 * Kannel reports the whole text refused at once, and part 1's handset receipt (delivered) can still come later; the
 * text stays failed. Anything else replaces what was there (a repeated receipt changes nothing by itself).
 */
export function receiptReplaces(current: SmsPartState, incoming: Exclude<SmsPartState, 'sent'>): boolean {
  return !(incoming === 'delivered' && (current === 'failed' || current === 'expired'));
}
