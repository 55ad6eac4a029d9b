// The non-INVITE server transaction (a BYE, OPTIONS, INFO or CANCEL we receive): RFC 3261 section 17.2.2.
//
//                  |Request received, passed to TU
//                  V
//                Trying  (retransmissions discarded)
//                  | 1xx from TU: sent          | 200-699 from TU: sent
//                  V                            |
//               Proceeding (retransmission:     |
//                  |  last 1xx re-sent)         |
//                  | 200-699 from TU: sent      |
//                  V                            V
//               Completed  (retransmission: final re-sent)
//                  | Timer J fires (64*T1 on UDP, 0 on TCP)
//                  V
//               Terminated
import { serializeSipMessage } from '../message/serializer.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { TransactionTimers } from './timers.js';
import { isReliable, type ResponseRoute, type TransactionEnv } from './transaction-env.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteServerTransaction {
  private stateValue: NonInviteServerState = 'trying';
  private readonly timers: TransactionTimers;
  private last: { response: SipResponse; bytes: Buffer } | undefined;

  constructor(
    readonly request: SipRequest,
    readonly route: ResponseRoute,
    private readonly env: TransactionEnv,
    private readonly onTerminated: (transaction: NonInviteServerTransaction) => void,
  ) {
    this.timers = new TransactionTimers(env.clock, (error) => env.reportBug(error, 'non-INVITE server timer'));
    // Not in the RFC: a transaction user that never answers would otherwise hold this transaction forever. The client
    // gives up after Timer F = 64*T1, so after that long an answer could no longer be used anyway.
    this.timers.start('unanswered', 64 * env.timers.t1Ms, () => {
      env.logger.warn?.({ method: request.method }, 'sip: request never answered by the transaction user');
      this.transition('terminated');
    });
  }

  get state(): NonInviteServerState {
    return this.stateValue;
  }

  get responded(): boolean {
    return this.last !== undefined;
  }

  /** Section 17.2.2: a retransmitted request is discarded in Trying and answered with the last response after. */
  receiveRetransmission(): void {
    if (this.stateValue === 'proceeding' || this.stateValue === 'completed') this.resendLast();
  }

  /** A response from the transaction user. Ignored (and logged) after the final response. */
  respond(response: SipResponse): void {
    if (this.stateValue === 'completed' || this.stateValue === 'terminated') {
      this.env.logger.debug?.({ method: this.request.method, status: response.status }, 'sip: response after the final one ignored');
      return;
    }
    this.last = { response, bytes: serializeSipMessage(response) };
    this.resendLast();
    this.transition(response.status < 200 ? 'proceeding' : 'completed');
  }

  terminate(): void {
    this.transition('terminated');
  }

  private transition(next: NonInviteServerState): void {
    if (this.stateValue === 'terminated' || this.stateValue === next) return;
    this.stateValue = next;
    if (next === 'completed') {
      this.timers.stopAll();
      // Timer J: 64*T1 on unreliable transports, to answer retransmissions of the request; zero on reliable ones.
      if (isReliable(this.route.source.transport)) this.transition('terminated');
      else this.timers.start('J', 64 * this.env.timers.t1Ms, () => this.transition('terminated'));
    } else if (next === 'terminated') {
      this.timers.stopAll();
      this.onTerminated(this);
    }
  }

  private resendLast(): void {
    if (this.last !== undefined) this.env.sendResponse(this.last.bytes, this.last.response, this.route);
  }
}
