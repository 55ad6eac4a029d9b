// A Ringcast API server in a process of its own, for figures that belong to the server alone (its RSS): started with
// `ringcast serve`'s own startServer (API only, no dialer) on PGlite in a scratch folder or on a PostgreSQL database,
// with the demo client. The parent reads its memory from /proc. Run as a child: tsx bench/lib/server-process.ts
import { readFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  apiKey: string;
  callFlowId: number;
  cliId: number;
  /** Current and peak resident set size of the server process, in MB (VmRSS and VmHWM). */
  memoryMb(): { rssMb: number; peakMb: number };
  stop(): Promise<void>;
}

interface Ready {
  url: string;
  apiKey: string;
  callFlowId: number;
  cliId: number;
}

const SELF = fileURLToPath(import.meta.url);

/** Starts the server; `env` adds settings (DATABASE_URL for PostgreSQL, else DATA_DIR is a scratch PGlite folder). */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = fork(SELF, ['--serve'], {
    execArgv: ['--import', 'tsx'],
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
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

if (process.argv.includes('--serve')) {
  const { loadSettings } = await import('../../src/config/settings.js');
  const { startServer } = await import('../../src/server.js');
  const settings = loadSettings(process.env);
  const server = await startServer(settings, { api: true, dialer: false });
  if (!server.demo || !server.url) throw new Error('the server started without the demo client or a URL');
  process.send!({ url: server.url, apiKey: server.demo.apiKey, callFlowId: server.demo.callFlowId, cliId: server.demo.cliId } satisfies Ready);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}
