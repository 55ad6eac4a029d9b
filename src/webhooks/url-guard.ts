// Endpoint URLs must not turn Ringcast into a way to reach the operator's internal network (SSRF). A URL is checked
// when it is registered (its literal host) and again at every delivery, after DNS resolution, so a name that
// resolves to 127.0.0.1 is refused too. WEBHOOK_ALLOW_PRIVATE_URLS lifts the address rule (tests, private setups).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
// IPv4: "this" network, RFC 1918 private, CGNAT (RFC 6598), loopback, link-local, IETF protocol assignments,
// documentation nets, benchmarking (RFC 2544), multicast and reserved up to broadcast.
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
// IPv6: unspecified, loopback, unique-local (fc00::/7), link-local (fe80::/10), multicast, documentation, and the
// NAT64 / 6to4 / Teredo forms that embed an IPv4 address (checked through their embedded address below).
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) IPv6 address, else null. */
function mappedIpv4(address: string): string | null {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match) return match[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Whether an IP address is private, loopback, link-local, CGNAT, multicast or otherwise not a public host. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = mappedIpv4(address);
    return v4 !== null ? blocked.check(v4, 'ipv4') : blocked.check(address, 'ipv6');
  }
  return true;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; message: string };

const MAX_URL_LENGTH = 2048;

/** The rule at registration: an absolute http(s) URL without credentials, whose literal IP host (if any) is public. */
export function checkEndpointUrl(text: string, allowPrivate: boolean): UrlCheck {
  if (text.length > MAX_URL_LENGTH) return { ok: false, message: `URL longer than ${MAX_URL_LENGTH} characters.` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'Not an absolute URL.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, message: 'Only https and http URLs are accepted.' };
  if (url.username || url.password) return { ok: false, message: 'Credentials in the URL are not accepted; verify the signature instead.' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate) {
    if (isIP(host) && isPrivateAddress(host)) return { ok: false, message: `${host} is a private, loopback or reserved address.` };
    if (host === 'localhost' || host.endsWith('.localhost')) return { ok: false, message: `${host} is a loopback name.` };
  }
  return { ok: true, url };
}

export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * The rule at delivery: every address the host resolves to must be public (one private address refuses the URL,
 * since the connection could use it). Returns the first address to connect to, or why it is refused.
 */
export async function resolveDeliveryAddress(url: URL, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<{ ok: true; address: string } | { ok: false; message: string }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await resolve(host);
  if (addresses.length === 0) return { ok: false, message: `${host} does not resolve.` };
  if (!allowPrivate) {
    const bad = addresses.find(isPrivateAddress);
    if (bad) return { ok: false, message: `${host} resolves to ${bad}, a private, loopback or reserved address.` };
  }
  return { ok: true, address: addresses[0]! };
}
