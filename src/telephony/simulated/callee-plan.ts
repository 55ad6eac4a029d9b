// What a simulated callee will do, decided before the call is placed: pure functions of the carrier's settings, its
// seed, the number dialled and the call id (no clock, no I/O). The simulated carrier then plays the plan out in the
// clock's time (simulated-carrier.ts, simulated-call.ts).

import type { AnsweredBy, DialFailure } from '../carrier.js';
import { attemptNumberOf } from '../call-id.js';
import { Rng } from './prng.js';
import {
  behaviourForAttempt,
  SCRIPTED_EARLY_FAILURE_MS,
  SCRIPTED_RING_MS,
  testNumberScript,
  type CalleeBehaviour,
} from './test-numbers.js';

/** Relative weights of what happens to a number that is not a test number. They need not sum to 1 or 100. */
export interface OutcomeMix {
  human: number;
  machine: number;
  busy: number;
  noAnswer: number;
  failed: number;
  rejected: number;
}

export const DEFAULT_OUTCOME_MIX: Readonly<OutcomeMix> = Object.freeze({
  human: 55,
  busy: 10,
  noAnswer: 15,
  machine: 12,
  failed: 5,
  rejected: 3,
});

export interface MsRange {
  minMs: number;
  maxMs: number;
}

/** How simulated callees and the simulated network take their time. Ranges are drawn uniformly. */
export interface TalkSettings {
  /** Ringing before a person or a machine answers; at or beyond the ring timeout the call is unanswered. */
  answerRingMs: MsRange;
  /** Ringing before a person declines (603). */
  rejectRingMs: MsRange;
  /** Time to a busy, invalid-number or transient-failure reply; these never ring. */
  earlyFailureMs: MsRange;
  /** An answering machine's greeting, up to its beep. */
  greetingMs: MsRange;
  /** A machine hangs up this long after its beep (its recording limit). */
  machineRecordMaxMs: number;
  /** Share of randomly answering people who hang up part way (the rest listen until we hang up). */
  humanHangUpProbability: number;
  /** When such a person hangs up, counted from the answer. */
  humanHangUpAfterMs: MsRange;
  /**
   * From a person's answer to the earliest moment our audio can reach them (a modelled answer detection or media
   * set-up); over 2 s the call is abandoned (Ofcom). Default: at once.
   */
  humanMediaDelayMs: MsRange;
  /** Speaking rate of text-to-speech: a say() lasts words / wordsPerMinute. */
  wordsPerMinute: number;
  /** The shortest say(), however short its text. */
  minSayMs: number;
  /** A person starts pressing keys this long after a gather's prompt has ended. */
  keyDelayMs: number;
  /** Time between two keys a person presses in one gather. */
  interDigitMs: number;
  /**
   * Keys a randomly answering person presses in each gather, with the probability of each ('1': 0.4 presses 1 in
   * 40% of gathers); with the remaining probability they press nothing. Default: nothing is ever pressed.
   */
  keypresses: Readonly<Record<string, number>>;
}

export const DEFAULT_TALK: Readonly<TalkSettings> = Object.freeze({
  answerRingMs: { minMs: 2_000, maxMs: 20_000 },
  rejectRingMs: { minMs: 2_000, maxMs: 10_000 },
  earlyFailureMs: { minMs: 300, maxMs: 2_000 },
  greetingMs: { minMs: 5_000, maxMs: 20_000 },
  machineRecordMaxMs: 120_000,
  humanHangUpProbability: 0.1,
  humanHangUpAfterMs: { minMs: 2_000, maxMs: 30_000 },
  humanMediaDelayMs: { minMs: 0, maxMs: 0 },
  wordsPerMinute: 150,
  minSayMs: 1_000,
  keyDelayMs: 1_500,
  interDigitMs: 300,
  keypresses: {},
});

/** A call's plan: the callee's behaviour on this attempt, with every duration drawn. */
export type CallPlan = { source: 'script' | 'mix' } & (
  | { outcome: 'busy' | 'invalid_number' | 'failed'; replyAfterMs: number }
  | { outcome: 'no_answer' }
  | { outcome: 'rejected'; ringMs: number }
  | { outcome: 'machine'; ringMs: number; greetingMs: number }
  | {
      outcome: 'human';
      ringMs: number;
      hangUpAfterMs: number | undefined;
      /** Digits per gather, or 'random' to draw them from TalkSettings.keypresses. */
      keys: readonly string[] | 'random';
      transfer: 'answered' | DialFailure | undefined;
      /** Answer to the earliest moment our audio can start (a modelled answer detection); absent: at once. */
      mediaDelayMs?: number;
    }
);

