// One way to run a test peer (sipp, baresip, Kamailio): spawned with its output captured, waited for until it is
// ready, and stopped with SIGTERM then SIGKILL. Peers bind ports found free a moment earlier by free-port.ts; when
// something else took the port in between, the peer exits at once and startPeer tries again with new ports.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

export interface PeerProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
  stop(): Promise<void>;
}

export function spawnPeer(command: string, args: string[], cwd: string): PeerProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // Its children as they are now: Kamailio's workers outlived a main process that needed the SIGKILL (a full
        // run left five, reparented to init, holding a port), so whatever of them is left at the end is killed too.
        const children = child.pid === undefined ? [] : descendantsOf(child.pid);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
        for (const pid of children) killQuietly(pid);
      }
    },
  };
}

/** The processes below `pid` (Linux: their parents read from /proc); empty where /proc cannot be read. */
function descendantsOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const childrenOf = new Map<number, number[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid ...": the command may hold spaces and parentheses, so read after its last ')'.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const siblings = childrenOf.get(parent);
    if (siblings) siblings.push(Number(entry));
    else childrenOf.set(parent, [Number(entry)]);
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = childrenOf.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already (ESRCH).
  }
}

/** Whether something is bound to the UDP port (a bind to it fails), or accepting on the TCP port. */
export async function portTaken(port: number, transport: 'udp' | 'tcp'): Promise<boolean> {
  if (transport === 'udp') {
    return new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => resolve(true));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
    });
  }
  return new Promise<boolean>((resolve) => {
    const connection = net.connect(port, '127.0.0.1', () => {
      connection.destroy();
      resolve(true);
    });
    connection.once('error', () => resolve(false));
  });
}

export class PeerStartError extends Error {
  override readonly name = 'PeerStartError';
}

/**
 * Polls `ready` until it says yes; fails with the peer's output when the peer exits first or `timeoutMs` passes.
 */
export async function waitUntilReady(peer: PeerProcess, name: string, ready: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (peer.child.exitCode !== null) throw new PeerStartError(`${name} exited early (${peer.child.exitCode}):\n${peer.output()}`);
    if (await ready()) return;
    if (Date.now() > deadline) {
      await peer.stop();
      throw new PeerStartError(`${name} did not become ready in ${timeoutMs} ms:\n${peer.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a peer, retrying (with the new ports `start` picks each time) when it exits before it is ready. */
export async function withStartRetries<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof PeerStartError) || attempt >= attempts) throw error;
    }
  }
}
