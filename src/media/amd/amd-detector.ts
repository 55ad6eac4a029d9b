// Answering-machine detection by energy and word timing, after Asterisk's app_amd.
//
// The far end's audio (8 kHz mono) is judged 20 ms at a time: a frame is silent when its mean absolute sample is
// below `silenceThreshold`. The idea is that a person answers with a short word or two ("Hello?") and then waits
// for us, while a machine's greeting goes on talking: so long silence after a little speech means HUMAN, and many
// words, a long word, or a lot of speech means MACHINE. Nothing said at all for a while is a machine that waits for
// its beep or a line that plays nothing (treated like a machine: leave a message or hang up).
//
// Rules, checked on each frame in this order (the first that holds decides):
//   MACHINE  consecutive silence >= initialSilenceMs before any speech          ("initial silence")
//   MACHINE  one word's voiced run >= maximumWordLengthMs                       ("long word")
//   MACHINE  words >= maximumNumberOfWords                                      ("words")
//   MACHINE  voiced time since the start >= greetingMs once speech has begun   ("long greeting")
//   HUMAN    consecutive silence >= afterGreetingSilenceMs once speech has begun ("after-greeting silence")
//   NOTSURE  totalAnalysisTimeMs of audio without any of the above            ("no decision")
// A word is counted when a voiced run reaches minWordLengthMs after at least betweenWordsSilenceMs of silence (the
// start of the audio counts as silence, unlike app_amd, so an answer that begins mid-word still counts its first
// word). Silences shorter than betweenWordsSilenceMs inside a word do not end it.
//
// Audio of any chunk size is re-cut into 20 ms frames here, so the rules see the same timing whatever the RTP
// packetisation; times advance in whole frames and every `...Ms` parameter is in effect rounded up to 20 ms.
import type { AmdDecision, AmdParams } from '../session/types.js';

export const DEFAULT_AMD_PARAMS: AmdParams = Object.freeze({
  silenceThreshold: 256,
  initialSilenceMs: 2500,
  greetingMs: 1500,
  afterGreetingSilenceMs: 800,
  minWordLengthMs: 100,
  betweenWordsSilenceMs: 50,
  maximumNumberOfWords: 3,
  maximumWordLengthMs: 5000,
  totalAnalysisTimeMs: 5000,
});

const SAMPLE_RATE_HZ = 8000;
export const AMD_FRAME_MS = 20;
const FRAME_SAMPLES = (SAMPLE_RATE_HZ * AMD_FRAME_MS) / 1000;
/** A mean absolute sample can never exceed this (|-32768|). */
const MAX_SILENCE_THRESHOLD = 32768;

/**
 * Problems with a set of (partial) parameters, in words; empty when they are usable. Undefined fields take the
 * defaults, and the cross-field checks apply to the merged result.
 */
