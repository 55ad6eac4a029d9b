// The media engine on the main thread (the MediaEngine contract of types.ts): it starts the media worker threads,
// places each new session on the least loaded one, and turns calls on a MediaSession into messages to that worker,
// matching each reply to its request by id. A worker that dies fails every call waiting on it with
// MEDIA_WORKER_CRASHED (nothing hangs), its sessions stay failed, and a fresh worker takes its place for new
// sessions. close() shuts every worker down: their sockets close and no thread or timer is left behind.
//
// Loading the worker: from compiled JavaScript (dist/, plain node) the worker is media-worker.js beside this file;
// from TypeScript source (vitest, tsx) it is media-worker.ts, which the worker thread can only run with tsx's hooks
// registered in it (see createWorker). Paths are resolved from this file, never from the working directory.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import net from 'node:net';
import type { AmdDecision, AmdParams, DigitSource, MediaEngine, MediaSession, RemoteMedia } from './types.js';
import type { ThreadPriority } from './thread-priority.js';
import type {
  MediaErrorCode,
  MediaWorkerDiagnostics,
  MediaWorkerOptions,
  OpenedSession,
  PortRange,
  ReplyValues,
  WorkerEvent,
  WorkerEventMessage,
  WorkerRequest,
  WorkerSessionStats,
} from './worker-protocol.js';
import { forEachMessage, MessageBatcher } from './message-batch.js';

export type { MediaErrorCode, MediaWorkerDiagnostics, PortRange, WorkerSessionStats } from './worker-protocol.js';

/** The default RTP port range (the one Asterisk and FreeSWITCH ship with is similar). */
export const DEFAULT_RTP_PORT_RANGE: PortRange = Object.freeze({ min: 16384, max: 32767 });
/** SO_RCVBUF asked for each RTP socket; the kernel caps it at net.core.rmem_max. */
export const DEFAULT_RECV_BUFFER_BYTES = 1024 * 1024;
/** How long close() waits for a worker to close its sockets before terminating it anyway. */
const SHUTDOWN_TIMEOUT_MS = 2000;

export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface MediaEngineOptions {
  /** Worker threads (default 1); sessions are spread over them. */
  workers?: number;
  /** RTP ports to bind (default 16384-32767); null lets the system pick (any free even port). */
  portRange?: PortRange | null;
  /** SO_RCVBUF per RTP socket (default 1 MiB, capped by the kernel). */
  recvBufferBytes?: number;
  /** The nice value each worker thread asks for (default 0: as started; MEDIA_WORKER_NICE, thread-priority.ts). */
  niceness?: number;
}

/** A MediaEngine with per-worker measurements (benchmarks, health checks) and a crash switch for tests. */
export interface WorkerMediaEngine extends MediaEngine {
  openSession(options: { bindAddress: string }): Promise<WorkerMediaSession>;
  /** One entry per running worker; `reset` clears the timer-lateness record after reading it. */
  diagnostics(options?: { reset?: boolean }): Promise<MediaWorkerDiagnostics[]>;
  /** Makes worker `index` throw an uncaught exception (tests prove nothing hangs when a worker dies). */
  crashWorkerForTests(index: number): void;
  /** The CPU priority the first worker asked for and got (every worker asks for the same). */
  readonly priority: ThreadPriority;
}

export interface WorkerMediaSession extends MediaSession {
  stats(): Promise<WorkerSessionStats>;
}

