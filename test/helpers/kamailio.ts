// Runs Kamailio (Debian kamailio) on a free loopback port: as a dispatcher in front of several far ends
// (test/fixtures/kamailio/dispatcher.cfg.template) or as a router by number dialled (router.cfg.template).
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { portTaken, spawnPeer, waitUntilReady, withStartRetries, type PeerProcess } from './peer-process.js';

const DISPATCHER_TEMPLATE = fileURLToPath(new URL('../fixtures/kamailio/dispatcher.cfg.template', import.meta.url));
const PROXY_AUTH_TEMPLATE = fileURLToPath(new URL('../fixtures/kamailio/proxy-auth.cfg.template', import.meta.url));
const ROUTER_TEMPLATE = fileURLToPath(new URL('../fixtures/kamailio/router.cfg.template', import.meta.url));
const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/kamailio/modules/', '/usr/lib/aarch64-linux-gnu/kamailio/modules/', '/usr/lib/kamailio/modules/'];

export interface KamailioProxy extends PeerProcess {
  port: number;
}

/** `destinations`: sip URIs of the far ends, e.g. sip:127.0.0.1:5071. */
export async function startKamailioDispatcher(destinations: string[]): Promise<KamailioProxy> {
  return startKamailio(DISPATCHER_TEMPLATE, (dir) => {
    const list = path.join(dir, 'dispatcher.list');
    writeFileSync(list, destinations.map((uri) => `1 ${uri}\n`).join(''));
    return { '@@LIST@@': list };
  });
}

export interface NumberRoute {
  /** The Request-URI user to match, e.g. +447711000001. */
  user: string;
  /** Where INVITEs for it go, e.g. sip:127.0.0.1:5071. */
  destination: string;
  /** Replace the Request-URI user (baresip only answers for its own account). */
  rewriteUser?: string;
}

/** A proxy that routes each INVITE by the number dialled: the test's stand-in for a carrier network. */
export async function startKamailioRouter(routes: NumberRoute[]): Promise<KamailioProxy> {
  const block = routes
    .map((route) => {
      const rewrite = route.rewriteUser ? ` $rU = "${route.rewriteUser}";` : '';
      return `\tif ($rU == "${route.user}") {${rewrite} $du = "${route.destination}"; t_relay(); exit; }`;
    })
    .join('\n');
  return startKamailio(ROUTER_TEMPLATE, () => ({ '@@ROUTES@@': block }));
}

/** A proxy that answers every INVITE with a 407 challenge and relays it to `destination` once authorised. */
export async function startKamailioProxyAuth(destination: string, password: string, options: { nonceExpireS?: number } = {}): Promise<KamailioProxy> {
  return startKamailio(PROXY_AUTH_TEMPLATE, () => ({
    '@@DESTINATION@@': destination,
    '@@PASSWORD@@': password,
    '@@NONCE_EXPIRE_S@@': String(options.nonceExpireS ?? 300),
  }));
}

export function startKamailio(template: string, substitutionsFor: (dir: string) => Record<string, string>): Promise<KamailioProxy> {
  return withStartRetries(() => startKamailioOnce(template, substitutionsFor));
}

async function startKamailioOnce(template: string, substitutionsFor: (dir: string) => Record<string, string>): Promise<KamailioProxy> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringcast-kamailio-'));
  const substitutions = substitutionsFor(dir);
  const mpath = MODULE_DIRS.find((d) => existsSync(path.join(d, 'dispatcher.so')));
  if (!mpath) throw new Error('kamailio dispatcher.so not found');
  const cfg = path.join(dir, 'kamailio.cfg');
  writeFileSync(
    cfg,
    Object.entries(substitutions).reduce(
      (text, [key, value]) => text.replaceAll(key, value),
      readFileSync(template, 'utf8').replaceAll('@@PORT@@', String(port)).replaceAll('@@MPATH@@', mpath),
    ),
  );
  // -DD: stay in the foreground with its children; -E: log to stderr; -Y/-P: runtime files in our folder.
  const peer = spawnPeer('kamailio', ['-f', cfg, '-DD', '-E', '-Y', dir, '-P', path.join(dir, 'kamailio.pid'), '-m', '64', '-M', '8'], dir);
  await waitUntilReady(peer, 'kamailio', () => portTaken(port, 'udp'));
  // Its children bind after the main process: give them a moment.
  await new Promise((r) => setTimeout(r, 300));
  return { ...peer, port };
}
