// RFC 3263 (locating SIP servers), simplified for a UAC that is told the transport: no NAPTR step.
//   section 4.2: an IP literal is used as is, with the URI's port or the default;
//                a name with an explicit port is looked up with A/AAAA;
//                a name without a port is looked up with SRV (_sip._udp / _sip._tcp), falling back to A/AAAA.
// The order of the result is the order to try (section 4.3: try the next target on 503 or a transport failure).
import dns from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SipTarget, SipTransportName } from '../transaction/types.js';
import type { SipLogger } from './transport.js';
import { DEFAULT_SIP_PORT } from './via-routing.js';

export interface SrvRecordLike {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** The part of node:dns/promises used here, so tests inject answers (there is no network in the test sandbox). */
export interface SipDnsResolver {
  resolveSrv(name: string): Promise<SrvRecordLike[]>;
  /** getaddrinfo-style lookup: /etc/hosts and A/AAAA records. */
  lookup(name: string, options: { all: true }): Promise<Array<{ address: string; family: number }>>;
}

export interface ResolveSipTargetOptions {
  resolver?: SipDnsResolver;
  /** Random source in [0, 1) for the RFC 2782 weighted choice; injectable for deterministic tests. */
  random?: () => number;
  logger?: SipLogger;
}

const systemResolver: SipDnsResolver = {
  resolveSrv: (name) => dns.resolveSrv(name),
  lookup: (name, options) => dns.lookup(name, options),
};

/**
 * Resolves a SIP URI host (and optional port) to the targets to try, in order. Never rejects: a name that does not
 * resolve yields an empty list (logged), which the caller treats like a 503 from the trunk.
 */
export async function resolveSipTarget(
  host: string,
  port: number | undefined,
  transport: SipTransportName,
  options: ResolveSipTargetOptions = {},
): Promise<SipTarget[]> {
  const resolver = options.resolver ?? systemResolver;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return [{ host: bare, port: port ?? DEFAULT_SIP_PORT, transport }];
  if (port !== undefined) return lookupAddresses(resolver, bare, port, transport, options.logger);

  const srvName = `_sip._${transport}.${bare}`;
  let records: SrvRecordLike[] = [];
  try {
    records = await resolver.resolveSrv(srvName);
  } catch (error) {
    options.logger?.debug?.({ name: srvName, err: error }, 'sip resolve: no SRV records, falling back to A/AAAA');
  }
  if (records.length === 0) return lookupAddresses(resolver, bare, DEFAULT_SIP_PORT, transport, options.logger);

  const targets: SipTarget[] = [];
  for (const record of orderSrvRecords(records, options.random ?? Math.random)) {
    // RFC 2782: a target of "." means the service is decidedly not available at this domain.
    if (record.name === '.' || record.name === '') continue;
    targets.push(...(await lookupAddresses(resolver, record.name, record.port, transport, options.logger)));
  }
  return targets;
}

async function lookupAddresses(
  resolver: SipDnsResolver,
  name: string,
  port: number,
  transport: SipTransportName,
  logger: SipLogger | undefined,
): Promise<SipTarget[]> {
  try {
    const addresses = await resolver.lookup(name, { all: true });
    return addresses.map(({ address }) => ({ host: address, port, transport }));
  } catch (error) {
    logger?.warn?.({ name, err: error }, 'sip resolve: name did not resolve');
    return [];
  }
}

/**
 * RFC 2782 "Usage rules": lowest priority first; within one priority, pick records at random with probability
 * proportional to weight (records of weight 0 get a small chance, being placed first in the running sum), removing
 * each chosen record, until none is left.
 */
export function orderSrvRecords(records: readonly SrvRecordLike[], random: () => number): SrvRecordLike[] {
  const byPriority = new Map<number, SrvRecordLike[]>();
  for (const record of records) {
    const group = byPriority.get(record.priority) ?? [];
    group.push(record);
    byPriority.set(record.priority, group);
  }
  const ordered: SrvRecordLike[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const remaining = [...(byPriority.get(priority) ?? [])].sort((a, b) => a.weight - b.weight);
    while (remaining.length > 0) {
      const total = remaining.reduce((sum, record) => sum + record.weight, 0);
      // A uniform integer in [0, total], inclusive as the RFC says.
      const pick = Math.min(total, Math.floor(random() * (total + 1)));
      let running = 0;
      let index = remaining.length - 1;
      for (let i = 0; i < remaining.length; i++) {
        running += remaining[i]?.weight ?? 0;
        if (running >= pick) {
          index = i;
          break;
        }
      }
      ordered.push(...remaining.splice(index, 1));
    }
  }
  return ordered;
}
