// The SIP stack: transports (RFC 3261 section 18) and transactions (section 17) behind the SipStack interface of
// ./types.ts. It opens the sockets, adds our Via to requests, routes responses to client transactions (section
// 17.1.3) and requests to server transactions (section 17.2.3, in incoming-requests.ts), and owns the shutdown.
import { networkInterfaces } from 'node:os';
import { systemClock, type Clock } from '../../../domain/clock.js';
import { parseCSeq } from '../message/headers.js';
import { serializeSipMessage } from '../message/serializer.js';
import { getHeader, getHeaders, splitHeaderValues, type SipMessage, type SipRequest, type SipResponse } from '../message/types.js';
import { openTransports } from '../transport/open-transports.js';
import {
  formatHostPort,
  toError,
  type InboundSipMessage,
  type SipLogger,
  type SipTransport,
  type SipTransportCounters,
} from '../transport/transport.js';
import { isOurSentBy, responseTarget, topVia } from '../transport/via-routing.js';
import { newBranch } from './branch.js';
import { InviteClientTransaction } from './client-invite.js';
import { NonInviteClientTransaction } from './client-non-invite.js';
import { buildCancel } from './derived-requests.js';
import { IncomingRequests, type IncomingRequestCounters } from './incoming-requests.js';
import { clientTransactionKey } from './matching.js';
import type { ResponseRoute, TransactionEnv } from './transaction-env.js';
import {
  DEFAULT_SIP_TIMERS,
  type ClientTransaction,
  type ClientTransactionHandlers,
  type IncomingRequest,
  type SipSource,
  type SipStack,
  type SipTarget,
  type SipTimerSettings,
  type SipTransportName,
} from './types.js';

/** One message on the wire, for SIP traces (sngrep-style debugging) and for tests that check retransmission times. */
export interface SipTraceEvent {
  direction: 'in' | 'out';
  message: SipMessage;
  transport: SipTransportName;
  /** The far end: where it goes (out) or where it came from (in). */
  address: string;
  port: number;
  /** The stack clock's time of the send or receipt. */
  atMs: number;
}

export interface SipStackOptions {
  /** Local IP address both transports bind to. */
  bindAddress: string;
  /** Port shared by UDP and TCP; 0 or omitted picks a free one. */
  port?: number;
  /**
   * The address written in our Via sent-by (and for the transaction user's Contact). Defaults to bindAddress, or
   * when that is a wildcard (0.0.0.0 / ::) to the first non-internal IPv4 address of the host.
   */
  advertisedAddress?: string;
  /** Runs Timers A-M; defaults to the system clock. */
  clock?: Clock;
  timers?: Partial<SipTimerSettings>;
  logger?: SipLogger;
  /** Default both. */
  transports?: SipTransportName[];
  /** SO_RCVBUF asked for the UDP socket (default 4 MiB). */
  udpRecvBufferBytes?: number;
  /** Idle TCP connections are closed after this long (default 15 minutes). */
  tcpIdleTimeoutMs?: number;
  /** Called for every message sent (retransmissions included) and received. */
  trace?: (event: SipTraceEvent) => void;
}

/** Counts of what the stack threw away or refused: bad network input is dropped or answered, and counted. */
export interface SipStackStats extends SipTransportCounters, IncomingRequestCounters {
  /** Responses without a usable top Via, with several Vias, whose Via sent-by is not ours (section 18.1.2), or without a CSeq. */
  droppedResponses: number;
  clientTransactions: number;
  serverTransactions: number;
}

/** The SipStack this module builds, with its counters. */
export interface LocalSipStack extends SipStack {
  readonly stats: Readonly<SipStackStats>;
}

type ClientTransactionImpl = InviteClientTransaction | NonInviteClientTransaction;

export async function createSipStack(options: SipStackOptions): Promise<LocalSipStack> {
  const stack = new Stack(options);
  await stack.open();
  return stack;
}

class Stack implements LocalSipStack, TransactionEnv {
  readonly localAddress: string;
  readonly timers: Readonly<SipTimerSettings>;
  readonly clock: Clock;
  readonly logger: SipLogger;
  private port = 0;
  private transports = new Map<SipTransportName, SipTransport>();
  private readonly clientTransactions = new Map<string, ClientTransactionImpl>();
  private readonly counters = { droppedDatagrams: 0, framingErrors: 0, droppedRequests: 0, badRequests: 0, droppedResponses: 0 };
  private readonly incoming = new IncomingRequests(this, this.counters);
  private strayHandler: ((response: SipResponse, source: SipSource) => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SipStackOptions) {
    this.localAddress = options.advertisedAddress ?? defaultAdvertisedAddress(options.bindAddress);
    this.timers = resolveTimers(options.timers);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? {};
  }

