// The status a text shows once receipts come in for its parts. Pure.
//
// A text sent as several parts is delivered only when every part is; any part failed or expired makes the whole
// text failed or expired (the handset cannot show it whole), failed winning over expired; otherwise it stays sent.
export const SMS_PART_STATES = ['sent', 'delivered', 'failed', 'expired'] as const;
export type SmsPartState = (typeof SMS_PART_STATES)[number];

export function textStatus(parts: readonly { state: SmsPartState; error: string | null }[]): string {
  const failed = parts.find((part) => part.state === 'failed');
  if (failed) return failed.error ? `failed: ${failed.error}` : 'failed';
  if (parts.some((part) => part.state === 'expired')) return 'expired';
  if (parts.length > 0 && parts.every((part) => part.state === 'delivered')) return 'delivered';
  return 'sent';
}
