// What the transport layer reads and writes in the top Via: stamping received/rport on requests we receive
// (RFC 3261 section 18.2.1, RFC 3581 section 4), choosing where a response goes (section 18.2.2, RFC 3581 section 4)
// and checking that a response was meant for us (section 18.1.2).
import { parseVia, type Via } from '../message/headers.js';
import { headerNamesEqual, splitHeaderValues, type SipMessage } from '../message/types.js';
import type { SipSource, SipTarget } from '../transaction/types.js';
import { formatHostPort } from './transport.js';

/** RFC 3261 section 19.1.2: the port a sent-by without one implies (5060 for sip: over UDP and TCP). */
export const DEFAULT_SIP_PORT = 5060;

/** The parsed top Via of a message, or undefined when there is none or it does not parse. */
export function topVia(message: SipMessage): Via | undefined {
  const line = message.headers.find(([name]) => headerNamesEqual(name, 'Via'));
  if (line === undefined) return undefined;
  const first = splitHeaderValues(line[1])[0];
  if (first === undefined) return undefined;
  const parsed = parseVia(first);
  return parsed.ok ? parsed.value[0] : undefined;
}

/** Writes a Via back as text, parameters in their original order. */
export function formatVia(via: Via): string {
  let text = `${via.protocolName}/${via.protocolVersion}/${via.transport} `;
  text += via.port === undefined ? (via.host.includes(':') ? `[${via.host}]` : via.host) : formatHostPort(via.host, via.port);
  for (const [name, value] of via.params) text += value === null ? `;${name}` : `;${name}=${value}`;
  return text;
}

function setParam(via: Via, name: string, value: string): void {
  const existing = via.params.find(([n]) => n === name);
  if (existing) existing[1] = value;
  else via.params.push([name, value]);
}

/**
 * RFC 3261 section 18.2.1: if the sent-by host is a name or an address other than the packet's source, add
 * `received` with the source address. RFC 3581 section 4: if the Via has `rport` without a value, set it to the
 * source port and add `received` even when it equals the sent-by. The top Via of `message` is rewritten in place
 * (only the first via-parm of the first Via line); returns the stamped Via.
 */
export function stampReceived(message: SipMessage, via: Via, source: SipSource): Via {
  const wantsRport = via.rport === true;
  const addReceived = wantsRport || via.host.toLowerCase() !== source.address.toLowerCase();
  // Untouched Vias keep their exact text (spacing, parameter case) in the responses that copy them.
  if (!addReceived) return via;
  setParam(via, 'received', source.address);
  via.received = source.address;
  if (wantsRport) {
    setParam(via, 'rport', String(source.port));
    via.rport = source.port;
  }
  const line = message.headers.find(([name]) => headerNamesEqual(name, 'Via'));
  if (line !== undefined) {
    const rest = splitHeaderValues(line[1]).slice(1);
    line[1] = [formatVia(via), ...rest].join(', ');
  }
  return via;
}

/**
 * Where a response to a request goes when it cannot (UDP) or can no longer (closed TCP connection) use the
 * connection the request came on. RFC 3261 section 18.2.2: for a reliable transport, the `received` address and the
 * sent-by port; for UDP, RFC 3581 section 4: `received` and `rport` when both are there, else `received` and the
 * sent-by port, else the sent-by itself. Requests we receive were stamped by stampReceived, so a sent-by that is a
 * host name always has `received` beside it: no DNS lookup is needed here. `maddr` (multicast) is not supported.
 */
export function responseTarget(via: Via, source: SipSource): SipTarget {
  const sentByPort = via.port ?? DEFAULT_SIP_PORT;
  const host = via.received ?? via.host;
  if (source.transport === 'udp' && via.received !== undefined && typeof via.rport === 'number') {
    return { host, port: via.rport, transport: 'udp' };
  }
  return { host, port: sentByPort, transport: source.transport };
}

/**
 * RFC 3261 section 18.1.2: a response whose top Via sent-by is not the value we insert in requests was not meant for
 * us (a misrouted or spoofed response) and is silently discarded.
 */
export function isOurSentBy(via: Via, localAddress: string, localPort: number): boolean {
  return via.host.toLowerCase() === localAddress.toLowerCase() && (via.port ?? DEFAULT_SIP_PORT) === localPort;
}
