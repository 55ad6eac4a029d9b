// The abandoned-call rate of Ofcom's persistent misuse policy (2016; shared/notes/uk-rules.md), and what the dialer
// does about it. Measured per campaign and per client over a rolling 24 hours:
//   ACR = (abandoned + estimated AMD false positives) / (live calls + abandoned + estimated AMD false positives)
// where live calls are calls a person answered and heard our message, abandoned calls are calls a person answered
// that got no message within 2 s (or that we hung up on), and the false positives are the share of machine verdicts
// that were really people (AMD_FALSE_POSITIVE_RATE; the operator sets it from their own AMD's measured accuracy).
// 3% is Ofcom's measuring stick, not a safe harbour: the dialer slows a campaign at the limit and pauses it if the
// rate goes on rising, and resuming is the client's decision. The client's rate over all its campaigns does the same
// to each of them, so many small campaigns (each too small to pause alone) cannot add up to a breach.
// Pure.

export interface AbandonedCounts {
  /** A person answered and heard our message in time. */
  live: number;
  abandoned: number;
  /** Calls AMD classed as answering machines. */
  machine: number;
}

export interface AbandonedRateSettings {
  /** Ofcom's limit, as a fraction (0.03). */
  limit: number;
  /** Share of machine verdicts assumed to be people, as a fraction. */
  amdFalsePositiveRate: number;
  /** The rate at which the campaign is paused, as a fraction (above the limit: "keeps rising"). */
  pauseAt: number;
  /** Fewer calls than this in the denominator never pause a campaign (one early abandoned call is 100%). */
  minCallsToPause: number;
}

export const DEFAULT_ABANDONED_RATE_SETTINGS: AbandonedRateSettings = {
  limit: 0.03,
  amdFalsePositiveRate: 0.01,
  pauseAt: 0.045,
  minCallsToPause: 30,
};

export interface AbandonedRate {
  /** The rate as a fraction; 0 when no call counts yet. */
  rate: number;
  estimatedFalsePositives: number;
  denominator: number;
}

export function abandonedRate(counts: AbandonedCounts, settings: Pick<AbandonedRateSettings, 'amdFalsePositiveRate'>): AbandonedRate {
  const estimatedFalsePositives = counts.machine * settings.amdFalsePositiveRate;
  const numerator = counts.abandoned + estimatedFalsePositives;
  const denominator = counts.live + counts.abandoned + estimatedFalsePositives;
  return { rate: denominator === 0 ? 0 : numerator / denominator, estimatedFalsePositives, denominator };
}

export type AbandonedRateAction =
  | { kind: 'normal' }
  /** Dial at a fraction of the usual pacing (calls per second and concurrency). */
  | { kind: 'slow'; pacingFactor: number; reason: string }
  | { kind: 'pause'; reason: string };

/** Half the pacing at the limit: fewer calls in flight means fewer answered with no line free to play the message. */
export const SLOW_PACING_FACTOR = 0.5;

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

/** Whose calls a rate counts: one campaign's, or all of a client's campaigns' (Ofcom's "call centre" figure). */
export type AbandonedRateScope = 'campaign' | 'client';

const SCOPE_TEXT: Record<AbandonedRateScope, string> = {
  campaign: 'abandoned-call rate',
  client: "the client's abandoned-call rate across all its campaigns",
};

export function abandonedRateAction(rate: AbandonedRate, settings: AbandonedRateSettings, scope: AbandonedRateScope = 'campaign'): AbandonedRateAction {
  const what = SCOPE_TEXT[scope];
  if (rate.rate >= settings.pauseAt && rate.denominator >= settings.minCallsToPause) {
    return {
      kind: 'pause',
      reason: `${what} ${percent(rate.rate)} over the last 24 hours reached ${percent(settings.pauseAt)} (Ofcom limit ${percent(settings.limit)}); resume when the cause is fixed`,
    };
  }
  if (rate.rate >= settings.limit) {
    return {
      kind: 'slow',
      pacingFactor: SLOW_PACING_FACTOR,
      reason: `${what} ${percent(rate.rate)} over the last 24 hours is at or above the ${percent(settings.limit)} limit: dialling at half pace`,
    };
  }
  return { kind: 'normal' };
}

const SEVERITY: Record<AbandonedRateAction['kind'], number> = { normal: 0, slow: 1, pause: 2 };

/** The stricter of two actions (a campaign within its own limit is still slowed or paused by its client's rate). */
export function stricterAction(a: AbandonedRateAction, b: AbandonedRateAction): AbandonedRateAction {
  return SEVERITY[b.kind] > SEVERITY[a.kind] ? b : a;
}

/** The counts of several campaigns together. */
export function sumAbandonedCounts(rows: readonly AbandonedCounts[]): AbandonedCounts {
  const total: AbandonedCounts = { live: 0, abandoned: 0, machine: 0 };
  for (const row of rows) {
    total.live += row.live;
    total.abandoned += row.abandoned;
    total.machine += row.machine;
  }
  return total;
}

/** Ofcom: an answered call must get a person or a recorded message within 2 seconds. */
export const FIRST_AUDIO_LIMIT_MS = 2_000;

export interface AnsweredCallTiming {
  /** From answer to our first audio; undefined when we played nothing. */
  firstAudioAfterMs: number | undefined;
  /** From answer to the end of the call. */
  endedAfterMs: number;
  endedByCallee: boolean;
}

/**
 * Whether a call a person answered was abandoned: our first audio came later than 2 s, or never came and the person
 * did not hang up within those 2 s first (we hung up on them, or left them in silence).
 */
export function isAbandoned(timing: AnsweredCallTiming): boolean {
  if (timing.firstAudioAfterMs !== undefined) return timing.firstAudioAfterMs > FIRST_AUDIO_LIMIT_MS;
  return !(timing.endedByCallee && timing.endedAfterMs <= FIRST_AUDIO_LIMIT_MS);
}
