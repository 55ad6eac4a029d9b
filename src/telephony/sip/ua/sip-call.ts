/**
 * An answered call: the confirmed dialog our INVITE made (RFC 3261 sections 12-15) and the session in it.
 *
 * States:
 *   confirmed    the call is up: BYE, re-INVITE (ours for session refresh, theirs for hold or refresh), OPTIONS and
 *                INFO are handled; our REFER (blind transfer) and the NOTIFYs it brings are refer.ts's;
 *   terminating  we sent BYE and wait for its final response (a BYE from the callee meanwhile is BYE glare: it is
 *                answered and the call ends, once);
 *   terminated   over; the dialog still answers retransmitted 2xx with the same ACK until the user agent forgets it.
 * Beside it, the re-INVITE sub-state (section 14): idle, 'sending' (ours awaits its final response: theirs get 491),
 * 'awaiting-ack' (we answered theirs with 2xx: another gets 500 with Retry-After).
 */
import { randomInt } from 'node:crypto';
import type { SipDialog } from '../dialog/dialog.js';
import { findReason, reasonsOf } from '../message/reason.js';
import { minSeOf } from '../message/session-timer.js';
import { getHeader, type SipHeader, type SipRequest, type SipResponse } from '../message/types.js';
import type { IncomingRequest, SipTransportName } from '../transaction/types.js';
import { offeredFromSdp, parseSdpAnswer } from '../sdp/answer.js';
import { answerDirectionFor, withSdpDirection } from '../sdp/direction.js';
import { DialogAcks } from './dialog-acks.js';
import { answerAfterEnd, EndedCall, type DialogUsage } from './ended-call.js';
import { referFailed, ReferSubscription, ReferSubscriptions } from './refer.js';
import { RequestAuthorizer } from './request-auth.js';
import { decideIncomingRefresh, planFromAnswer, SessionTimer, type SessionTimerPlan } from './session-timer.js';
import { TimerGroup, type TimerHandle } from './timer.js';
import type { ReferOptions, ReferResult, SipCall, SipCallEnd, SipCallState, SipCredentials } from './types.js';
import { ALLOW_HEADER_VALUE, callListener, optionsHeaders, SUPPORTED_HEADER_VALUE, type UaContext } from './ua-context.js';

type ReinviteState =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'awaiting-ack'; cseq: number; answerInAck: boolean; timer: TimerHandle };

export interface SipCallInit {
  ctx: UaContext;
  dialog: SipDialog;
  /** The 2xx that confirmed the dialog: its body is the SDP answer, its Session-Expires the session timer. */
  response: SipResponse;
  /** The credential headers of the INVITE answered: its ACK must carry the same (RFC 3261 section 13.2.2.4). */
  inviteCredentialHeaders: readonly SipHeader[];
  /** The CSeq number of the INVITE answered. */
  inviteCSeq: number;
  localSdp: string;
  credentials: SipCredentials | undefined;
  /** The transport the INVITE went over, for our Contact. */
  transport: SipTransportName;
  /** A Min-SE learned from a 422 while the call was set up: later refreshes carry it (RFC 4028 section 7.4). */
  minSeS?: number;
}

/** RFC 3326: the why of a BYE, from its Reason header. */
function endFromReason(headers: readonly SipHeader[], by: SipCallEnd['by']): SipCallEnd {
  const end: SipCallEnd = { by };
  const reasons = reasonsOf(headers);
  const q850 = findReason(reasons, 'Q.850');
  const sip = findReason(reasons, 'SIP');
  if (q850?.cause !== undefined) end.q850Cause = q850.cause;
  if (sip?.cause !== undefined) end.sipCode = sip.cause;
  const text = q850?.text ?? sip?.text;
  if (text !== undefined) end.reason = text;
  return end;
}

