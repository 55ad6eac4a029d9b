// The non-INVITE client transaction (BYE, CANCEL, OPTIONS, INFO, ...): RFC 3261 section 17.1.2.
//
//                    |Request from TU, request sent
//   Timer E fires    V              Timer F fires -> onTimeout
//   request sent  Trying ------------------------------+
//        +-------->|  | 200-699: to TU                 |
//                  |  +---------------------------+    |
//                  | 1xx: to TU                   |    |
//   Timer E fires  V                              V    |
//   request sent  Proceeding -- 200-699: to TU -> Completed (final retransmissions absorbed)
//                  | Timer F -> onTimeout         |  Timer K fires
//                  V                              V
//              Terminated <-----------------------+
import { serializeSipMessage } from '../message/serializer.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { TransactionTimers } from './timers.js';
import { callSafely, isReliable, type TransactionEnv } from './transaction-env.js';
import type { ClientTransaction, ClientTransactionHandlers, SipTarget } from './types.js';

/** What a transaction in Completed hands responses to: nobody (retransmitted finals are absorbed). */
const ABSORBED: ClientTransactionHandlers = Object.freeze({ onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteClientTransaction implements ClientTransaction {
  private stateValue: NonInviteClientState = 'trying';
  private readonly timers: TransactionTimers;
  /**
   * The request as sent and its bytes, while Timer E may send it again; released on the final response with the
   * handlers (Completed absorbs retransmitted finals for Timer K, 5 s over UDP, and keeps nothing for it).
   */
  private outgoing: { request: SipRequest; bytes: Buffer } | undefined;

  constructor(
    request: SipRequest,
    readonly branch: string,
    readonly target: SipTarget,
    private handlers: ClientTransactionHandlers,
    private readonly env: TransactionEnv,
    private readonly onTerminated: (transaction: NonInviteClientTransaction) => void,
  ) {
    this.timers = new TransactionTimers(env.clock, (error) => env.reportBug(error, 'non-INVITE client timer'));
    this.outgoing = { request, bytes: serializeSipMessage(request) };
  }

  get state(): NonInviteClientState {
    return this.stateValue;
  }

  get request(): SipRequest | undefined {
    return this.outgoing?.request;
  }

  /** RFC 3261 section 17.1.2.2: send, start Timer E = T1 (unreliable transports only) and Timer F = 64*T1. */
  start(): void {
    this.send();
    if (!isReliable(this.target.transport)) this.startTimerE(this.env.timers.t1Ms);
    this.timers.start('F', 64 * this.env.timers.t1Ms, () => {
      // "If Timer F fires while the client transaction is still in the Trying state [or Proceeding], the client
      // transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the Terminated state."
      callSafely(this.env, 'onTimeout', () => this.handlers.onTimeout());
      this.transition('terminated');
    });
  }

  /**
   * Timer E: in Trying the interval doubles from T1 up to T2 (500, 1000, 2000, 4000, 4000... ms); "If Timer E fires
   * while in the Proceeding state, the request MUST be passed to the transport layer for retransmission, and Timer E
   * MUST be reset with a value of T2 seconds."
   */
  private startTimerE(intervalMs: number): void {
    this.timers.start('E', intervalMs, () => {
      if (this.stateValue !== 'trying' && this.stateValue !== 'proceeding') return;
      this.send();
      const t2Ms = this.env.timers.t2Ms;
      this.startTimerE(this.stateValue === 'proceeding' ? t2Ms : Math.min(intervalMs * 2, t2Ms));
    });
  }

  /** A response matched to this transaction (section 17.1.3). Always consumed: nothing of it is stray. */
  receiveResponse(response: SipResponse): boolean {
    switch (this.stateValue) {
      case 'trying':
      case 'proceeding':
        const final = response.status >= 200;
        // Completed lets go of the handlers: the final response goes to the ones it had.
        const handlers = this.handlers;
        this.transition(final ? 'completed' : 'proceeding');
        callSafely(this.env, 'onResponse', () => handlers.onResponse(response));
        // Timer K is zero on reliable transports: Completed ends as soon as the TU has the response.
        if (final && isReliable(this.target.transport)) this.transition('terminated');
        return true;
      case 'completed':
        // Section 17.1.2.2: retransmitted finals are absorbed in Completed (that is what Timer K waits for).
        return true;
      case 'terminated':
        return false;
    }
  }

  transportError(error: Error): void {
    if (this.stateValue !== 'trying' && this.stateValue !== 'proceeding') return;
    callSafely(this.env, 'onTransportError', () => this.handlers.onTransportError(error));
    this.transition('terminated');
  }

  terminate(): void {
    this.transition('terminated');
  }

  private transition(next: NonInviteClientState): void {
    if (this.stateValue === 'terminated' || this.stateValue === next) return;
    this.stateValue = next;
    if (next === 'completed' || next === 'terminated') {
      this.outgoing = undefined;
      this.handlers = ABSORBED;
    }
    // Proceeding keeps Timers E and F running; Timer E switches to T2 at its next firing (startTimerE).
    if (next === 'completed') {
      this.timers.stopAll();
      // Timer K = T4 on unreliable transports (to absorb retransmitted finals), zero on reliable ones: the caller
      // terminates right after delivering the response.
      if (!isReliable(this.target.transport)) this.timers.start('K', this.env.timers.t4Ms, () => this.transition('terminated'));
    } else if (next === 'terminated') {
      this.timers.stopAll();
      this.onTerminated(this);
    }
  }

  private send(): void {
    if (this.outgoing === undefined) return;
    this.env.transmit(this.outgoing.bytes, this.outgoing.request, this.target, (error) => this.transportError(error));
  }
}
