// What the parts of the user agent share: the stack and clock, the settings, and the registry that routes requests
// from the network to calls. Internal to src/telephony/sip/ua.
import type { Clock } from '../../../domain/clock.js';
import type { DigestNonceCounter } from '../auth/digest.js';
import type { UriTargetResolver } from '../dialog/next-hop.js';
import type { SipHeader, SipResponse } from '../message/types.js';
import type { SipStack, SipTarget, SipTransportName } from '../transaction/types.js';
import type { SipCallImpl } from './sip-call.js';

/** RFC 3261 section 20.5: the methods we handle. Sent in Allow on INVITE, re-INVITE answers, OPTIONS and 405s. */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO'] as const;
export const ALLOW_HEADER_VALUE = ALLOWED_METHODS.join(', ');
/** RFC 4028 section 3: option tag "timer". */
export const SUPPORTED_HEADER_VALUE = 'timer';

export interface UaContext {
  readonly stack: SipStack;
  readonly clock: Clock;
  readonly userAgent: string;
  /** What we ask for in our INVITEs; 0 asks for none. */
  readonly sessionExpiresS: number;
  readonly minSessionExpiresS: number;
  readonly nonceCounter: DigestNonceCounter;
  readonly resolveUriTarget: UriTargetResolver | undefined;
  /** 64*T1: how long a transaction, a CANCEL or a retransmitted 2xx can take (RFC 3261 section 17.1.1.2). */
  readonly transactionLifetimeMs: number;
  /** Our Contact for requests and responses sent over `transport` (RFC 3261 section 8.1.1.8). */
  contactFor(transport: SipTransportName): string;
  /** Headers every request we originate carries. */
  commonRequestHeaders(): SipHeader[];
  /** Routes requests and stray 2xx for this call's dialog to it from now on. */
  registerDialog(call: SipCallImpl): void;
  /** The call ended: keep routing to what it leaves (retransmitted 2xx get their ACK again) for 64*T1, then forget it. */
  dialogEnded(call: SipCallImpl): void;
  /**
   * A 2xx to a settled INVITE of ours: to the call (or ended call) of its dialog, else to the INVITE's InviteDialogs
   * (a fork: ACK and BYE), else ACK and BYE it by itself. `target` is where the INVITE went.
   */
  routeLate2xx(response: SipResponse, target: SipTarget): void;
}

/** A final response's status line, e.g. for logs and failure reasons. */
export function statusLine(response: SipResponse): string {
  return `${response.status} ${response.reason}`.trim();
}

/** Whether a comma-separated option list (Supported, Require) names `tag`, across header lines. */
export function listsOptionTag(values: readonly string[], tag: string): boolean {
  return values.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === tag));
}

/** RFC 3261 section 11.2: an OPTIONS answer lists what we allow, accept and support. */
export function optionsHeaders(): SipHeader[] {
  return [
    ['Allow', ALLOW_HEADER_VALUE],
    ['Accept', 'application/sdp'],
    ['Accept-Encoding', 'identity'],
    ['Supported', SUPPORTED_HEADER_VALUE],
  ];
}

/**
 * Calls a listener the user of the user agent gave us. Its exception is its own bug: our state machine stays
 * consistent (the call happens after our transition) and the error still surfaces, uncaught, on its own.
 */
export function callListener(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
