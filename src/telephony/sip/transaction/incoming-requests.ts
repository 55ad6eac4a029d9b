// The server half of the transaction layer: each request from the network is checked, stamped with received/rport,
// matched to a server transaction (RFC 3261 section 17.2.3) or given a new one, and passed to the transaction user
// as an IncomingRequest. Retransmissions are answered here and never reach the transaction user.
import { serializeSipMessage } from '../message/serializer.js';
import type { SipRequest } from '../message/types.js';
import type { SipStreamConnection } from '../transport/transport.js';
import { stampReceived, topVia } from '../transport/via-routing.js';
import { newTag } from './branch.js';
import { ackOf2xxKey, checkRequest, serverTransactionKey, type ValidRequest } from './matching.js';
import { buildResponse, type ResponseExtras } from './response-builder.js';
import { InviteServerTransaction } from './server-invite.js';
import { NonInviteServerTransaction } from './server-non-invite.js';
import type { ResponseRoute, TransactionEnv } from './transaction-env.js';
import type { IncomingRequest, SipSource } from './types.js';

type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface IncomingRequestCounters {
  /** Requests without a usable top Via: no response can be routed, so they are dropped. */
  droppedRequests: number;
  /** Requests answered 400 because a mandatory header is missing or broken. */
  badRequests: number;
}

export class IncomingRequests {
  private readonly transactions = new Map<string, ServerTransaction>();
  /** INVITE transactions whose 2xx awaits its ACK, by Call-ID and CSeq number (RFC 3261 section 13.3.1.4). */
  private readonly awaitingAck = new Map<string, InviteServerTransaction>();
  private handler: ((incoming: IncomingRequest) => void) | undefined;

  constructor(
    private readonly env: TransactionEnv,
    private readonly counters: IncomingRequestCounters,
  ) {}

  onRequest(handler: (incoming: IncomingRequest) => void): void {
    this.handler = handler;
  }

  get size(): number {
    return this.transactions.size;
  }

  receive(request: SipRequest, source: SipSource, connection: SipStreamConnection | undefined): void {
    const via = topVia(request);
    if (via === undefined) {
      // Section 18.2.2 routes every response by the top Via: without one there is nobody to answer.
      this.counters.droppedRequests++;
      this.env.logger.debug?.({ from: `${source.address}:${source.port}`, method: request.method }, 'sip: request without a usable Via dropped');
      return;
    }
    // Section 18.2.1 / RFC 3581 section 4, before anything copies the Via into a response.
    stampReceived(request, via, source);
    const route: ResponseRoute = connection === undefined ? { via, source } : { via, source, connection };
    const checked = checkRequest(request, via);
    if (!checked.ok) {
      // Section 8.2 (and 21.4.1): a malformed request gets 400 with the reason; an ACK never gets a response.
      this.counters.badRequests++;
      if (request.method !== 'ACK') this.sendStateless(request, 400, `Bad Request - ${checked.reason}`, route);
      return;
    }
    const valid = checked.value;
    if (request.method === 'ACK') {
      this.receiveAck(valid, source);
      return;
    }
    const key = serverTransactionKey(valid);
    const existing = this.transactions.get(key);
    if (existing !== undefined) {
      // Section 17.2.1 / 17.2.2: a retransmission is the transaction's business, not the TU's.
      existing.receiveRetransmission();
      return;
    }
    if (request.method === 'CANCEL' && !this.transactions.has(serverTransactionKey(valid, 'INVITE'))) {
      // Section 9.2: "If the UAS did not find a matching transaction for the CANCEL according to the procedure above,
      // it SHOULD respond to the CANCEL with a 481". A transaction keeps the answer for retransmitted CANCELs.
      const transaction = this.create(key, valid, route);
      transaction.respond(buildResponse(request, 481, 'Call/Transaction Does Not Exist', { toTag: newTag() }));
      return;
    }
    this.passUp(this.create(key, valid, route), valid, source);
  }