export type AnsweredPlan = Extract<CallPlan, { outcome: AnsweredBy }>;

export interface PlanInput {
  seed: number;
  to: string;
  callId: string;
  mix: Readonly<OutcomeMix>;
  talk: Readonly<TalkSettings>;
}

/** The plan for one call: the test number's script when `to` is one, otherwise a draw from the mix. */
export function planCall({ seed, to, callId, mix, talk }: PlanInput): CallPlan {
  const script = testNumberScript(to);
  if (script) return planFromBehaviour(behaviourForAttempt(script, attemptNumberOf(callId)));

  // Every draw is made on every call, in a fixed order, so that changing one setting (the mix, say) does not shift
  // the durations drawn for the same call.
  const rng = Rng.for('dial', seed, to, callId);
  const pick = rng.weighted({ ...mix });
  const ringMs = draw(rng, talk.answerRingMs);
  const rejectRingMs = draw(rng, talk.rejectRingMs);
  const replyAfterMs = draw(rng, talk.earlyFailureMs);
  const greetingMs = draw(rng, talk.greetingMs);
  const hangsUp = rng.chance(talk.humanHangUpProbability);
  const hangUpAfterMs = draw(rng, talk.humanHangUpAfterMs);
  // Drawn last, so that adding it left every earlier draw of a call as it was.
  const mediaDelayMs = draw(rng, talk.humanMediaDelayMs);

  switch (pick) {
    case 'human':
      return {
        source: 'mix',
        outcome: 'human',
        ringMs,
        hangUpAfterMs: hangsUp ? hangUpAfterMs : undefined,
        keys: 'random',
        transfer: undefined,
        ...(mediaDelayMs > 0 ? { mediaDelayMs } : {}),
      };
    case 'machine':
      return { source: 'mix', outcome: 'machine', ringMs, greetingMs };
    case 'rejected':
      return { source: 'mix', outcome: 'rejected', ringMs: rejectRingMs };
    case 'noAnswer':
      return { source: 'mix', outcome: 'no_answer' };
    case 'busy':
      return { source: 'mix', outcome: 'busy', replyAfterMs };
    case 'failed':
      return { source: 'mix', outcome: 'failed', replyAfterMs };
  }
}

/** The plan of a scripted callee: fixed durations, so that tests can name the instant things happen. */
export function planFromBehaviour(behaviour: CalleeBehaviour): CallPlan {
  switch (behaviour.outcome) {
    case 'busy':
    case 'invalid_number':
    case 'failed':
      return { source: 'script', outcome: behaviour.outcome, replyAfterMs: SCRIPTED_EARLY_FAILURE_MS };
    case 'no_answer':
      return { source: 'script', outcome: 'no_answer' };
    case 'rejected':
      return { source: 'script', outcome: 'rejected', ringMs: SCRIPTED_RING_MS };
    case 'machine':
      return { source: 'script', outcome: 'machine', ringMs: SCRIPTED_RING_MS, greetingMs: behaviour.greetingMs };
    case 'human':
      return {
        source: 'script',
        outcome: 'human',
        ringMs: SCRIPTED_RING_MS,
        hangUpAfterMs: behaviour.hangUpAfterMs,
        keys: behaviour.keys ?? [],
        transfer: behaviour.transfer,
        ...(behaviour.mediaDelayMs !== undefined ? { mediaDelayMs: behaviour.mediaDelayMs } : {}),
      };
  }
}

/** How a dial (or a transfer) to a planned callee ends, and when, given our ring timeout. */
export interface DialDecision {
  result: 'answered' | DialFailure;
  /** From the moment of dialling. */
  afterMs: number;
  /** Whether the far end rings (sends 180) before the result. */
  rings: boolean;
}

