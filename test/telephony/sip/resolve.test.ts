// RFC 3263 target resolution (simplified) with an injected resolver: there is no network in the test sandbox.
import { describe, expect, it } from 'vitest';
import { orderSrvRecords, resolveSipTarget, type SipDnsResolver, type SrvRecordLike } from '../../../src/telephony/sip/transport/resolve.js';

interface FakeDns {
  srv?: Record<string, SrvRecordLike[]>;
  hosts?: Record<string, string[]>;
}

function fakeResolver(dns: FakeDns): SipDnsResolver & { srvQueries: string[]; lookups: string[] } {
  const srvQueries: string[] = [];
  const lookups: string[] = [];
  return {
    srvQueries,
    lookups,
    resolveSrv: async (name) => {
      srvQueries.push(name);
      const records = dns.srv?.[name];
      if (records === undefined) throw Object.assign(new Error(`querySrv ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return records;
    },
    lookup: async (name) => {
      lookups.push(name);
      const addresses = dns.hosts?.[name];
      if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

/** A random source that always returns the same value. */
const constant = (value: number) => () => value;

describe('resolveSipTarget (RFC 3263 section 4)', () => {
  it('uses an IP literal as is, with the default port 5060', async () => {
    const resolver = fakeResolver({});
    expect(await resolveSipTarget('192.0.2.10', undefined, 'udp', { resolver })).toEqual([{ host: '192.0.2.10', port: 5060, transport: 'udp' }]);
    expect(await resolveSipTarget('192.0.2.10', 5080, 'tcp', { resolver })).toEqual([{ host: '192.0.2.10', port: 5080, transport: 'tcp' }]);
    expect(await resolveSipTarget('[2001:db8::1]', undefined, 'udp', { resolver })).toEqual([{ host: '2001:db8::1', port: 5060, transport: 'udp' }]);
    expect(resolver.srvQueries).toEqual([]);
    expect(resolver.lookups).toEqual([]);
  });

  it('looks a name with an explicit port up with A/AAAA only (no SRV)', async () => {
    const resolver = fakeResolver({ hosts: { 'trunk.example': ['192.0.2.1', '2001:db8::2'] }, srv: { '_sip._udp.trunk.example': [] } });
    expect(await resolveSipTarget('trunk.example', 5070, 'udp', { resolver })).toEqual([
      { host: '192.0.2.1', port: 5070, transport: 'udp' },
      { host: '2001:db8::2', port: 5070, transport: 'udp' },
    ]);
    expect(resolver.srvQueries).toEqual([]);
  });

  it('looks a name without a port up with SRV for the transport, lowest priority first', async () => {
    const resolver = fakeResolver({
      srv: {
        '_sip._tcp.carrier.example': [
          { name: 'backup.carrier.example', port: 5090, priority: 20, weight: 0 },
          { name: 'sip1.carrier.example', port: 5060, priority: 10, weight: 100 },
        ],
      },
      hosts: { 'backup.carrier.example': ['192.0.2.20'], 'sip1.carrier.example': ['192.0.2.11', '192.0.2.12'] },
    });
    expect(await resolveSipTarget('carrier.example', undefined, 'tcp', { resolver, random: constant(0.5) })).toEqual([
      { host: '192.0.2.11', port: 5060, transport: 'tcp' },
      { host: '192.0.2.12', port: 5060, transport: 'tcp' },
      { host: '192.0.2.20', port: 5090, transport: 'tcp' },
    ]);
    expect(resolver.srvQueries).toEqual(['_sip._tcp.carrier.example']);
  });

  it('queries _sip._udp for UDP and falls back to A/AAAA on port 5060 when there is no SRV record', async () => {
    const resolver = fakeResolver({ hosts: { 'pbx.example': ['192.0.2.30'] } });
    expect(await resolveSipTarget('pbx.example', undefined, 'udp', { resolver })).toEqual([{ host: '192.0.2.30', port: 5060, transport: 'udp' }]);
    expect(resolver.srvQueries).toEqual(['_sip._udp.pbx.example']);
    expect(resolver.lookups).toEqual(['pbx.example']);
  });

  it('skips SRV targets that do not resolve, and a "." target (service not offered)', async () => {
    const resolver = fakeResolver({
      srv: {
        '_sip._udp.mixed.example': [
          { name: 'gone.mixed.example', port: 5060, priority: 1, weight: 0 },
          { name: 'ok.mixed.example', port: 5062, priority: 2, weight: 0 },
        ],
        '_sip._udp.none.example': [{ name: '.', port: 0, priority: 0, weight: 0 }],
      },
      hosts: { 'ok.mixed.example': ['192.0.2.40'] },
    });
    expect(await resolveSipTarget('mixed.example', undefined, 'udp', { resolver })).toEqual([{ host: '192.0.2.40', port: 5062, transport: 'udp' }]);
    expect(await resolveSipTarget('none.example', undefined, 'udp', { resolver })).toEqual([]);
  });

  it('returns no targets (never rejects) for a name that does not resolve', async () => {
    const resolver = fakeResolver({});
    expect(await resolveSipTarget('nowhere.invalid', undefined, 'udp', { resolver })).toEqual([]);
    expect(await resolveSipTarget('nowhere.invalid', 5060, 'tcp', { resolver })).toEqual([]);
  });
});

describe('orderSrvRecords (RFC 2782 weighted choice)', () => {
  const records: SrvRecordLike[] = [
    { name: 'light', port: 1, priority: 10, weight: 10 },
    { name: 'heavy', port: 2, priority: 10, weight: 90 },
    { name: 'zero', port: 3, priority: 10, weight: 0 },
    { name: 'first', port: 4, priority: 5, weight: 0 },
  ];

  it('orders by priority, then picks within a priority in proportion to weight', () => {
    // random 0.99: the pick lands at the top of the running sum (heavy), then light, then zero.
    expect(orderSrvRecords(records, constant(0.99)).map((r) => r.name)).toEqual(['first', 'heavy', 'light', 'zero']);
    // random 0: the running sum reaches 0 at the weight-0 record placed first.
    expect(orderSrvRecords(records, constant(0)).map((r) => r.name)).toEqual(['first', 'zero', 'light', 'heavy']);
  });

  it('sends about 90% of first choices to the record of weight 90', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let heavyFirst = 0;
    const rounds = 5000;
    for (let i = 0; i < rounds; i++) if (orderSrvRecords(records.slice(0, 3), random)[0]?.name === 'heavy') heavyFirst++;
    expect(heavyFirst / rounds).toBeGreaterThan(0.85);
    expect(heavyFirst / rounds).toBeLessThan(0.95);
  });
});