  /** Ends every server transaction (stack shutdown). */
  terminateAll(): void {
    for (const transaction of [...this.transactions.values()]) transaction.terminate();
    this.awaitingAck.clear();
  }

  private create(key: string, valid: ValidRequest, route: ResponseRoute): ServerTransaction {
    const onTerminated = (transaction: ServerTransaction) => {
      if (this.transactions.get(key) === transaction) this.transactions.delete(key);
      const ackKey = ackOf2xxKey(valid.callId, valid.cseq.seq);
      if (this.awaitingAck.get(ackKey) === transaction) this.awaitingAck.delete(ackKey);
    };
    const transaction =
      valid.request.method === 'INVITE'
        ? new InviteServerTransaction(valid.request, route, this.env, onTerminated)
        : new NonInviteServerTransaction(valid.request, route, this.env, onTerminated);
    this.transactions.set(key, transaction);
    return transaction;
  }

  /**
   * An ACK: in the INVITE transaction of a non-2xx it is absorbed (section 17.2.1); otherwise it acknowledges a 2xx
   * (a transaction of its own, section 13.2.2.4), stops that 2xx's retransmission and goes to the TU.
   */
  private receiveAck(valid: ValidRequest, source: SipSource): void {
    const transaction = this.transactions.get(serverTransactionKey(valid));
    if (transaction instanceof InviteServerTransaction && transaction.receiveAck() === 'absorbed') return;
    this.awaitingAck.get(ackOf2xxKey(valid.callId, valid.cseq.seq))?.ack2xx();
    const handler = this.handler;
    if (handler === undefined) return;
    const incoming: IncomingRequest = { request: valid.request, source, respond: () => undefined };
    try {
      handler(incoming);
    } catch (error) {
      this.env.reportBug(error, 'onRequest (ACK)');
    }
  }

  private passUp(transaction: ServerTransaction, valid: ValidRequest, source: SipSource): void {
    const request = transaction.request;
    // Section 8.2.6.2: a response other than 100 needs a To tag; one tag per transaction when the TU gives none.
    const defaultToTag = newTag();
    const incoming: IncomingRequest = {
      request,
      source,
      respond: (status: number, reason: string, extra?: ResponseExtras) => {
        const response = buildResponse(request, status, reason, { ...extra, toTag: extra?.toTag ?? defaultToTag });
        transaction.respond(response);
        if (transaction instanceof InviteServerTransaction && transaction.awaitingAck) {
          this.awaitingAck.set(ackOf2xxKey(valid.callId, valid.cseq.seq), transaction);
        }
      },
    };
    const handler = this.handler;
    if (handler === undefined) {
      // Nothing above us takes requests (yet): say so rather than leave the peer retransmitting.
      incoming.respond(503, 'Service Unavailable');
      return;
    }
    try {
      handler(incoming);
    } catch (error) {
      this.env.reportBug(error, 'onRequest');
      if (!transaction.responded) incoming.respond(500, 'Server Internal Error');
    }
    // Section 17.2.1: "The server transaction MUST generate a 100 (Trying) response unless it knows that the TU will
    // generate a provisional or final response within 200 ms". A TU that answered synchronously has; otherwise the
    // 100 goes now, which also stops the client's Timer A retransmissions.
    if (transaction instanceof InviteServerTransaction && !transaction.responded) incoming.respond(100, 'Trying');
  }

  /** A response outside any transaction (to a request too broken to have one). */
  private sendStateless(request: SipRequest, status: number, reason: string, route: ResponseRoute): void {
    const response = buildResponse(request, status, reason, { toTag: newTag() });
    try {
      this.env.sendResponse(serializeSipMessage(response), response, route);
    } catch (error) {
      // Parsed network text has no line breaks, so this is a bug; it must still not escape into the socket handler.
      this.env.reportBug(error, 'stateless response');
    }
  }
}
