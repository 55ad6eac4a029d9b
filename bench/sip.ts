// SIP benchmark: call throughput of our SIP carrier on loopback. The carrier (startSipCarrier, one media worker, RTP
// 20000-31999 as in the peer tests) places N calls, at most C at once, to a sipp UAS that answers and waits for our
// BYE (test/fixtures/sipp/uas-answer-wait-bye.xml, sipp run with -rtp_echo so our own comfort-silence RTP comes back
// as the far end's audio). Each call dials, runs answering-machine detection cut short to SIP_BENCH_HOLD_MS of initial
// silence, and hangs up as soon as it is answered. (Without the echo a far end that sends no RTP at all is taken for silent
// only once its audio is 300 ms overdue, so every call would hold 400 ms and the run would measure that wait.)
// Measured: calls completed and failed, calls/s, wall time (first INVITE to last call ended), the process's CPU time
// per call (process.cpuUsage: all threads, so the media worker too), event-loop delay p99 and the process's peak RSS.
// Baseline, same run: sipp's own UAC (bench/sipp-uac-invite-ack-bye.xml: INVITE with an SDP offer like ours, ACK, a
// pause as long as our detection, BYE) placing the same N calls at the same concurrency and rate ceiling against a
// second sipp UAS started the same way. Its wall time and calls/s are sipp's own (its statistics' start to end), its
// CPU time is taken when it exits (bash `times`), its peak RSS from /proc/<pid>/status. sipp's UAC sends no RTP; our
// carrier sends 50 packets/s on every answered call and analyses the echo, which our CPU figure includes (and the far
// end's, for echoing them).
// The defaults measure set-up capacity, not waiting: a call's hold is 10 ms, so with 100 calls in flight neither side
// is bounded by hold time (100 / 10 ms would allow 10,000 calls/s), and the rate ceiling of 10,000 starts/s is far
// above what either reaches (sipp's UAC ~1,500-1,900 calls/s on the 2-core machine). The earlier defaults (200 calls,
// 50 at once, 100 ms hold, 1,000 starts/s) capped both sides near 50 / 0.12 s = 400 calls/s, so the ratio said
// nothing about the cost of a call set-up; and sipp, capped by the rate, was measured below its capacity.
// Run: npx tsx bench/sip.ts   (builds dist/ first when stale; SIP_BENCH_CALLS=5000 (see CALLS), SIP_BENCH_CONCURRENCY=100, SIP_BENCH_RATE=10000 call starts/s,
// SIP_BENCH_HOLD_MS=10, SIP_BENCH_WARMUP=5000 calls before the measurement (see WARMUP), SIP_BENCH_TIMEOUT_S=300 for the whole run,
// BENCH_RUNS=3 runs of both, the figure their median)
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type * as ClockModule from '../src/domain/clock.js';
import type * as EspeakModule from '../src/media/tts/espeak-tts.js';
import type * as StartSipCarrierModule from '../src/telephony/sip/carrier/start-sip-carrier.js';
import type * as SettingsModule from '../src/config/settings.js';
import type { SipCarrier } from '../src/telephony/sip/carrier/sip-carrier.js';
import type * as TrunkConfigModule from '../src/telephony/sip/carrier/trunk-config.js';
// A plain .mjs script shared with bin/ringcast.js; its types are in build-if-needed.d.mts.
import { buildIfNeeded } from '../scripts/build-if-needed.mjs';
import { freePort } from '../test/helpers/free-port.js';
import { benchRuns, median, ratioOf, report } from './lib/report.js';
import { readThreadCpu, splitThreadCpu, type ThreadCpuMs } from './lib/thread-cpu.js';
import { benchTempDir, cleanUpSipp, HOST, onPath, RTP_PORT_RANGE, sippStatistics, startSipp, startUas, wholeNumber, type SippRun } from './sipp-peer.js';

