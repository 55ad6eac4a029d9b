/**
 * Blind transfer by REFER (RFC 3515) in an answered call's dialog: we (the transferor) ask the callee (the
 * transferee) to call the target, and follow the implicit "refer" subscription (RFC 6665) the REFER creates: each
 * NOTIFY carries a message/sipfrag body (RFC 3420) with the status line of the response the transferee got from
 * the target.
 *
 *   REFER  Refer-To: <target>, Referred-By: <our From URI>  ->
 *          401 / 407 <- answered with credentials, sent again (RFC 3261 section 22, as BYE and re-INVITE do)
 *          3xx-6xx   <- failed: refused, with that status (no subscription was created)
 *          2xx (202) <- accepted: the outcome comes in NOTIFYs
 *   NOTIFY Event: refer  <-  each answered 200 (a NOTIFY may even come before the 202)
 *          SIP/2.0 1xx      progress
 *          SIP/2.0 2xx      answered: the transferee is connected to the target
 *          SIP/2.0 3xx-6xx  failed: target-failed, with that status
 *          Subscription-State: terminated before a final status: failed, subscription-ended
 *   no final status within timeoutMs: failed, timeout
 *
 * States: 'waiting' (no outcome yet) -> 'settled' (outcome known; NOTIFYs of the still-open subscription get 200
 * until it terminates, for at most 64*T1) -> 'over' (NOTIFYs get 481, which tells the notifier the subscription is
 * gone, RFC 6665 section 4.1.3). The call itself is not ended here: the transferor hangs up once it is answered.
 *
 * The call ending while we wait: by us, the outcome is call-ended at once. By the callee or the network (some
 * transferees hang up as soon as they accept the REFER), the subscription outlives the INVITE usage of the dialog
 * (RFC 5057), so we keep listening for up to 64*T1 more (the user agent routes to an ended call for that long).
 */
import type { SipDialog } from '../dialog/dialog.js';
import { parseFromTo, parseSipUri } from '../message/headers.js';
import { isSipfragContentType, parseSipfragStatus } from '../message/sipfrag.js';
import { getHeader, type SipRequest, type SipResponse } from '../message/types.js';
import type { IncomingRequest, SipTransportName } from '../transaction/types.js';
import { RequestAuthorizer } from './request-auth.js';
import { TimerGroup, type TimerHandle } from './timer.js';
import type { ReferFailureCause, ReferOptions, ReferResult, SipCallEnd, SipCredentials } from './types.js';
import { callListener, statusLine, type UaContext } from './ua-context.js';

/** What a REFER needs from the call it is sent in. */
export interface ReferHost {
  ctx: UaContext;
  dialog: SipDialog;
  credentials: SipCredentials | undefined;
  /** The transport of the call, for our Contact. */
  transport: SipTransportName;
  /** The call's end. */
  ended: Promise<SipCallEnd>;
}

export type ReferState = 'waiting' | 'settled' | 'over';

/** A failed result without sending anything (the call is not up, another REFER is pending...). */
export function referFailed(cause: ReferFailureCause, reason: string, status?: number): ReferResult {
  return status === undefined ? { kind: 'failed', cause, reason } : { kind: 'failed', cause, status, reason };
}

/** RFC 6665 section 8.2.1: Event = event-type *( SEMI event-param ); the refer package's id is the REFER's CSeq. */
export function parseEventHeader(value: string | undefined): { type: string; id?: string } | undefined {
  if (value === undefined) return undefined;
  const [head, ...params] = value.split(';');
  const type = (head ?? '').trim().toLowerCase();
  if (type.length === 0) return undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() === 'id') {
      const id = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (id.length > 0) return { type, id };
    }
  }
  return { type };
}

/** RFC 6665 section 8.2.3: Subscription-State = substate-value *( SEMI subexp-params ). */
export function parseSubscriptionState(value: string | undefined): { state: string; reason?: string } | undefined {
  if (value === undefined) return undefined;
  const [head, ...params] = value.split(';');
  const state = (head ?? '').trim().toLowerCase();
  if (state.length === 0) return undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() === 'reason') {
      const reason = param.slice(eq + 1).trim();
      if (reason.length > 0) return { state, reason };
    }
  }
  return { state };
}

/** The Event header, also in its compact form `o` (RFC 6665 section 7.2), which the parser does not expand. */
function eventOf(request: SipRequest): string | undefined {
  return getHeader(request.headers, 'Event') ?? getHeader(request.headers, 'o');
}

