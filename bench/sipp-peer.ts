// sipp as a benchmark peer, shared by the SIP benchmarks: each sipp runs in its own process group (a bash wrapper
// and sipp), stopped by group id; every one started is remembered until it has exited, so a failure or a timeout
// still stops them (cleanUpSipp). sipp's -timeout ends it regardless.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/free-port.js';
import { portTaken } from '../test/helpers/peer-process.js';

export const HOST = '127.0.0.1';
/** Below Linux's ephemeral ports (32768 up), where the sipp ports come from; as in test/helpers/sip-carrier.ts. */
export const RTP_PORT_RANGE = { min: 20000, max: 31999 };
const UAS_SCENARIO = fileURLToPath(new URL('../test/fixtures/sipp/uas-answer-wait-bye.xml', import.meta.url));
// Runs sipp in the background, writes its pid, waits for it and writes the CPU time of its children (sipp) on exit.
const SIPP_WRAPPER = 'pidfile=$1; timesfile=$2; shift 2; sipp "$@" & echo $! > "$pidfile"; wait $!; code=$?; times > "$timesfile"; exit $code';

/** A whole-number setting from the environment. */
export function wholeNumber(name: string, fallback: number, min = 1): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number, at least ${min}`);
  return value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      const candidate = path.join(dir, binary);
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// sipp processes: each in its own process group (bash wrapper and sipp), stopped by group id; every one started is
// remembered until it has exited, so a failure or a timeout still stops them. sipp's -timeout ends it regardless.

export interface SippRun {
  port: number;
  exited: Promise<number | null>;
  /** Exit code once exited. */
  code(): number | null | undefined;
  output(): string;
  /** sipp's user + system CPU time in ms, once it has exited. */
  cpuMs(): number | undefined;
  peakRssKb(): number | undefined;
  stop(): Promise<void>;
}

const running = new Set<SippRun>();
const tempDirs: string[] = [];

/**
 * sipp's UDP socket buffers (its -buff_size; the kernel caps it at net.core.rmem_max). With sipp's default of 64 KB,
 * a burst of 100 calls overflowed them: INVITEs and BYEs were dropped and retransmitted, so sipp's own UAC ran in a
 * slow mode (1,450-1,900 calls/s against 5,500-5,850 without drops), and in some runs lost calls whose BYEs timed out
 * after 32 s (31.5 calls/s) - a baseline that said nothing about sipp, and gave our carrier a pass against it.
 */
const SIPP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export function startSipp(args: string[], port: number, label: string, timeoutS: number): SippRun {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ringcast-bench-sipp-${label}-`));
  tempDirs.push(dir);
  const pidFile = path.join(dir, 'pid');
  const timesFile = path.join(dir, 'times');
  const fullArgs = [
    ...args,
    '-i', HOST,
    '-p', String(port),
    '-t', 'u1',
    '-nostdin',
    '-trace_err', '-error_file', path.join(dir, 'errors.log'),
    '-timeout', `${timeoutS}s`,
    '-buff_size', String(SIPP_SOCKET_BUFFER_BYTES),
  ];
  const child: ChildProcess = spawn('bash', ['-c', SIPP_WRAPPER, 'sipp-bench', pidFile, timesFile, ...fullArgs], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + String(chunk)).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  let sippPid: number | undefined;
  let peakKb: number | undefined;
  const sampleRss = () => {
    try {
      sippPid ??= Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
      if (sippPid === undefined) return;
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${sippPid}/status`, 'utf8'))?.[1]);
      if (Number.isFinite(kb)) peakKb = Math.max(peakKb ?? 0, kb);
    } catch {
      // Not started yet, or gone.
    }
  };
  const sampler = setInterval(sampleRss, 25);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearInterval(sampler);
      exitCode = code;
      resolve(code);
    }),
  );
  const run: SippRun = {
    port,
    exited,
    code: () => exitCode,
    output: () => text,
    cpuMs: () => {
      if (!existsSync(timesFile)) return undefined;
      // bash `times`: the shell's user and system time, then its children's (sipp's): "0m0.012s 0m0.034s".
      const children = readFileSync(timesFile, 'utf8').trim().split('\n')[1] ?? '';
      const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      return seconds.length === 2 ? (seconds[0]! + seconds[1]!) * 1000 : undefined;
    },
    peakRssKb: () => peakKb,
    async stop() {
      if (exitCode === undefined && child.pid !== undefined) {
        // sipp first, so the wrapper reaps it and exits; the whole group if that does not end it.
        const signal = (pid: number, name: NodeJS.Signals) => {
          try {
            process.kill(pid, name);
          } catch {
            // Already gone.
          }
        };
        sampleRss();
        signal(sippPid ?? -child.pid, 'SIGTERM');
        const timer = setTimeout(() => signal(-child.pid!, 'SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(run);
    },
  };
  running.add(run);
  void exited.then(() => running.delete(run));
  return run;
}

/** A sipp UAS on a free port, once its port is bound (sipp prints nothing when ready). Retries a port race. */
export async function startUas(calls: number, label: string, timeoutS: number): Promise<SippRun> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const mediaPort = await freePort({ even: true });
    const uas = startSipp(['-sf', UAS_SCENARIO, '-mi', HOST, '-mp', String(mediaPort), '-rtp_echo', '-m', String(calls)], port, label, timeoutS);
    const deadline = Date.now() + 5000;
    while (uas.code() === undefined && !(await portTaken(port, 'udp')) && Date.now() < deadline) await sleep(20);
    if (uas.code() === undefined && Date.now() < deadline) return uas;
    await uas.stop();
    if (attempt >= 3) throw new Error(`sipp UAS did not start:\n${uas.output()}`);
  }
}

/** sipp's cumulative counters and its own start-to-end time, from the statistics screen it prints on exit. */
export function sippStatistics(output: string): { successful?: number; failed?: number; elapsedMs?: number } {
  const last = (pattern: RegExp) => {
    const matches = [...output.matchAll(pattern)];
    const value = matches[matches.length - 1]?.[1];
    return value === undefined ? undefined : Number(value);
  };
  const started = last(/Start Time\s*\|[^|]*?(\d+\.\d+)\s*$/gm);
  const ended = last(/Current Time\s*\|[^|]*?(\d+\.\d+)\s*$/gm);
  const result: { successful?: number; failed?: number; elapsedMs?: number } = {};
  const successful = last(/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/g);
  const failed = last(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/g);
  if (successful !== undefined) result.successful = successful;
  if (failed !== undefined) result.failed = failed;
  if (started !== undefined && ended !== undefined) result.elapsedMs = (ended - started) * 1000;
  return result;
}

/** Stops every sipp still running and removes their folders. */
export async function cleanUpSipp(): Promise<void> {
  await Promise.all([...running].map((run) => run.stop()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A temporary folder removed by cleanUpSipp. */
export function benchTempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ringcast-bench-${label}-`));
  tempDirs.push(dir);
  return dir;
}
