// The INVITE client transaction: RFC 3261 section 17.1.1 as amended by RFC 6026 (the "Accepted" state).
//
//                 |INVITE from TU
//   Timer A fires |INVITE sent            Timer B fires -> onTimeout
//   INVITE sent   V
//        +-----> Calling ---- 2xx ---------------------------+
//        +-------- | 1xx                                     |
//                  V                                         V
//              Proceeding -- 2xx --------------------> Accepted  (2xx, retransmitted or forked: to TU)
//                  | 300-699: ACK sent, to TU                |  Timer M fires
//                  V                                         |
//              Completed  (300-699: ACK re-sent)             |
//                  | Timer D fires                           |
//                  V                                         V
//              Terminated <----------------------------------+
import { serializeSipMessage } from '../message/serializer.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { buildNon2xxAck } from './derived-requests.js';
import { TransactionTimers } from './timers.js';
import { callSafely, isReliable, type TransactionEnv } from './transaction-env.js';
import type { ClientTransaction, ClientTransactionHandlers, SipTarget } from './types.js';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/** RFC 3261 section 17.1.1.2: Timer D is "at least 32 seconds" on unreliable transports, zero on reliable ones. */
export const TIMER_D_UNRELIABLE_MS = 32_000;

export class InviteClientTransaction implements ClientTransaction {
  private stateValue: InviteClientState = 'calling';
  private readonly timers: TransactionTimers;
  /**
   * The INVITE as sent and its bytes, while Timer A may send it again; released on the final response, after which
   * the transaction lingers (Accepted 32 s, Completed 32 s over UDP) to pass on 2xx or re-send the ACK only.
   */
  private outgoing: { request: SipRequest; bytes: Buffer } | undefined;
  private ackBytes: Buffer | undefined;
  private ack: SipRequest | undefined;

  constructor(
    request: SipRequest,
    readonly branch: string,
    readonly target: SipTarget,
    private readonly handlers: ClientTransactionHandlers,
    private readonly env: TransactionEnv,
    /** Removes the transaction from the stack's table once it is Terminated. */
    private readonly onTerminated: (transaction: InviteClientTransaction) => void,
  ) {
    this.timers = new TransactionTimers(env.clock, (error) => env.reportBug(error, 'INVITE client timer'));
    // Serialised up front: a header with a line break is a bug of the caller and throws from sendRequest.
    this.outgoing = { request, bytes: serializeSipMessage(request) };
  }

  get state(): InviteClientState {
    return this.stateValue;
  }

  get request(): SipRequest | undefined {
    return this.outgoing?.request;
  }

  /** RFC 3261 section 17.1.1.2: send the INVITE, start Timer A (unreliable transports only) and Timer B. */
  start(): void {
    this.send();
    if (!isReliable(this.target.transport)) this.startTimerA(this.env.timers.t1Ms);
    this.timers.start('B', 64 * this.env.timers.t1Ms, () => {
      // "If the client transaction is still in the Calling state when timer B fires, ... inform the TU that a
      // timeout has occurred." B is stopped on leaving Calling, so reaching here means Calling.
      callSafely(this.env, 'onTimeout', () => this.handlers.onTimeout());
      this.transition('terminated');
    });
  }

  /** Timer A: retransmit, then double the interval (no cap for INVITE: 500, 1000, 2000... ms). */
  private startTimerA(intervalMs: number): void {
    this.timers.start('A', intervalMs, () => {
      if (this.stateValue !== 'calling') return;
      this.send();
      this.startTimerA(intervalMs * 2);
    });
  }

