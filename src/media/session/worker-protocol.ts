// The messages between the media engine (main thread, media-engine.ts) and a media worker (media-worker.ts).
// Requests that expect an answer carry a requestId; the worker answers each exactly once with a `reply`. Sessions are
// numbered by the engine, so it can route a worker's events without asking.
import type { AmdDecision, AmdParams, DigitSource, MediaSessionStats, RemoteMedia } from './types.js';
import type { LatenessSummary } from './lateness-histogram.js';
import type { ThreadPriority } from './thread-priority.js';
import type { MessageBatch } from './message-batch.js';

export type MediaErrorCode =
  /** The worker thread died; its sessions are gone. */
  | 'MEDIA_WORKER_CRASHED'
  | 'MEDIA_ENGINE_CLOSED'
  | 'MEDIA_SESSION_CLOSED'
  | 'MEDIA_UNKNOWN_SESSION'
  /** start() was given an address, port or payload type that cannot be used. */
  | 'MEDIA_BAD_REMOTE'
  /** A detector parameter is out of range (a bug in the caller's settings). */
  | 'MEDIA_BAD_ARGUMENT'
  /** Every port tried in the range was taken. */
  | 'MEDIA_NO_PORT'
  /** The bind address cannot be bound at all (not a local address, no permission...). */
  | 'MEDIA_BIND_FAILED'
  | 'MEDIA_INTERNAL';

export interface PortRange {
  min: number;
  max: number;
}

export interface MediaWorkerOptions {
  /** RTP ports to try, even ones only; null binds port 0 (the system picks) until the port it gives is even. */
  portRange: PortRange | null;
  /** SO_RCVBUF asked for each RTP socket (the kernel caps it at net.core.rmem_max). */
  recvBufferBytes: number;
  /** The nice value the worker thread asks for (thread-priority.ts); 0 leaves it as it started. */
  niceness: number;
}

export type WorkerRequest =
  | { type: 'open'; requestId: number; sessionId: number; bindAddress: string }
  | { type: 'start'; sessionId: number; remote: RemoteMedia }
  /** `pcm` holds 16-bit samples (8 kHz mono) and is transferred, not copied. */
  | { type: 'play'; requestId: number; sessionId: number; pcm: ArrayBuffer }
  | { type: 'stopPlayback'; sessionId: number }
  | { type: 'detectAnsweringMachine'; requestId: number; sessionId: number; params: Partial<AmdParams> }
  | { type: 'waitForGreetingEnd'; requestId: number; sessionId: number; options: { silenceMs?: number; maxWaitMs?: number } }
  /** Digits are detected and posted only while the session has listeners. */
  | { type: 'listenForDigits'; sessionId: number; listening: boolean }
  | { type: 'stats'; requestId: number; sessionId: number }
  | { type: 'close'; requestId: number; sessionId: number }
  /** `reset` starts the lateness record afresh after reading it (to measure from a point in time). */
  | { type: 'diagnostics'; requestId: number; reset: boolean }
  /** Closes every session; the engine terminates the thread after the reply. */
  | { type: 'shutdown'; requestId: number }
  /** Throws an uncaught exception in the worker: lets tests prove a crash fails pending calls. */
  | { type: 'crash' };

/** MediaSessionStats and the finer counters behind them. */
export interface WorkerSessionStats extends MediaSessionStats {
  /** From the peer but not RTP (too short, wrong version, bad lengths). */
  packetsInvalid: number;
  packetsDuplicate: number;
  /** Arrived after the reorder buffer had given up on them (also counted in packetsLost). */
  packetsLate: number;
  /** Failed sends (e.g. the peer's port is closed). */
  sendErrors: number;
  /** Frames our sender skipped because it fell more than its burst limit behind (audio the far end never got). */
  framesSkipped: number;
}

export interface OpenedSession {
  localAddress: string;
  localPort: number;
}

export interface MediaWorkerDiagnostics {
  threadId: number;
  sessions: number;
  /** How late each frame went out against its due time, since the worker started or the last reset. */
  sendLateness: LatenessSummary;
  /** performance.eventLoopUtilization() of the worker since it started: the share of time it was busy. */
  eventLoopUtilization: number;
  /** The thread's CPU priority: what it asked for and got. */
  priority: ThreadPriority;
}

/** What each request's reply carries when it succeeds. */
export interface ReplyValues {
  open: OpenedSession;
  play: { completed: boolean };
  detectAnsweringMachine: AmdDecision;
  waitForGreetingEnd: { reason: 'beep' | 'silence' | 'timeout' };
  stats: WorkerSessionStats;
  close: null;
  diagnostics: MediaWorkerDiagnostics;
  shutdown: null;
}

export type WorkerEvent =
  | { type: 'ready'; priority: ThreadPriority }
  | { type: 'reply'; requestId: number; ok: true; value: unknown }
  | { type: 'reply'; requestId: number; ok: false; code: MediaErrorCode; message: string }
  | { type: 'digit'; sessionId: number; digit: string; source: DigitSource };

/** What crosses to the worker and back: one message, or a turn's messages together (message-batch.ts). */
export type WorkerRequestMessage = WorkerRequest | MessageBatch<WorkerRequest>;
export type WorkerEventMessage = WorkerEvent | MessageBatch<WorkerEvent>;