export async function startMediaEngine(options: MediaEngineOptions = {}): Promise<WorkerMediaEngine> {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer (got ${workers})`);
  const portRange = options.portRange === undefined ? DEFAULT_RTP_PORT_RANGE : options.portRange;
  if (portRange && !isPortRange(portRange)) {
    throw new RangeError(`portRange must be integers with 1 <= min < max <= 65535 (got ${portRange.min}-${portRange.max})`);
  }
  const workerOptions: MediaWorkerOptions = {
    portRange: portRange ? { min: portRange.min, max: portRange.max } : null,
    recvBufferBytes: options.recvBufferBytes ?? DEFAULT_RECV_BUFFER_BYTES,
    niceness: options.niceness ?? 0,
  };
  if (!Number.isInteger(workerOptions.niceness) || workerOptions.niceness < -20 || workerOptions.niceness > 19) {
    throw new RangeError(`niceness must be an integer from -20 to 19 (got ${workerOptions.niceness})`);
  }
  const engine = new Engine(workerOptions);
  try {
    await engine.startWorkers(workers);
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

/** How to start the worker thread: its compiled file, or TypeScript source behind a bootstrap that loads tsx. */
function createWorker(workerData: MediaWorkerOptions): Worker {
  const here = import.meta.url;
  if (new URL(here).pathname.endsWith('.js')) return new Worker(new URL('./media-worker.js', here), { workerData });
  // tsx's --import hook registers itself on the main thread only under Node 20 (a worker started with
  // execArgv ['--import', 'tsx'] still fails with "Unknown file extension .ts"), so the worker registers tsx's ESM
  // hooks itself, through tsx's API, before importing the source. Both are resolved from this file.
  const workerUrl = new URL('./media-worker.ts', here).href;
  const tsxApiUrl = tsxEsmApiUrl(here);
  const bootstrap = `import(${JSON.stringify(tsxApiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The ESM entry of 'tsx/esm/api', read from tsx's package exports (require.resolve would give its CommonJS twin). */
function tsxEsmApiUrl(from: string): string {
  const packageJsonPath = createRequire(from).resolve('tsx/package.json');
  type Manifest = { exports: Record<string, { import: { default: string } }> };
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as Manifest;
  const entry = manifest.exports['./esm/api']?.import.default;
  if (entry === undefined) throw new Error(`tsx at ${packageJsonPath} has no ESM API ('tsx/esm/api')`);
  return new URL(entry, pathToFileURL(packageJsonPath)).href;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type RequestBody<K extends keyof ReplyValues> = Omit<Extract<WorkerRequest, { type: K }>, 'requestId'>;

/** One worker thread and what waits on it. */
class WorkerSlot {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly sessions = new Map<number, EngineSession>();
  /** The thread's CPU priority, from its ready message. */
  priority: ThreadPriority | undefined;
  private readonly pending = new Map<number, Pending>();
  private alive = true;
  private shuttingDown = false;
  private lastError: Error | null = null;
  private readonly exited: Promise<void>;
  /** Requests go to the worker gathered per event-loop turn (message-batch.ts). */
  private readonly outbox: MessageBatcher<WorkerRequest>;

  constructor(
    options: MediaWorkerOptions,
    private readonly nextRequestId: () => number,
    private readonly onDeath: (slot: WorkerSlot) => void,
  ) {
    this.worker = createWorker(options);
    this.outbox = new MessageBatcher(this.worker);
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    let becameReady = false;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = () => {
        becameReady = true;
        resolve();
      };
      failReady = reject;
    });
    this.ready.catch(() => {}); // a replacement nobody waits for must not be an unhandled rejection
    const handle = (event: WorkerEvent) => {
      if (event.type === 'ready') {
        this.priority = event.priority;
        markReady();
      } else if (event.type === 'reply') this.settle(event);
      else if (event.type === 'digit') this.sessions.get(event.sessionId)?.emitDigit(event.digit, event.source);
    };
    this.worker.on('message', (message: WorkerEventMessage) => forEachMessage(message, handle));
    this.worker.on('error', (error) => {
      this.lastError = error;
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.on('exit', (exitCode) => {
        this.alive = false;
        const why = this.lastError ? `: ${this.lastError.message}` : '';
        const error = this.shuttingDown
          ? new MediaError('MEDIA_ENGINE_CLOSED', 'the media engine was closed')
          : new MediaError('MEDIA_WORKER_CRASHED', `a media worker exited (code ${exitCode})${why}`);
        failReady(error);
        for (const pending of this.pending.values()) pending.reject(error);
        this.pending.clear();
        for (const session of this.sessions.values()) session.fail(error);
        this.sessions.clear();
        // A worker that never started (its code does not load) is not replaced: that would only loop.
        if (!this.shuttingDown && becameReady) this.onDeath(this);
        resolve();
      });
    });
  }

  get isAlive(): boolean {
    return this.alive && !this.shuttingDown;
  }

  request<K extends keyof ReplyValues>(body: RequestBody<K>, transfer: ArrayBuffer[] = []): Promise<ReplyValues[K]> {
    if (!this.alive) return Promise.reject(new MediaError('MEDIA_WORKER_CRASHED', 'the media worker is gone'));
    const requestId = this.nextRequestId();
    return new Promise<ReplyValues[K]>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      this.outbox.post({ ...body, requestId } as WorkerRequest, transfer);
    });
  }

  /** A message that expects no reply. */
  send(message: WorkerRequest): void {
    if (this.alive) this.outbox.post(message);
  }

  async shutdown(): Promise<void> {
    if (this.shuttingDown) return this.exited;
    const wasAlive = this.alive;
    this.shuttingDown = true;
    if (wasAlive) {
      const requestId = this.nextRequestId();
      const closedSockets = new Promise<void>((resolve) => {
        this.pending.set(requestId, { resolve: () => resolve(), reject: () => resolve() });
        this.outbox.post({ type: 'shutdown', requestId });
        this.outbox.flush();
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS)));
      await Promise.race([closedSockets, timeout]);
      clearTimeout(timer);
      await this.worker.terminate();
    }
    await this.exited;
  }

  private settle(event: Extract<WorkerEvent, { type: 'reply' }>): void {
    const pending = this.pending.get(event.requestId);
    if (!pending) return;
    this.pending.delete(event.requestId);
    if (event.ok) pending.resolve(event.value);
    else pending.reject(new MediaError(event.code, event.message));
  }
}

