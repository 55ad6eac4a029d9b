// A Ringcast API server in a process of its own, for figures that belong to the server alone (its RSS): the built
// server (dist/, made first when stale, as `npm start` does) started with `ringcast serve`'s own startServer (API
// only, no dialer) on PGlite in a scratch folder or on a PostgreSQL database, with the demo client. The parent reads
// its memory from /proc.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
// A plain .mjs script shared with bin/ringcast.js; its types are in build-if-needed.d.mts.
import { buildIfNeeded } from '../../scripts/build-if-needed.mjs';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  apiKey: string;
  callFlowId: number;
  cliId: number;
  /** Current and peak resident set size of the server process, in MB (VmRSS and VmHWM). */
  memoryMb(): { rssMb: number; peakMb: number };
  /** Starts the peak (VmHWM) again from the current RSS, so that it covers what follows and not the start-up. */
  resetPeak(): void;
  stop(): Promise<void>;
}

interface Ready {
  url: string;
  apiKey: string;
  callFlowId: number;
  cliId: number;
}

const DIST = new URL('../../dist/', import.meta.url);

/** The child: the built server (dist/, as `npm start` runs it), started and reporting back over IPC. */
const CHILD = `
  const { loadSettings } = await import(${JSON.stringify(new URL('config/settings.js', DIST).href)});
  const { startServer } = await import(${JSON.stringify(new URL('server.js', DIST).href)});
  const server = await startServer(loadSettings(process.env), { api: true, dialer: false });
  process.send({ url: server.url, apiKey: server.demo.apiKey, callFlowId: server.demo.callFlowId, cliId: server.demo.cliId });
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  if (process.env.BENCH_MEMORY_TRACE) {
    setInterval(() => {
      const m = process.memoryUsage();
      const mb = (bytes) => Math.round(bytes / 1048576);
      console.error('server memory MB: rss', mb(m.rss), 'heapUsed', mb(m.heapUsed), 'heapTotal', mb(m.heapTotal), 'external', mb(m.external), 'arrayBuffers', mb(m.arrayBuffers));
    }, 500).unref();
  }
`;

/** Starts the server; `env` adds settings (DATABASE_URL for PostgreSQL, else DATA_DIR is a scratch PGlite folder). */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  buildIfNeeded();
  // BENCH_SERVER_NODE_ARGS: Node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : []), '--input-type=module', '-e', CHILD], {
    env: { ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', DEMO_CLIENT: 'true', ADMIN_TOKEN: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`server process exited with ${code} before it was ready`);
    }),
  ])) as [Ready];
  const statusValue = (field: string) => {
    const line = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return Number(line?.match(/(\d+)\s*kB/)?.[1] ?? Number.NaN) / 1024;
  };
  return {
    child,
    ...message,
    memoryMb: () => ({ rssMb: statusValue('VmRSS'), peakMb: statusValue('VmHWM') }),
    // Linux: writing 5 to clear_refs resets the process's peak resident set size.
    resetPeak: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