  async open(): Promise<void> {
    const opened = await openTransports({
      bindAddress: this.options.bindAddress,
      transports: this.options.transports ?? ['udp', 'tcp'],
      onMessage: (inbound) => this.receive(inbound),
      counters: this.counters,
      logger: this.logger,
      ...(this.options.port !== undefined ? { port: this.options.port } : {}),
      ...(this.options.udpRecvBufferBytes !== undefined ? { udpRecvBufferBytes: this.options.udpRecvBufferBytes } : {}),
      ...(this.options.tcpIdleTimeoutMs !== undefined ? { tcpIdleTimeoutMs: this.options.tcpIdleTimeoutMs } : {}),
    });
    this.port = opened.port;
    this.transports = opened.byName;
  }

  get localPort(): number {
    return this.port;
  }

  get stats(): Readonly<SipStackStats> {
    return {
      ...this.counters,
      clientTransactions: this.clientTransactions.size,
      serverTransactions: this.incoming.size,
    };
  }

  sendRequest(request: SipRequest, target: SipTarget, handlers: ClientTransactionHandlers): ClientTransaction {
    // Section 17.1.1.3 / 13.2.2.4: an ACK is never a client transaction; asking for one is a bug in the caller.
    if (request.method === 'ACK') throw new TypeError('ACK has no client transaction: use sendAck');
    const branch = newBranch();
    const key = clientTransactionKey(branch, request.method);
    const sent = this.withOurVia(request, branch, target.transport);
    const onTerminated = (transaction: ClientTransactionImpl) => this.forget(key, transaction);
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(sent, branch, target, handlers, this, onTerminated)
        : new NonInviteClientTransaction(sent, branch, target, handlers, this, onTerminated);
    return this.begin(key, transaction);
  }

  sendCancel(invite: ClientTransaction, handlers: ClientTransactionHandlers): ClientTransaction | undefined {
    if (!(invite instanceof InviteClientTransaction)) throw new TypeError('sendCancel needs an INVITE transaction from sendRequest');
    const key = clientTransactionKey(invite.branch, 'CANCEL');
    const existing = this.clientTransactions.get(key);
    if (existing !== undefined) return existing;
    // Section 9.1: a final response came first (the INVITE let go of its request then): nothing to cancel.
    const inviteRequest = invite.request;
    if (inviteRequest === undefined) return undefined;
    // Section 9.1: the CANCEL carries the INVITE's top Via (same branch) and goes to the same target.
    const transaction = new NonInviteClientTransaction(buildCancel(inviteRequest), invite.branch, invite.target, handlers, this, (t) =>
      this.forget(key, t),
    );
    this.begin(key, transaction);
    invite.cancelSent();
    return transaction;
  }

  sendAck(ack: SipRequest, target: SipTarget): void {
    // Section 13.2.2.4: the ACK of a 2xx is its own transaction, with a new branch, sent once (the UAC core re-sends
    // it for each retransmitted 2xx).
    const sent = this.withOurVia(ack, newBranch(), target.transport);
    const bytes = serializeSipMessage(sent);
    if (this.closing !== undefined) return;
    this.transmit(bytes, sent, target, (error) =>
      this.logger.warn?.({ target: formatHostPort(target.host, target.port), err: error }, 'sip: could not send ACK'),
    );
  }

  onRequest(handler: (incoming: IncomingRequest) => void): void {
    this.incoming.onRequest(handler);
  }

