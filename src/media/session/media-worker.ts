// A media worker thread: owns the UDP sockets of many calls and paces all their RTP streams with one timer, off the
// main event loop (a blocking database call there must never stall audio). Started by media-engine.ts with
// MediaWorkerOptions as workerData; speaks the messages of worker-protocol.ts.
//
// Pacing: one timeout, set for the earliest frame due across all sessions (kept in a DueQueue, so a wake-up touches
// only the sessions that are due); each wake-up sends every frame due by then
// (plus PACING_TOLERANCE_MS, so streams whose frames fall a fraction of a millisecond apart share a wake-up instead of
// each costing one). Each stream computes its own due times from its start (rtp-sender.ts), so the timer's lateness
// delays a packet but never accumulates.
//
// Frames also go out between received datagrams: after each one the worker looks at the earliest frame due and,
// when it has come due, sends what is due then. A timer runs only when the loop comes round to its timers phase, and
// with hundreds of calls a poll phase handles hundreds of echoed datagrams first (one each 20 ms per call): measured
// at 1,000 calls on two cores, frames went out 46-135 ms late (p99) while the timer's own wake-ups were 7.7 ms late at
// p99 (a wake-up stalled behind receives carried a whole round of frames). The timer stays for when nothing is
// received. Lateness is recorded per frame: how long after its due time it went out (a histogram,
// lateness-histogram.ts); the earlier diagnostic, how late each timer wake-up ran, hid those frames.
import { isMainThread, parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import dgram from 'node:dgram';
import os from 'node:os';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { RtpSession } from './rtp-session.js';
import { DueQueue } from '../../domain/due-queue.js';
import { FRAME_DURATION_MS } from '../rtp/rtp-sender.js';
import { LatenessHistogram } from './lateness-histogram.js';
import { FramePhases } from './frame-phases.js';
import { applyThreadNiceness, type ThreadPriority } from './thread-priority.js';
import type { RemoteMedia } from './types.js';
import type {
  MediaErrorCode,
  MediaWorkerDiagnostics,
  MediaWorkerOptions,
  OpenedSession,
  PortRange,
  WorkerEvent,
  WorkerRequest,
  WorkerRequestMessage,
} from './worker-protocol.js';
import { forEachMessage, MessageBatcher } from './message-batch.js';
import { closeQuietly, idleLimitFor, RtpSocketPool, type PooledSocket } from './rtp-socket-pool.js';

/** Frames due this soon are sent in the current wake-up (a packet up to 1 ms early is harmless). */
const PACING_TOLERANCE_MS = 1;
/** Ports tried before giving up on a range. */
const MAX_BIND_ATTEMPTS = 512;

class BindError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

class MediaWorker {
  private readonly sessions = new Map<number, RtpSession>();
  /** The sending sessions by next frame due; a closed session leaves it when it comes up. */
  private readonly due = new DueQueue<RtpSession>();
  private readonly queued = new Set<RtpSession>();
  /** Streams spread over the frame interval: each started session's first frame time, kept to release its phase. */
  private readonly phases = new FramePhases(FRAME_DURATION_MS);
  private readonly phaseOf = new Map<RtpSession, number>();
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Infinity;
  /** How late each frame went out (diagnostics). */
  private readonly lateness = new LatenessHistogram();
  /** Event-loop utilisation is reported since the worker started, or since the last diagnostics reset. */
  private startedLoop = performance.eventLoopUtilization();
  /** This thread's own CPU priority, asked for as the worker starts (thread-priority.ts). */
  private readonly priority: ThreadPriority;
  private readonly outbox: MessageBatcher<WorkerEvent>;
  /** Sockets of ended calls, for later calls on the same bind address. */
  private readonly sockets: RtpSocketPool;
  /** The bind address each session's socket was asked for: where its socket goes back to when the call ends. */
  private readonly bindAddressOf = new Map<RtpSession, string>();

  constructor(
    private readonly port: MessagePort,
    private readonly options: MediaWorkerOptions,
  ) {
    this.outbox = new MessageBatcher(port);
    this.sockets = new RtpSocketPool(() => performance.now(), {
      maxIdle: idleLimitFor(options.portRange ? evenPortCount(options.portRange) : null),
    });
    this.priority = applyThreadNiceness(options.niceness, {
      platform: process.platform,
      setPriority: (priority) => os.setPriority(priority),
      getPriority: () => os.getPriority(),
    });
  }

  run(): void {
    const handle = (request: WorkerRequest) => {
      this.handle(request).catch((error: unknown) => {
        if ('requestId' in request) this.fail(request.requestId, 'MEDIA_INTERNAL', String((error as Error)?.message ?? error));
      });
    };
    this.port.on('message', (message: WorkerRequestMessage) => forEachMessage(message, handle));
    this.post({ type: 'ready', priority: this.priority });
  }

  /** Events go to the main thread gathered per event-loop turn (message-batch.ts). */
  private post(event: WorkerEvent): void {
    this.outbox.post(event);
  }

  private reply(requestId: number, value: unknown): void {
    this.post({ type: 'reply', requestId, ok: true, value });
  }

  private fail(requestId: number, code: MediaErrorCode, message: string): void {
    this.post({ type: 'reply', requestId, ok: false, code, message });
  }

  private async handle(request: WorkerRequest): Promise<void> {
    switch (request.type) {
      case 'open':
        return this.open(request.requestId, request.sessionId, request.bindAddress);
      case 'diagnostics':
        this.reply(request.requestId, this.diagnostics());
        if (request.reset) {
          this.lateness.reset();
          this.startedLoop = performance.eventLoopUtilization();
        }
        return;
      case 'shutdown':
        await Promise.all([...this.sessions.values()].map((session) => session.close()));
        for (const session of this.sessions.values()) this.releasePhase(session);
        this.sessions.clear();
        this.bindAddressOf.clear();
        await this.sockets.closeAll();
        this.due.clear();
        this.queued.clear();
        this.schedule();
        return this.reply(request.requestId, null);
      case 'crash':
        setImmediate(() => {
          throw new Error('media worker crash requested (test)');
        });
        return;
    }
    const session = this.sessions.get(request.sessionId);
    if (!session) {
      if ('requestId' in request) {
        this.fail(request.requestId, 'MEDIA_UNKNOWN_SESSION', `no media session ${request.sessionId} in this worker`);
      }
      return;
    }
    switch (request.type) {
      case 'start':
        this.start(session, request.remote);
        if (session.sending && !this.queued.has(session)) {
          this.queued.add(session);
          this.due.push(session, session.nextDueMs());
        }
        return this.schedule();
      case 'play':
        session.play(request.requestId, new Int16Array(request.pcm));
        return;
      case 'stopPlayback':
        return session.stopPlayback();
      case 'detectAnsweringMachine':
        return session.detectAnsweringMachine(request.requestId, request.params);
      case 'waitForGreetingEnd':
        return session.waitForGreetingEnd(request.requestId, request.options);
      case 'listenForDigits':
        return session.listenForDigits(request.listening);
      case 'stats':
        return this.reply(request.requestId, session.stats());
      case 'close': {
        this.sessions.delete(request.sessionId);
        this.releasePhase(session);
        const bindAddress = this.bindAddressOf.get(session)!;
        this.bindAddressOf.delete(session);
        const socket = session.release();
        if (socket) this.sockets.give(bindAddress, { socket, address: session.local });
        this.schedule();
        return this.reply(request.requestId, null);
      }
    }
  }

  /** Starts a session's stream; its first start gets the least used phase of the frame interval (frame-phases.ts). */
  private start(session: RtpSession, remote: RemoteMedia): void {
    if (this.phaseOf.has(session)) return session.start(remote);
    const firstFrameAtMs = this.phases.take(performance.now());
    session.start(remote, firstFrameAtMs);
    if (session.sending) this.phaseOf.set(session, firstFrameAtMs);
    else this.phases.release(firstFrameAtMs);
  }

  private releasePhase(session: RtpSession): void {
    const firstFrameAtMs = this.phaseOf.get(session);
    if (firstFrameAtMs === undefined) return;
    this.phaseOf.delete(session);
    this.phases.release(firstFrameAtMs);
  }

  private async open(requestId: number, sessionId: number, bindAddress: string): Promise<void> {
    let bound: PooledSocket;
    try {
      bound = this.sockets.take(bindAddress) ?? (await bindRtpSocket(bindAddress, this.options));
    } catch (error) {
      const code = error instanceof BindError ? error.code : 'MEDIA_BIND_FAILED';
      // Every port taken, some by ended calls' sockets still in quarantine: one of those serves.
      const kept = code === 'MEDIA_NO_PORT' ? this.sockets.take(bindAddress, true) : undefined;
      if (!kept) return this.fail(requestId, code, (error as Error).message);
      bound = kept;
    }
    const session = new RtpSession(
      bound.socket,
      bound.address,
      {
        reply: (id, value) => this.reply(id, value),
        fail: (id, code, message) => this.fail(id, code, message),
        digit: (digit, source) => this.post({ type: 'digit', sessionId, digit, source }),
        received: this.sendIfDue,
      },
      () => performance.now(),
    );
    this.sessions.set(sessionId, session);
    this.bindAddressOf.set(session, bindAddress);
    const opened: OpenedSession = { localAddress: session.local.address, localPort: session.local.port };
    this.reply(requestId, opened);
  }

  /** (Re)arms the single pacing timer for the earliest frame due; no sending session, no timer. */
  private schedule(): void {
    const earliestMs = this.due.peekDueMs();
    if (earliestMs === Infinity) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.timerDueMs = Infinity;
      return;
    }
    if (this.timer && this.timerDueMs <= earliestMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueMs = earliestMs;
    this.timer = setTimeout(() => this.wake(), Math.max(0, earliestMs - performance.now()));
  }

  private wake(): void {
    this.timer = null;
    this.timerDueMs = Infinity;
    this.sendDue(performance.now());
    this.schedule();
  }

  /** Between received datagrams: sends the frames that have come due since the last round, if any. */
  private readonly sendIfDue = (): void => {
    const nowMs = performance.now();
    if (this.due.peekDueMs() > nowMs) return;
    this.sendDue(nowMs);
    this.schedule();
  };

  /** Sends every frame due by `nowMs` (and the tolerance), recording how late each went out. */
  private sendDue(nowMs: number): void {
    const limitMs = nowMs + PACING_TOLERANCE_MS;
    while (this.due.peekDueMs() <= limitMs) {
      const { item: session, dueMs } = this.due.pop()!;
      if (!session.sending) {
        this.queued.delete(session);
        continue;
      }
      // The frames this tick sends are due 20 ms apart from dueMs (a late worker sends a few at once); each is late by
      // the time it goes out, read per session (a round after a stall sends hundreds, ~12 us each).
      const sentAtMs = performance.now();
      for (let frameDueMs = dueMs; frameDueMs <= limitMs; frameDueMs += FRAME_DURATION_MS) this.lateness.add(sentAtMs - frameDueMs);
      session.tick(limitMs);
      // tick sends every frame due by limitMs, so the next one is later; the max only guards against a loop.
      this.due.push(session, Math.max(session.nextDueMs(), limitMs + 1));
    }
  }

  private diagnostics(): MediaWorkerDiagnostics {
    return {
      threadId,
      sessions: this.sessions.size,
      sendLateness: this.lateness.summary(),
      eventLoopUtilization: performance.eventLoopUtilization(this.startedLoop).utilization,
      priority: this.priority,
    };
  }
}

/**
 * Binds a UDP socket on an even port of the range (RFC 3550 section 11: RTP on an even port, RTCP on the next odd
 * one), starting at a random even port and walking up with wrap-around, so that workers and processes sharing a range
 * rarely collide. Without a range, port 0: the system picks, and an odd pick is retried.
 */
async function bindRtpSocket(bindAddress: string, options: MediaWorkerOptions): Promise<PooledSocket> {
  const family = net.isIPv6(bindAddress) ? 'udp6' : 'udp4';
  const range = options.portRange;
  const candidates = range ? evenPorts(range) : null;
  const attempts = candidates ? Math.min(candidates.count, MAX_BIND_ATTEMPTS) : MAX_BIND_ATTEMPTS;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = candidates ? candidates.at(attempt) : 0;
    const socket = dgram.createSocket({ type: family, recvBufferSize: options.recvBufferBytes });
    const outcome = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      socket.once('error', resolve);
      socket.bind({ port, address: bindAddress, exclusive: true }, () => {
        socket.off('error', resolve);
        resolve(null);
      });
    });
    if (outcome === null) {
      const address = socket.address();
      if (address.port % 2 === 0) return { socket, address };
    }
    closeQuietly(socket);
    if (outcome !== null && outcome.code !== 'EADDRINUSE' && outcome.code !== 'EACCES') {
      throw new BindError('MEDIA_BIND_FAILED', `cannot bind ${bindAddress}: ${outcome.message}`);
    }
  }
  const where = range ? `${range.min}-${range.max}` : 'from the system';
  throw new BindError('MEDIA_NO_PORT', `no free even UDP port on ${bindAddress} (${where}) after ${attempts} attempts`);
}

const firstEvenPort = (range: PortRange): number => (range.min % 2 === 0 ? range.min : range.min + 1);

function evenPortCount(range: PortRange): number {
  return Math.max(0, Math.floor((range.max - firstEvenPort(range)) / 2) + 1);
}

function evenPorts(range: PortRange): { count: number; at(index: number): number } {
  const first = firstEvenPort(range);
  const count = evenPortCount(range);
  const offset = Math.floor(Math.random() * count);
  return { count, at: (index) => first + 2 * ((offset + index) % count) };
}

if (!isMainThread && parentPort) {
  new MediaWorker(parentPort, workerData as MediaWorkerOptions).run();
}
