/**
 * Where to send a request whose next hop is a SIP URI (a route or a remote target). RFC 3263 section 4 would look
 * up NAPTR/SRV/A records for a host name; the user agent gets that from an injected resolver. The default resolves
 * only IP literals and otherwise sends to the fallback: the trunk the INVITE went to, which can route the request
 * onward (a proxy must accept a request for a domain it serves).
 */
import { isIP } from 'node:net';
import { getParam, type SipUri } from '../message/headers.js';
import type { SipTarget, SipTransportName } from '../transaction/types.js';

/** Turns a next-hop URI into an address; `fallback` is where the dialog's INVITE was sent. */
export type UriTargetResolver = (uri: SipUri, fallback: SipTarget) => SipTarget;

/** RFC 3261 section 19.1.2: 5060 for sip, 5061 for sips. */
function defaultPort(uri: SipUri): number {
  return uri.scheme === 'sips' ? 5061 : 5060;
}

/** The transports the stack has; RFC 3263 section 4.1: no transport parameter means UDP for sip. */
function transportOf(uri: SipUri): SipTransportName | undefined {
  const param = getParam(uri.params, 'transport');
  if (param === undefined || param === null) return uri.scheme === 'sips' ? undefined : 'udp';
  const lower = param.toLowerCase();
  return lower === 'udp' || lower === 'tcp' ? lower : undefined;
}

export const resolveIpLiteralOrFallback: UriTargetResolver = (uri, fallback) => {
  // RFC 3261 section 19.1.1: maddr overrides the host as the address to send to.
  const maddr = getParam(uri.params, 'maddr');
  const host = typeof maddr === 'string' ? maddr : uri.host;
  const transport = transportOf(uri);
  // sips / TLS / WebSocket we cannot speak: the trunk is the best we can do.
  if (isIP(host) === 0 || transport === undefined) return fallback;
  return { host, port: uri.port ?? defaultPort(uri), transport };
};
