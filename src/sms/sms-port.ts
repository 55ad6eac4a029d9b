// The SMS port. Providers (a simulated one now, real ones later) send one text to one number.
export interface SmsRequest {
  to: string;
  /** Sender: the campaign's CLI (E.164) or an alphanumeric sender id. */
  from: string;
  text: string;
}

/**
 * `providerId`: the provider's id of the message (of its first part when it went as several); `partIds`: the ids
 * of every part, in order, where the provider gives one per part (SMPP), so a receipt for any part finds the text.
 */
export type SmsResult = { status: 'sent'; providerId: string; partIds?: string[] } | { status: 'failed'; reason: string };

export interface SmsProvider {
  readonly name: string;
  send(request: SmsRequest): Promise<SmsResult>;
  /** Ends the provider's connections (an SMPP unbind) when the dialer stops. */
  close?(): Promise<void>;
}
