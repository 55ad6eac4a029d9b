// The SMS port. Providers (a simulated one now, real ones later) send one text to one number.
export interface SmsRequest {
  to: string;
  /** Sender: the campaign's CLI (E.164) or an alphanumeric sender id. */
  from: string;
  text: string;
}

export type SmsResult = { status: 'sent'; providerId: string } | { status: 'failed'; reason: string };

export interface SmsProvider {
  readonly name: string;
  send(request: SmsRequest): Promise<SmsResult>;
}
