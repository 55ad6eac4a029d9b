// When to start speaking to an answering machine: after AMD said "machine", the voicemail message must begin once
// the greeting is over, or the start of it is lost (most machines record only after their beep). Three endings:
//   'beep'    a steady single tone (400-2000 Hz) of at least MIN_BEEP_MS has just ended: the machine records now;
//   'silence' silenceMs of continuous silence (whether or not speech came before): a greeting that ended without a
//             beep, or a machine that was already recording;
//   'timeout' maxWaitMs of audio without either: speak anyway rather than never.
// Each is reported once, on the frame that completes it.
//
// Why a beep is told apart from speech: a beep is one sine, so (1) its zero crossings are evenly spaced and give its
// frequency, and (2) a Goertzel filter at exactly that frequency holds nearly all of the frame's energy. A voice is a
// fundamental with many harmonics shaped by formants: no single frequency holds most of its energy, and its
// "frequency" from zero crossings wanders from frame to frame. So a frame is a tone frame when it is not silent, its
// zero-crossing frequency is in the beep band and the Goertzel energy at that frequency is at least
// MIN_TONE_PURITY of the frame's; a beep is a run of tone frames whose frequencies stay within
// MAX_FREQUENCY_DRIFT of the run's first.
//
// Audio of any chunk size is re-cut into 20 ms frames; time is counted in analysed audio, so a stream that stops
// arriving does not time out here (the caller keeps its own wall-clock limit too).

const SAMPLE_RATE_HZ = 8000;
const FRAME_MS = 20;
const FRAME_SAMPLES = (SAMPLE_RATE_HZ * FRAME_MS) / 1000;

/** Shortest tone that counts as a beep (shorter tonal bits occur in singing and in some greetings' music). */
export const MIN_BEEP_MS = 100;
/**
 * Tone frames needed: a tone that does not start on a frame boundary leaves a partial frame at each end, whose
 * crossings straddle the tone's edge and fail the purity test, so a 100 ms beep shows as 80 ms of tone frames.
 */
const MIN_BEEP_TONE_FRAMES_MS = MIN_BEEP_MS - FRAME_MS;
const BEEP_MIN_HZ = 400;
const BEEP_MAX_HZ = 2000;
/** Share of a frame's (AC) energy the single frequency must hold: a sine is ~1, voiced speech well below. */
const MIN_TONE_PURITY = 0.8;
/** Frame-to-run frequency tolerance (relative): a real beep does not glide. */
const MAX_FREQUENCY_DRIFT = 0.03;

export const DEFAULT_GREETING_SILENCE_MS = 1000;
export const DEFAULT_GREETING_MAX_WAIT_MS = 20_000;
export const DEFAULT_GREETING_SILENCE_THRESHOLD = 256;

export type GreetingEnd = 'beep' | 'silence' | 'timeout';

export interface GreetingEndOptions {
  /** Continuous silence that ends the greeting (default 1000 ms). */
  silenceMs?: number;
  /** Give up waiting after this much audio (default 20000 ms). */
  maxWaitMs?: number;
  /** Mean absolute sample below which a frame is silent (default 256, as AMD). */
  silenceThreshold?: number;
}

type FrameKind = { kind: 'silence' } | { kind: 'voice' } | { kind: 'tone'; frequencyHz: number };

type GreetingEndState =
  /** Greeting speech or silence; no tone run in progress. */
  | { name: 'listening' }
  /** A run of tone frames at about `frequencyHz` has lasted `toneMs`. */
  | { name: 'in-tone'; frequencyHz: number; toneMs: number }
  /** The end was reported. */
  | { name: 'done'; end: GreetingEnd };

export class GreetingEndDetector {
  private readonly silenceMs: number;
  private readonly maxWaitMs: number;
  private readonly silenceThreshold: number;
  private state: GreetingEndState = { name: 'listening' };
  private totalMs = 0;
  private silenceRunMs = 0;
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private pendingLength = 0;

  /** Throws RangeError for non-positive options (a bug in the caller, not bad audio). */
  constructor(options: GreetingEndOptions = {}) {
    this.silenceMs = positive('silenceMs', options.silenceMs ?? DEFAULT_GREETING_SILENCE_MS);
    this.maxWaitMs = positive('maxWaitMs', options.maxWaitMs ?? DEFAULT_GREETING_MAX_WAIT_MS);
    this.silenceThreshold = positive('silenceThreshold', options.silenceThreshold ?? DEFAULT_GREETING_SILENCE_THRESHOLD);
  }

