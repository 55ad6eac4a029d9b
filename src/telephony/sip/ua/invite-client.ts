/**
 * The outgoing INVITE, from the first send until it is answered, fails or is cancelled (RFC 3261 sections 13.2 and
 * 9.1, RFC 4028 section 7 for the 422 retry, section 22 for challenges). The transaction layer below does the
 * retransmissions, Timer B and the ACK of non-2xx finals; this is the transaction user.
 *
 *   calling --1xx--> proceeding --2xx--> answered
 *      |                 |  \--3xx-6xx--> failed          (401/407 and 422: re-sent once, back to calling)
 *      | cancel()        | cancel(): CANCEL
 *      v                 v
 *   cancel-pending --1xx: CANCEL--> cancelling --any final / 64*T1--> cancelled
 *      \--non-2xx final / Timer B--> cancelled
 *   A 2xx in cancel-pending or cancelling crossed our CANCEL: ACK it, BYE it, cancelled.
 *
 * Every 2xx is ACKed, for as long as any arrive: the stack hands us each 2xx of the transaction (RFC 6026) and the
 * user agent routes later ones to the call of their dialog. A 2xx from another fork (another To-tag) after the call was
 * answered gets ACK then BYE in its own dialog (section 13.2.2.4).
 *
 * The 2xx themselves are turned into calls by invite-dialogs.ts. Once settled, this object is only its caller's: the
 * transaction (which lingers 64*T1 in RFC 6026's Accepted state) and the user agent hold the InviteDialogs alone,
 * so the caller's listeners, the outcome and the call are not kept alive for those 32 s (see ended-call.ts).
 */
import { SipDialog } from '../dialog/dialog.js';
import { parseSipUri } from '../message/headers.js';
import { findReason, reasonsOf } from '../message/reason.js';
import { minSeOf } from '../message/session-timer.js';
import type { SipHeader, SipRequest, SipResponse } from '../message/types.js';
import type { ClientTransaction, ClientTransactionHandlers, SipTarget } from '../transaction/types.js';
import { newCallId, newTag } from './ids.js';
import { InviteDialogs, toTagOf } from './invite-dialogs.js';
import { RequestAuthorizer } from './request-auth.js';
import { TimerGroup } from './timer.js';
import type { InviteOptions, InviteOutcome, InviteState, OutgoingInvite } from './types.js';
import { ALLOW_HEADER_VALUE, callListener, SUPPORTED_HEADER_VALUE, type UaContext } from './ua-context.js';

