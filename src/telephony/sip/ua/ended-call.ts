// What an ended call leaves in the user agent for 64*T1 after it ends: enough to send a retransmitted 2xx of its
// INVITEs the same ACK again (RFC 3261 section 13.3.1.4) and to answer a late request in its dialog (a BYE crossing
// ours gets 200, anything else 481), and no more. The call itself (its session timer, listeners, SDP, the closures of
// its transactions) goes. Kept whole for those 32 s with its InviteClient and transactions, each call held 16.4 KB
// of heap (the build, 3,000 calls through bench/sip.ts's set-up): half a gigabyte at 1,000 calls a second, every
// byte of it copied through the young generation first. With this, invite-dialogs.ts and transactions that let go of
// their request and handlers on the final response, 8.1 KB.
import type { SipDialog } from '../dialog/dialog.js';
import type { SipResponse } from '../message/types.js';
import type { IncomingRequest } from '../transaction/types.js';
import type { DialogAcks } from './dialog-acks.js';
import type { SipCallState } from './types.js';

/** What the user agent routes a dialog's requests and stray 2xx to: a call, or what is left of one. */
export interface DialogUsage {
  readonly key: string;
  readonly state: SipCallState;
  handle2xx(response: SipResponse): void;
  handleRequest(incoming: IncomingRequest, cseq: number): void;
}

/** Section 12.2.2: a request in a dialog that is gone gets 481; a late BYE crossing ours still gets 200, so the peer stops retransmitting it. */
export function answerAfterEnd(incoming: IncomingRequest): void {
  const method = incoming.request.method.toUpperCase();
  if (method === 'ACK') return;
  if (method === 'BYE') incoming.respond(200, 'OK');
  else incoming.respond(481, 'Call/Transaction Does Not Exist');
}

export class EndedCall implements DialogUsage {
  readonly state: SipCallState = 'terminated';
  readonly key: string;

  constructor(
    dialog: SipDialog,
    private readonly acks: DialogAcks,
  ) {
    this.key = dialog.key;
  }

  handle2xx(response: SipResponse): void {
    this.acks.resendFor(response);
  }

  handleRequest(incoming: IncomingRequest): void {
    answerAfterEnd(incoming);
  }
}