class Engine implements WorkerMediaEngine {
  private readonly slots: WorkerSlot[] = [];
  private requestCounter = 0;
  private sessionCounter = 0;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: MediaWorkerOptions) {}

  async startWorkers(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.slots.push(this.spawn());
    await Promise.all(this.slots.map((slot) => slot.ready));
  }

  async openSession(options: { bindAddress: string }): Promise<WorkerMediaSession> {
    if (this.closing) throw new MediaError('MEDIA_ENGINE_CLOSED', 'the media engine is closed');
    if (net.isIP(options.bindAddress) === 0) {
      throw new MediaError('MEDIA_BIND_FAILED', `bind address must be an IP address (got "${options.bindAddress}")`);
    }
    const slot = this.leastLoaded();
    await slot.ready;
    const sessionId = ++this.sessionCounter;
    const opened: OpenedSession = await slot.request<'open'>({ type: 'open', sessionId, bindAddress: options.bindAddress });
    const session = new EngineSession(slot, sessionId, opened);
    if (slot.isAlive) slot.sessions.set(sessionId, session);
    else session.fail(new MediaError('MEDIA_WORKER_CRASHED', 'the media worker is gone'));
    return session;
  }

  async diagnostics(options: { reset?: boolean } = {}): Promise<MediaWorkerDiagnostics[]> {
    const reset = options.reset ?? false;
    const running = this.slots.filter((slot) => slot.isAlive);
    return Promise.all(running.map((slot) => slot.request<'diagnostics'>({ type: 'diagnostics', reset })));
  }

  crashWorkerForTests(index: number): void {
    this.slots[index]?.send({ type: 'crash' });
  }

  get priority(): ThreadPriority {
    return this.slots.find((slot) => slot.priority)?.priority ?? { asked: this.options.niceness, niceness: null, applied: false, reason: 'no worker has started' };
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(this.slots.map((slot) => slot.shutdown())).then(() => undefined);
    return this.closing;
  }

  private spawn(): WorkerSlot {
    return new WorkerSlot(this.options, () => ++this.requestCounter, (dead) => this.replace(dead));
  }

  /** A crashed worker is replaced at once, so later sessions have somewhere to go. */
  private replace(dead: WorkerSlot): void {
    const index = this.slots.indexOf(dead);
    if (index >= 0 && !this.closing) this.slots[index] = this.spawn();
  }

  private leastLoaded(): WorkerSlot {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) {
      if (slot.isAlive && (!best || slot.sessions.size < best.sessions.size)) best = slot;
    }
    if (!best) throw new MediaError('MEDIA_WORKER_CRASHED', 'no media worker is running');
    return best;
  }
}

class EngineSession implements WorkerMediaSession {
  readonly localAddress: string;
  readonly localPort: number;
  /** Why the session can no longer be used: its worker died (fail()). */
  private failure: MediaError | null = null;
  /**
   * close() was called. The error a closed session throws is made only when something is called on it: an Error
   * captures a stack trace, and making one on every close was 1.6% of the main thread in bench/sip.ts (~10 us a call).
   */
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly digitListeners = new Set<(digit: string, source: DigitSource) => void>();
  /** play() requests the worker has not answered yet: only while one is, is there playback to stop. */
  private playsInFlight = 0;

  constructor(
    private readonly slot: WorkerSlot,
    private readonly sessionId: number,
    opened: OpenedSession,
  ) {
    this.localAddress = opened.localAddress;
    this.localPort = opened.localPort;
  }

  start(remote: RemoteMedia): void {
    this.throwIfUnusable();
    const problem = remoteProblem(remote);
    if (problem) throw new MediaError('MEDIA_BAD_REMOTE', problem);
    const { address, port, codec, payloadType } = remote;
    const copy: RemoteMedia = { address, port, codec, payloadType };
    if (remote.dtmfPayloadType !== undefined) copy.dtmfPayloadType = remote.dtmfPayloadType;
    this.slot.send({ type: 'start', sessionId: this.sessionId, remote: copy });
  }

