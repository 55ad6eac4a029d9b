// SIP over TCP (RFC 3261 section 18): a listener on the same port number as the UDP socket, outbound connections
// pooled per target and reused, and incoming connections accepted (a peer may send a BYE on the connection we opened
// or on a new one to our listening port). Each connection frames its byte stream by Content-Length (section 18.3).
import net from 'node:net';
import { SipStreamFramer } from '../message/stream-framer.js';
import type { SipTarget } from '../transaction/types.js';
import {
  formatHostPort,
  normaliseAddress,
  once,
  toError,
  type InboundHandler,
  type SipLogger,
  type SipStreamConnection,
  type SipTransport,
  type SipTransportCounters,
} from './transport.js';

/**
 * Idle connections are closed after this long without traffic so a dialer that reached thousands of distinct peers
 * does not hold thousands of sockets. A peer that needs us later connects to our listening port (section 18.2.2).
 */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 15 * 60 * 1000;

export interface TcpTransportOptions {
  bindAddress: string;
  /** 0 picks a free port; otherwise the UDP socket's port so both share one number. */
  port: number;
  idleTimeoutMs?: number;
  onMessage: InboundHandler;
  counters: SipTransportCounters;
  logger?: SipLogger;
}

/** One TCP connection, inbound or outbound, with its own framer. */
class TcpConnection implements SipStreamConnection {
  private readonly framer = new SipStreamFramer();
  /** Sends written before the connection was established: a connect failure is reported to each of them. */
  private pendingConnect: Array<(error: Error) => void> | undefined;
  private closed = false;

  constructor(
    readonly socket: net.Socket,
    readonly key: string,
    connecting: boolean,
    private readonly options: TcpTransportOptions,
    onClosed: (connection: TcpConnection) => void,
  ) {
    if (connecting) {
      this.pendingConnect = [];
      socket.once('connect', () => {
        this.pendingConnect = undefined;
      });
    }
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => {
      // ECONNREFUSED before the connection exists belongs to the sends waiting on it (the transaction's
      // onTransportError); later errors (ECONNRESET) are logged and the socket closes.
      const waiting = this.pendingConnect;
      this.pendingConnect = undefined;
      if (waiting) for (const fail of waiting) fail(error);
      else options.logger?.debug?.({ peer: key, err: error }, 'sip tcp: connection error');
    });
    socket.on('close', () => {
      this.closed = true;
      const waiting = this.pendingConnect;
      this.pendingConnect = undefined;
      if (waiting) for (const fail of waiting) fail(new Error(`sip tcp: connection to ${key} closed before it opened`));
      onClosed(this);
    });
  }

  get open(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  send(bytes: Buffer, onError: (error: Error) => void): void {
    const fail = once(onError);
    if (!this.open) {
      queueMicrotask(() => fail(new Error(`sip tcp: connection to ${this.key} is closed`)));
      return;
    }
    this.pendingConnect?.push(fail);
    // Node buffers writes made while connecting; the callback reports a write that could not be completed.
    this.socket.write(bytes, (error) => {
      if (error) fail(error);
    });
  }

  private receive(chunk: Buffer): void {
    const source = {
      address: normaliseAddress(this.socket.remoteAddress ?? ''),
      port: this.socket.remotePort ?? 0,
      transport: 'tcp' as const,
    };
    for (const result of this.framer.push(chunk)) {
      if (!result.ok) {
        // RFC 3261 section 18.3: without a valid Content-Length the stream cannot be re-synchronised, so the
        // connection is closed; the peer reconnects if it has more to say.
        this.options.counters.framingErrors++;
        this.options.logger?.debug?.({ peer: this.key, code: result.code, error: result.error }, 'sip tcp: framing error, closing');
        this.socket.destroy();
        return;
      }
      try {
        this.options.onMessage({ message: result.message, source, connection: this });
      } catch (error) {
        this.options.logger?.warn?.({ err: toError(error) }, 'sip tcp: message handler threw');
      }
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class TcpTransport implements SipTransport {
  readonly name = 'tcp' as const;
  /** Open connections by remote "address:port", inbound and outbound alike (section 18.1.1: reuse one to the target). */
  private readonly byPeer = new Map<string, TcpConnection>();
  private readonly all = new Set<TcpConnection>();
  private closed = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly options: TcpTransportOptions,
  ) {}

  static async open(options: TcpTransportOptions): Promise<TcpTransport> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port, host: options.bindAddress, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const transport = new TcpTransport(server, port, options);
    server.on('connection', (socket) => transport.accept(socket));
    server.on('error', (error) => options.logger?.warn?.({ err: error }, 'sip tcp: listener error'));
    return transport;
  }

  send(bytes: Buffer, target: SipTarget, onError: (error: Error) => void): void {
    if (this.closed) {
      queueMicrotask(() => onError(new Error('sip tcp transport is closed')));
      return;
    }
    const key = formatHostPort(target.host, target.port);
    let connection = this.byPeer.get(key);
    if (connection === undefined || !connection.open) {
      if (!Number.isInteger(target.port) || target.port <= 0 || target.port > 65535) {
        queueMicrotask(() => onError(new RangeError(`sip tcp: bad port ${target.port}`)));
        return;
      }
      const socket = net.connect({ host: target.host, port: target.port, localAddress: this.options.bindAddress });
      connection = this.track(socket, key, true);
    }
    connection.send(bytes, onError);
  }

  /** How many connections are open (tests check that outbound connections are reused). */
  get connectionCount(): number {
    return this.all.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing = [...this.all].map(
      (connection) => new Promise<void>((resolve) => (connection.socket.closed ? resolve() : connection.socket.once('close', () => resolve()))),
    );
    for (const connection of this.all) connection.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all(closing);
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const key = formatHostPort(normaliseAddress(socket.remoteAddress ?? ''), socket.remotePort ?? 0);
    this.track(socket, key, false);
  }

  private track(socket: net.Socket, key: string, connecting: boolean): TcpConnection {
    const connection = new TcpConnection(socket, key, connecting, this.options, (closed) => {
      this.all.delete(closed);
      if (this.byPeer.get(closed.key) === closed) this.byPeer.delete(closed.key);
    });
    this.all.add(connection);
    this.byPeer.set(key, connection);
    return connection;
  }
}
