// Dialer processes for the benchmarks: each a `bench/lib/dialer-worker.ts` child on the given database, running the
// built dialer (dist/, made first when stale, as `npm start` does), started together (the caller waits for all to be
// ready before making the campaign) and stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
// A plain .mjs script shared with bin/ringcast.js; its types are in build-if-needed.d.mts.
import { buildIfNeeded } from '../../scripts/build-if-needed.mjs';
import type { PacingLimits } from '../../src/dialer/pacing.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface DialerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
  /** Every "rss <MB>" line printed so far, in order. */
  rssMb: number[];
  output: () => string;
}

export function startDialerProcess(url: string, pacing: PacingLimits, env: Record<string, string> = {}): DialerProcess {
  buildIfNeeded();
  // BENCH_WORKER_NODE_ARGS: extra node flags for the dialer processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/lib/dialer-worker.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, BENCH_PACING_JSON: JSON.stringify(pacing), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const rssMb: number[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let pending = '';
  child.stdout!.on('data', (chunk) => {
    pending += String(chunk);
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') markReady();
      else if (line.startsWith('rss ')) rssMb.push(Number(line.slice(4)));
      else text += `${line}\n`;
    }
  });
  child.stderr!.on('data', (chunk) => (text = (text + String(chunk)).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => markReady());
  return { child, ready, exited, rssMb, output: () => text };
}

export async function stopDialerProcesses(processes: readonly DialerProcess[]): Promise<void> {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  const timeout = setTimeout(() => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }, 15_000);
  await Promise.all(processes.map((p) => p.exited));
  clearTimeout(timeout);
}
