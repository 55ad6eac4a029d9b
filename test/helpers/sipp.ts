// Runs sipp (Debian sip-tester) as a real far end for SIP tests: one process per scenario on free loopback ports,
// stopped by the test. Scenarios live in test/fixtures/sipp, named by what the far end does.
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { portTaken, spawnPeer, waitUntilReady, withStartRetries, type PeerProcess } from './peer-process.js';

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

/** `exited` resolves with sipp's exit code: 0 when every call followed the scenario. */
export interface SippPeer extends PeerProcess {
  port: number;
  mediaPort: number;
  /** The messages sipp sent and received (its -trace_msg log), for assertions and failure reports. */
  messages(): string;
}

export async function startSipp(options: SippOptions): Promise<SippPeer> {
  return withStartRetries(() => startSippOnce(options));
}

async function startSippOnce(options: SippOptions): Promise<SippPeer> {
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
  const peer = spawnPeer('sipp', args, dir);
  // sipp prints nothing when ready: wait until its port is taken.
  await waitUntilReady(peer, 'sipp', () => portTaken(port, options.transport ?? 'udp'), 5000);
  return {
    ...peer,
    port,
    mediaPort,
    messages: () => (existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : ''),
  };
}
