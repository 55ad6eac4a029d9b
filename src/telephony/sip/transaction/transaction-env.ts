// What a transaction state machine needs from the stack that owns it: the clock its timers run on, the timer
// settings, a way to put bytes on the wire, and a way to report bugs. Transactions never touch sockets directly.
import type { Clock } from '../../../domain/clock.js';
import type { Via } from '../message/headers.js';
import type { SipMessage } from '../message/types.js';
import type { SipLogger, SipStreamConnection } from '../transport/transport.js';
import type { SipSource, SipTarget, SipTimerSettings } from './types.js';

export interface TransactionEnv {
  readonly clock: Clock;
  readonly timers: Readonly<SipTimerSettings>;
  readonly logger: SipLogger;
  /** Sends serialised `message` (passed for tracing) to a target; a transport failure goes to `onError`, at most once. */
  transmit(bytes: Buffer, message: SipMessage, target: SipTarget, onError: (error: Error) => void): void;
  /**
   * Sends a response to a request we received: on the connection it came on while that is open, else to the address
   * RFC 3261 section 18.2.2 / RFC 3581 derive from its top Via.
   */
  sendResponse(bytes: Buffer, message: SipMessage, route: ResponseRoute): void;
  /** A handler of the transaction user threw: logged, never rethrown into the network code. */
  reportBug(error: unknown, where: string): void;
}

/** Where the request of a server transaction came from: enough to route every response to it. */
export interface ResponseRoute {
  /** The top Via after received/rport stamping (RFC 3261 section 18.2.1). */
  via: Via;
  source: SipSource;
  connection?: SipStreamConnection;
}

/** RFC 3261 section 17.1.1.2 / 17.1.2.2: Timers A and E are retransmissions, used on unreliable transports only. */
export function isReliable(transport: SipTarget['transport']): boolean {
  return transport === 'tcp';
}

/** Calls a transaction-user handler; a throw is a bug above us and is reported, not propagated to the socket. */
export function callSafely(env: TransactionEnv, where: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    env.reportBug(error, where);
  }
}