/**
 * The REFERs of one call, which get its NOTIFYs. Usually one; after a failed transfer another may follow while the
 * first one's subscription still lingers. RFC 3515 section 2.4.6: the NOTIFYs of any REFER but the first in a
 * dialog carry id=<its CSeq>, so a NOTIFY with an id goes to that REFER, and one without to the oldest
 * subscription still open.
 */
export class ReferSubscriptions {
  private readonly list: ReferSubscription[] = [];

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  /** Whether a REFER still waits for its outcome (only one at a time). */
  get waiting(): boolean {
    return this.list.some((sub) => sub.state === 'waiting');
  }

  add(subscription: ReferSubscription): void {
    // Subscriptions that are over only answer 481; the latest is kept for that.
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]?.state === 'over') this.list.splice(i, 1);
    this.list.push(subscription);
  }

  /** An in-dialog NOTIFY (the call already checked its CSeq); another event package than refer gets 489. */
  handleNotify(incoming: IncomingRequest): void {
    const event = parseEventHeader(eventOf(incoming.request));
    if (event?.type !== 'refer') return incoming.respond(489, 'Bad Event', { headers: [['Allow-Events', 'refer']] });
    const owner =
      event.id !== undefined
        ? this.list.find((sub) => sub.owns(Number(event.id)))
        : (this.list.find((sub) => sub.state !== 'over') ?? this.list[this.list.length - 1]);
    if (!owner) return incoming.respond(481, 'Subscription Does Not Exist');
    owner.handleNotify(incoming);
  }
}

export class ReferSubscription {
  readonly result: Promise<ReferResult>;
  private stateValue: ReferState = 'waiting';
  private resolveResult!: (result: ReferResult) => void;
  /** The CSeq numbers of our REFERs (one more per challenge answered): a NOTIFY's Event id names one of them. */
  private readonly referSeqs = new Set<number>();
  /** A NOTIFY came, so the REFER was accepted whatever its transaction says later. */
  private notified = false;
  private callOver = false;
  private waitUntilMs: number;
  private deadline: TimerHandle | undefined;
  private readonly timers: TimerGroup;
  private readonly authorizer: RequestAuthorizer;

  constructor(
    private readonly host: ReferHost,
    private readonly targetUri: string,
    private readonly options: ReferOptions,
  ) {
    this.result = new Promise<ReferResult>((resolve) => (this.resolveResult = resolve));
    this.timers = new TimerGroup(host.ctx.clock);
    this.authorizer = new RequestAuthorizer(host.credentials, host.ctx.nonceCounter);
    this.waitUntilMs = host.ctx.clock.now().getTime() + Math.max(0, options.timeoutMs);
  }

  get state(): ReferState {
    return this.stateValue;
  }

  /** Sends the REFER and starts the clock. */
  start(): void {
    if (!parseSipUri(this.targetUri).ok) {
      this.settle(referFailed('invalid-target', `not a SIP URI: ${JSON.stringify(this.targetUri.slice(0, 80))}`));
      this.end();
      return;
    }
    this.deadline = this.timers.start(this.waitUntilMs - this.host.ctx.clock.now().getTime(), () =>
      this.settle(referFailed('timeout', `no final NOTIFY within ${Math.round(this.options.timeoutMs / 1000)} s`)),
    );
    void this.host.ended.then((end) => this.onCallEnded(end));
    this.send();
  }

  /** Whether `seq` is the CSeq of one of our REFERs (a NOTIFY's Event id). */
  owns(seq: number): boolean {
    return this.referSeqs.has(seq);
  }

