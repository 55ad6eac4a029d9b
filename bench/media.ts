// Media benchmark (issue 10: "concurrent calls with RTP in one process"): N concurrent calls, each a media session
// of our engine (startMediaEngine with the workers the SIP carrier starts for these settings: MEDIA_WORKERS, by default
// one per core) sending paced 20 ms PCMU frames (a prompt on every other call, comfort silence on the rest, so both paths of the
// sender run) to a far end that echoes every packet back, so each session also receives and analyses 50 packets/s.
// The far end runs in a child process of its own: with both ends in this process, as this benchmark once did, the
// figures measured two engines fighting for the same threads, not our process. It is bench/media-far-end.c, built
// with the system's cc, when there is one (else bench/media-far-end.ts; MEDIA_FAR_END=node|native chooses): on two
// cores the Node far end took 70% of a core for 1,000 calls, and the send timers' lateness measured the two
// processes' contention for the cores (p99 10-22 ms) more than our engine (p99 3.9-5.6 ms with the C far end).
// Measured over MEDIA_BENCH_SECONDS, after a second of warm-up: the media workers' send lateness (how long after its
// due time each frame went out, p99 over every frame; until session 15 it was how late each pacing wake-up ran, which
// missed the frames that waited behind received datagrams: 46-135 ms p99 per frame where the wake-ups said 7.7), loss (sequence numbers the receive buffers gave up on, plus frames our senders
// skipped because they fell more than 100 ms behind), packets sent per second against the 50 per call expected, and
// this process's CPU time (all threads; the far end's is not included). The baseline is one call measured the same
// way in the same run. Each figure is the median of BENCH_RUNS runs.
// The workers ask for the nice value the SIP carrier asks for (MEDIA_WORKER_NICE, -10 by default), as in production;
// MEDIA_WORKER_NICE=0 measures them at the process's priority.
// Run: npx tsx bench/media.ts   (MEDIA_BENCH_CALLS=1000, MEDIA_BENCH_SECONDS=3, BENCH_RUNS=3, MEDIA_WORKERS, MEDIA_WORKER_NICE)
import { fork, spawn, spawnSync, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadSettings, mediaWorkerCount } from '../src/config/settings.js';
import { startMediaEngine, type WorkerMediaSession } from '../src/media/session/media-engine.js';
import type { MediaWorkerDiagnostics, WorkerSessionStats } from '../src/media/session/worker-protocol.js';
import type { ThreadPriority } from '../src/media/session/thread-priority.js';
import { benchRuns, median, ratioOf, report } from './lib/report.js';
import { RTP_PORT_RANGE, wholeNumber } from './sipp-peer.js';

const HOST = '127.0.0.1';
const CALLS = wholeNumber('MEDIA_BENCH_CALLS', 1000);
const SECONDS = wholeNumber('MEDIA_BENCH_SECONDS', 3);
const RUNS = benchRuns(3);
const SETTINGS = loadSettings({ MEDIA_WORKERS: process.env.MEDIA_WORKERS, MEDIA_WORKER_NICE: process.env.MEDIA_WORKER_NICE });
/** What the SIP carrier would start with these settings (MEDIA_WORKERS, else one per core). */
const WORKERS = mediaWorkerCount(SETTINGS);
/** The workers' nice value, as the SIP carrier asks for it (MEDIA_WORKER_NICE, -10 by default; thread-priority.ts). */
const NICENESS = SETTINGS.MEDIA_WORKER_NICE;
/** What the last engine's workers asked for and got, for the note. */
let workerPriority: ThreadPriority | undefined;
const WARM_UP_MS = 1000;
const PACKETS_PER_SECOND_PER_CALL = 50;
/** Issue 10's ceiling for the send lateness at 1,000 calls. */
const MAX_LATENESS_P99_MS = 5;
const FAR_END = fileURLToPath(new URL('./media-far-end.ts', import.meta.url));
const FAR_END_C = fileURLToPath(new URL('./media-far-end.c', import.meta.url));

interface RunResult {
  calls: number;
  cpuPercentOfCore: number;
  packetsPerSecond: number;
  lossPercent: number;
  /** Packets sent that did not come back in the window (in flight at its ends, or lost). */
  unansweredPercent: number;
  latenessMeanMs: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
  /** The busiest media worker's event-loop utilisation over the window (1: never idle). */
  workerUtilisation: number;
}

interface FarEnd {
  /** Binds one socket per call; their ports. */
  open(calls: number): Promise<number[]>;
  /** Socket i echoes to peerPorts[i] from now on. */
  connect(peerPorts: number[]): Promise<void>;
  close(): Promise<void>;
}

/** bench/media-far-end.ts in a child process: answers one IPC message per command. */
class NodeFarEnd implements FarEnd {
  private readonly child: ChildProcess;
  constructor() {
    this.child = fork(FAR_END, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }
  private request<T>(command: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.child.once('message', (reply) => resolve(reply as T));
      this.child.once('exit', (code) => reject(new Error(`media far end exited (${code})`)));
      this.child.send(command);
    });
  }
  async open(calls: number): Promise<number[]> {
    return (await this.request<{ ports: number[] }>({ type: 'open', calls })).ports;
  }
  async connect(peerPorts: number[]): Promise<void> {
    await this.request({ type: 'connect', peerPorts });
  }
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' });
    await exited;
  }
}