  async play(pcm8k: Int16Array): Promise<{ completed: boolean }> {
    this.throwIfUnusable();
    // The samples are copied, then the copy's buffer is moved to the worker: the caller may keep (and cache) its array.
    const pcm = pcm8k.slice().buffer;
    this.playsInFlight++;
    return this.slot.request<'play'>({ type: 'play', sessionId: this.sessionId, pcm }, [pcm]).finally(() => this.playsInFlight--);
  }

  /**
   * Stops what plays and drops what is queued. With no play() unanswered the worker has nothing to stop, and no
   * message is sent: a call's end asks for it twice (hang-up, then the end itself) whether or not anything played,
   * and messages to the worker were 7.5% of the main thread's profile in bench/sip.ts (about 13 us each).
   */
  stopPlayback(): void {
    if (!this.unusable && this.playsInFlight > 0) this.slot.send({ type: 'stopPlayback', sessionId: this.sessionId });
  }

  async detectAnsweringMachine(params: Partial<AmdParams> = {}): Promise<AmdDecision> {
    this.throwIfUnusable();
    const sessionId = this.sessionId;
    return this.slot.request<'detectAnsweringMachine'>({ type: 'detectAnsweringMachine', sessionId, params: { ...params } });
  }

  async waitForGreetingEnd(options: { silenceMs?: number; maxWaitMs?: number } = {}): Promise<ReplyValues['waitForGreetingEnd']> {
    this.throwIfUnusable();
    const sessionId = this.sessionId;
    return this.slot.request<'waitForGreetingEnd'>({ type: 'waitForGreetingEnd', sessionId, options: { ...options } });
  }

  onDigit(listener: (digit: string, source: DigitSource) => void): () => void {
    this.digitListeners.add(listener);
    if (this.digitListeners.size === 1 && !this.unusable) {
      this.slot.send({ type: 'listenForDigits', sessionId: this.sessionId, listening: true });
    }
    return () => {
      if (!this.digitListeners.delete(listener) || this.digitListeners.size > 0 || this.unusable) return;
      this.slot.send({ type: 'listenForDigits', sessionId: this.sessionId, listening: false });
    };
  }

  async stats(): Promise<WorkerSessionStats> {
    this.throwIfUnusable();
    return this.slot.request<'stats'>({ type: 'stats', sessionId: this.sessionId });
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  /** Called by the worker slot. */
  emitDigit(digit: string, source: DigitSource): void {
    for (const listener of [...this.digitListeners]) listener(digit, source);
  }

  /** Called by the worker slot when the worker is gone. */
  fail(error: MediaError): void {
    this.failure ??= error;
    this.digitListeners.clear();
  }

  private get unusable(): boolean {
    return this.failure !== null || this.closed;
  }

  private throwIfUnusable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new MediaError('MEDIA_SESSION_CLOSED', 'the media session is closed');
  }

  private async closeOnce(): Promise<void> {
    const alreadyFailed = this.failure !== null;
    this.closed = true;
    this.digitListeners.clear();
    this.slot.sessions.delete(this.sessionId);
    if (alreadyFailed) return; // the worker and the socket are gone already
    // A worker that dies meanwhile has closed the socket with it: closing has succeeded either way.
    await this.slot.request<'close'>({ type: 'close', sessionId: this.sessionId }).catch(() => {});
  }
}

function remoteProblem(remote: RemoteMedia): string | null {
  if (net.isIP(remote.address) === 0) return `remote address must be an IP address (got "${remote.address}")`;
  if (!Number.isInteger(remote.port) || remote.port < 1 || remote.port > 65535) {
    return `remote port ${remote.port} is not in 1..65535`;
  }
  if (remote.codec !== 'PCMU' && remote.codec !== 'PCMA') return `codec ${String(remote.codec)} is not G.711`;
  if (!isPayloadType(remote.payloadType)) return `payload type ${remote.payloadType} is not in 0..127`;
  if (remote.dtmfPayloadType !== undefined) {
    if (!isPayloadType(remote.dtmfPayloadType)) {
      return `telephone-event payload type ${remote.dtmfPayloadType} is not in 0..127`;
    }
    if (remote.dtmfPayloadType === remote.payloadType) {
      return `telephone-event and audio share payload type ${remote.payloadType}`;
    }
  }
  return null;
}

function isPortRange(range: PortRange): boolean {
  const { min, max } = range;
  return Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max <= 65535 && min < max;
}

function isPayloadType(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 127;
}
