// The dialogs our INVITE makes (RFC 3261 sections 12.1.2 and 13.2.2.4): each 2xx, from whichever fork, becomes a
// confirmed call whose ACK goes out at once, or is ACKed without a dialog when none can be made from it.
// The outgoing INVITE (invite-client.ts) uses this while it waits for its answer. Once the INVITE has settled, this
// alone stays in the user agent for 64*T1, to take the 2xx of forks still answering (ACK, then BYE: one call is all
// we want): what a settled INVITE keeps alive is its target, URIs, SDP offer and credential headers, not its caller's
// listeners, its outcome or the call (which leaves its own remnant, ended-call.ts).
import { SipDialog, type UacDialogOptions } from '../dialog/dialog.js';
import { parseContact, parseCSeq, parseFromTo } from '../message/headers.js';
import { getHeader, getHeaders, type SipHeader, type SipResponse } from '../message/types.js';
import type { SipTarget } from '../transaction/types.js';
import { credentialHeadersOf } from './request-auth.js';
import { SipCallImpl } from './sip-call.js';
import type { SipCredentials } from './types.js';
import type { UaContext } from './ua-context.js';

/** What a 2xx to the INVITE needs from its set-up. */
export interface InviteSetup {
  target: SipTarget;
  requestUri: string;
  sdpOffer: string;
  credentials: SipCredentials | undefined;
}

export type Accepted2xx = { ok: true; call: SipCallImpl } | { ok: false; error: string };

export function toTagOf(response: SipResponse): string | undefined {
  const to = parseFromTo(getHeader(response.headers, 'To') ?? '');
  return to.ok ? to.value.tag : undefined;
}

export class InviteDialogs {
  /** A Min-SE learned from a 422 while the INVITE was set up: the calls' refreshes carry it (RFC 4028 section 7.4). */
  minSeS: number | undefined;
  /** The credential headers of each INVITE sent, by CSeq number: the ACK of its 2xx carries the same. */
  private readonly sentCredentials = new Map<number, readonly SipHeader[]>();
  private lastCSeq = 0;

  constructor(
    private readonly ctx: UaContext,
    readonly callId: string,
    private readonly setup: InviteSetup,
  ) {}

  /** The INVITE with CSeq `cseq` went out with these headers. */
  sent(cseq: number, headers: readonly SipHeader[]): void {
    this.sentCredentials.set(cseq, credentialHeadersOf(headers));
    this.lastCSeq = cseq;
  }

  dialogOptions(): UacDialogOptions {
    const options: UacDialogOptions = { fallbackTarget: this.setup.target, requestUri: this.setup.requestUri };
    if (this.ctx.resolveUriTarget) options.resolveUriTarget = this.ctx.resolveUriTarget;
    return options;
  }

  /**
   * Confirms the dialog of a 2xx (`early`, the early dialog of its To-tag, or a new one), ACKs it and registers the
   * call with the user agent. A 2xx no dialog can be made from is ACKed all the same, so that it stops.
   */
  accept(response: SipResponse, early: SipDialog | undefined): Accepted2xx {
    const tag = toTagOf(response);
    // The transaction layer matched this 2xx to our INVITE; if its CSeq is unreadable, it is the latest INVITE's.
    const cseq = parseCSeq(getHeader(response.headers, 'CSeq') ?? '');
    const seq = cseq.ok ? cseq.value.seq : this.lastCSeq;
    const credentialHeaders = this.sentCredentials.get(seq) ?? [];
    let dialog: SipDialog | undefined;
    let dialogError = 'response without To-tag';
    if (early) {
      const confirmed = early.confirm(response, this.dialogOptions());
      if (confirmed.ok) dialog = early;
      else dialogError = confirmed.error;
    } else {
      const made = SipDialog.fromResponse(response, this.dialogOptions());
      if (made.ok) dialog = made.value;
      else dialogError = made.error;
    }
    if (!dialog || tag === undefined) {
      this.ackWithoutDialog(response, seq, credentialHeaders);
      return { ok: false, error: dialogError };
    }
    const call = new SipCallImpl({
      ctx: this.ctx,
      dialog,
      response,
      inviteCredentialHeaders: credentialHeaders,
      inviteCSeq: seq,
      localSdp: this.setup.sdpOffer,
      credentials: this.setup.credentials,
      transport: this.setup.target.transport,
      ...(this.minSeS !== undefined ? { minSeS: this.minSeS } : {}),
    });
    this.ctx.registerDialog(call);
    return { ok: true, call };
  }

  /**
   * A 2xx after the INVITE settled whose dialog has no call (the user agent routes those of a call to it): another
   * fork answered (section 13.2.2.4). ACK it, then BYE it.
   */
  handle2xx(response: SipResponse): void {
    const made = this.accept(response, undefined);
    if (made.ok) void made.call.hangup();
  }

  /** The ACK of a 2xx we could not build a dialog from: to the Contact (or Request-URI) via the trunk. */
  private ackWithoutDialog(response: SipResponse, cseq: number, credentialHeaders: readonly SipHeader[]): void {
    const contact = parseContact(getHeaders(response.headers, 'Contact'));
    const uri = contact.ok && contact.value !== 'star' && contact.value[0] ? contact.value[0].uriText : this.setup.requestUri;
    const headers: SipHeader[] = [['Max-Forwards', '70']];
    for (const name of ['From', 'To', 'Call-ID'] as const) {
      const value = getHeader(response.headers, name);
      if (value !== undefined) headers.push([name, value]);
    }
    headers.push(['CSeq', `${cseq} ACK`], ...credentialHeaders, ...this.ctx.commonRequestHeaders());
    this.ctx.stack.sendAck({ kind: 'request', method: 'ACK', uri, version: 'SIP/2.0', headers, body: Buffer.alloc(0) }, this.setup.target);
  }
}