/** bench/media-far-end.c, built with the system's cc: the same echo at a fraction of the CPU; one line per command. */
class NativeFarEnd implements FarEnd {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;
  constructor(binary: string) {
    this.child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }
  private async request(command: string): Promise<string> {
    this.child.stdin.write(`${command}\n`);
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`media far end exited (${this.child.exitCode}) on: ${command.slice(0, 40)}`);
    return value;
  }
  async open(calls: number): Promise<number[]> {
    const [word, ...ports] = (await this.request(`open ${calls}`)).split(' ');
    if (word !== 'opened' || ports.length !== calls) throw new Error(`media far end: ${word}`);
    return ports.map(Number);
  }
  async connect(peerPorts: number[]): Promise<void> {
    const answer = await this.request(`connect ${peerPorts.join(' ')}`);
    if (answer !== 'connected') throw new Error(`media far end: ${answer}`);
  }
  async close(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.stdin.end('close\n');
    await exited;
  }
}

/**
 * The native far end's binary, built once per run into a scratch folder, or undefined when there is no C compiler
 * (or MEDIA_FAR_END=node asks for the Node one).
 */
function nativeFarEnd(): string | undefined {
  if (process.env.MEDIA_FAR_END === 'node') return undefined;
  const binary = join(mkdtempSync(join(tmpdir(), 'ringcast-media-')), 'media-far-end');
  const built = spawnSync('cc', ['-O2', '-Wall', '-o', binary, FAR_END_C], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status === 0) return binary;
  if (process.env.MEDIA_FAR_END === 'native') throw new Error('MEDIA_FAR_END=native: bench/media-far-end.c did not build with cc');
  return undefined;
}
const FAR_END_BINARY = nativeFarEnd();
const FAR_END_KIND = FAR_END_BINARY ? 'a C process (bench/media-far-end.c)' : 'a Node process (bench/media-far-end.ts: MEDIA_FAR_END=node, or no C compiler)';
const newFarEnd = (): FarEnd => (FAR_END_BINARY ? new NativeFarEnd(FAR_END_BINARY) : new NodeFarEnd());

async function run(calls: number): Promise<RunResult> {
  const farEnd = newFarEnd();
  const engine = await startMediaEngine({ workers: WORKERS, portRange: RTP_PORT_RANGE, niceness: NICENESS });
  workerPriority = engine.priority;
  const sessions: WorkerMediaSession[] = [];
  try {
    const ports = await farEnd.open(calls);
    for (let i = 0; i < calls; i++) sessions.push(await engine.openSession({ bindAddress: HOST }));
    await farEnd.connect(sessions.map((session) => session.localPort));
    sessions.forEach((session, i) => {
      session.start({ address: HOST, port: ports[i]!, codec: 'PCMU', payloadType: 0 });
      if (i % 2 === 0) void session.play(new Int16Array(8000 * (SECONDS + 5))).catch(() => {});
    });
    await sleep(WARM_UP_MS);
    await engine.diagnostics({ reset: true });
    const before = await totals(sessions);
    const cpuBefore = process.cpuUsage();
    const startedMs = performance.now();
    await sleep(SECONDS * 1000);
    const elapsedMs = performance.now() - startedMs;
    const cpu = process.cpuUsage(cpuBefore);
    const diagnostics = await engine.diagnostics();
    const after = await totals(sessions);
    const sent = after.packetsSent - before.packetsSent;
    const skipped = after.framesSkipped - before.framesSkipped;
    const lost = after.packetsLost - before.packetsLost + skipped;
    const received = after.packetsReceived - before.packetsReceived;
    return {
      calls,
      cpuPercentOfCore: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      packetsPerSecond: (sent * 1000) / elapsedMs,
      // Of the frames due: those sent plus those the senders skipped.
      lossPercent: sent + skipped > 0 ? (lost / (sent + skipped)) * 100 : 0,
      unansweredPercent: sent > 0 ? Math.max(0, ((sent - received) / sent) * 100) : 0,
      ...lateness(diagnostics),
      workerUtilisation: Math.max(...diagnostics.map((d) => d.eventLoopUtilization)),
    };
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
    await engine.close();
    await farEnd.close();
  }
}

type Totals = Pick<WorkerSessionStats, 'packetsSent' | 'packetsReceived' | 'packetsLost' | 'framesSkipped'>;

async function totals(sessions: WorkerMediaSession[]): Promise<Totals> {
  const stats = await Promise.all(sessions.map((session) => session.stats()));
  const sum = (key: keyof Totals) => stats.reduce((total, s) => total + s[key], 0);
  return { packetsSent: sum('packetsSent'), packetsReceived: sum('packetsReceived'), packetsLost: sum('packetsLost'), framesSkipped: sum('framesSkipped') };
}

