/**
 * The SIP user agent (UAC side) above the transaction layer: places calls (invite-client.ts), keeps them
 * (sip-call.ts), and is the one handler of the stack's incoming requests and stray responses, routing each by
 * Call-ID and tags (RFC 3261 section 12: a dialog is Call-ID + local tag + remote tag).
 *
 * What arrives and where it goes:
 *   CANCEL                    -> 200 (the stack has matched it to an INVITE we already answered, section 9.2)
 *   request with a To-tag     -> the call of that dialog; unknown dialog: 481 (section 12.2.2), OPTIONS: 200
 *   request without a To-tag  -> OPTIONS 200 (section 11.2), INVITE 480 (we place calls, we do not take them),
 *                                a method we do not support 405, anything else 481
 *   stray 2xx to an INVITE    -> the call of its dialog (ACK again), else the INVITE of its Call-ID (a late fork:
 *                                ACK + BYE), else nobody's: ACK + BYE so the far end stops ringing a ghost
 * Malformed requests get 400; malformed responses are dropped. Nothing from the network throws.
 */
import { DigestNonceCounter } from '../auth/digest.js';
import { dialogKey, SipDialog } from '../dialog/dialog.js';
import { parseCSeq, parseFromTo } from '../message/headers.js';
import { getHeader, type SipHeader, type SipResponse } from '../message/types.js';
import type { IncomingRequest, SipSource, SipTransportName } from '../transaction/types.js';
import type { DialogUsage } from './ended-call.js';
import { InviteClient } from './invite-client.js';
import type { InviteDialogs } from './invite-dialogs.js';
import { SipCallImpl } from './sip-call.js';
import { TimerGroup } from './timer.js';
import type { InviteOptions, InviteOutcome, OutgoingInvite, SipUserAgentOptions } from './types.js';
import { ALLOW_HEADER_VALUE, ALLOWED_METHODS, optionsHeaders, type UaContext } from './ua-context.js';

export type {
  InviteOptions,
  InviteOutcome,
  InviteState,
  OutgoingInvite,
  ReferFailureCause,
  ReferOptions,
  ReferResult,
  SipCall,
  SipCallEnd,
  SipCallState,
  SipCredentials,
  SipUserAgentOptions,
} from './types.js';

export const DEFAULT_USER_AGENT = 'Ringcast';
export const DEFAULT_SESSION_EXPIRES_S = 1800;
export const DEFAULT_MIN_SESSION_EXPIRES_S = 90;

type UaState = 'open' | 'closing' | 'closed';

/** An OutgoingInvite that never left: for invite() after close(). */
function refusedInvite(reason: string): OutgoingInvite {
  const outcome: InviteOutcome = { kind: 'failed', status: 503, reason, timedOut: false };
  return { callId: '', outcome: Promise.resolve(outcome), cancel: () => {} };
}

export class SipUserAgent {
  private readonly ctx: UaContext;
  private state: UaState = 'open';
  /** Outgoing INVITEs by Call-ID; for 64*T1 after one settles, its InviteDialogs, so late forks still find it. */
  private readonly invites = new Map<string, InviteClient | InviteDialogs>();
  /** Calls by dialog key; for 64*T1 after a call ends, what it leaves (ended-call.ts), so retransmitted 2xx still get their ACK. */
  private readonly calls = new Map<string, DialogUsage>();
  private readonly timers: TimerGroup;

