// The ACKs of the 2xx responses to our INVITEs in one dialog (RFC 3261 section 13.2.2.4): the UAC core, not the
// transaction, sends them, and sends the same ACK again for every retransmission of its 2xx (section 13.3.1.4), for
// as long as the callee retransmits (64*T1) — also after the call ended. Kept for the initial INVITE and the last
// few re-INVITEs.
import type { DialogRequest, SipDialog } from '../dialog/dialog.js';
import { parseCSeq } from '../message/headers.js';
import { getHeader, type SipHeader, type SipRequest, type SipResponse } from '../message/types.js';
import type { UaContext } from './ua-context.js';

/** 2xx ACKs kept for re-sending: the initial INVITE's and the last few re-INVITEs'. */
const MAX_REMEMBERED_ACKS = 4;

function cloneRequest(request: SipRequest): SipRequest {
  return { ...request, headers: request.headers.map(([n, v]): SipHeader => [n, v]) };
}

export class DialogAcks {
  private readonly sent = new Map<number, DialogRequest>();

  constructor(
    private readonly ctx: UaContext,
    private readonly dialog: SipDialog,
  ) {}

  /** Builds, remembers and sends the ACK of the 2xx to the INVITE with CSeq `inviteCSeq`. */
  send(inviteCSeq: number, credentialHeaders: readonly SipHeader[]): void {
    const ack = this.dialog.createRequest('ACK', {
      cseq: inviteCSeq,
      headers: [...credentialHeaders, ...this.ctx.commonRequestHeaders()],
    });
    this.sent.set(inviteCSeq, ack);
    while (this.sent.size > MAX_REMEMBERED_ACKS) {
      const oldest = this.sent.keys().next().value;
      if (oldest === undefined) break;
      this.sent.delete(oldest);
    }
    this.ctx.stack.sendAck(cloneRequest(ack.request), ack.target);
  }

  /** A 2xx to one of our INVITEs in this dialog arrived again: the same ACK again (a new one if it was forgotten). */
  resendFor(response: SipResponse): void {
    const cseq = parseCSeq(getHeader(response.headers, 'CSeq') ?? '');
    if (!cseq.ok || cseq.value.method.toUpperCase() !== 'INVITE') return;
    const ack = this.sent.get(cseq.value.seq);
    if (ack) this.ctx.stack.sendAck(cloneRequest(ack.request), ack.target);
    else this.send(cseq.value.seq, []);
  }
}
