// An in-memory SipStack for testing the user agent: it records what the user agent sends (requests with the Via the
// real stack would add, CANCELs, ACKs of 2xx) and lets a test play the network: answer a transaction, fire Timer B,
// deliver a request from the callee, or a stray response. Every message the user agent hands over is serialised, so
// a header that could not go on the wire fails the test.
import { serializeSipMessage } from '../../src/telephony/sip/message/serializer.js';
import { parseFromTo } from '../../src/telephony/sip/message/headers.js';
import { getHeader, getHeaders, type SipHeader, type SipRequest, type SipResponse } from '../../src/telephony/sip/message/types.js';
import {
  DEFAULT_SIP_TIMERS,
  type ClientTransaction,
  type ClientTransactionHandlers,
  type IncomingRequest,
  type SipSource,
  type SipStack,
  type SipTarget,
} from '../../src/telephony/sip/transaction/types.js';

export interface ResponseOptions {
  /** Added to To when it has no tag (RFC 3261 section 8.2.6.2). */
  toTag?: string;
  headers?: SipHeader[];
  body?: string | Buffer;
}

/** A response to `request` as a UAS builds it: Via, From, To, Call-ID and CSeq copied (RFC 3261 section 8.2.6.2). */
export function buildResponse(request: SipRequest, status: number, reason: string, options: ResponseOptions = {}): SipResponse {
  const headers: SipHeader[] = [];
  for (const via of getHeaders(request.headers, 'Via')) headers.push(['Via', via]);
  headers.push(['From', getHeader(request.headers, 'From') ?? '']);
  let to = getHeader(request.headers, 'To') ?? '';
  const parsedTo = parseFromTo(to);
  if (options.toTag !== undefined && parsedTo.ok && parsedTo.value.tag === undefined) to += `;tag=${options.toTag}`;
  headers.push(['To', to], ['Call-ID', getHeader(request.headers, 'Call-ID') ?? ''], ['CSeq', getHeader(request.headers, 'CSeq') ?? '']);
  for (const header of options.headers ?? []) headers.push(header);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  if (body.length > 0 && !headers.some(([n]) => n.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/sdp']);
  return { kind: 'response', status, reason, version: 'SIP/2.0', headers, body };
}

export class FakeClientTransaction implements ClientTransaction {
  terminated = false;
  constructor(
    readonly branch: string,
    readonly request: SipRequest,
    readonly target: SipTarget,
    readonly handlers: ClientTransactionHandlers,
  ) {}

  get method(): string {
    return this.request.method;
  }

  header(name: string): string | undefined {
    return getHeader(this.request.headers, name);
  }

  headers(name: string): string[] {
    return getHeaders(this.request.headers, name);
  }

  /** Delivers a response to the transaction user, as the stack would; returns it. */
  respond(status: number, reason: string, options: ResponseOptions = {}): SipResponse {
    const response = buildResponse(this.request, status, reason, options);
    this.handlers.onResponse(response);
    return response;
  }

  deliver(response: SipResponse): void {
    this.handlers.onResponse(response);
  }

  /** Timer B / F fired. */
  timeout(): void {
    this.handlers.onTimeout();
  }

  transportError(message = 'connect ECONNREFUSED'): void {
    this.handlers.onTransportError(new Error(message));
  }

  terminate(): void {
    this.terminated = true;
  }
}

export interface RecordedAck {
  request: SipRequest;
  target: SipTarget;
}

/** A request delivered to the user agent, with the responses it sent back. */
export class FakeIncomingRequest implements IncomingRequest {
  readonly responses: Array<{ status: number; reason: string; headers: SipHeader[]; body: Buffer; toTag?: string }> = [];
  constructor(
    readonly request: SipRequest,
    readonly source: SipSource,
  ) {}

  respond(status: number, reason: string, extra?: { headers?: Array<[string, string]>; body?: Buffer; toTag?: string }): void {
    if (this.request.method === 'ACK') return;
    const response = { status, reason, headers: extra?.headers ?? [], body: extra?.body ?? Buffer.alloc(0), ...(extra?.toTag ? { toTag: extra.toTag } : {}) };
    // What the real stack would put on the wire must serialise.
    serializeSipMessage({ kind: 'response', status, reason, version: 'SIP/2.0', headers: response.headers, body: response.body });
    this.responses.push(response);
  }

  get lastResponse() {
    return this.responses[this.responses.length - 1];
  }

  header(name: string): string | undefined {
    const last = this.lastResponse;
    return last ? getHeader(last.headers, name) : undefined;
  }
}

export const CALLEE_SOURCE: SipSource = { address: '198.51.100.20', port: 5060, transport: 'udp' };

export class FakeSipStack implements SipStack {
  readonly localAddress: string;
  readonly localPort: number;
  readonly timers = DEFAULT_SIP_TIMERS;
  /** Every client transaction started (requests and CANCELs), in order. */
  readonly sent: FakeClientTransaction[] = [];
  readonly acks: RecordedAck[] = [];
  requestHandlers: Array<(incoming: IncomingRequest) => void> = [];
  strayHandlers: Array<(response: SipResponse, source: SipSource) => void> = [];
  closed = false;
  private branchCount = 0;

  constructor(options: { localAddress?: string; localPort?: number } = {}) {
    this.localAddress = options.localAddress ?? '192.0.2.10';
    this.localPort = options.localPort ?? 5060;
  }

  private newBranch(): string {
    this.branchCount += 1;
    return `z9hG4bK-fake-${this.branchCount}`;
  }

  private withVia(request: SipRequest, branch: string, transport: string): SipRequest {
    const via: SipHeader = ['Via', `SIP/2.0/${transport.toUpperCase()} ${this.localAddress}:${this.localPort};branch=${branch};rport`];
    const copy: SipRequest = { ...request, headers: [via, ...request.headers.map(([n, v]): SipHeader => [n, v])] };
    serializeSipMessage(copy);
    return copy;
  }

  sendRequest(request: SipRequest, target: SipTarget, handlers: ClientTransactionHandlers): ClientTransaction {
    const branch = this.newBranch();
    const tx = new FakeClientTransaction(branch, this.withVia(request, branch, target.transport), target, handlers);
    this.sent.push(tx);
    return tx;
  }

  sendCancel(invite: ClientTransaction, handlers: ClientTransactionHandlers): ClientTransaction | undefined {
    const inviteRequest = invite.request;
    if (inviteRequest === undefined) return undefined;
    // RFC 3261 section 9.1: Request-URI, Call-ID, To, From, Route and the CSeq number of the INVITE, its top Via.
    const headers: SipHeader[] = [];
    const copy = (name: string) => {
      for (const value of getHeaders(inviteRequest.headers, name)) headers.push([name, value]);
    };
    headers.push(['Via', getHeaders(inviteRequest.headers, 'Via')[0] ?? '']);
    copy('Route');
    headers.push(['Max-Forwards', '70']);
    copy('From');
    copy('To');
    copy('Call-ID');
    const seq = (getHeader(inviteRequest.headers, 'CSeq') ?? '').split(/\s+/)[0];
    headers.push(['CSeq', `${seq} CANCEL`]);
    const request: SipRequest = { kind: 'request', method: 'CANCEL', uri: inviteRequest.uri, version: 'SIP/2.0', headers, body: Buffer.alloc(0) };
    const tx = new FakeClientTransaction(invite.branch, request, invite.target, handlers);
    this.sent.push(tx);
    return tx;
  }

  sendAck(ack: SipRequest, target: SipTarget): void {
    this.acks.push({ request: this.withVia(ack, this.newBranch(), target.transport), target });
  }

  onRequest(handler: (incoming: IncomingRequest) => void): void {
    this.requestHandlers.push(handler);
  }

  onStrayResponse(handler: (response: SipResponse, source: SipSource) => void): void {
    this.strayHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // --- for tests ---

  /** Client transactions of one method, in order. */
  sentOf(method: string): FakeClientTransaction[] {
    return this.sent.filter((tx) => tx.method === method);
  }

  last(method: string): FakeClientTransaction {
    const all = this.sentOf(method);
    const tx = all[all.length - 1];
    if (!tx) throw new Error(`no ${method} was sent`);
    return tx;
  }

  /** Delivers a request from the network to the user agent. */
  receive(request: SipRequest, source: SipSource = CALLEE_SOURCE): FakeIncomingRequest {
    const incoming = new FakeIncomingRequest(request, source);
    for (const handler of this.requestHandlers) handler(incoming);
    return incoming;
  }

  /** Delivers a response that matched no transaction (after Timer M). */
  stray(response: SipResponse, source: SipSource = CALLEE_SOURCE): void {
    for (const handler of this.strayHandlers) handler(response, source);
  }
}

/**
 * A request from the callee in the dialog our INVITE made: From is the INVITE's To with the callee's tag, To is the
 * INVITE's From (our tag), as RFC 3261 section 12.2.1.1 has the callee build it.
 */
export function requestFromCallee(
  invite: SipRequest,
  remoteTag: string,
  method: string,
  cseq: number,
  options: { headers?: SipHeader[]; body?: string; uri?: string } = {},
): SipRequest {
  const headers: SipHeader[] = [
    ['Via', `SIP/2.0/UDP ${CALLEE_SOURCE.address}:${CALLEE_SOURCE.port};branch=z9hG4bK-callee-${method}-${cseq}`],
    ['Max-Forwards', '70'],
    ['From', `${getHeader(invite.headers, 'To') ?? ''};tag=${remoteTag}`],
    ['To', getHeader(invite.headers, 'From') ?? ''],
    ['Call-ID', getHeader(invite.headers, 'Call-ID') ?? ''],
    ['CSeq', `${cseq} ${method}`],
    ...(options.headers ?? []),
  ];
  const body = Buffer.from(options.body ?? '');
  if (body.length > 0 && !headers.some(([n]) => n.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/sdp']);
  return { kind: 'request', method, uri: options.uri ?? 'sip:ringcast@192.0.2.10:5060', version: 'SIP/2.0', headers, body };
}