  constructor(options: SipUserAgentOptions) {
    const sessionExpiresS = options.sessionExpiresS ?? DEFAULT_SESSION_EXPIRES_S;
    const minSessionExpiresS = options.minSessionExpiresS ?? DEFAULT_MIN_SESSION_EXPIRES_S;
    // RFC 4028 section 4: neither may be below 90 s (0 turns our request for a timer off).
    if (!Number.isInteger(sessionExpiresS) || sessionExpiresS < 0 || (sessionExpiresS > 0 && sessionExpiresS < 90)) {
      throw new RangeError(`sessionExpiresS must be 0 or at least 90, got ${sessionExpiresS}`);
    }
    if (!Number.isInteger(minSessionExpiresS) || minSessionExpiresS < 90) {
      throw new RangeError(`minSessionExpiresS must be at least 90, got ${minSessionExpiresS}`);
    }
    const { stack, clock } = options;
    const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.timers = new TimerGroup(clock);
    this.ctx = {
      stack,
      clock,
      userAgent,
      sessionExpiresS: sessionExpiresS > 0 ? Math.max(sessionExpiresS, minSessionExpiresS) : 0,
      minSessionExpiresS,
      nonceCounter: new DigestNonceCounter(),
      resolveUriTarget: options.resolveUriTarget,
      transactionLifetimeMs: 64 * stack.timers.t1Ms,
      contactFor: (transport: SipTransportName) => {
        const host = stack.localAddress.includes(':') ? `[${stack.localAddress}]` : stack.localAddress;
        return `<sip:ringcast@${host}:${stack.localPort}${transport === 'tcp' ? ';transport=tcp' : ''}>`;
      },
      commonRequestHeaders: (): SipHeader[] => [['User-Agent', userAgent]],
      registerDialog: (call) => {
        this.calls.set(call.key, call);
      },
      routeLate2xx: (response, target) => this.handleStrayResponse(response, { address: target.host, port: target.port, transport: target.transport }),
      dialogEnded: (call) => {
        const key = call.key;
        if (this.calls.get(key) !== call) return;
        const remnant = call.remnant();
        this.calls.set(key, remnant);
        this.timers.start(this.ctx.transactionLifetimeMs, () => {
          if (this.calls.get(key) === remnant) this.calls.delete(key);
        });
      },
    };
    stack.onRequest((incoming) => this.handleRequest(incoming));
    stack.onStrayResponse((response, source) => this.handleStrayResponse(response, source));
  }

  /** Starts a call. Throws TypeError only for URIs in `options` that do not parse (a configuration bug). */
  invite(options: InviteOptions): OutgoingInvite {
    if (this.state !== 'open') return refusedInvite('SIP user agent is closed');
    const client = new InviteClient(this.ctx, options, (done, dialogs) => {
      const callId = done.callId;
      if (this.invites.get(callId) !== done) return;
      // Settled: for 64*T1 its InviteDialogs take late forks' 2xx; the InviteClient is left to its caller.
      this.invites.set(callId, dialogs);
      this.timers.start(this.ctx.transactionLifetimeMs, () => {
        if (this.invites.get(callId) === dialogs) this.invites.delete(callId);
      });
    });
    this.invites.set(client.callId, client);
    client.start();
    return client;
  }

  /** Calls up (answered and not yet ended), for metrics and tests. */
  get activeCallCount(): number {
    return [...this.calls.values()].filter((c) => c.state !== 'terminated').length;
  }