  onStrayResponse(handler: (response: SipResponse, source: SipSource) => void): void {
    this.strayHandler = handler;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const transaction of [...this.clientTransactions.values()]) transaction.terminate();
      this.incoming.terminateAll();
      await Promise.all([...this.transports.values()].map((transport) => transport.close()));
    })();
    return this.closing;
  }

  // --- TransactionEnv: what the transactions use -------------------------------------------------------------------

  transmit(bytes: Buffer, message: SipMessage, target: SipTarget, onError: (error: Error) => void): void {
    const transport = this.transports.get(target.transport);
    if (transport === undefined || this.closing !== undefined) {
      const reason = this.closing !== undefined ? 'the SIP stack is closed' : `transport ${target.transport} is not enabled`;
      queueMicrotask(() => onError(new Error(`sip: cannot send: ${reason}`)));
      return;
    }
    this.trace('out', message, target.transport, target.host, target.port);
    transport.send(bytes, target, onError);
  }

  sendResponse(bytes: Buffer, message: SipMessage, route: ResponseRoute): void {
    if (this.closing !== undefined) return;
    const toVia = () => {
      const target = responseTarget(route.via, route.source);
      this.transmit(bytes, message, target, (error) =>
        this.logger.debug?.({ target: formatHostPort(target.host, target.port), err: error }, 'sip: could not send response'),
      );
    };
    const connection = route.connection;
    // Section 18.2.2: on a reliable transport the response goes back on the connection the request came on; if that
    // is gone (or the write fails), to the received address and sent-by port.
    if (connection?.open) {
      this.trace('out', message, route.source.transport, route.source.address, route.source.port);
      connection.send(bytes, toVia);
    } else {
      toVia();
    }
  }

  reportBug(error: unknown, where: string): void {
    this.logger.warn?.({ err: toError(error), where }, 'sip: a handler threw; the stack carries on');
  }

  // --- inbound ------------------------------------------------------------------------------------------------------

  private receive({ message, source, connection }: InboundSipMessage): void {
    if (this.closing !== undefined) return;
    this.trace('in', message, source.transport, source.address, source.port);
    if (message.kind === 'response') this.receiveResponse(message, source);
    else this.incoming.receive(message, source, connection);
  }

  /** Sections 18.1.2 and 17.1.3: check the top Via is ours, then match by branch and CSeq method. */
  private receiveResponse(response: SipResponse, source: SipSource): void {
    const via = topVia(response);
    const cseq = parseCSeq(getHeader(response.headers, 'CSeq') ?? '');
    // Section 8.1.3.3: "If more than one Via header field value is present in a response, the UAC SHOULD discard
    // the message": it was meant for a proxy, not for us.
    const viaCount = getHeaders(response.headers, 'Via').flatMap((line) => splitHeaderValues(line)).length;
    if (via === undefined || viaCount !== 1 || !isOurSentBy(via, this.localAddress, this.port) || !cseq.ok) {
      this.counters.droppedResponses++;
      this.logger.debug?.({ from: `${source.address}:${source.port}`, status: response.status }, 'sip: response not for us dropped');
      return;
    }
    const transaction = via.branch === undefined ? undefined : this.clientTransactions.get(clientTransactionKey(via.branch, cseq.value.method));
    if (transaction?.receiveResponse(response)) return;
    const stray = this.strayHandler;
    if (stray === undefined) {
      this.logger.debug?.({ status: response.status, method: cseq.value.method }, 'sip: stray response with no handler');
      return;
    }
    try {
      stray(response, source);
    } catch (error) {
      this.reportBug(error, 'onStrayResponse');
    }
  }

  // --- helpers ------------------------------------------------------------------------------------------------------

  private begin(key: string, transaction: ClientTransactionImpl): ClientTransactionImpl {
    if (this.closing !== undefined) {
      // Not started: report the shutdown the way a transport failure is reported (RFC 3261 section 8.1.3.1: as 503).
      queueMicrotask(() => transaction.transportError(new Error('sip: cannot send: the SIP stack is closed')));
      return transaction;
    }
    this.clientTransactions.set(key, transaction);
    transaction.start();
    return transaction;
  }

  private forget(key: string, transaction: ClientTransactionImpl): void {
    if (this.clientTransactions.get(key) === transaction) this.clientTransactions.delete(key);
  }

  /**
   * Section 8.1.1.7 and 18.1.1: the Via we insert names the transport, our sent-by and a fresh branch; RFC 3581
   * section 3: `rport` asks the server to answer to the source port it saw (NAT). The caller's object is not changed.
   */
  private withOurVia(request: SipRequest, branch: string, transport: SipTransportName): SipRequest {
    const via = `SIP/2.0/${transport.toUpperCase()} ${formatHostPort(this.localAddress, this.port)};branch=${branch};rport`;
    return { ...request, headers: [['Via', via], ...request.headers.map(([name, value]): [string, string] => [name, value])] };
  }

  private trace(direction: 'in' | 'out', message: SipMessage, transport: SipTransportName, address: string, port: number): void {
    const trace = this.options.trace;
    if (trace === undefined) return;
    try {
      trace({ direction, message, transport, address, port, atMs: this.clock.now().getTime() });
    } catch (error) {
      this.reportBug(error, 'trace');
    }
  }
}

/** Defaults for what is not given; a non-positive or non-finite value is a configuration error and throws. */
function resolveTimers(given: Partial<SipTimerSettings> | undefined): Readonly<SipTimerSettings> {
  const timers: SipTimerSettings = {
    t1Ms: given?.t1Ms ?? DEFAULT_SIP_TIMERS.t1Ms,
    t2Ms: given?.t2Ms ?? DEFAULT_SIP_TIMERS.t2Ms,
    t4Ms: given?.t4Ms ?? DEFAULT_SIP_TIMERS.t4Ms,
  };
  for (const [name, value] of Object.entries(timers)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`SIP timer ${name} must be a positive number of ms, got ${value}`);
  }
  return Object.freeze(timers);
}

function defaultAdvertisedAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') return bindAddress;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}