// Our carrier is the built one (dist/, made first when stale), as `npm start` runs it: from the sources through tsx,
// every function carries esbuild's keepNames wrapper (a __name defineProperty per closure created). Alternated runs
// at 6562f89, four of each: medians 1,982, 1,647, 1,583, 1,666 calls/s built against 1,520, 1,503, 1,772, 1,512
// from the sources, CPU a call 0.74-0.87 ms against 0.83-0.97 ms. Only types come from src/. The clock must be the
// build's too: the SIP timers take their fast path for the build's systemClock alone (clock-timeout.ts).
buildIfNeeded();
const built = <Module>(path: string): Promise<Module> => import(new URL(`../dist/${path}`, import.meta.url).href) as Promise<Module>;
const { systemClock } = await built<typeof ClockModule>('domain/clock.js');
const { ttsAvailable } = await built<typeof EspeakModule>('media/tts/espeak-tts.js');
const { startSipCarrier } = await built<typeof StartSipCarrierModule>('telephony/sip/carrier/start-sip-carrier.js');
const { loadSettings } = await built<typeof SettingsModule>('config/settings.js');
const { parseTrunk } = await built<typeof TrunkConfigModule>('telephony/sip/carrier/trunk-config.js');

/**
 * Calls measured per run. 1,000 calls took 0.2-0.4 s, shorter than what a call leaves behind lives (64*T1 = 32 s of
 * transactions and dialog remnants, RFC 6026), so a run ended before the heap it makes had grown as it does under
 * sustained load: 1,000-call runs made 2,469-3,791 calls/s (main thread 0.17-0.26 ms a call) where 5,000-call runs of
 * the same commit made 2,689-3,258 (0.24-0.30 ms), and single runs moved more.
 */
const CALLS = wholeNumber('SIP_BENCH_CALLS', 5000);
const CONCURRENCY = Math.min(wholeNumber('SIP_BENCH_CONCURRENCY', 100), CALLS);
const RATE = wholeNumber('SIP_BENCH_RATE', 10_000);
const HOLD_MS = wholeNumber('SIP_BENCH_HOLD_MS', 10);
/**
 * Calls our carrier places before each measured run, on the same carrier and media worker: the figure is the set-up
 * capacity of a dialer that has been running, which is how a dialer runs. V8 compiles our SIP stack's hot functions
 * only after many calls: with 50 warm-up calls the three runs of one process made 1,742-1,882, 2,097-2,505 and
 * 2,624-3,109 calls/s (each run a new carrier and media worker, in a main thread warmer each time), and the median
 * was the middle run's; after 1,000 the runs made 2,460-2,852, 3,104-3,271 and 3,470-3,783 calls/s. After 1,000 the
 * process was still compiling: V8's helper threads (the optimizing compiler beside the collector) took 0.30, 0.15 and
 * 0.12 ms of CPU a measured call in the three runs (2,469, 3,070, 3,791 calls/s), and after 5,000 0.14, 0.06 and 0.06
 * ms (3,563, 4,601, 4,325 calls/s), the main thread's share the same (0.17-0.24 against 0.18-0.20 ms; session 26's
 * machine). 5,000 calls take 1-2 s. The warm-up's own rate is printed beside each run (the cold figure). sipp,
 * compiled C, needs no warm-up.
 */
const WARMUP = wholeNumber('SIP_BENCH_WARMUP', 5000, 0);
const TIMEOUT_S = wholeNumber('SIP_BENCH_TIMEOUT_S', 300);
const RUNS = benchRuns(3);
/** Issue 10's floor for call set-up on loopback. */
const MIN_CALLS_PER_S = 200;
/**
 * sipp stops at -m calls, and a late retransmission (an INVITE arriving after its call ended at the UAS) counts as a
 * call of its own: a UAS started with exactly N calls could stop before the last real ones were answered, and the
 * callers then waited out their 32 s transaction timers. So the UAS takes this many times the calls and is stopped
 * when the caller has finished (stopUas).
 */
const UAS_CALL_ROOM = 2;
const UAC_SCENARIO = fileURLToPath(new URL('./sipp-uac-invite-ack-bye.xml', import.meta.url));


// ---------------------------------------------------------------------------------------------------------------

interface Figures {
  completed: number;
  failed: number;
  wallMs: number;
  cpuMs: number | undefined;
  /** Ours only: the CPU time of the main thread, the media worker and the other threads (V8's helpers), lib/thread-cpu.ts. */
  threadCpu?: ThreadCpuMs | undefined;
  peakRssMb: number | undefined;
  loopDelayP99Ms?: number;
  uasCpuMs: number | undefined;
  /** Calls the far end's UAS answered in its life (ours: the warm-up's too), for its CPU time a call. */
  uasCalls: number;
  /** Ours only: the warm-up calls, completed, and their wall time (the cold rate). */
  warmup?: { completed: number; wallMs: number };
  /** Ours only: mean ms from dial to the answered call (INVITE, 200, ACK, detection), and to the call ended. */
  meanAnsweredMs?: number;
  meanEndedMs?: number;
  problems: string[];
}

