// The Kannel provider: each text is one GET to Kannel's smsbox sendsms interface (Kannel user guide, "Sending SMS
// via HTTP"), with a dlr-url that brings its delivery reports back to Ringcast (src/api/routes/kannel-dlr.ts).
//
// On the wire: user, password, from, to (E.164 as given), text (UTF-8, charset=utf-8), coding 0 (GSM-7) or 2
// (UCS-2) chosen by the text's characters (src/domain/sms-parts.ts, the rule the other providers use), dlr-mask 27
// (dlr-report.ts) and dlr-url (dlr-url.ts), and smsc when KANNEL_SMSC routes to one connection.
//
// Long texts: Kannel splits them itself (concatenated parts with a UDH, 153 GSM-7 / 67 UCS-2 characters each; the
// sendsms-user group needs max-messages and concatenation for that). It asks the SMSC for a delivery report on the
// FIRST part only (gw/sms.c sms_split: "if its a DLR request message getting split, only ask DLR for the first
// one"), and reports the SMSC's acceptance or refusal (8/16) once for all the parts together. So a Kannel text has
// one report of each kind, whatever its length: the provider answers one part id, the message id, and the report
// route applies each report to it. A later part that the handset never gets is therefore not seen: the text shows
// delivered when its first part is.
//
// Kannel's answer: see sendsms-answer.ts. What certainly did not reach Kannel (the connection refused, the host not
// found) and 5xx (503 is smsbox's "queue full") are tried again after retryDelaysMs, then the text fails with the
// last error. A request with no answer in time, or whose connection broke after it was sent, may have been taken:
// HTTP gives no way to ask, and sending it again could put the text on the handset twice, so it fails at once with a
// reason that says so (the operator can see it in the number's sms array and resend). send() never throws.
import type { SmsProvider, SmsRequest, SmsResult } from '../sms-port.js';
import { smsParts } from '../../domain/sms-parts.js';
import { dlrToken, newKannelMessageId } from './dlr-token.js';
import { kannelDlrUrl } from './dlr-url.js';
import { KANNEL_DLR_MASK } from './dlr-report.js';
import { sendsmsAnswer, type SendsmsAnswer } from './sendsms-answer.js';

export const KANNEL_PROVIDER_NAME = 'kannel';

/** sendsms coding: 0 the GSM 7-bit default alphabet, 2 UCS-2 (1 would be 8-bit data). */
const CODING = { 'GSM-7': '0', 'UCS-2': '2' } as const;

export interface KannelProviderOptions {
  /** smsbox's sendsms address, e.g. http://127.0.0.1:13013/cgi-bin/sendsms. */
  sendsmsUrl: string;
  user: string;
  password: string;
  /** Where Kannel reaches Ringcast (KANNEL_DLR_BASE_URL). */
  dlrBaseUrl: string;
  /** Keys the per-message token (KANNEL_DLR_SECRET). */
  dlrSecret: string;
  /** smsc-id to route to (KANNEL_SMSC). */
  smsc?: string;
  /** Sender when a request has none (SMS_SENDER_DEFAULT). */
  defaultSender?: string;
  /** One request's time limit. Default 5 s. */
  timeoutMs?: number;
  /** Waits before each retry; their count is the number of retries. Default 0.25, 1 and 4 s. */
  retryDelaysMs?: readonly number[];
  log?: { warn(obj: unknown, msg?: string): void };
}

const DEFAULT_RETRY_DELAYS_MS = [250, 1000, 4000];

/** Connection errors that mean the request never reached Kannel, so trying again cannot send a text twice. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export class KannelSmsProvider implements SmsProvider {
  readonly name = KANNEL_PROVIDER_NAME;

  constructor(private readonly options: KannelProviderOptions) {}

  async send(request: SmsRequest): Promise<SmsResult> {
    const from = request.from === '' ? (this.options.defaultSender ?? '') : request.from;
    if (from === '') return { status: 'failed', reason: 'no sender: the campaign has no CLI and SMS_SENDER_DEFAULT is unset' };
    if (request.text === '') return { status: 'failed', reason: 'empty message' };
    const { encoding } = smsParts(request.text);
    const id = newKannelMessageId();
    // loadSettings checks it parses; a provider built by hand with a bad one fails its texts rather than throwing.
    if (!URL.canParse(this.options.sendsmsUrl)) return { status: 'failed', reason: `not a URL: ${this.options.sendsmsUrl}` };
    const url = new URL(this.options.sendsmsUrl);
    const params: Record<string, string> = {
      user: this.options.user,
      password: this.options.password,
      from,
      to: request.to,
      text: request.text,
      coding: CODING[encoding],
      charset: 'utf-8',
      'dlr-mask': String(KANNEL_DLR_MASK),
      'dlr-url': kannelDlrUrl({ baseUrl: this.options.dlrBaseUrl, id, token: dlrToken(this.options.dlrSecret, id) }),
    };
    if (this.options.smsc !== undefined) params.smsc = this.options.smsc;
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);

    const delaysMs = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    let lastReason = '';
    for (let attempt = 0; ; attempt++) {
      const answer = await this.requestOnce(url);
      if (answer.kind === 'accepted') return { status: 'sent', providerId: id, partIds: [id] };
      if (answer.kind === 'refused') return { status: 'failed', reason: answer.reason };
      lastReason = answer.reason;
      const delayMs = delaysMs[attempt];
      if (delayMs === undefined) break;
      this.options.log?.warn({ reason: answer.reason, attempt: attempt + 1, delayMs }, 'kannel: sendsms failed; trying again');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    return { status: 'failed', reason: `${lastReason} (after ${delaysMs.length + 1} attempts)` };
  }

  private async requestOnce(url: URL): Promise<SendsmsAnswer> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
      return sendsmsAnswer(response.status, await response.text());
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code !== undefined && NOT_SENT_CODES.has(cause.code)) return { kind: 'retry', reason: `Kannel unreachable: ${cause.code}` };
      const what = (error as Error).name === 'TimeoutError' ? `no answer in ${this.options.timeoutMs ?? 5000} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
      return { kind: 'refused', reason: `Kannel: ${what}; the text may have gone out, so it is not sent again` };
    }
  }
}