  /**
   * An in-dialog NOTIFY (the call already checked its CSeq). Ours (Event: refer, with our REFER's id if any) gets
   * 200 while the subscription lasts, 481 after; another event package gets 489 (RFC 6665 section 8.2.1).
   */
  handleNotify(incoming: IncomingRequest): void {
    const request = incoming.request;
    const event = parseEventHeader(eventOf(request));
    if (event?.type !== 'refer') return incoming.respond(489, 'Bad Event', { headers: [['Allow-Events', 'refer']] });
    if (event.id !== undefined && !this.referSeqs.has(Number(event.id))) {
      return incoming.respond(481, 'Subscription Does Not Exist');
    }
    if (this.stateValue === 'over') return incoming.respond(481, 'Subscription Does Not Exist');
    incoming.respond(200, 'OK');
    this.notified = true;

    const contentType = getHeader(request.headers, 'Content-Type') ?? getHeader(request.headers, 'c');
    // A body without Content-Type is read as sipfrag too: it is what a refer NOTIFY must carry.
    if (request.body.length > 0 && (contentType === undefined || isSipfragContentType(contentType))) {
      const frag = parseSipfragStatus(request.body);
      if (frag.ok) {
        const { status, reason } = frag.value;
        if (status < 200) {
          const onProgress = this.options.onProgress;
          if (this.stateValue === 'waiting' && onProgress) callListener(() => onProgress(status, reason));
        } else if (status < 300) {
          this.settle({ kind: 'answered', status, reason });
        } else {
          this.settle(referFailed('target-failed', `the transfer target answered ${status} ${reason}`.trim(), status));
        }
      }
    }

    const subscription = parseSubscriptionState(getHeader(request.headers, 'Subscription-State'));
    if (subscription?.state === 'terminated') {
      const why = subscription.reason !== undefined ? ` (${subscription.reason})` : '';
      this.settle(referFailed('subscription-ended', `the transfer subscription ended without a final status${why}`));
      this.end();
    }
  }

  // --- the REFER transaction ------------------------------------------------------------------------------------

  private send(): void {
    const { ctx, dialog } = this.host;
    const built = dialog.createRequest('REFER', {
      headers: [['Refer-To', `<${this.targetUri}>`], ['Contact', ctx.contactFor(this.host.transport)], ...ctx.commonRequestHeaders()],
    });
    // RFC 3892: Referred-By names the referrer; ours is the address the call was placed from.
    const from = parseFromTo(getHeader(built.request.headers, 'From') ?? '');
    if (from.ok) built.request.headers.push(['Referred-By', `<${from.value.uriText}>`]);
    built.request.headers.push(...this.authorizer.headersFor('REFER', built.request.uri, built.request.body));
    this.referSeqs.add(dialog.localSequence);
    ctx.stack.sendRequest(built.request, built.target, {
      onResponse: (response) => this.onReferResponse(response),
      onTimeout: () => this.onReferFailed(referFailed('no-response', 'no response to the REFER', 408)),
      onTransportError: (error) => this.onReferFailed(referFailed('no-response', `the REFER could not be sent: ${error.message}`, 503)),
    });
  }

  private onReferResponse(response: SipResponse): void {
    if (response.status < 200 || this.stateValue !== 'waiting') return;
    // 202 Accepted (or any 2xx, RFC 3515 section 2.4.2): the outcome comes in NOTIFYs.
    if (response.status < 300) return;
    if (this.notified) return;
    if ((response.status === 401 || response.status === 407) && !this.callOver && this.authorizer.accept(response).ok) return this.send();
    this.onReferFailed(referFailed('refused', `the REFER was refused: ${statusLine(response)}`, response.status));
  }

  /** A REFER that failed created no subscription (RFC 3515 section 2.4.2) unless a NOTIFY already said otherwise. */
  private onReferFailed(result: ReferResult): void {
    if (this.stateValue !== 'waiting' || this.notified) return;
    this.settle(result);
    this.end();
  }

  // --- outcome and end ------------------------------------------------------------------------------------------

  private onCallEnded(end: SipCallEnd): void {
    this.callOver = true;
    if (this.stateValue === 'settled') return this.end();
    if (this.stateValue !== 'waiting') return;
    if (end.by === 'us') {
      this.settle(referFailed('call-ended', 'the call was hung up before the transfer completed'));
      return this.end();
    }
    // The subscription may outlive the call (RFC 5057): keep listening, no longer than the user agent routes to it.
    const remainingMs = this.waitUntilMs - this.host.ctx.clock.now().getTime();
    this.deadline?.cancel();
    this.deadline = this.timers.start(Math.min(remainingMs, this.host.ctx.transactionLifetimeMs), () => {
      this.settle(referFailed('call-ended', `the call ended (by ${end.by}) before the transfer completed`));
      this.end();
    });
  }

  private settle(result: ReferResult): void {
    if (this.stateValue !== 'waiting') return;
    this.stateValue = 'settled';
    this.deadline?.cancel();
    this.resolveResult(result);
    if (this.callOver) return this.end();
    // The notifier may still send NOTIFYs (a final one after a 2xx sipfrag, the "terminated" one): answer them 200
    // for a while rather than 481 them.
    this.timers.start(this.host.ctx.transactionLifetimeMs, () => this.end());
  }

  /** The subscription is gone for us: later NOTIFYs get 481. */
  private end(): void {
    this.stateValue = 'over';
    this.timers.cancelAll();
  }
}
