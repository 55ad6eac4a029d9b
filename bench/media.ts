// Media benchmark: N concurrent calls on loopback, each a pair of media sessions sending paced PCMU to each other
// (one side of every call in each of two engines, one worker each, so 2N streams and 100N packets/s in total). For a
// few seconds it measures the process's CPU time (all threads), the pacing timers' lateness and the receive side's
// loss, and prints each N beside one call measured the same way in the same run (the baseline).
// Run: npx tsx bench/media.ts   (MEDIA_BENCH_CALLS=1,100,300 and MEDIA_BENCH_SECONDS=3 by default)
import { performance } from 'node:perf_hooks';
import { startMediaEngine, type WorkerMediaSession } from '../src/media/session/media-engine.js';
import type { MediaWorkerDiagnostics } from '../src/media/session/worker-protocol.js';

const HOST = '127.0.0.1';
const CALLS = (process.env.MEDIA_BENCH_CALLS ?? '1,100,300').split(',').map(Number);
const SECONDS = Number(process.env.MEDIA_BENCH_SECONDS ?? 3);
const WARM_UP_MS = 500;

interface RunResult {
  calls: number;
  cpuPercentOfCore: number;
  packetsPerSecond: number;
  lossPercent: number;
  latenessMeanMs: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
}

async function run(calls: number): Promise<RunResult> {
  const left = await startMediaEngine({ portRange: null });
  const right = await startMediaEngine({ portRange: null });
  const sessions: WorkerMediaSession[] = [];
  try {
    for (let i = 0; i < calls; i++) {
      const a = await left.openSession({ bindAddress: HOST });
      const b = await right.openSession({ bindAddress: HOST });
      sessions.push(a, b);
      a.start({ address: HOST, port: b.localPort, codec: 'PCMU', payloadType: 0 });
      b.start({ address: HOST, port: a.localPort, codec: 'PCMU', payloadType: 0 });
      // A prompt playing on one side, comfort silence on the other: both paths of the sender are exercised.
      void a.play(new Int16Array(8000 * (SECONDS + 2))).catch(() => {});
    }
    await sleep(WARM_UP_MS);
    await Promise.all([left.diagnostics({ reset: true }), right.diagnostics({ reset: true })]);
    const before = await totals(sessions);
    const cpuBefore = process.cpuUsage();
    const startedMs = performance.now();
    await sleep(SECONDS * 1000);
    const elapsedMs = performance.now() - startedMs;
    const cpu = process.cpuUsage(cpuBefore);
    const after = await totals(sessions);
    const diagnostics = [...(await left.diagnostics()), ...(await right.diagnostics())];
    const sent = after.sent - before.sent;
    const received = after.received - before.received;
    return {
      calls,
      cpuPercentOfCore: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      packetsPerSecond: (sent * 1000) / elapsedMs,
      lossPercent: sent > 0 ? Math.max(0, ((sent - received) / sent) * 100) : 0,
      ...lateness(diagnostics),
    };
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
    await Promise.all([left.close(), right.close()]);
  }
}

async function totals(sessions: WorkerMediaSession[]): Promise<{ sent: number; received: number }> {
  const stats = await Promise.all(sessions.map((session) => session.stats()));
  return {
    sent: stats.reduce((sum, s) => sum + s.packetsSent, 0),
    received: stats.reduce((sum, s) => sum + s.packetsReceived, 0),
  };
}

function lateness(diagnostics: MediaWorkerDiagnostics[]): Pick<RunResult, 'latenessMeanMs' | 'latenessP99Ms' | 'latenessMaxMs'> {
  const samples = diagnostics.reduce((sum, d) => sum + d.timerLateness.samples, 0) || 1;
  return {
    latenessMeanMs: diagnostics.reduce((sum, d) => sum + d.timerLateness.meanMs * d.timerLateness.samples, 0) / samples,
    latenessP99Ms: Math.max(...diagnostics.map((d) => d.timerLateness.p99Ms)),
    latenessMaxMs: Math.max(...diagnostics.map((d) => d.timerLateness.maxMs)),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeRun(result: RunResult): string {
  return (
    `${String(result.calls).padStart(4)} calls  ${result.packetsPerSecond.toFixed(0).padStart(6)} pkt/s sent  ` +
    `CPU ${result.cpuPercentOfCore.toFixed(1).padStart(5)}% of a core  ` +
    `timer lateness mean ${result.latenessMeanMs.toFixed(2)} / p99 ${result.latenessP99Ms.toFixed(2)} / max ${result.latenessMaxMs.toFixed(2)} ms  ` +
    `loss ${result.lossPercent.toFixed(2)}%`
  );
}

async function main(): Promise<void> {
  console.log(`media: ${SECONDS} s per run, two engines of one worker each, PCMU on ${HOST}`);
  const baseline = await run(1);
  console.log(`baseline ${describeRun(baseline)}`);
  for (const calls of CALLS.filter((n) => n !== 1)) {
    const result = await run(calls);
    const cpuPerCall = result.cpuPercentOfCore / calls;
    console.log(`         ${describeRun(result)}  (CPU per call x${(cpuPerCall / baseline.cpuPercentOfCore).toFixed(2)} of the baseline's)`);
  }
}

await main();
