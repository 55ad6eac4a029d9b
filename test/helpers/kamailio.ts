// Runs Kamailio (Debian kamailio) on a free loopback port: as a dispatcher in front of several far ends
// (test/fixtures/kamailio/dispatcher.cfg.template) or as a router by number dialled (router.cfg.template).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const DISPATCHER_TEMPLATE = fileURLToPath(new URL('../fixtures/kamailio/dispatcher.cfg.template', import.meta.url));
const ROUTER_TEMPLATE = fileURLToPath(new URL('../fixtures/kamailio/router.cfg.template', import.meta.url));
const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/kamailio/modules/', '/usr/lib/aarch64-linux-gnu/kamailio/modules/', '/usr/lib/kamailio/modules/'];

export interface KamailioProxy {
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
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

async function startKamailio(template: string, substitutionsFor: (dir: string) => Record<string, string>): Promise<KamailioProxy> {
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
  const child = spawn('kamailio', ['-f', cfg, '-DD', '-E', '-Y', dir, '-P', path.join(dir, 'kamailio.pid'), '-m', '64', '-M', '8'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { default: dgram } = await import('node:dgram');
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kamailio exited early:\n${text}`);
    const taken = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(true));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (taken) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kamailio did not start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // Its children bind after the main process: give them a moment.
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    child,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
