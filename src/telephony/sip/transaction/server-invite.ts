// The INVITE server transaction (an INVITE or re-INVITE we receive): RFC 3261 section 17.2.1 as amended by RFC 6026.
//
//                     |INVITE received, passed to TU (100 Trying sent if the TU did not answer at once)
//                     V
//                  Proceeding  (retransmitted INVITE: last 1xx re-sent)
//                     | 2xx from TU                     | 300-699 from TU
//                     V                                 V
//                  Accepted                          Completed  (Timer G: response re-sent, UDP only;
//   (2xx re-sent on Timer G's schedule until the       |          retransmitted INVITE: response re-sent)
//    ACK arrives; retransmitted INVITE: 2xx re-sent)   | ACK       | Timer H fires: no ACK came
//                     | Timer L fires                  V           |
//                     |                             Confirmed      |
//                     |                                | Timer I   |
//                     V                                V           V
//                  Terminated <----------------------------------------
//
// RFC 3261 section 13.3.1.4 gives 2xx retransmission to the UAS core and RFC 6026 keeps it there; this stack owns
// it instead (see IncomingRequest.respond), so the Accepted state runs the retransmission schedule itself.
import { serializeSipMessage } from '../message/serializer.js';
import { getHeader, type SipRequest, type SipResponse } from '../message/types.js';
import { TransactionTimers } from './timers.js';
import { isReliable, type ResponseRoute, type TransactionEnv } from './transaction-env.js';

export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

/** What the stack does with an ACK matched to this transaction by branch. */
export type AckDisposition = 'absorbed' | 'pass-up';

export class InviteServerTransaction {
  private stateValue: InviteServerState = 'proceeding';
  private readonly timers: TransactionTimers;
  private last: { response: SipResponse; bytes: Buffer } | undefined;
  private ackReceived = false;

  constructor(
    readonly request: SipRequest,
    readonly route: ResponseRoute,
    private readonly env: TransactionEnv,
    private readonly onTerminated: (transaction: InviteServerTransaction) => void,
  ) {
    this.timers = new TransactionTimers(env.clock, (error) => env.reportBug(error, 'INVITE server timer'));
  }

  get state(): InviteServerState {
    return this.stateValue;
  }

  get responded(): boolean {
    return this.last !== undefined;
  }

  /** True once a 2xx was sent and its ACK has not arrived yet (the stack matches 2xx ACKs by Call-ID and CSeq). */
  get awaitingAck(): boolean {
    return this.stateValue === 'accepted' && !this.ackReceived;
  }

  /**
   * Section 17.2.1: a retransmitted INVITE is answered with the last response: the last provisional in Proceeding,
   * the final in Completed. In Accepted RFC 6026 absorbs it because the core retransmits the 2xx; here the stack is
   * that core, so re-sending the 2xx at once (before the ACK) is the core's retransmission arriving early.
   */
  receiveRetransmission(): void {
    if (this.stateValue === 'proceeding' || this.stateValue === 'completed') this.resendLast();
    else if (this.stateValue === 'accepted' && !this.ackReceived) this.resendLast();
  }

  /**
   * An ACK with this transaction's branch. Section 17.2.1: in Completed it confirms the non-2xx final and is absorbed
   * (not passed to the TU). A peer that (wrongly) reuses the INVITE branch for the ACK of a 2xx lands here in Accepted:
   * that ACK ends the 2xx retransmission and belongs to the TU.
   */
  receiveAck(): AckDisposition {
    if (this.stateValue === 'completed') {
      this.transition('confirmed');
      return 'absorbed';
    }
    if (this.stateValue === 'confirmed') return 'absorbed';
    if (this.stateValue === 'accepted') this.ack2xx();
    return 'pass-up';
  }

  /** The ACK of our 2xx arrived (RFC 3261 section 13.3.1.4): stop retransmitting it. */
  ack2xx(): void {
    if (this.stateValue !== 'accepted') return;
    this.ackReceived = true;
    this.timers.stop('G');
  }

  respond(response: SipResponse): void {
    if (this.stateValue !== 'proceeding') {
      this.env.logger.debug?.({ status: response.status, state: this.stateValue }, 'sip: INVITE response after the final one ignored');
      return;
    }
    this.last = { response, bytes: serializeSipMessage(response) };
    this.resendLast();
    if (response.status >= 300) this.transition('completed');
    else if (response.status >= 200) this.transition('accepted');
  }

  terminate(): void {
    this.transition('terminated');
  }

  private transition(next: InviteServerState): void {
    if (this.stateValue === 'terminated' || this.stateValue === next) return;
    this.stateValue = next;
    const { t1Ms, t4Ms } = this.env.timers;
    switch (next) {
      case 'accepted':
        // Section 13.3.1.4: "the 2xx response is passed to the transport with an interval that starts at T1 seconds
        // and doubles for each retransmission until it reaches T2 seconds" (on every transport: the 2xx is end-to-end
        // and a proxy may forward it over UDP). RFC 6026 Timer L = 64*T1 bounds the Accepted state; reaching it
        // without an ACK means the peer never confirmed: section 13.3.1.4 leaves the BYE to the TU.
        this.startTimerG(t1Ms);
        this.timers.start('L', 64 * t1Ms, () => {
          if (!this.ackReceived) this.env.logger.warn?.({ callId: this.callId() }, 'sip: no ACK for our 2xx within 64*T1');
          this.transition('terminated');
        });
        return;
      case 'completed':
        // Timer G re-sends the non-2xx final on unreliable transports; Timer H = 64*T1 waits for the ACK.
        if (!isReliable(this.route.source.transport)) this.startTimerG(t1Ms);
        this.timers.start('H', 64 * t1Ms, () => {
          this.env.logger.debug?.({ callId: this.callId() }, 'sip: no ACK for our final response (Timer H)');
          this.transition('terminated');
        });
        return;
      case 'confirmed':
        // Timer I = T4 absorbs retransmitted ACKs on unreliable transports; zero on reliable ones.
        this.timers.stopAll();
        if (isReliable(this.route.source.transport)) this.transition('terminated');
        else this.timers.start('I', t4Ms, () => this.transition('terminated'));
        return;
      case 'terminated':
        this.timers.stopAll();
        this.onTerminated(this);
        return;
      case 'proceeding':
        return;
    }
  }

  /** Timer G: re-send the final response at T1, 2*T1, 4*T1... capped at T2 (500, 1000, 2000, 4000, 4000... ms). */
  private startTimerG(intervalMs: number): void {
    this.timers.start('G', intervalMs, () => {
      if (this.stateValue !== 'completed' && !(this.stateValue === 'accepted' && !this.ackReceived)) return;
      this.resendLast();
      this.startTimerG(Math.min(intervalMs * 2, this.env.timers.t2Ms));
    });
  }

  private callId(): string | undefined {
    return getHeader(this.request.headers, 'Call-ID');
  }

  private resendLast(): void {
    if (this.last !== undefined) this.env.sendResponse(this.last.bytes, this.last.response, this.route);
  }
}
