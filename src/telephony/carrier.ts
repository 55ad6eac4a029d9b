// The carrier port: everything the dialer needs from a telephone network, shaped around one call's life so that the
// simulated carrier and the SIP carrier (issue 5) are interchangeable. Dial with a ring timeout, see progress, learn
// whether a person or a machine answered, act on the answered call (speak, gather digits, transfer), hang up, and
// learn how the call ended.
import type { CancelSignal } from '../domain/cancellation.js';

/** Why an unanswered call ended; the dialer maps each to a call outcome (src/domain/outcome-policy.ts). */
export type DialFailure =
  | 'busy' //           SIP 486, 600
  | 'no_answer' //      SIP 408, 480, or our ring timeout
  | 'rejected' //       SIP 603
  | 'invalid_number' // SIP 404, 484
  | 'failed'; //        anything else (network, 5xx): transient

export type AnsweredBy = 'human' | 'machine';

export interface DialRequest {
  /** Our id for the call, for logs and carrier correlation. */
  callId: string;
  /** E.164 number to call. */
  to: string;
  /** E.164 caller ID (the campaign's CLI), presented in From / P-Asserted-Identity. */
  from: string;
  /** How long to let it ring before giving up; Ofcom expects at least 15 s. */
  ringTimeoutMs: number;
  /** Aborting cancels the attempt (before answer) or hangs up (after). */
  signal?: CancelSignal;
  /** Progress before answer. */
  onProgress?: (event: DialProgress) => void;
}

export type DialProgress = { kind: 'trying' } | { kind: 'ringing' };

export interface HangupInfo {
  /** Who ended the call. */
  by: 'us' | 'callee' | 'network';
  /** SIP status or Q.850 cause where the network gave one. */
  sipCode?: number;
  q850Cause?: number;
  reason?: string;
}

export interface SayOptions {
  voice?: string;
  language?: string;
}

export interface GatherOptions {
  /** Spoken first; digits pressed during it count (barge-in). */
  prompt?: string;
  maxDigits: number;
  /** How long to wait for the first (and each next) digit after the prompt. */
  timeoutMs: number;
  /** A key that ends input early, e.g. '#'. */
  finishOnKey?: string;
}

export type TransferResult = { kind: 'answered' } | { kind: 'failed'; failure: DialFailure };

/** Audio ready for the media path: the form uploads are stored in (src/media/audio). */
export interface PlayableAudio {
  durationMs: number;
  pcm8kMono: Int16Array;
}

/** An answered call. Every action resolves early with `hungUp: true` when the callee hangs up during it. */
export interface AnsweredCall {
  readonly answeredBy: AnsweredBy;
  /** How answeredBy was decided, for the call record (e.g. "machine: 3 words after 1.7 s"), when detection ran. */
  readonly detection?: string;
  /**
   * For a machine: resolves when its greeting has ended (the beep), so a voicemail message starts after it and is
   * not cut. For a person it resolves at once.
   */
  waitForGreetingEnd(): Promise<{ hungUp: boolean }>;
  say(text: string, options?: SayOptions): Promise<{ hungUp: boolean }>;
  gather(options: GatherOptions): Promise<{ digits: string; hungUp: boolean }>;
  transfer(to: string, ringTimeoutMs: number): Promise<TransferResult>;
  /** Plays uploaded audio (8 kHz mono 16-bit PCM, as stored); resolves when it has played or the callee hung up. */
  play(audio: PlayableAudio): Promise<{ hungUp: boolean }>;
  hangup(): Promise<void>;
  /** Resolves once when the call has ended, whoever ended it. */
  readonly ended: Promise<HangupInfo>;
  /**
   * From the answer to the start of the first audio we sent (speech, a prompt or a file), including the time spent
   * deciding who answered; undefined while nothing has been played. Ofcom's 2-second rule is judged on it.
   */
  readonly firstAudioAfterMs: number | undefined;
}

export type DialResult =
  | { kind: 'answered'; call: AnsweredCall }
  | { kind: 'failed'; failure: DialFailure; sipCode?: number; q850Cause?: number; reason: string };

/** Speech a call will begin with, for Carrier.prepare. */
export interface PreparedSpeech {
  text: string;
  options?: SayOptions;
}

export interface Carrier {
  /** Shown in logs and used for per-carrier pacing. */
  readonly name: string;
  dial(request: DialRequest): Promise<DialResult>;
  /**
   * Makes speech ready to play at once (rendered and cached) before a call that begins with it is placed, so that
   * rendering never delays the first audio past Ofcom's 2 seconds. Rejects when it cannot: the call is then not
   * placed. A carrier that speaks without rendering (the simulated one) has no prepare.
   */
  prepare?(speech: readonly PreparedSpeech[]): Promise<void>;
  /** Releases sockets and threads; the dialer calls it once its calls have ended. */
  close?(): Promise<void>;
}
