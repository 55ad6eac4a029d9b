// Opens the transports a stack listens on. RFC 3261 section 18 has one sent-by (address and port) in our Via and
// Contact whatever the transport, so UDP and TCP bind the same port number: with port 0, UDP picks a free port and
// TCP then binds that number, trying again with a new UDP port if TCP finds it taken.
import type { SipTransportName } from '../transaction/types.js';
import { TcpTransport } from './tcp-transport.js';
import type { InboundHandler, SipLogger, SipTransport, SipTransportCounters } from './transport.js';
import { UdpTransport } from './udp-transport.js';

const FREE_PORT_ATTEMPTS = 10;

export interface OpenTransportsOptions {
  bindAddress: string;
  /** 0 or undefined: pick a free port shared by all transports. */
  port?: number;
  transports: readonly SipTransportName[];
  udpRecvBufferBytes?: number;
  tcpIdleTimeoutMs?: number;
  onMessage: InboundHandler;
  counters: SipTransportCounters;
  logger?: SipLogger;
}

export interface OpenedTransports {
  port: number;
  byName: Map<SipTransportName, SipTransport>;
}

export async function openTransports(options: OpenTransportsOptions): Promise<OpenedTransports> {
  const wanted = new Set(options.transports);
  if (wanted.size === 0) throw new RangeError('a SIP stack needs at least one transport');
  const requestedPort = options.port ?? 0;
  const attempts = requestedPort === 0 ? FREE_PORT_ATTEMPTS : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const byName = new Map<SipTransportName, SipTransport>();
    try {
      let port = requestedPort;
      if (wanted.has('udp')) {
        const udp = await UdpTransport.open({
          bindAddress: options.bindAddress,
          port,
          onMessage: options.onMessage,
          counters: options.counters,
          ...(options.udpRecvBufferBytes !== undefined ? { recvBufferBytes: options.udpRecvBufferBytes } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        });
        byName.set('udp', udp);
        port = udp.port;
      }
      if (wanted.has('tcp')) {
        const tcp = await TcpTransport.open({
          bindAddress: options.bindAddress,
          port,
          onMessage: options.onMessage,
          counters: options.counters,
          ...(options.tcpIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.tcpIdleTimeoutMs } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        });
        byName.set('tcp', tcp);
        port = tcp.port;
      }
      return { port, byName };
    } catch (error) {
      lastError = error;
      await Promise.all([...byName.values()].map((transport) => transport.close()));
      // Only a clash on a port we did not choose is worth another try; anything else is a configuration error.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  throw lastError;
}