function lateness(diagnostics: MediaWorkerDiagnostics[]): Pick<RunResult, 'latenessMeanMs' | 'latenessP99Ms' | 'latenessMaxMs'> {
  const samples = diagnostics.reduce((sum, d) => sum + d.sendLateness.samples, 0) || 1;
  return {
    latenessMeanMs: diagnostics.reduce((sum, d) => sum + d.sendLateness.meanMs * d.sendLateness.samples, 0) / samples,
    latenessP99Ms: Math.max(...diagnostics.map((d) => d.sendLateness.p99Ms)),
    latenessMaxMs: Math.max(...diagnostics.map((d) => d.sendLateness.maxMs)),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time per packet sent (and its echo received): the cost that does not depend on how busy the machine is. */
function cpuUsPerPacket(result: RunResult): number {
  return (result.cpuPercentOfCore / 100 / result.packetsPerSecond) * 1e6;
}

function describeRun(result: RunResult): string {
  return (
    `${String(result.calls).padStart(5)} calls  ${result.packetsPerSecond.toFixed(0).padStart(6)} pkt/s sent ` +
    `(${(result.packetsPerSecond / (result.calls * PACKETS_PER_SECOND_PER_CALL) * 100).toFixed(1)}% of due)  ` +
    `CPU ${result.cpuPercentOfCore.toFixed(1).padStart(5)}% of a core (worker loop busy ${(result.workerUtilisation * 100).toFixed(0)}%, ` +
    `${cpuUsPerPacket(result).toFixed(1)} us per packet sent and echoed)  ` +
    `send lateness mean ${result.latenessMeanMs.toFixed(2)} / p99 ${result.latenessP99Ms.toFixed(2)} / max ${result.latenessMaxMs.toFixed(2)} ms  ` +
    `loss ${result.lossPercent.toFixed(3)}% (not back in the window ${result.unansweredPercent.toFixed(2)}%)`
  );
}

function priorityNote(priority: ThreadPriority | undefined): string {
  if (!priority) return 'workers\' priority unknown';
  return `workers at nice ${priority.niceness ?? '?'} (MEDIA_WORKER_NICE ${priority.asked}${priority.applied || priority.asked === 0 ? '' : `: ${priority.reason}`})`;
}

async function main(): Promise<void> {
  console.log(`media: ${SECONDS} s per run, ${WORKERS} media worker(s) (MEDIA_WORKERS), PCMU on ${HOST}, far end echoing from ${FAR_END_KIND}`);
  const baselines: RunResult[] = [];
  const loads: RunResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    baselines.push(await run1(1));
    loads.push(await run1(CALLS));
  }
  const p99 = median(loads.map((r) => r.latenessP99Ms));
  const baselineP99 = median(baselines.map((r) => r.latenessP99Ms));
  const loss = median(loads.map((r) => r.lossPercent));
  const cpu = median(loads.map((r) => r.cpuPercentOfCore));
  const baselineCpu = median(baselines.map((r) => r.cpuPercentOfCore));
  const sentShare = median(loads.map((r) => r.packetsPerSecond / (CALLS * PACKETS_PER_SECOND_PER_CALL)));
  report(
    'media',
    [
      {
        figure: '1 call with RTP: send lateness p99 (every frame)',
        value: baselineP99,
        baseline: null,
        unit: 'ms',
        baselineLabel: '',
        ratio: null,
        target: 'baseline',
        pass: true,
        note: `median of ${RUNS} runs; loss ${median(baselines.map((r) => r.lossPercent)).toFixed(3)}%, CPU ${baselineCpu.toFixed(1)}% of a core`,
      },
      {
        figure: `${CALLS.toLocaleString('en-GB')} calls with RTP in one process (${WORKERS} media worker${WORKERS === 1 ? '' : 's'}): send lateness p99 (every frame)`,
        value: p99,
        baseline: baselineP99,
        unit: 'ms',
        baselineLabel: '1 call',
        ratio: ratioOf(p99, baselineP99),
        target: `p99 <= ${MAX_LATENESS_P99_MS} ms and no loss`,
        pass: p99 <= MAX_LATENESS_P99_MS && loss === 0 && sentShare >= 0.99,
        note:
          `median of ${RUNS} runs (p99 ${loads.map((r) => r.latenessP99Ms.toFixed(2)).join(', ')} ms); loss ${loss.toFixed(3)}% ` +
          `(runs: ${loads.map((r) => r.lossPercent.toFixed(3)).join(', ')}%); ${(sentShare * 100).toFixed(1)}% of the due packets sent; ` +
          `CPU ${cpu.toFixed(0)}% of a core, ${median(loads.map(cpuUsPerPacket)).toFixed(1)} us per packet sent and echoed ` +
          `(1 call: ${median(baselines.map(cpuUsPerPacket)).toFixed(1)} us); far end: ${FAR_END_KIND}; ${priorityNote(workerPriority)}`,
      },
    ],
    { calls: CALLS, seconds: SECONDS, workers: WORKERS, runs: RUNS, workerPriority },
  );

  async function run1(calls: number): Promise<RunResult> {
    const result = await run(calls);
    console.log(describeRun(result));
    return result;
  }
}

await main();