export function decideDial(plan: CallPlan, ringTimeoutMs: number): DialDecision {
  const timeoutMs = Math.max(0, Number.isFinite(ringTimeoutMs) ? ringTimeoutMs : 0);
  const unanswered: DialDecision = { result: 'no_answer', afterMs: timeoutMs, rings: true };
  switch (plan.outcome) {
    case 'no_answer':
      return unanswered;
    case 'human':
    case 'machine':
      // Our timer and the answer at the same instant: the timer wins, the call has rung for the whole timeout.
      return plan.ringMs < timeoutMs ? { result: 'answered', afterMs: plan.ringMs, rings: true } : unanswered;
    case 'rejected':
      return plan.ringMs < timeoutMs ? { result: 'rejected', afterMs: plan.ringMs, rings: true } : unanswered;
    case 'busy':
    case 'invalid_number':
    case 'failed':
      return plan.replyAfterMs < timeoutMs
        ? { result: plan.outcome, afterMs: plan.replyAfterMs, rings: false }
        : { ...unanswered, rings: false };
  }
}

/** How long text-to-speech takes to say `text`: words at the configured rate, never under minSayMs. */
export function sayDurationMs(text: string, talk: Pick<TalkSettings, 'wordsPerMinute' | 'minSayMs'>): number {
  const words = text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  return Math.max(talk.minSayMs, Math.round((words * 60_000) / talk.wordsPerMinute));
}

/** The keys a randomly answering person presses in one gather, drawn from that gather's own stream. */
export function drawKeys(rng: Rng, keypresses: Readonly<Record<string, number>>): string {
  let point = rng.next();
  for (const [keys, probability] of Object.entries(keypresses)) {
    if (point < probability) return keys;
    point -= probability;
  }
  return '';
}

/**
 * An operator's mix override (SIMULATED_MIX_JSON): any of the six weights, the rest keep their defaults. Throws a
 * RangeError naming the bad key.
 */
export function parseOutcomeMix(json: string): OutcomeMix {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new RangeError('is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new RangeError('must be a JSON object of weights');
  const mix: OutcomeMix = { ...DEFAULT_OUTCOME_MIX };
  for (const [key, weight] of Object.entries(value)) {
    if (!(key in mix)) throw new RangeError(`unknown outcome "${key}"; use ${Object.keys(mix).join(', ')}`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw new RangeError(`${key} must be a weight >= 0`);
    mix[key as keyof OutcomeMix] = weight;
  }
  if (Object.values(mix).every((weight) => weight === 0)) throw new RangeError('needs a positive weight');
  return mix;
}

/** Checks settings once, at construction: a bad mix or range is a configuration bug, so it throws. */
export function validateSettings(mix: Readonly<OutcomeMix>, talk: Readonly<TalkSettings>): void {
  const weights = Object.entries(mix) as [string, number][];
  for (const [name, weight] of weights) {
    if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`mix.${name} must be a finite weight >= 0`);
  }
  if (weights.reduce((sum, [, weight]) => sum + weight, 0) <= 0) throw new RangeError('mix needs a positive weight');
  for (const key of ['answerRingMs', 'rejectRingMs', 'earlyFailureMs', 'greetingMs', 'humanHangUpAfterMs', 'humanMediaDelayMs'] as const) {
    const { minMs, maxMs } = talk[key];
    if (!(Number.isFinite(minMs) && Number.isFinite(maxMs) && minMs >= 0 && minMs <= maxMs)) {
      throw new RangeError(`talk.${key} needs 0 <= minMs <= maxMs`);
    }
  }
  for (const key of ['machineRecordMaxMs', 'minSayMs', 'keyDelayMs', 'interDigitMs'] as const) {
    if (!Number.isFinite(talk[key]) || talk[key] < 0) throw new RangeError(`talk.${key} must be >= 0`);
  }
  if (!Number.isFinite(talk.wordsPerMinute) || talk.wordsPerMinute <= 0) throw new RangeError('talk.wordsPerMinute must be > 0');
  const p = talk.humanHangUpProbability;
  if (!(p >= 0 && p <= 1)) throw new RangeError('talk.humanHangUpProbability must be in [0, 1]');
  const keyTotal = Object.values(talk.keypresses).reduce((sum, q) => sum + q, 0);
  if (Object.values(talk.keypresses).some((q) => !(q >= 0)) || keyTotal > 1 + 1e-9) {
    throw new RangeError('talk.keypresses must be probabilities summing to at most 1');
  }
  for (const keys of Object.keys(talk.keypresses)) {
    if (!/^[0-9*#A-D]+$/.test(keys)) throw new RangeError(`talk.keypresses: '${keys}' is not made of DTMF keys`);
  }
}

function draw(rng: Rng, range: MsRange): number {
  return rng.intBetween(range.minMs, range.maxMs);
}