  /**
   * Cancels pending INVITEs, hangs up every call, and waits for all of them to end. The stack offers no way to
   * remove a handler, so afterwards ours answers 503 to requests and drops responses.
   */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    for (;;) {
      const pending = [...this.invites.values()].filter((c): c is InviteClient => c instanceof InviteClient && !c.settled);
      const live = [...this.calls.values()].filter((c): c is SipCallImpl => c instanceof SipCallImpl && c.state !== 'terminated');
      if (pending.length === 0 && live.length === 0) break;
      for (const client of pending) client.cancel();
      await Promise.all([...pending.map((c) => c.outcome), ...live.map((c) => c.hangup())]);
    }
    this.state = 'closed';
    this.timers.cancelAll();
    this.invites.clear();
    this.calls.clear();
  }

  private handleRequest(incoming: IncomingRequest): void {
    const { request } = incoming;
    const method = request.method.toUpperCase();
    const respond = (status: number, reason: string, headers?: SipHeader[]) => {
      // Section 17.2.1: ACK never gets a response.
      if (method !== 'ACK') incoming.respond(status, reason, headers ? { headers } : undefined);
    };
    if (this.state === 'closed') return respond(503, 'Service Unavailable');

    // Section 8.2.2 / 16.3: the headers that identify a request; without them it is a 400.
    const callId = getHeader(request.headers, 'Call-ID')?.trim();
    const from = parseFromTo(getHeader(request.headers, 'From') ?? '');
    const to = parseFromTo(getHeader(request.headers, 'To') ?? '');
    const cseq = parseCSeq(getHeader(request.headers, 'CSeq') ?? '');
    if (!callId || !from.ok || !to.ok || !cseq.ok) return respond(400, 'Bad Request');
    if (cseq.value.method.toUpperCase() !== method) return respond(400, 'Bad Request', [['Warning', '399 ringcast "CSeq method does not match"']]);

    if (method === 'CANCEL') {
      // The stack answers a CANCEL that matches no INVITE transaction with 481 itself (section 9.2), so one that
      // reaches us matched an INVITE we already answered (we answer re-INVITEs at once): "the CANCEL request has no
      // effect on the processing of the original request" and gets 200.
      return respond(200, 'OK');
    }
    const toTag = to.value.tag;
    const fromTag = from.value.tag;
    if (toTag !== undefined) {
      // In a dialog: our tag is the To-tag of requests the callee sends us.
      const call = fromTag !== undefined ? this.calls.get(dialogKey({ callId, localTag: toTag, remoteTag: fromTag })) : undefined;
      if (call) return call.handleRequest(incoming, cseq.value.seq);
      if (method === 'OPTIONS') return respond(200, 'OK', optionsHeaders());
      if (method === 'ACK') return;
      return respond(481, 'Call/Transaction Does Not Exist');
    }
    switch (method) {
      case 'OPTIONS':
        return respond(200, 'OK', optionsHeaders());
      case 'ACK':
        return;
      case 'INVITE':
        // An outbound dialer takes no calls: "temporarily unavailable" makes the caller's network try elsewhere
        // or later rather than treat the number as broken.
        return respond(480, 'Temporarily Unavailable');
      default:
        if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
          return respond(405, 'Method Not Allowed', [['Allow', ALLOW_HEADER_VALUE]]);
        }
        return respond(481, 'Call/Transaction Does Not Exist');
    }
  }

  private handleStrayResponse(response: SipResponse, source: SipSource): void {
    if (this.state === 'closed') return;
    // Only a 2xx to an INVITE needs anything from us (its ACK); other strays are retransmissions of things done.
    if (response.status < 200 || response.status >= 300) return;
    const cseq = parseCSeq(getHeader(response.headers, 'CSeq') ?? '');
    if (!cseq.ok || cseq.value.method.toUpperCase() !== 'INVITE') return;
    const callId = getHeader(response.headers, 'Call-ID')?.trim();
    const from = parseFromTo(getHeader(response.headers, 'From') ?? '');
    const to = parseFromTo(getHeader(response.headers, 'To') ?? '');
    if (!callId || !from.ok || !to.ok) return;
    const { tag: localTag } = from.value;
    const { tag: remoteTag } = to.value;
    if (localTag !== undefined && remoteTag !== undefined) {
      const call = this.calls.get(dialogKey({ callId, localTag, remoteTag }));
      if (call) return call.handle2xx(response);
    }
    const client = this.invites.get(callId);
    if (client) return client.handle2xx(response);
    this.forgetUnknown2xx(response, source);
  }

  /**
   * A 2xx for an INVITE we no longer know (we restarted, or forgot it): the far end thinks a call is up. ACK it and
   * BYE it in a dialog built from the response alone, sent back where the response came from unless its route set
   * or Contact says otherwise.
   */
  private forgetUnknown2xx(response: SipResponse, source: SipSource): void {
    const fallbackTarget = { host: source.address, port: source.port, transport: source.transport };
    const made = SipDialog.fromResponse(response, {
      fallbackTarget,
      ...(this.ctx.resolveUriTarget ? { resolveUriTarget: this.ctx.resolveUriTarget } : {}),
    });
    if (!made.ok) return;
    const cseq = parseCSeq(getHeader(response.headers, 'CSeq') ?? '');
    if (!cseq.ok) return;
    const call = new SipCallImpl({
      ctx: this.ctx,
      dialog: made.value,
      response,
      inviteCredentialHeaders: [],
      inviteCSeq: cseq.value.seq,
      localSdp: '',
      credentials: undefined,
      transport: source.transport,
    });
    this.ctx.registerDialog(call);
    void call.hangup();
  }
}