  /** Audio analysed so far (whole 20 ms frames). */
  get analysedMs(): number {
    return this.totalMs;
  }

  /** Feeds far-end audio of any length; returns the end on the push that finds it, null before and after. */
  pushFrame(frame: Int16Array): GreetingEnd | null {
    let offset = 0;
    while (offset < frame.length && this.state.name !== 'done') {
      const take = Math.min(FRAME_SAMPLES - this.pendingLength, frame.length - offset);
      this.pending.set(frame.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      offset += take;
      if (this.pendingLength < FRAME_SAMPLES) break;
      this.pendingLength = 0;
      const end = this.step(classifyFrame(this.pending, this.silenceThreshold));
      if (end !== null) {
        this.state = { name: 'done', end };
        return end;
      }
    }
    return null;
  }

  /** One 20 ms frame: the single place the state changes. */
  private step(frame: FrameKind): GreetingEnd | null {
    this.totalMs += FRAME_MS;
    this.silenceRunMs = frame.kind === 'silence' ? this.silenceRunMs + FRAME_MS : 0;
    const state = this.state;
    if (state.name === 'in-tone') {
      if (frame.kind === 'tone' && Math.abs(frame.frequencyHz - state.frequencyHz) <= state.frequencyHz * MAX_FREQUENCY_DRIFT) {
        this.state = { name: 'in-tone', frequencyHz: state.frequencyHz, toneMs: state.toneMs + FRAME_MS };
      } else if (state.toneMs >= MIN_BEEP_TONE_FRAMES_MS) {
        return 'beep';
      } else {
        // Too short to be a beep: this frame is judged afresh (it may start a tone at another frequency).
        this.state = { name: 'listening' };
      }
    }
    if (this.state.name === 'listening' && frame.kind === 'tone') {
      this.state = { name: 'in-tone', frequencyHz: frame.frequencyHz, toneMs: FRAME_MS };
    }
    if (this.silenceRunMs >= this.silenceMs) return 'silence';
    if (this.totalMs >= this.maxWaitMs) return 'timeout';
    return null;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number (got ${value})`);
  return value;
}

function classifyFrame(frame: Int16Array, silenceThreshold: number): FrameKind {
  let sum = 0;
  let sumAbs = 0;
  for (let i = 0; i < frame.length; i++) {
    sum += frame[i]!;
    sumAbs += Math.abs(frame[i]!);
  }
  if (sumAbs / frame.length < silenceThreshold) return { kind: 'silence' };
  const mean = sum / frame.length;
  const frequencyHz = zeroCrossingFrequencyHz(frame, mean);
  if (frequencyHz === null || frequencyHz < BEEP_MIN_HZ || frequencyHz > BEEP_MAX_HZ) return { kind: 'voice' };
  return tonePurity(frame, mean, frequencyHz) >= MIN_TONE_PURITY ? { kind: 'tone', frequencyHz } : { kind: 'voice' };
}

/**
 * Frequency from the spacing of sign changes (positions linearly interpolated between samples, so a sine's
 * estimate is exact to well under 1%): consecutive crossings are half a period apart. Null with too few crossings.
 */
function zeroCrossingFrequencyHz(frame: Int16Array, mean: number): number | null {
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = 1; i < frame.length; i++) {
    const a = frame[i - 1]! - mean;
    const b = frame[i]! - mean;
    if ((a < 0 && b >= 0) || (a >= 0 && b < 0)) {
      const position = i - 1 + a / (a - b);
      if (first < 0) first = position;
      last = position;
      crossings++;
    }
  }
  if (crossings < 4 || last <= first) return null;
  const halfPeriodSamples = (last - first) / (crossings - 1);
  return SAMPLE_RATE_HZ / (2 * halfPeriodSamples);
}

/** Goertzel energy at `frequencyHz` (as a time-domain energy, 2 |X|^2 / N) over the frame's AC energy. */
function tonePurity(frame: Int16Array, mean: number, frequencyHz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / SAMPLE_RATE_HZ);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < frame.length; i++) {
    const x = frame[i]! - mean;
    energy += x * x;
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  if (energy === 0) return 0;
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * power) / frame.length / energy;
}
