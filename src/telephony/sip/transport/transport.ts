// The contract between the SIP transports (RFC 3261 section 18: UDP datagrams, TCP streams) and the transaction layer
// above them. A transport moves bytes and parsed messages; it knows nothing of branches, timers or retransmission.
import type { SipMessage } from '../message/types.js';
import type { SipSource, SipTarget, SipTransportName } from '../transaction/types.js';

/** pino-style logging (the project's loggers take the fields first); every method optional so `{}` is silent. */
export interface SipLogger {
  debug?(fields: object, message: string): void;
  warn?(fields: object, message: string): void;
}

/**
 * An open stream connection (TCP). A request that arrived on one carries it so that its responses go back on the
 * same connection while it is open (RFC 3261 section 18.2.2).
 */
export interface SipStreamConnection {
  readonly open: boolean;
  /** Writes one serialised message; `onError` is called at most once if the bytes could not be written. */
  send(bytes: Buffer, onError: (error: Error) => void): void;
}

/** A message the transport parsed, with where it came from. */
export interface InboundSipMessage {
  message: SipMessage;
  source: SipSource;
  /** Stream transports only: the connection the message arrived on. */
  connection?: SipStreamConnection;
}

export type InboundHandler = (inbound: InboundSipMessage) => void;

/** Counts of network input the transports threw away (bad input is dropped and counted, never thrown). */
export interface SipTransportCounters {
  /** UDP datagrams that did not parse as a SIP message. */
  droppedDatagrams: number;
  /** TCP connections closed because their byte stream lost its framing. */
  framingErrors: number;
}

export interface SipTransport {
  readonly name: SipTransportName;
  /** The local port bound (UDP socket or TCP listener). */
  readonly port: number;
  /**
   * Sends one serialised message to a resolved target. Never throws: a failure the operating system reports for this
   * send (refused connection, unreachable network, bad address) goes to `onError`, at most once.
   */
  send(bytes: Buffer, target: SipTarget, onError: (error: Error) => void): void;
  /** Closes the socket(s) and every connection; resolves when they are closed. */
  close(): Promise<void>;
}

/** Calls `fn` at most once, whatever path reports the failure first. */
export function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) return;
    called = true;
    fn(...args);
  };
}

/** Errors from Node are Errors; anything else thrown is wrapped so handlers always receive an Error. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** An IPv6 address goes in brackets in host:port text (RFC 3261 section 25.1, IPv6reference). */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; SIP wants the plain IPv4 address. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