interface CallTimes {
  answeredMs: number[];
  endedMs: number[];
}

/** Our carrier placing `calls` calls, `concurrency` at a time, each hung up as soon as it is answered. */
async function placeCalls(
  carrier: SipCarrier,
  calls: number,
  concurrency: number,
  problems: string[],
  times: CallTimes,
): Promise<{ completed: number; failed: number }> {
  let next = 0;
  let completed = 0;
  let failed = 0;
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      const dialled = performance.now();
      const result = await carrier.dial({ callId: `bench-${i}`, to: '+442079460001', from: '+441632960001', ringTimeoutMs: 10_000 });
      if (result.kind !== 'answered') {
        failed++;
        if (problems.length < 5) problems.push(`call ${i}: ${result.failure} ${result.reason}`);
        continue;
      }
      const answered = performance.now();
      await result.call.hangup();
      const ended = await result.call.ended;
      times.answeredMs.push(answered - dialled);
      times.endedMs.push(performance.now() - dialled);
      if (ended.by === 'us') completed++;
      else {
        failed++;
        if (problems.length < 5) problems.push(`call ${i}: ended by ${ended.by} ${ended.reason ?? ''}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, failed };
}

async function runOurs(): Promise<Figures> {
  const uas = await startUas(UAS_CALL_ROOM * (CALLS + WARMUP), 'uas-ours', TIMEOUT_S);
  const ttsCacheDir = benchTempDir('tts');
  const carrier = await startSipCarrier({
    trunks: [parseTrunk({ name: 'sipp', host: HOST, port: uas.port, transport: 'udp', maxCalls: CONCURRENCY, maxCps: Math.min(RATE, 10_000) }, 'bench trunk')],
    clock: systemClock,
    address: HOST,
    sipPort: 0,
    rtpPortRange: RTP_PORT_RANGE,
    mediaWorkers: 1,
    // As the dialer starts it (MEDIA_WORKER_NICE).
    mediaWorkerNice: loadSettings({ MEDIA_WORKER_NICE: process.env.MEDIA_WORKER_NICE }).MEDIA_WORKER_NICE,
    ttsCacheDir,
    ttsVoice: 'en-gb',
    sessionExpiresS: 1800,
    amdParams: { initialSilenceMs: HOLD_MS, totalAnalysisTimeMs: 2 * HOLD_MS },
  });
  const problems: string[] = [];
  try {
    const warmupStarted = performance.now();
    const warmupCalls = WARMUP > 0 ? (await placeCalls(carrier, WARMUP, Math.min(CONCURRENCY, WARMUP), problems, { answeredMs: [], endedMs: [] })).completed : 0;
    const warmup = { completed: warmupCalls, wallMs: performance.now() - warmupStarted };
    problems.length = 0;
    const times: CallTimes = { answeredMs: [], endedMs: [] };
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    const cpuBefore = process.cpuUsage();
    const threadsBefore = readThreadCpu();
    const started = performance.now();
    loopDelay.enable();
    const { completed, failed } = await placeCalls(carrier, CALLS, CONCURRENCY, problems, times);
    loopDelay.disable();
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const threadsAfter = readThreadCpu();
    await stopUas(uas, problems);
    // Closed here (the finally's close is then a no-op) so that the media worker's thread has exited: it is the one
    // thread of the run that is gone afterwards.
    await carrier.close();
    const threadCpu = splitThreadCpu(threadsBefore, threadsAfter);
    return {
      completed,
      failed,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      threadCpu,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      uasCpuMs: uas.cpuMs(),
      uasCalls: warmup.completed + completed,
      warmup,
      meanAnsweredMs: mean(times.answeredMs),
      meanEndedMs: mean(times.endedMs),
      problems,
    };
  } finally {
    await carrier.close();
    await uas.stop();
  }
}

async function runSippUac(): Promise<Figures> {
  const uas = await startUas(UAS_CALL_ROOM * CALLS, 'uas-baseline', TIMEOUT_S);
  try {
    const port = await freePort();
    const mediaPort = await freePort({ even: true });
    const uac = startSipp(
      [
        '-sf', UAC_SCENARIO, `${HOST}:${uas.port}`,
        '-mi', HOST, '-mp', String(mediaPort),
        '-m', String(CALLS), '-l', String(CONCURRENCY), '-r', String(RATE), '-d', String(HOLD_MS),
      ],
      port,
      'uac',
      TIMEOUT_S,
    );
    const started = performance.now();
    const code = await uac.exited;
    const spawnToExitMs = performance.now() - started;
    const stats = sippStatistics(uac.output());
    const problems: string[] = [];
    if (code !== 0) problems.push(`sipp UAC exit ${String(code)}: ${uac.output().slice(-1500)}`);
    await stopUas(uas, problems);
    const peakKb = uac.peakRssKb();
    const completed = stats.successful ?? (code === 0 ? CALLS : 0);
    return {
      completed,
      failed: stats.failed ?? (code === 0 ? 0 : CALLS),
      wallMs: stats.elapsedMs ?? spawnToExitMs,
      cpuMs: uac.cpuMs(),
      peakRssMb: peakKb === undefined ? undefined : peakKb / 1024,
      uasCpuMs: uas.cpuMs(),
      uasCalls: completed,
      problems,
    };
  } finally {
    await uas.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------

function row(label: string, ours: number | undefined, baseline: number | undefined, unit: string, digits: number): void {
  const show = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(digits)} ${unit}`.trim());
  const ratio = ours !== undefined && baseline !== undefined && baseline > 0 ? `(x${(ours / baseline).toFixed(2)})` : '';
  console.log(`${label.padEnd(34)} ${show(ours).padStart(14)}   ${show(baseline).padStart(14)}   ${ratio}`);
}

function printDetail(ours: Figures, sipp: Figures): void {
  const perCall = (figures: Figures, ms: number | undefined) => (ms === undefined || figures.completed === 0 ? undefined : ms / figures.completed);
  console.log(`${''.padEnd(34)} ${'ringcast'.padStart(14)}   ${'sipp UAC'.padStart(14)}   (ours / sipp's)`);
  console.log(
    `${'calls completed / failed'.padEnd(34)} ${`${ours.completed} / ${ours.failed}`.padStart(14)}   ${`${sipp.completed} / ${sipp.failed}`.padStart(14)}`,
  );
  row('wall time', ours.wallMs, sipp.wallMs, 'ms', 0);
  row('calls per second', (ours.completed * 1000) / ours.wallMs, (sipp.completed * 1000) / sipp.wallMs, '', 1);
  row('CPU time per call', perCall(ours, ours.cpuMs), perCall(sipp, sipp.cpuMs), 'ms', 3);
  row('  of it main thread', perCall(ours, ours.threadCpu?.mainMs), undefined, 'ms', 3);
  row('  media worker', perCall(ours, ours.threadCpu?.exitedMs), undefined, 'ms', 3);
  row('  other threads (V8 GC, JIT)', perCall(ours, ours.threadCpu?.othersMs), undefined, 'ms', 3);
  row('peak RSS', ours.peakRssMb, sipp.peakRssMb, 'MB', 1);
  row('event-loop delay p99', ours.loopDelayP99Ms, undefined, 'ms', 2);
  const perUasCall = (figures: Figures) => (figures.uasCpuMs === undefined || figures.uasCalls === 0 ? undefined : figures.uasCpuMs / figures.uasCalls);
  row('far-end sipp UAS CPU per call', perUasCall(ours), perUasCall(sipp), 'ms', 3);
  const cold = coldRate(ours);
  if (cold !== undefined) console.log(`ringcast warm-up before it: ${ours.warmup!.completed} calls at ${cold.toFixed(1)} calls/s (cold, not measured)`);
  if (ours.meanAnsweredMs !== undefined && ours.meanEndedMs !== undefined) {
    console.log(
      `ringcast per call, mean: ${ours.meanAnsweredMs.toFixed(1)} ms from dial to answered (with ${HOLD_MS} ms of detection), ` +
        `${ours.meanEndedMs.toFixed(1)} ms to ended; sipp UAC pauses ${HOLD_MS} ms`,
    );
  }
  for (const [who, figures] of [['ringcast', ours], ['sipp UAC', sipp]] as const) {
    for (const problem of figures.problems) console.log(`  ${who}: ${problem}`);
  }
}

/** Stops a UAS that should still be running (its CPU time is known once it has exited). */
async function stopUas(uas: SippRun, problems: string[]): Promise<void> {
  const code = uas.code();
  if (code !== undefined) problems.push(`sipp UAS exited before the end (${String(code)}): ${uas.output().slice(-1500)}`);
  await uas.stop();
}

/** Calls per second of our warm-up (the cold figure); undefined without one. */
function coldRate(figures: Figures): number | undefined {
  const warmup = figures.warmup;
  return warmup && warmup.completed > 0 ? (warmup.completed * 1000) / warmup.wallMs : undefined;
}

function mean(values: number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0) / values.length;
}


