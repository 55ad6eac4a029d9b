// Audio made in the test: DTMF keys, tones, silence, noise and espeak-ng speech, all 8 kHz mono 16-bit (the form the
// media engine hands its detectors), and a WAV writer for peers that play a file (baresip's aufile).
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav8kMono } from '../../src/media/audio/encode-wav.js';
import { createEspeakTts } from '../../src/media/tts/espeak-tts.js';
import type { TextToSpeech, TtsRenderOptions } from '../../src/media/tts/types.js';

export const SAMPLE_RATE_HZ = 8000;

const ROWS_HZ = [697, 770, 852, 941] as const;
const COLUMNS_HZ = [1209, 1336, 1477, 1633] as const;
const KEYPAD = ['123A', '456B', '789C', '*0#D'] as const;

const samplesOf = (ms: number) => Math.round((ms * SAMPLE_RATE_HZ) / 1000);
const clip = (x: number) => Math.max(-32768, Math.min(32767, Math.round(x)));

/** The row and column frequencies of a key ('0'-'9', '*', '#', 'A'-'D'). */
export function dtmfFrequencies(key: string): { rowHz: number; columnHz: number } {
  for (let row = 0; row < KEYPAD.length; row++) {
    const column = KEYPAD[row]!.indexOf(key.toUpperCase());
    if (column >= 0 && key.length === 1) return { rowHz: ROWS_HZ[row]!, columnHz: COLUMNS_HZ[column]! };
  }
  throw new RangeError(`"${key}" is not a DTMF key`);
}

export interface DtmfOptions {
  /** Each key's tone (default 100 ms). */
  toneMs?: number;
  /** Silence after each key (default 100 ms). */
  gapMs?: number;
  /** Peak amplitude of each of the two tones (default 6000, about -15 dBFS). */
  amplitude?: number;
  /** Overrides for one group, e.g. for twist: row (low group) and column (high group) amplitudes. */
  rowAmplitude?: number;
  columnAmplitude?: number;
  /** Multiplies both frequencies (1.01 = 1% high), for tolerance tests. */
  frequencyFactor?: number;
}

/** The keys as dual tones, each followed by a gap. */
export function synthDtmf(digits: string, opts: DtmfOptions = {}): Int16Array {
  const toneSamples = samplesOf(opts.toneMs ?? 100);
  const gapSamples = samplesOf(opts.gapMs ?? 100);
  const rowAmplitude = opts.rowAmplitude ?? opts.amplitude ?? 6000;
  const columnAmplitude = opts.columnAmplitude ?? opts.amplitude ?? 6000;
  const factor = opts.frequencyFactor ?? 1;
  const parts: Int16Array[] = [];
  for (const key of digits) {
    const { rowHz, columnHz } = dtmfFrequencies(key);
    const tone = new Int16Array(toneSamples);
    for (let n = 0; n < toneSamples; n++) {
      const t = n / SAMPLE_RATE_HZ;
      tone[n] = clip(rowAmplitude * Math.sin(2 * Math.PI * rowHz * factor * t) + columnAmplitude * Math.sin(2 * Math.PI * columnHz * factor * t));
    }
    parts.push(tone, new Int16Array(gapSamples));
  }
  return concatPcm(...parts);
}

/** A sine of `amplitude` (peak, 16-bit units). */
export function synthTone(freqHz: number, durationMs: number, amplitude: number): Int16Array {
  const out = new Int16Array(samplesOf(durationMs));
  for (let n = 0; n < out.length; n++) out[n] = clip(amplitude * Math.sin((2 * Math.PI * freqHz * n) / SAMPLE_RATE_HZ));
  return out;
}

/**
 * A steady voiced sound: a fundamental (default 140 Hz, a low speaking voice) and its first 12 harmonics falling
 * off as 1/k, scaled so the peak is `amplitude`. Loud like speech to an energy detector, but not speech.
 */
export function synthVowel(durationMs: number, amplitude: number, f0Hz = 140): Int16Array {
  const raw = new Float64Array(samplesOf(durationMs));
  let peak = 0;
  for (let n = 0; n < raw.length; n++) {
    let x = 0;
    for (let k = 1; k <= 12; k++) x += Math.sin((2 * Math.PI * k * f0Hz * n) / SAMPLE_RATE_HZ) / k;
    raw[n] = x;
    peak = Math.max(peak, Math.abs(x));
  }
  return Int16Array.from(raw, (x) => clip((x / (peak || 1)) * amplitude));
}

/** Digital silence. */
export function silence(ms: number): Int16Array {
  return new Int16Array(samplesOf(ms));
}

/** Uniform white noise of the given peak amplitude, the same for the same seed. */
export function whiteNoise(ms: number, amplitude: number, seed = 1): Int16Array {
  const out = new Int16Array(samplesOf(ms));
  let state = seed >>> 0 || 1;
  for (let n = 0; n < out.length; n++) {
    // xorshift32: deterministic, so a failing case can be replayed.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[n] = clip(((state / 0xffffffff) * 2 - 1) * amplitude);
  }
  return out;
}

/** Sample-wise sum (clipped), the shorter input padded with silence: speech over noise, a tone over speech. */
export function mixPcm(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(Math.max(a.length, b.length));
  for (let n = 0; n < out.length; n++) out[n] = clip((a[n] ?? 0) + (b[n] ?? 0));
  return out;
}

/** Scales by `gain` (clipped). */
export function scalePcm(pcm: Int16Array, gain: number): Int16Array {
  return pcm.map((x) => clip(x * gain));
}

export function concatPcm(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Cuts audio into chunks of `size` samples (the last may be shorter), as a media worker would feed it. */
export function* chunksOf(pcm: Int16Array, size = 160): Generator<Int16Array> {
  for (let at = 0; at < pcm.length; at += size) yield pcm.subarray(at, at + size);
}

let tts: TextToSpeech | undefined;

/**
 * Where speakWithEspeak keeps its renders: one folder per user that outlives the run, so each fixture text is
 * spoken once per machine rather than once per test process (whose temporary folders vitest's workers would never
 * get to delete). Its size is bounded by the texts the tests use; writes are atomic, so parallel workers share it
 * safely. The TTS tests proper use fresh folders, so a stale entry here cannot hide an engine problem.
 */
export const TEST_TTS_CACHE_DIR = join(tmpdir(), `ringcast-test-tts-cache-${process.getuid?.() ?? 'user'}`);

/**
 * espeak-ng speaking `text` at 8 kHz through the project's TTS (cached in TEST_TTS_CACHE_DIR). Needs espeak-ng:
 * guard the test with describeWithPeer.
 */
export function speakWithEspeak(text: string, options?: TtsRenderOptions): Promise<Int16Array> {
  tts ??= createEspeakTts({ cacheDir: TEST_TTS_CACHE_DIR });
  return tts.render(text, options);
}

/** Writes a 16-bit mono 8 kHz WAV file. */
export async function writeWav8k(path: string, pcm: Int16Array): Promise<void> {
  await writeFile(path, encodeWav8kMono(pcm));
}