/** quoted-string for a display name (RFC 3261 section 25.1). */
function quoteDisplayName(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function failedOutcome(response: SipResponse): InviteOutcome {
  const outcome: InviteOutcome = { kind: 'failed', status: response.status, reason: response.reason, timedOut: false };
  // RFC 3326: gateways put the ISDN cause of the failure (17 user busy, 18 no answer...) in Reason.
  const q850 = findReason(reasonsOf(response.headers), 'Q.850');
  if (q850?.cause !== undefined) outcome.q850Cause = q850.cause;
  if (q850?.text !== undefined) outcome.q850Text = q850.text;
  return outcome;
}

export class InviteClient implements OutgoingInvite {
  readonly callId: string;
  readonly outcome: Promise<InviteOutcome>;
  private stateValue: InviteState = 'calling';
  private settle!: (outcome: InviteOutcome) => void;
  private readonly fromValue: string;
  private readonly toValue: string;
  private readonly body: Buffer;
  /** Turns 2xx into calls; what the user agent keeps once this has settled. */
  private readonly dialogs: InviteDialogs;
  /** What the transactions' handlers reach: this until it settles, then nothing (late 2xx go to the user agent). */
  private readonly route: TransactionRoute = { client: this };
  private cseq = 0;
  /** Bumped per INVITE sent, so provisional and final responses of a superseded transaction are ignored. */
  private generation = 0;
  private transaction: ClientTransaction | undefined;
  private readonly authorizer: RequestAuthorizer;
  private sessionExpiresS: number;
  private retried422 = false;
  private readonly earlyDialogs = new Map<string, SipDialog>();
  private readonly timers: TimerGroup;

  /** Throws TypeError for URIs that do not parse: they come from our configuration, not from the network. */
  constructor(
    private readonly ctx: UaContext,
    private readonly options: InviteOptions,
    /** Settled: `dialogs` takes this INVITE's late 2xx from now on. */
    private readonly onDone: (client: InviteClient, dialogs: InviteDialogs) => void,
  ) {
    for (const [name, uri] of [['requestUri', options.requestUri], ['fromUri', options.fromUri], ['toUri', options.toUri]] as const) {
      const parsed = parseSipUri(uri);
      if (!parsed.ok) throw new TypeError(`invalid ${name} ${JSON.stringify(uri)}: ${parsed.error}`);
    }
    this.callId = newCallId();
    // Section 8.1.1.3: a From-tag of at least 32 bits of randomness; To has no tag until the UAS adds one.
    const display = options.fromDisplayName !== undefined ? `${quoteDisplayName(options.fromDisplayName)} ` : '';
    this.fromValue = `${display}<${options.fromUri}>;tag=${newTag()}`;
    this.toValue = `<${options.toUri}>`;
    this.body = Buffer.from(options.sdpOffer, 'utf8');
    this.sessionExpiresS = ctx.sessionExpiresS;
    this.authorizer = new RequestAuthorizer(options.credentials, ctx.nonceCounter);
    this.timers = new TimerGroup(ctx.clock);
    this.dialogs = new InviteDialogs(ctx, this.callId, {
      target: options.target,
      requestUri: options.requestUri,
      sdpOffer: options.sdpOffer,
      credentials: options.credentials,
    });
    this.outcome = new Promise<InviteOutcome>((resolve) => (this.settle = resolve));
  }

  get state(): InviteState {
    return this.stateValue;
  }

  get earlyDialogTags(): readonly string[] {
    return [...this.earlyDialogs.keys()];
  }

  get settled(): boolean {
    return this.stateValue === 'answered' || this.stateValue === 'failed' || this.stateValue === 'cancelled';
  }

  start(): void {
    this.sendInvite();
  }

  cancel(): void {
    switch (this.stateValue) {
      case 'calling':
        // Section 9.1: "If no provisional response has been received, the CANCEL request MUST NOT be sent; rather, the
        // client MUST wait for the arrival of a provisional response before sending the request." Remember it.
        this.stateValue = 'cancel-pending';
        return;
      case 'proceeding':
        this.sendCancel();
        return;
      default:
        return;
    }
  }

  /** A 2xx for this Call-ID while the INVITE is pending: from its transaction, or routed by the user agent. */
  handle2xx(response: SipResponse): void {
    // Settled, a 2xx is the user agent's to route (to the call of its dialog, else the InviteDialogs).
    if (this.settled) return this.ctx.routeLate2xx(response, this.options.target);
    const tag = toTagOf(response);
    const accepted = this.dialogs.accept(response, tag !== undefined ? this.earlyDialogs.get(tag) : undefined);
    if (!accepted.ok) {
      // A 2xx we cannot make a dialog from (ACKed all the same): the call failed.
      if (this.stateValue === 'calling' || this.stateValue === 'proceeding') {
        this.finish('failed', { kind: 'failed', status: response.status, reason: `unusable ${response.status} response: ${accepted.error}`, timedOut: false });
      } else {
        this.finish('cancelled', { kind: 'cancelled' });
      }
      return;
    }
    const call = accepted.call;
    if (this.stateValue === 'calling' || this.stateValue === 'proceeding') {
      this.finish('answered', { kind: 'answered', call, remoteSdp: call.remoteSdp, response });
      return;
    }
    // cancel-pending or cancelling: the callee answered as we cancelled (section 9.1: the 200 crossed the CANCEL).
    // ACKed above, now BYE.
    void call.hangup();
    this.finish('cancelled', { kind: 'cancelled' });
  }

  private sendInvite(): void {
    this.cseq += 1;
    this.generation += 1;
    const generation = this.generation;
    const { options } = this;
    const headers: SipHeader[] = [
      ['Max-Forwards', '70'],
      ['From', this.fromValue],
      ['To', this.toValue],
      ['Call-ID', this.callId],
      ['CSeq', `${this.cseq} INVITE`],
      ['Contact', this.ctx.contactFor(options.target.transport)],
      ...this.ctx.commonRequestHeaders(),
      ['Allow', ALLOW_HEADER_VALUE],
      ['Supported', SUPPORTED_HEADER_VALUE],
    ];
    // RFC 4028 section 7.1: ask for a session timer; without refresher= so the UAS may pick (it usually picks us).
    if (this.sessionExpiresS > 0) headers.push(['Session-Expires', String(this.sessionExpiresS)]);
    if (this.dialogs.minSeS !== undefined) headers.push(['Min-SE', String(this.dialogs.minSeS)]);
    if (options.assertedIdentity !== undefined) headers.push(['P-Asserted-Identity', options.assertedIdentity]);
    for (const [name, value] of options.extraHeaders ?? []) headers.push([name, value]);
    headers.push(...this.authorizer.headersFor('INVITE', options.requestUri, this.body));
    headers.push(['Content-Type', 'application/sdp']);
    const request: SipRequest = { kind: 'request', method: 'INVITE', uri: options.requestUri, version: 'SIP/2.0', headers, body: this.body };
    this.dialogs.sent(this.cseq, headers);
    this.transaction = this.ctx.stack.sendRequest(request, options.target, transactionHandlers(this.route, generation, options.target, this.ctx));
  }

  /** The INVITE transaction of `generation` passed a response up (transactionHandlers, while not settled). */
  onTransactionResponse(response: SipResponse, generation: number): void {
    if (response.status >= 200 && response.status < 300) return this.handle2xx(response);
    if (generation !== this.generation) return;
    if (response.status >= 100 && response.status < 200) return this.onProvisional(response);
    if (response.status >= 300 && response.status < 700) return this.onFailure(response);
    // A status outside 100-699 is malformed (section 21); the transaction layer should not pass it: ignore.
  }

  /** Timer B: "the client transaction MUST ... inform the TU that a timeout has occurred" (section 17.1.1.2). */
  onTransactionTimeout(generation: number): void {
    if (generation !== this.generation) return;
    this.failOrCancel({ kind: 'failed', status: 408, reason: 'Request Timeout', timedOut: true });
  }

  /** Section 8.1.3.1: a transport failure is treated as a 503. */
  onTransactionError(error: Error, generation: number): void {
    if (generation !== this.generation) return;
    this.failOrCancel({ kind: 'failed', status: 503, reason: `Service Unavailable (${error.message})`, timedOut: false });
  }

  private onProvisional(response: SipResponse): void {
    switch (this.stateValue) {
      case 'calling':
      case 'proceeding': {
        this.stateValue = 'proceeding';
        this.trackEarlyDialog(response);
        const onProgress = this.options.onProgress;
        if (onProgress) callListener(() => onProgress(response.status, response.reason));
        return;
      }
      case 'cancel-pending':
        this.sendCancel();
        return;
      default:
        // Late provisional after the answer (a forking proxy with several workers can reorder them): ignored.
        return;
    }
  }

  /** Section 12.1.2: a 101-199 with a To-tag makes an early dialog; RFC 6228: a 199 ends one. */
  private trackEarlyDialog(response: SipResponse): void {
    const tag = toTagOf(response);
    if (tag === undefined || response.status === 100) return;
    if (response.status === 199) {
      this.earlyDialogs.get(tag)?.terminate();
      this.earlyDialogs.delete(tag);
      return;
    }
    if (this.earlyDialogs.has(tag)) return;
    const dialog = SipDialog.fromResponse(response, this.dialogs.dialogOptions());
    if (dialog.ok) this.earlyDialogs.set(tag, dialog.value);
  }

  private onFailure(response: SipResponse): void {
    // Section 12.3 / 13.2.2.4: a non-2xx final ends every early dialog of the INVITE.
    this.clearEarlyDialogs();
    switch (this.stateValue) {
      case 'cancel-pending':
      case 'cancelling':
        // 487 Request Terminated is the expected answer to our CANCEL; any other final ends the attempt the same way.
        this.finish('cancelled', { kind: 'cancelled' });
        return;
      case 'calling':
      case 'proceeding':
        if (this.retryAfterFailure(response)) return;
        this.finish('failed', failedOutcome(response));
        return;
      default:
        return;
    }
  }

  /** Sections 22.2/22.3 (401/407) and RFC 4028 section 7.4 (422): send the INVITE again, once per reason. */
  private retryAfterFailure(response: SipResponse): boolean {
    if (response.status === 401 || response.status === 407) {
      if (!this.authorizer.accept(response).ok) return false;
      this.stateValue = 'calling';
      this.sendInvite();
      return true;
    }
    if (response.status === 422 && !this.retried422) {
      const minSe = minSeOf(response.headers);
      if (!minSe?.ok) return false;
      this.retried422 = true;
      this.dialogs.minSeS = minSe.value;
      this.sessionExpiresS = Math.max(this.sessionExpiresS, minSe.value);
      this.stateValue = 'calling';
      this.sendInvite();
      return true;
    }
    return false;
  }

  private sendCancel(): void {
    const transaction = this.transaction;
    if (!transaction) return;
    this.stateValue = 'cancelling';
    // The CANCEL's own response tells us little (200, or 481 if the INVITE already completed): the INVITE's final
    // response decides. If none comes within 64*T1 (a UAS that ignores CANCEL), give up waiting.
    const ignore: ClientTransactionHandlers = { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} };
    this.ctx.stack.sendCancel(transaction, ignore);
    this.timers.start(this.ctx.transactionLifetimeMs, () => {
      if (this.stateValue === 'cancelling') this.finish('cancelled', { kind: 'cancelled' });
    });
  }

  private failOrCancel(failure: InviteOutcome): void {
    if (this.stateValue === 'calling' || this.stateValue === 'proceeding') this.finish('failed', failure);
    else if (this.stateValue === 'cancel-pending' || this.stateValue === 'cancelling') this.finish('cancelled', { kind: 'cancelled' });
  }

  private clearEarlyDialogs(): void {
    for (const dialog of this.earlyDialogs.values()) dialog.terminate();
    this.earlyDialogs.clear();
  }

  private finish(state: 'answered' | 'failed' | 'cancelled', outcome: InviteOutcome): void {
    if (this.settled) return;
    this.stateValue = state;
    this.timers.cancelAll();
    this.clearEarlyDialogs();
    // From now on the transaction's 2xx go to the user agent, which routes them to the call or to the InviteDialogs.
    this.route.client = undefined;
    this.settle(outcome);
    this.onDone(this, this.dialogs);
  }
}

interface TransactionRoute {
  client: InviteClient | undefined;
}

/**
 * The INVITE transaction's handlers. Module-level, and reaching the InviteClient only through `route`, so that the
 * transaction, which lingers 64*T1 after a 2xx (RFC 6026), does not keep a settled InviteClient alive: every 2xx
 * it passes up then goes to the user agent like a stray one (to the call of its dialog, or the InviteDialogs).
 */
function transactionHandlers(route: TransactionRoute, generation: number, target: SipTarget, ctx: UaContext): ClientTransactionHandlers {
  return {
    onResponse: (response) => {
      if (route.client) route.client.onTransactionResponse(response, generation);
      else if (response.status >= 200 && response.status < 300) ctx.routeLate2xx(response, target);
    },
    onTimeout: () => route.client?.onTransactionTimeout(generation),
    onTransportError: (error) => route.client?.onTransactionError(error, generation),
  };
}