export function validateAmdParams(p: Partial<AmdParams>): string[] {
  const problems: string[] = [];
  const durations: (keyof AmdParams)[] = [
    'initialSilenceMs',
    'greetingMs',
    'afterGreetingSilenceMs',
    'minWordLengthMs',
    'betweenWordsSilenceMs',
    'maximumWordLengthMs',
    'totalAnalysisTimeMs',
  ];
  for (const key of Object.keys(p)) {
    if (!(key in DEFAULT_AMD_PARAMS)) problems.push(`${key}: not an AMD parameter`);
  }
  const check = (key: keyof AmdParams, ok: (v: number) => boolean, what: string) => {
    const value: unknown = p[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${key}: must be a finite number`);
    else if (!ok(value)) problems.push(`${key}: ${what} (got ${value})`);
  };
  check('silenceThreshold', (v) => v > 0 && v <= MAX_SILENCE_THRESHOLD, `must be above 0 and at most ${MAX_SILENCE_THRESHOLD}`);
  for (const key of durations) check(key, (v) => v > 0, 'must be a positive number of milliseconds');
  check('maximumNumberOfWords', (v) => Number.isInteger(v) && v >= 1, 'must be a whole number, at least 1');
  if (problems.length > 0) return problems;

  const merged = mergeAmdParams(p);
  if (merged.minWordLengthMs >= merged.maximumWordLengthMs) {
    problems.push(`minWordLengthMs (${merged.minWordLengthMs}) must be below maximumWordLengthMs (${merged.maximumWordLengthMs})`);
  }
  if (merged.betweenWordsSilenceMs >= merged.afterGreetingSilenceMs) {
    // Otherwise the pause that ends a person's "Hello?" would be taken for a gap between words, never for the end.
    problems.push(
      `betweenWordsSilenceMs (${merged.betweenWordsSilenceMs}) must be below afterGreetingSilenceMs (${merged.afterGreetingSilenceMs})`,
    );
  }
  if (merged.totalAnalysisTimeMs < AMD_FRAME_MS) problems.push(`totalAnalysisTimeMs must be at least one frame (${AMD_FRAME_MS} ms)`);
  return problems;
}

function mergeAmdParams(p: Partial<AmdParams>): AmdParams {
  const merged: AmdParams = { ...DEFAULT_AMD_PARAMS };
  for (const key of Object.keys(DEFAULT_AMD_PARAMS) as (keyof AmdParams)[]) {
    const value = p[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The named states; the counters below carry the measurements the rules compare. */
type AmdStateName =
  /** Nothing voiced long enough yet: waiting for the first word, or for initialSilenceMs. */
  | 'initial-silence'
  /** A word is being spoken (counted once its voiced run reached minWordLengthMs). */
  | 'in-word'
  /** Speech has been heard and the last word ended (betweenWordsSilenceMs of silence); the next may start. */
  | 'between-words'
  /** A decision was returned; nothing more is analysed. */
  | 'decided';

export class AmdDetector {
  readonly params: AmdParams;
  private state: AmdStateName = 'initial-silence';
  private decision: AmdDecision | null = null;
  /** Audio analysed, in whole frames. */
  private totalMs = 0;
  /** Consecutive silent time (reset by any voiced frame). */
  private silenceRunMs = 0;
  /** Voiced time of the current word or would-be word (reset by betweenWordsSilenceMs of silence). */
  private voicedRunMs = 0;
  /** Voiced time since the start. */
  private voicedTotalMs = 0;
  private words = 0;
  /** Samples of a frame not yet complete: callers may push any size. */
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private pendingLength = 0;

  /** Throws RangeError for invalid parameters (check them first with validateAmdParams: bad settings are a bug). */
  constructor(params: Partial<AmdParams> = {}) {
    const problems = validateAmdParams(params);
    if (problems.length > 0) throw new RangeError(`invalid AMD parameters: ${problems.join('; ')}`);
    this.params = mergeAmdParams(params);
  }

  /** The state's name (for logs and tests). */
  get stateName(): AmdStateName {
    return this.state;
  }

  /**
   * Feeds far-end audio (8 kHz mono, ideally 160 samples, any length accepted). Returns the decision on the push
   * that makes it, and null before and after.
   */
  pushFrame(frame: Int16Array): AmdDecision | null {
    let offset = 0;
    while (offset < frame.length && this.state !== 'decided') {
      const take = Math.min(FRAME_SAMPLES - this.pendingLength, frame.length - offset);
      this.pending.set(frame.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      offset += take;
      if (this.pendingLength < FRAME_SAMPLES) break;
      this.pendingLength = 0;
      const decision = this.step(meanAbsolute(this.pending) >= this.params.silenceThreshold);
      if (decision !== null) {
        this.decision = decision;
        this.state = 'decided';
        return decision;
      }
    }
    return null;
  }

  /** The decision once made (also after pushFrame has returned it). */
  get result(): AmdDecision | null {
    return this.decision;
  }

  /** One 20 ms frame: update the measurements, move between states, and return a decision when a rule holds. */
  private step(voiced: boolean): AmdDecision | null {
    const p = this.params;
    this.totalMs += AMD_FRAME_MS;
    if (voiced) {
      this.silenceRunMs = 0;
      this.voicedRunMs += AMD_FRAME_MS;
      this.voicedTotalMs += AMD_FRAME_MS;
    } else {
      this.silenceRunMs += AMD_FRAME_MS;
    }

    switch (this.state) {
      case 'initial-silence':
        if (!voiced) {
          if (this.silenceRunMs >= p.betweenWordsSilenceMs) this.voicedRunMs = 0;
          if (this.silenceRunMs >= p.initialSilenceMs) {
            return this.decide('machine', `initial silence ${this.silenceRunMs} ms (limit ${p.initialSilenceMs} ms)`);
          }
        } else if (this.voicedRunMs >= p.minWordLengthMs) {
          // The start of the audio counts as the silence before the first word.
          return this.startWord();
        } else if (this.voicedTotalMs >= p.minWordLengthMs) {
          // Several short voiced bursts add up to speech (app_amd leaves initial silence on total voiced time), but
          // none was long enough to be a word.
          this.state = 'between-words';
        }
        break;
      case 'in-word':
        if (voiced) {
          if (this.voicedRunMs >= p.maximumWordLengthMs) {
            return this.decide('machine', `long word ${this.voicedRunMs} ms (limit ${p.maximumWordLengthMs} ms)`);
          }
        } else if (this.silenceRunMs >= p.betweenWordsSilenceMs) {
          this.state = 'between-words';
          this.voicedRunMs = 0;
          const human = this.afterGreetingSilence();
          if (human !== null) return human;
        }
        break;
      case 'between-words':
        if (voiced) {
          if (this.voicedRunMs >= p.minWordLengthMs) return this.startWord();
        } else {
          if (this.silenceRunMs >= p.betweenWordsSilenceMs) this.voicedRunMs = 0;
          const human = this.afterGreetingSilence();
          if (human !== null) return human;
        }
        break;
      case 'decided':
        return null;
    }
    return this.greetingOrTimeLimit();
  }

  /** HUMAN: speech was heard and has been followed by afterGreetingSilenceMs of silence. */
  private afterGreetingSilence(): AmdDecision | null {
    const p = this.params;
    if (this.silenceRunMs < p.afterGreetingSilenceMs) return null;
    return this.decide(
      'human',
      `after-greeting silence ${this.silenceRunMs} ms (limit ${p.afterGreetingSilenceMs} ms) after ${this.voicedTotalMs} ms of voice in ${plural(this.words, 'word')}`,
    );
  }

  private startWord(): AmdDecision | null {
    const p = this.params;
    this.words += 1;
    this.state = 'in-word';
    if (this.words >= p.maximumNumberOfWords) {
      return this.decide('machine', `words ${this.words} (limit ${p.maximumNumberOfWords}) in ${this.voicedTotalMs} ms of voice`);
    }
    return this.greetingOrTimeLimit();
  }

  /** The rules that hold in every state once speech has begun, then the overall time limit. */
  private greetingOrTimeLimit(): AmdDecision | null {
    const p = this.params;
    if (this.state !== 'initial-silence' && this.voicedTotalMs >= p.greetingMs) {
      return this.decide('machine', `long greeting ${this.voicedTotalMs} ms of voice (limit ${p.greetingMs} ms)`);
    }
    if (this.totalMs >= p.totalAnalysisTimeMs) {
      return this.decide(
        'notsure',
        `no decision after ${this.totalMs} ms (limit ${p.totalAnalysisTimeMs} ms): ${this.voicedTotalMs} ms of voice in ${plural(this.words, 'word')}`,
      );
    }
    return null;
  }

  private decide(result: AmdDecision['result'], reason: string): AmdDecision {
    return { result, reason, afterMs: this.totalMs };
  }
}

function meanAbsolute(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += Math.abs(frame[i]!);
  return frame.length === 0 ? 0 : sum / frame.length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
