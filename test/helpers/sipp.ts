// Runs sipp (Debian sip-tester) as a real far end for SIP tests: one process per scenario on free loopback ports,
// stopped by the test. Scenarios live in test/fixtures/sipp, named by what the far end does.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export const SIPP_SCENARIOS = fileURLToPath(new URL('../fixtures/sipp/', import.meta.url));
export const SIPP_PCAPS = '/usr/share/sip-tester';

export interface SippOptions {
  /** File name in test/fixtures/sipp. */
  scenario: string;
  transport?: 'udp' | 'tcp';
  /** Calls to handle before exiting. */
  calls?: number;
  /** -key name value pairs the scenario reads as [name]. */
  keys?: Record<string, string>;
  /** Files written into sipp's working folder first (e.g. a pcap the scenario plays by relative path). */
  files?: Record<string, Buffer>;
  extraArgs?: string[];
}

export interface SippPeer {
  port: number;
  mediaPort: number;
  child: ChildProcess;
  /** Resolves with sipp's exit code: 0 when every call followed the scenario. */
  exited: Promise<number | null>;
  output(): string;
  /** The messages sipp sent and received (its -trace_msg log), for assertions and failure reports. */
  messages(): string;
  stop(): Promise<void>;
}

export async function startSipp(options: SippOptions): Promise<SippPeer> {
  const port = await freePort();
  const mediaPort = await freePort({ even: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringcast-sipp-'));
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(path.join(dir, name), content);
  const messageFile = path.join(dir, 'messages.log');
  const args = [
    '-sf', path.join(SIPP_SCENARIOS, options.scenario),
    '-i', '127.0.0.1',
    '-p', String(port),
    '-mi', '127.0.0.1',
    '-mp', String(mediaPort),
    '-t', options.transport === 'tcp' ? 't1' : 'u1',
    '-m', String(options.calls ?? 1),
    '-nostdin',
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', path.join(dir, 'errors.log'),
    '-timeout', '60s',
    ...Object.entries(options.keys ?? {}).flatMap(([name, value]) => ['-key', name, value]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitForListening(port, options.transport ?? 'udp', child, () => text);
  return {
    port,
    mediaPort,
    child,
    exited,
    output: () => text,
    messages: () => (existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : ''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** sipp prints nothing when ready; poll until its port is taken (a bind to it fails). */
async function waitForListening(port: number, transport: 'udp' | 'tcp', child: ChildProcess, output: () => string): Promise<void> {
  const { default: dgram } = await import('node:dgram');
  const { default: net } = await import('node:net');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sipp exited early (${child.exitCode}):\n${output()}`);
    const taken =
      transport === 'udp'
        ? await new Promise<boolean>((resolve) => {
            const s = dgram.createSocket('udp4');
            s.once('error', () => resolve(true));
            s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
          })
        : await new Promise<boolean>((resolve) => {
            const c = net.connect(port, '127.0.0.1', () => {
              c.destroy();
              resolve(true);
            });
            c.once('error', () => resolve(false));
          });
    if (taken) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sipp did not start listening on ${port}:\n${output()}`);
}