export class SipCallImpl implements SipCall, DialogUsage {
  readonly callId: string;
  readonly ended: Promise<SipCallEnd>;
  private stateValue: SipCallState = 'confirmed';
  private reinvite: ReinviteState = { kind: 'idle' };
  private remoteSdpValue: string;
  private localSdp: string;
  private minSeS: number | undefined;
  private endingWith: SipCallEnd | undefined;
  private resolveEnded!: (end: SipCallEnd) => void;
  private readonly listeners: Array<(sdp: string) => void> = [];
  private readonly acks: DialogAcks;
  private readonly timers: TimerGroup;
  private readonly sessionTimer: SessionTimer;
  private readonly ctx: UaContext;
  private readonly dialog: SipDialog;
  private readonly credentials: SipCredentials | undefined;
  private readonly transport: SipTransportName;
  /** The REFERs sent in this dialog (refer.ts): they get its NOTIFYs. */
  private readonly refers = new ReferSubscriptions();

  /** Confirms the call: sends the ACK of the 2xx (RFC 3261 section 13.2.2.4) and starts the session timer. */
  constructor(init: SipCallInit) {
    this.ctx = init.ctx;
    this.dialog = init.dialog;
    this.callId = init.dialog.callId;
    this.credentials = init.credentials;
    this.transport = init.transport;
    this.localSdp = init.localSdp;
    this.remoteSdpValue = init.response.body.toString('utf8');
    if (init.minSeS !== undefined) this.minSeS = init.minSeS;
    this.ended = new Promise<SipCallEnd>((resolve) => (this.resolveEnded = resolve));
    this.timers = new TimerGroup(init.ctx.clock);
    this.sessionTimer = new SessionTimer(this.timers, {
      onRefreshDue: () => this.refreshSession(),
      onExpired: () => this.sendBye({ by: 'network', reason: 'session timer expired' }),
    });
    this.acks = new DialogAcks(init.ctx, init.dialog);
    this.acks.send(init.inviteCSeq, init.inviteCredentialHeaders);
    this.sessionTimer.apply(planFromAnswer(init.response));
  }

  get key(): string {
    return this.dialog.key;
  }

  get state(): SipCallState {
    return this.stateValue;
  }

  get remoteSdp(): string {
    return this.remoteSdpValue;
  }

  /** The session timer as negotiated, for logs and tests. */
  get sessionTimerPlan(): SessionTimerPlan {
    return this.sessionTimer.plan;
  }

  onRemoteSdp(listener: (sdp: string) => void): void {
    this.listeners.push(listener);
  }

  hangup(): Promise<void> {
    if (this.stateValue === 'confirmed') this.sendBye({ by: 'us' });
    return this.ended.then(() => undefined);
  }

  /** Blind transfer by REFER (RFC 3515): see refer.ts. */
  refer(targetUri: string, options: ReferOptions): Promise<ReferResult> {
    if (this.stateValue !== 'confirmed') return Promise.resolve(referFailed('call-ended', 'the call is not up'));
    if (this.refers.waiting) {
      return Promise.resolve(referFailed('busy', 'another transfer of this call is in progress'));
    }
    const subscription = new ReferSubscription(
      { ctx: this.ctx, dialog: this.dialog, credentials: this.credentials, transport: this.transport, ended: this.ended },
      targetUri,
      options,
    );
    this.refers.add(subscription);
    subscription.start();
    return subscription.result;
  }

  /**
   * A 2xx to one of our INVITEs in this dialog arrived again (retransmitted because our ACK was lost, RFC 3261
   * section 13.3.1.4, or after the transaction ended, RFC 6026): send the same ACK again.
   */
  handle2xx(response: SipResponse): void {
    this.acks.resendFor(response);
  }

  /**
   * What the user agent keeps routing to for 64*T1 once the call has ended: the ACKs and the dialog's key alone
   * (ended-call.ts), or the whole call while a REFER of it may still get NOTIFYs (RFC 5057: the subscription outlives
   * the INVITE usage).
   */
  remnant(): DialogUsage {
    if (this.stateValue !== 'terminated' || !this.refers.isEmpty) return this;
    return new EndedCall(this.dialog, this.acks);
  }

