// The seam between the transaction layer (RFC 3261 sections 17-18: transports, the four transaction state machines
// and their timers) and the transaction user above it (dialogs and the user agent, src/telephony/sip/ua). The user
// agent builds requests and reads responses; everything about retransmission, timers, Via branches, the ACK of a
// non-2xx, absorbing retransmitted requests and choosing a socket lives below this line.
import type { SipRequest, SipResponse } from '../message/types.js';

export type SipTransportName = 'udp' | 'tcp';

/** Where a message goes: an IP address (already resolved), a port and a transport. */
export interface SipTarget {
  host: string;
  port: number;
  transport: SipTransportName;
}

/** Where a message came from. */
export interface SipSource {
  address: string;
  port: number;
  transport: SipTransportName;
}

/** RFC 3261 section 17.1.1.1: T1 (RTT estimate), T2 (cap on non-INVITE retransmission), T4 (network lifetime). */
export interface SipTimerSettings {
  t1Ms: number;
  t2Ms: number;
  t4Ms: number;
}

export const DEFAULT_SIP_TIMERS: Readonly<SipTimerSettings> = Object.freeze({ t1Ms: 500, t2Ms: 4000, t4Ms: 5000 });

export interface ClientTransactionHandlers {
  /**
   * Each response matched to the transaction, provisional and final. Retransmitted final responses of a non-INVITE
   * transaction are absorbed (not passed again). For INVITE, every 2xx is passed, retransmissions and forks included,
   * for as long as the transaction is in the RFC 6026 "Accepted" state (Timer M = 64*T1): the transaction user ACKs
   * each one. Non-2xx finals of an INVITE are ACKed by the transaction itself and passed once.
   */
  onResponse(response: SipResponse): void;
  /**
   * Timer B (INVITE) or Timer F (non-INVITE) fired before any final response, or a CANCELled INVITE got no final
   * response within 64*T1 of the CANCEL (RFC 3261 section 9.1): the caller treats it as a 408.
   */
  onTimeout(): void;
  /** The transport could not deliver (connection refused, unreachable): RFC 3261 section 8.1.3.1 says treat as 503. */
  onTransportError(error: Error): void;
}

export interface ClientTransaction {
  /** The branch of the top Via the stack added. */
  readonly branch: string;
  /**
   * The request exactly as sent, with its Via, while it may be sent again; undefined once a final response has
   * arrived. A transaction then lingers (RFC 6026's Accepted, Completed: up to 32 s) only to absorb retransmissions,
   * and holds nothing it no longer needs: at hundreds of calls a second, what lingers is most of the heap.
   */
  readonly request: SipRequest | undefined;
  readonly target: SipTarget;
  /** Stops retransmitting and forgets the transaction without waiting for its timers (shutdown). */
  terminate(): void;
}

export interface IncomingRequest {
  readonly request: SipRequest;
  readonly source: SipSource;
  /**
   * Sends a response in this request's server transaction: Via, From, To (adding `toTag` when given and the To has
   * none), Call-ID and CSeq are copied from the request (RFC 3261 section 8.2.6.2). A retransmitted request is answered
   * with the last response by the stack and not passed up again. For a 2xx to an INVITE the stack retransmits it
   * (Timer G doubling to T2) until the ACK arrives or 64*T1 passes. No-op for ACK.
   */
  respond(status: number, reason: string, extra?: { headers?: Array<[string, string]>; body?: Buffer; toTag?: string }): void;
}

export interface SipStack {
  /** The address and port we listen on and put in Via and Contact (both transports share the port). */
  readonly localAddress: string;
  readonly localPort: number;
  readonly timers: Readonly<SipTimerSettings>;
  /**
   * Starts a client transaction. The stack adds the top Via (SIP/2.0/UDP or TCP, our address and port, a new
   * `z9hG4bK` branch and `;rport`), and sets Content-Length; INVITE gets the INVITE state machine (Timers A, B, D),
   * anything else the non-INVITE one (E, F, K).
   */
  sendRequest(request: SipRequest, target: SipTarget, handlers: ClientTransactionHandlers): ClientTransaction;
  /**
   * CANCEL for a pending INVITE (RFC 3261 section 9.1): the stack builds it from the INVITE (same Request-URI,
   * Call-ID, From, To, Route, CSeq number and top Via branch) and runs it as a non-INVITE transaction to the same
   * target. The caller must only call this after a provisional response. Once the INVITE has its final response
   * there is nothing to cancel ("the CANCEL SHOULD NOT be sent"): nothing is sent and the result is undefined.
   */
  sendCancel(invite: ClientTransaction, handlers: ClientTransactionHandlers): ClientTransaction | undefined;
  /** The ACK of a 2xx: a request of its own, no transaction; the stack adds a Via with a new branch and sends it. */
  sendAck(ack: SipRequest, target: SipTarget): void;
  /** Requests from the network (BYE, OPTIONS, re-INVITE, ACK, INFO...), after server-transaction matching. */
  onRequest(handler: (incoming: IncomingRequest) => void): void;
  /** Responses that match no transaction (e.g. a 2xx retransmitted after Timer M); the user agent may ACK/BYE them. */
  onStrayResponse(handler: (response: SipResponse, source: SipSource) => void): void;
  close(): Promise<void>;
}
