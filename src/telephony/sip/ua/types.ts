// The public face of the SIP user agent (UAC side): what the carrier adapter (src/telephony/sip/carrier) uses to
// place a call, watch it ring, and hang it up. The implementation lives beside this file, one concept per file:
// invite-client.ts (the outgoing INVITE until it is answered, fails or is cancelled), invite-dialogs.ts (its 2xx made
// into calls, also from late forks), sip-call.ts (the confirmed dialog: BYE, re-INVITE, session timers), dialog-acks.ts
// (the ACKs of its 2xx), ended-call.ts (what an ended call leaves for 64*T1), user-agent.ts (the one handler per
// stack that routes requests to calls).
import type { Clock } from '../../../domain/clock.js';
import type { SipResponse } from '../message/types.js';
import type { SipStack, SipTarget } from '../transaction/types.js';
import type { UriTargetResolver } from '../dialog/next-hop.js';

export interface SipUserAgentOptions {
  stack: SipStack;
  clock: Clock;
  /** User-Agent header value. Default 'Ringcast'. */
  userAgent?: string;
  /** Session-Expires we ask for in our INVITEs (RFC 4028). Default 1800; 0 asks for no session timer. */
  sessionExpiresS?: number;
  /** The smallest session interval we accept in a re-INVITE (our Min-SE). Default 90, the RFC 4028 floor. */
  minSessionExpiresS?: number;
  /**
   * Turns a route or remote-target URI into an address (RFC 3263). Default: IP literals as they are, host names to
   * the target the INVITE went to.
   */
  resolveUriTarget?: UriTargetResolver;
}

export interface SipCredentials {
  username: string;
  password: string;
}

export interface InviteOptions {
  /** Resolved address of the trunk / proxy to send the INVITE to. */
  target: SipTarget;
  /** e.g. sip:+442079460001@trunk.example.com */
  requestUri: string;
  fromUri: string;
  fromDisplayName?: string;
  toUri: string;
  /** P-Asserted-Identity value (RFC 3325), e.g. <sip:+441632960001@trunk.example.com> */
  assertedIdentity?: string;
  credentials?: SipCredentials;
  sdpOffer: string;
  extraHeaders?: Array<[string, string]>;
  /** Each 1xx while the call is being set up (not after it is answered or cancelled). */
  onProgress?: (status: number, reason: string) => void;
}

export type InviteOutcome =
  | { kind: 'answered'; call: SipCall; remoteSdp: string; response: SipResponse }
  | { kind: 'failed'; status: number; reason: string; q850Cause?: number; q850Text?: string; timedOut: boolean }
  | { kind: 'cancelled' };

/** The named states of an outgoing INVITE (see invite-client.ts for the transitions). */
export type InviteState = 'calling' | 'cancel-pending' | 'proceeding' | 'cancelling' | 'answered' | 'failed' | 'cancelled';

export interface OutgoingInvite {
  readonly callId: string;
  readonly outcome: Promise<InviteOutcome>;
  /** Gives up on the call: CANCEL now if a provisional response came, else as soon as one comes (RFC 3261 9.1). */
  cancel(): void;
}

export interface SipCallEnd {
  by: 'us' | 'callee' | 'network';
  sipCode?: number;
  q850Cause?: number;
  reason?: string;
}

/** The named states of an answered call (see sip-call.ts). */
export type SipCallState = 'confirmed' | 'terminating' | 'terminated';

export interface SipCall {
  readonly callId: string;
  /** The latest SDP from the callee (the 2xx answer, then any re-INVITE offer). */
  readonly remoteSdp: string;
  /** Sends BYE (once; later calls wait for the same end) and resolves when the call has ended. */
  hangup(): Promise<void>;
  /** Resolves once, with whoever ended the call first. */
  readonly ended: Promise<SipCallEnd>;
  /** Called with each new SDP the callee sends in the dialog (re-INVITE offer, or 2xx to our refresh). */
  onRemoteSdp(listener: (sdp: string) => void): void;
  /**
   * Blind transfer (RFC 3515, see refer.ts): asks the callee to call `targetUri` with a REFER in this dialog and
   * follows the NOTIFYs of the implicit subscription until the final status of that call, or `timeoutMs` after the
   * REFER was sent. Never rejects. One REFER at a time per call; it does not end the call.
   */
  refer(targetUri: string, options: ReferOptions): Promise<ReferResult>;
}

export interface ReferOptions {
  /** From sending the REFER to the final NOTIFY; after it the result is failed, cause 'timeout'. */
  timeoutMs: number;
  /** Each provisional status the transferee reports (sipfrag "SIP/2.0 1xx"). */
  onProgress?: (status: number, reason: string) => void;
}

/**
 * Why a REFER did not end in an answered transfer:
 *   refused               a non-2xx final response to the REFER (status is that response's)
 *   no-response           the REFER timed out (408) or could not be sent (503)
 *   target-failed         a NOTIFY reported a 3xx-6xx final status of the transferee's call (status is that one)
 *   subscription-ended    Subscription-State: terminated came before any final status
 *   timeout               no final status within timeoutMs
 *   call-ended            the call ended before the outcome was known
 *   invalid-target        targetUri is not a SIP URI
 *   busy                  another REFER of this call is still waiting for its outcome
 */
export type ReferFailureCause =
  | 'refused'
  | 'no-response'
  | 'target-failed'
  | 'subscription-ended'
  | 'timeout'
  | 'call-ended'
  | 'invalid-target'
  | 'busy';

export type ReferResult =
  | { kind: 'answered'; status: number; reason: string }
  | { kind: 'failed'; cause: ReferFailureCause; status?: number; reason: string };
