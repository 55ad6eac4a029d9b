// Helpers for the transport and transaction tests: raw UDP/TCP peers on loopback, request builders, waiting.
import dgram from 'node:dgram';
import net from 'node:net';
import { VirtualClock } from '../../../src/domain/clock.js';
import { parseSipMessage } from '../../../src/telephony/sip/message/parser.js';
import { serializeSipMessage } from '../../../src/telephony/sip/message/serializer.js';
import { SipStreamFramer } from '../../../src/telephony/sip/message/stream-framer.js';
import type { SipHeader, SipMessage, SipRequest, SipResponse } from '../../../src/telephony/sip/message/types.js';
import { buildResponse } from '../../../src/telephony/sip/transaction/response-builder.js';
import { createSipStack, type LocalSipStack, type SipStackOptions, type SipTraceEvent } from '../../../src/telephony/sip/transaction/stack.js';
import type { ClientTransactionHandlers, SipTarget } from '../../../src/telephony/sip/transaction/types.js';

export const T0 = Date.parse('2030-01-01T00:00:00Z');

/** Gives woken timers and socket callbacks a turn of the event loop. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/** Polls (in real time) until `predicate` holds; network delivery on loopback is quick but asynchronous. */
export async function waitFor(predicate: () => boolean, what = 'condition', timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Virtual milliseconds since T0. */
export function elapsedMs(clock: VirtualClock): number {
  return clock.now().getTime() - T0;
}

/** Moves the virtual clock to T0 + ms, letting each woken timer do its I/O before the next. */
export async function runTo(clock: VirtualClock, ms: number): Promise<void> {
  await clock.runTo(T0 + ms, settle);
  await settle();
}

export interface TestStack {
  stack: LocalSipStack;
  clock: VirtualClock;
  trace: SipTraceEvent[];
  /** Times (ms after T0) of outgoing messages matching the filter. */
  sentAt(filter: (message: SipMessage) => boolean): number[];
}

export async function openTestStack(options: Partial<SipStackOptions> = {}): Promise<TestStack> {
  const clock = new VirtualClock(new Date(T0));
  const trace: SipTraceEvent[] = [];
  const stack = await createSipStack({ bindAddress: '127.0.0.1', port: 0, clock, trace: (event) => trace.push(event), ...options });
  return {
    stack,
    clock,
    trace,
    sentAt: (filter) => trace.filter((e) => e.direction === 'out' && filter(e.message)).map((e) => e.atMs - T0),
  };
}

export const isRequest =
  (method: string) =>
  (message: SipMessage): boolean =>
    message.kind === 'request' && message.method === method;

export const isResponse =
  (status: number) =>
  (message: SipMessage): boolean =>
    message.kind === 'response' && message.status === status;

let callCounter = 0;

/** A request as the user agent would build it, without Via (the stack adds it). */
export function makeRequest(
  method: string,
  target: { host: string; port: number },
  extra: { headers?: SipHeader[]; callId?: string; cseq?: number; body?: Buffer } = {},
): SipRequest {
  const callId = extra.callId ?? `test-${process.pid}-${++callCounter}@127.0.0.1`;
  return {
    kind: 'request',
    method,
    uri: `sip:bob@${target.host}:${target.port}`,
    version: 'SIP/2.0',
    headers: [
      ['Max-Forwards', '70'],
      ['From', '<sip:alice@127.0.0.1>;tag=from1'],
      ['To', `<sip:bob@${target.host}:${target.port}>`],
      ['Call-ID', callId],
      ['CSeq', `${extra.cseq ?? 1} ${method}`],
      ...(extra.headers ?? []),
    ],
    body: extra.body ?? Buffer.alloc(0),
  };
}

export interface RecordingHandlers extends ClientTransactionHandlers {
  responses: SipResponse[];
  /** Virtual time (ms after T0) of each response, and of the timeout. */
  responseTimes: number[];
  timeouts: number[];
  errors: Error[];
}

export function recordingHandlers(clock?: VirtualClock): RecordingHandlers {
  const record: RecordingHandlers = {
    responses: [],
    responseTimes: [],
    timeouts: [],
    errors: [],
    onResponse: (response) => {
      record.responses.push(response);
      record.responseTimes.push(clock ? elapsedMs(clock) : 0);
    },
    onTimeout: () => record.timeouts.push(clock ? elapsedMs(clock) : 0),
    onTransportError: (error) => record.errors.push(error),
  };
  return record;
}

export interface Received<M extends SipMessage = SipMessage> {
  message: M;
  address: string;
  port: number;
}

/** A bare UDP socket playing the far end: it records what it receives and sends what it is told. */
export class RawUdpPeer {
  readonly received: Received[] = [];
  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (datagram, rinfo) => {
      const parsed = parseSipMessage(datagram);
      if (parsed.ok) this.received.push({ message: parsed.message, address: rinfo.address, port: rinfo.port });
    });
  }

  static async open(): Promise<RawUdpPeer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new RawUdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get target(): SipTarget {
    return { host: '127.0.0.1', port: this.port, transport: 'udp' };
  }

  requests(method?: string): Array<Received<SipRequest>> {
    return this.received.filter(
      (r): r is Received<SipRequest> => r.message.kind === 'request' && (method === undefined || r.message.method === method),
    );
  }

  responses(status?: number): Array<Received<SipResponse>> {
    return this.received.filter(
      (r): r is Received<SipResponse> => r.message.kind === 'response' && (status === undefined || r.message.status === status),
    );
  }

  send(data: SipMessage | Buffer | string, port: number, host = '127.0.0.1'): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.isBuffer(data) ? data : serializeSipMessage(data);
    return new Promise((resolve, reject) => this.socket.send(bytes, port, host, (error) => (error ? reject(error) : resolve())));
  }

  /** Answers a request it received, the way a UAS would (Via, From, To + tag, Call-ID, CSeq copied). */
  respond(request: SipRequest, status: number, reason: string, port: number, toTag = 'peer1'): Promise<void> {
    return this.send(buildResponse(request, status, reason, { toTag }), port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A bare TCP listener playing the far end, with one framer per connection. */
export class RawTcpPeer {
  readonly received: Array<Received & { socket: net.Socket }> = [];
  readonly sockets: net.Socket[] = [];
  private constructor(private readonly server: net.Server) {
    server.on('connection', (socket) => this.adopt(socket));
  }

  static async open(): Promise<RawTcpPeer> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new RawTcpPeer(server);
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  get target(): SipTarget {
    return { host: '127.0.0.1', port: this.port, transport: 'tcp' };
  }

  /** Opens a connection of its own to `port` (a peer sending a request on a new connection). */
  async connect(port: number): Promise<net.Socket> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    this.adopt(socket);
    return socket;
  }

  adopt(socket: net.Socket): void {
    this.sockets.push(socket);
    const framer = new SipStreamFramer();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const result of framer.push(chunk)) {
        if (result.ok) this.received.push({ message: result.message, address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, socket });
      }
    });
  }

  requests(method?: string): Array<Received<SipRequest> & { socket: net.Socket }> {
    return this.received.filter(
      (r): r is Received<SipRequest> & { socket: net.Socket } =>
        r.message.kind === 'request' && (method === undefined || r.message.method === method),
    );
  }

  responses(status?: number): Array<Received<SipResponse> & { socket: net.Socket }> {
    return this.received.filter(
      (r): r is Received<SipResponse> & { socket: net.Socket } =>
        r.message.kind === 'response' && (status === undefined || r.message.status === status),
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends on a TCP socket. */
export function writeTcp(socket: net.Socket, data: SipMessage | string): void {
  socket.write(typeof data === 'string' ? data : serializeSipMessage(data));
}

/** A request as a remote peer would send it, Via included. */
export function peerRequest(
  method: string,
  stackPort: number,
  via: string,
  extra: { callId?: string; cseq?: number; headers?: SipHeader[]; toTag?: string } = {},
): SipRequest {
  return {
    kind: 'request',
    method,
    uri: `sip:ringcast@127.0.0.1:${stackPort}`,
    version: 'SIP/2.0',
    headers: [
      ['Via', via],
      ['Max-Forwards', '70'],
      ['From', '<sip:peer@127.0.0.1>;tag=peerfrom'],
      ['To', `<sip:ringcast@127.0.0.1>${extra.toTag ? `;tag=${extra.toTag}` : ''}`],
      ['Call-ID', extra.callId ?? `peer-${process.pid}-${++callCounter}@127.0.0.1`],
      ['CSeq', `${extra.cseq ?? 1} ${method}`],
      ...(extra.headers ?? []),
    ],
    body: Buffer.alloc(0),
  };
}