  /** A request the user agent routed to this dialog (its Call-ID and tags match). */
  handleRequest(incoming: IncomingRequest, cseq: number): void {
    const request = incoming.request;
    const method = request.method.toUpperCase();
    if (method === 'ACK') return this.onAck(request, cseq);
    // A REFER's subscription gets the dialog's NOTIFYs, even after the call ended (RFC 5057: it outlives the INVITE
    // usage); see refer.ts.
    if (method === 'NOTIFY' && !this.refers.isEmpty) {
      if (!this.dialog.acceptRemoteSequence(cseq)) return incoming.respond(500, 'Server Internal Error', { headers: [['Retry-After', '1']] });
      return this.refers.handleNotify(incoming);
    }
    if (this.stateValue === 'terminated') return answerAfterEnd(incoming);
    // Section 12.2.2: a lower CSeq than the last request's is out of order.
    if (!this.dialog.acceptRemoteSequence(cseq)) {
      incoming.respond(500, 'Server Internal Error', { headers: [['Retry-After', '1']] });
      return;
    }
    switch (method) {
      case 'BYE':
        return this.onBye(incoming);
      case 'INVITE':
        return this.onReinvite(incoming, cseq);
      case 'OPTIONS':
        return incoming.respond(200, 'OK', { headers: optionsHeaders() });
      case 'INFO':
        // DTMF by SIP INFO and other INFO packages: acknowledged, not interpreted (RFC 6086 allows 469 for unknown
        // packages, but legacy INFO has no package and expects 200).
        return incoming.respond(200, 'OK');
      default:
        // Section 8.2.1: a method we do not support gets 405 with the list of those we do.
        return incoming.respond(405, 'Method Not Allowed', { headers: [['Allow', ALLOW_HEADER_VALUE]] });
    }
  }

  // --- BYE (RFC 3261 section 15) -------------------------------------------------------------------------------

  private onBye(incoming: IncomingRequest): void {
    incoming.respond(200, 'OK');
    if (this.stateValue === 'confirmed') this.finish(endFromReason(incoming.request.headers, 'callee'));
    // BYE glare: ours went first, so the call ended by us; theirs is answered and the call ends now, not when our
    // BYE's transaction finishes (the peer may never answer a BYE for a dialog it already closed).
    else if (this.stateValue === 'terminating' && this.endingWith) this.finish(this.endingWith);
  }

  /** Sends BYE, answering challenges (section 22), and ends the call when it completes, however it completes. */
  private sendBye(end: SipCallEnd): void {
    if (this.stateValue !== 'confirmed') return;
    this.stateValue = 'terminating';
    this.endingWith = end;
    this.sessionTimer.stop();
    const authorizer = new RequestAuthorizer(this.credentials, this.ctx.nonceCounter);
    const send = () => {
      const built = this.dialog.createRequest('BYE', { headers: this.ctx.commonRequestHeaders() });
      built.request.headers.push(...authorizer.headersFor('BYE', built.request.uri, built.request.body));
      this.ctx.stack.sendRequest(built.request, built.target, {
        onResponse: (response) => {
          if (response.status < 200 || this.stateValue !== 'terminating') return;
          if ((response.status === 401 || response.status === 407) && authorizer.accept(response).ok) return send();
          this.finish(end);
        },
        // Section 15.1.1: a BYE that times out or cannot be delivered still ends the call on our side.
        onTimeout: () => this.finish(end),
        onTransportError: () => this.finish(end),
      });
    };
    send();
  }

  private finish(end: SipCallEnd): void {
    if (this.stateValue === 'terminated') return;
    this.stateValue = 'terminated';
    this.dialog.terminate();
    this.sessionTimer.stop();
    this.timers.cancelAll();
    this.reinvite = { kind: 'idle' };
    this.resolveEnded(end);
    this.ctx.dialogEnded(this);
  }

  private onAck(request: SipRequest, cseq: number): void {
    if (this.reinvite.kind !== 'awaiting-ack' || this.reinvite.cseq !== cseq) return;
    const answerInAck = this.reinvite.answerInAck;
    this.reinvite.timer.cancel();
    this.reinvite = { kind: 'idle' };
    // RFC 3264 section 4 / RFC 3261 section 13.2.1: an offerless re-INVITE got our offer in the 2xx; the answer is
    // in the ACK.
    if (answerInAck && request.body.length > 0) this.updateRemoteSdp(request.body.toString('utf8'));
  }