async function main(): Promise<void> {
  const missing = [onPath('sipp') ? undefined : 'sipp', (await ttsAvailable()) ? undefined : 'espeak-ng', onPath('bash') ? undefined : 'bash'].filter(
    (name): name is string => name !== undefined,
  );
  if (missing.length > 0) {
    console.log(`sip: SKIPPED, ${missing.join(' and ')} not installed (Debian: apt-get install sip-tester espeak-ng)`);
    return;
  }
  // Whatever happens, the run ends: at the deadline every sipp is stopped and the process exits.
  const deadline = setTimeout(() => {
    console.error(`sip: gave up after ${TIMEOUT_S} s (SIP_BENCH_TIMEOUT_S)`);
    void cleanUpSipp().finally(() => process.exit(1));
  }, TIMEOUT_S * 1000);
  deadline.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUpSipp().finally(() => process.exit(130)));
  }
  console.log(
    `sip: ${CALLS} calls, at most ${CONCURRENCY} at once, at most ${RATE} starts/s, each held ${HOLD_MS} ms after the answer, UDP on ${HOST}` +
      (WARMUP > 0 ? ` (ours after ${WARMUP} warm-up calls)` : ''),
  );
  try {
    const rates: { ours: number; sipp: number; cold: number | undefined; failed: number; sippFailed: number }[] = [];
    for (let run = 1; run <= RUNS; run++) {
      console.log(`\nrun ${run} of ${RUNS}`);
      const sipp = await runSippUac();
      const ours = await runOurs();
      printDetail(ours, sipp);
      rates.push({
        ours: (ours.completed * 1000) / ours.wallMs,
        sipp: (sipp.completed * 1000) / sipp.wallMs,
        cold: coldRate(ours),
        failed: ours.failed + (CALLS - ours.completed - ours.failed),
        sippFailed: sipp.failed,
      });
    }
    const value = median(rates.map((r) => r.ours));
    const baseline = median(rates.map((r) => r.sipp));
    const ratio = ratioOf(value, baseline)!;
    const failed = rates.reduce((sum, r) => sum + r.failed, 0);
    report(
      'sip',
      [
        {
          figure: `SIP call set-up to a sipp UAS on loopback (${CALLS} calls, ${CONCURRENCY} at once)`,
          value,
          baseline,
          unit: 'calls/s',
          baselineLabel: "sipp's own UAC",
          ratio,
          target: `>= 50% of sipp and >= ${MIN_CALLS_PER_S} calls/s, 0 failures`,
          pass: ratio >= 0.5 && value >= MIN_CALLS_PER_S && failed === 0,
          note: `median of ${RUNS} runs, ours (the build, dist/) each after ${WARMUP} warm-up calls; ours ${rates.map((r) => r.ours.toFixed(0)).join(', ')} calls/s (their warm-ups, cold: ${rates.map((r) => (r.cold === undefined ? '-' : r.cold.toFixed(0))).join(', ')}), sipp ${rates.map((r) => r.sipp.toFixed(0)).join(', ')}; calls failed or lost in all runs: ${failed} (sipp's UAC: ${rates.reduce((sum, r) => sum + r.sippFailed, 0)})`,
        },
      ],
      { calls: CALLS, concurrency: CONCURRENCY, rate: RATE, holdMs: HOLD_MS, runs: RUNS },
    );
  } finally {
    clearTimeout(deadline);
    await cleanUpSipp();
  }
}

await main();