  /**
   * A response matched to this transaction (RFC 3261 section 17.1.3). Returns false when the transaction has no use
   * for it (a 2xx after a non-2xx final), so that the stack hands it to the stray-response handler.
   */
  receiveResponse(response: SipResponse): boolean {
    const status = response.status;
    switch (this.stateValue) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          // Section 17.1.1.2: a provisional response stops retransmissions; "SHOULD NOT retransmit any longer".
          if (this.stateValue === 'calling') this.transition('proceeding');
          this.deliver(response);
        } else if (status < 300) {
          // RFC 6026 section 8.4: a 2xx moves to Accepted; the TU builds the ACK (it is end-to-end).
          this.transition('accepted');
          this.deliver(response);
        } else {
          // Section 17.1.1.3: the transaction ACKs a non-2xx final response itself.
          if (this.outgoing) {
            this.ack = buildNon2xxAck(this.outgoing.request, response);
            this.ackBytes = serializeSipMessage(this.ack);
            this.sendAck();
          }
          this.deliver(response);
          this.transition('completed');
        }
        return true;
      case 'completed':
        // Section 17.1.1.2: "Any retransmissions of the final response that are received while in the Completed state
        // MUST cause the ACK to be re-passed to the transport layer ... but the newly received response MUST NOT be
        // passed up to the TU."
        if (status >= 300) {
          this.sendAck();
          return true;
        }
        return status < 200;
      case 'accepted':
        // RFC 6026 section 8.4: every 2xx (retransmissions and other forks) goes to the TU, which ACKs each one.
        // Late provisional responses (seen through multi-worker proxies) and non-2xx finals are discarded.
        if (status >= 200 && status < 300) this.deliver(response);
        return true;
      case 'terminated':
        return false;
    }
  }

  /**
   * RFC 3261 section 9.1: "If there is no final response for the original request in 64*T1 seconds ... the client
   * SHOULD then consider the original transaction cancelled and SHOULD destroy the client transaction handling the
   * original request." Without this a peer that ignores our CANCEL would keep the INVITE in Proceeding forever.
   */
  cancelSent(): void {
    if (this.stateValue !== 'calling' && this.stateValue !== 'proceeding') return;
    if (this.timers.isRunning('cancel')) return;
    this.timers.start('cancel', 64 * this.env.timers.t1Ms, () => {
      if (this.stateValue !== 'calling' && this.stateValue !== 'proceeding') return;
      callSafely(this.env, 'onTimeout', () => this.handlers.onTimeout());
      this.transition('terminated');
    });
  }

  /** RFC 3261 section 17.1.1.2: "If ... a transport error occurs, the client transaction ... informs the TU". */
  transportError(error: Error): void {
    if (this.stateValue === 'calling' || this.stateValue === 'proceeding') {
      callSafely(this.env, 'onTransportError', () => this.handlers.onTransportError(error));
      this.transition('terminated');
      return;
    }
    // A failed (re-)ACK in Completed is not the TU's concern: the server retransmits and Timer D ends the transaction.
    this.env.logger.debug?.({ branch: this.branch, state: this.stateValue, err: error }, 'sip: transport error after final response');
  }

  terminate(): void {
    this.transition('terminated');
  }

  /** The one place the state changes; it stops and starts the timers that belong to each state. */
  private transition(next: InviteClientState): void {
    if (this.stateValue === 'terminated' || this.stateValue === next) return;
    this.stateValue = next;
    // Only Calling and Proceeding send the INVITE (and build a CANCEL or ACK from it).
    if (next !== 'proceeding') this.outgoing = undefined;
    switch (next) {
      case 'proceeding':
        this.timers.stop('A');
        this.timers.stop('B');
        return;
      case 'accepted':
        this.timers.stopAll();
        // RFC 6026 section 8.4: Timer M = 64*T1 keeps the transaction to pass on 2xx retransmissions and forks.
        this.timers.start('M', 64 * this.env.timers.t1Ms, () => this.transition('terminated'));
        return;
      case 'completed':
        this.timers.stopAll();
        if (isReliable(this.target.transport)) this.transition('terminated');
        else this.timers.start('D', TIMER_D_UNRELIABLE_MS, () => this.transition('terminated'));
        return;
      case 'terminated':
        this.timers.stopAll();
        this.onTerminated(this);
        return;
      case 'calling':
        return;
    }
  }

  private deliver(response: SipResponse): void {
    callSafely(this.env, 'onResponse', () => this.handlers.onResponse(response));
  }

  private send(): void {
    if (this.outgoing === undefined) return;
    this.env.transmit(this.outgoing.bytes, this.outgoing.request, this.target, (error) => this.transportError(error));
  }

  private sendAck(): void {
    if (this.ack === undefined || this.ackBytes === undefined) return;
    this.env.transmit(this.ackBytes, this.ack, this.target, (error) => this.transportError(error));
  }
}