  // --- re-INVITE from the callee (section 14.2) ----------------------------------------------------------------

  private onReinvite(incoming: IncomingRequest, cseq: number): void {
    const request = incoming.request;
    if (this.stateValue !== 'confirmed') return incoming.respond(481, 'Call/Transaction Does Not Exist');
    // Section 14.2: while our own re-INVITE is pending, theirs gets 491 (glare); both sides retry after a delay.
    if (this.reinvite.kind === 'sending') return incoming.respond(491, 'Request Pending');
    if (this.reinvite.kind === 'awaiting-ack') {
      // Section 14.2: a new INVITE before the ACK of the last one's 2xx gets 500 with a Retry-After of 0-10 s.
      return incoming.respond(500, 'Server Internal Error', { headers: [['Retry-After', String(randomInt(0, 11))]] });
    }
    const decision = decideIncomingRefresh(request, {
      minSessionExpiresS: this.ctx.minSessionExpiresS,
      ourIntervalS: this.sessionTimer.plan.role !== 'off' ? this.sessionTimer.plan.intervalS : this.ctx.sessionExpiresS,
    });
    if (decision.kind === 'reject') return incoming.respond(decision.status, decision.reason, { headers: decision.responseHeaders });

    let offer: string | undefined;
    if (request.body.length > 0) {
      const contentType = (getHeader(request.headers, 'Content-Type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (contentType !== 'application/sdp') {
        return incoming.respond(415, 'Unsupported Media Type', { headers: [['Accept', 'application/sdp']] });
      }
      offer = request.body.toString('utf8');
      const ours = offeredFromSdp(this.localSdp);
      const check = ours.ok ? parseSdpAnswer(offer, ours.value) : parseSdpAnswer(offer);
      // RFC 3261 section 14.2: an offer we cannot accept gets 488 and the session stays as it was.
      if (!check.ok) return incoming.respond(488, 'Not Acceptable Here', { headers: [['Warning', `305 ringcast "${check.error.replace(/["\\]/g, '')}"`]] });
      // RFC 3264 section 6.1 / 8.4: answer a hold (sendonly / inactive) with recvonly / inactive, and back.
      this.localSdp = withSdpDirection(this.localSdp, answerDirectionFor(check.value.direction));
    }
    // Section 12.2: a re-INVITE is a target refresh request.
    this.dialog.refreshRemoteTarget(request.headers);
    incoming.respond(200, 'OK', {
      headers: [
        ['Contact', this.ctx.contactFor(this.transport)],
        ['Allow', ALLOW_HEADER_VALUE],
        ['Supported', SUPPORTED_HEADER_VALUE],
        ...decision.responseHeaders,
        ['Content-Type', 'application/sdp'],
      ],
      body: Buffer.from(this.localSdp, 'utf8'),
    });
    // Section 13.3.1.4: the 2xx is retransmitted until the ACK or 64*T1; after that we stop waiting (the stack
    // owns the retransmission; we only forget the pending state).
    const timer = this.timers.start(this.ctx.transactionLifetimeMs, () => {
      if (this.reinvite.kind === 'awaiting-ack' && this.reinvite.cseq === cseq) this.reinvite = { kind: 'idle' };
    });
    this.reinvite = { kind: 'awaiting-ack', cseq, answerInAck: offer === undefined, timer };
    // RFC 4028 section 10: a re-INVITE is a session refresh; the timers restart with what we answered.
    this.sessionTimer.apply(decision.plan);
    if (offer !== undefined) this.updateRemoteSdp(offer);
  }

  private updateRemoteSdp(sdp: string): void {
    if (sdp === this.remoteSdpValue) return;
    this.remoteSdpValue = sdp;
    for (const listener of [...this.listeners]) callListener(() => listener(sdp));
  }

  // --- Our session refresh re-INVITE (RFC 4028 section 7.4, RFC 3261 section 14.1) ------------------------------

  private refreshSession(): void {
    // A re-INVITE in progress either way already refreshes the session (theirs restarted our timers).
    if (this.stateValue !== 'confirmed' || this.reinvite.kind !== 'idle') return;
    const plan = this.sessionTimer.plan;
    if (plan.role === 'off') return;
    this.reinvite = { kind: 'sending' };
    const authorizer = new RequestAuthorizer(this.credentials, this.ctx.nonceCounter);
    let retried422 = false;
    const send = (intervalS: number) => {
      const body = Buffer.from(this.localSdp, 'utf8');
      const headers: SipHeader[] = [
        ['Contact', this.ctx.contactFor(this.transport)],
        ...this.ctx.commonRequestHeaders(),
        ['Allow', ALLOW_HEADER_VALUE],
        ['Supported', SUPPORTED_HEADER_VALUE],
        // We are the refresher of this transaction: say so, so the callee does not also refresh.
        ['Session-Expires', `${intervalS};refresher=uac`],
      ];
      if (this.minSeS !== undefined) headers.push(['Min-SE', String(this.minSeS)]);
      const built = this.dialog.createRequest('INVITE', { headers, body, contentType: 'application/sdp' });
      const credentialHeaders = authorizer.headersFor('INVITE', built.request.uri, body);
      built.request.headers.push(...credentialHeaders);
      const cseq = this.dialog.lastInviteSequence;
      let answered = false;
      this.ctx.stack.sendRequest(built.request, built.target, {
        onResponse: (response) => {
          if (response.status < 200) return;
          if (response.status < 300) {
            if (answered) return this.handle2xx(response);
            answered = true;
            return this.onRefreshAnswered(response, cseq, credentialHeaders);
          }
          if (answered || this.reinvite.kind !== 'sending' || this.stateValue !== 'confirmed') return;
          if ((response.status === 401 || response.status === 407) && authorizer.accept(response).ok) return send(intervalS);
          if (response.status === 422 && !retried422) {
            // RFC 4028 section 7.4: retry with at least the Min-SE of the 422, and carry that Min-SE from now on.
            const minSe = minSeOf(response.headers);
            if (minSe?.ok) {
              retried422 = true;
              this.minSeS = Math.max(this.minSeS ?? 0, minSe.value);
              return send(Math.max(intervalS, minSe.value));
            }
          }
          this.onRefreshFailed(response.status, response.reason);
        },
        onTimeout: () => this.onRefreshFailed(408, 'Request Timeout'),
        onTransportError: (error) => this.onRefreshFailed(503, `Service Unavailable (${error.message})`),
      });
    };
    send(plan.intervalS);
  }

  private onRefreshAnswered(response: SipResponse, cseq: number, credentialHeaders: readonly SipHeader[]): void {
    if (this.reinvite.kind === 'sending') this.reinvite = { kind: 'idle' };
    // The 2xx is ACKed even when the call ended meanwhile, or the callee keeps retransmitting it.
    this.acks.send(cseq, credentialHeaders);
    if (this.stateValue !== 'confirmed') return;
    this.dialog.refreshRemoteTarget(response.headers);
    if (response.body.length > 0) this.updateRemoteSdp(response.body.toString('utf8'));
    // RFC 4028 section 7.2 applies to every 2xx of a refresh: it restarts (or turns off) the timer.
    this.sessionTimer.apply(planFromAnswer(response));
  }

  private onRefreshFailed(status: number, reason: string): void {
    if (this.reinvite.kind !== 'sending') return;
    this.reinvite = { kind: 'idle' };
    if (this.stateValue !== 'confirmed') return;
    if (status === 491) {
      // RFC 3261 section 14.1: glare; we own the Call-ID, so retry after 2.1-4 s (in units of 10 ms).
      this.sessionTimer.retryRefreshIn(randomInt(210, 401) * 10);
      return;
    }
    if (status === 408 || status === 481) {
      // RFC 4028 section 10: a refresh that times out or gets 408 / 481 means the session is gone: BYE.
      this.sendBye({ by: 'network', sipCode: status, reason: `session refresh failed: ${status} ${reason}`.trim() });
    }
    // Any other failure leaves the session as it was (RFC 3261 section 14.1) until the expiry timer decides.
  }
}
