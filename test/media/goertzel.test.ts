// In-band DTMF: every key at several levels, whatever the chunking; a key held long is one digit, the same key
// pressed twice is two; tones too short, too quiet, too twisted or off-frequency are not keys; noise and speech
// make no digits.
import { describe, expect, it } from 'vitest';
import { InbandDtmfDetector } from '../../src/media/dtmf/goertzel.js';
import {
  chunksOf,
  concatPcm,
  mixPcm,
  scalePcm,
  silence,
  speakWithEspeak,
  synthDtmf,
  synthTone,
  whiteNoise,
  type DtmfOptions,
} from '../helpers/audio-fixtures.js';
import { describeWithPeer } from '../helpers/peers.js';

const ALL_KEYS = '123A456B789C*0#D';
/** Offsets (in samples) that put a tone's start at different places in a 205-sample block. */
const BLOCK_OFFSETS = [0, 37, 101, 160, 204];

function detect(pcm: Int16Array, chunkSize = 160): string {
  const detector = new InbandDtmfDetector();
  const digits: string[] = [];
  for (const chunk of chunksOf(pcm, chunkSize)) digits.push(...detector.push(chunk));
  return digits.join('');
}

/** The keys after `offsetSamples` of silence. */
function keysAt(offsetSamples: number, digits: string, opts: DtmfOptions = {}): Int16Array {
  return concatPcm(new Int16Array(offsetSamples), synthDtmf(digits, opts));
}

describe('InbandDtmfDetector: keys', () => {
  it.each([700, 2000, 6000, 14_000])('detects all 16 keys at an amplitude of %i per tone', (amplitude) => {
    expect(detect(synthDtmf(ALL_KEYS, { amplitude }))).toBe(ALL_KEYS);
  });

  it.each([1, 7, 80, 160, 205, 1000, 4096])('gives the same digits when fed in chunks of %i samples', (size) => {
    expect(detect(keysAt(50, '147*2580369#', { toneMs: 70, gapMs: 70 }), size)).toBe('147*2580369#');
  });

  it.each(BLOCK_OFFSETS)('reports a sequence with 60 ms gaps in order, starting %i samples into a block', (offset) => {
    expect(detect(keysAt(offset, '0123456789', { toneMs: 60, gapMs: 60 }))).toBe('0123456789');
  });

  it.each(BLOCK_OFFSETS)('reports the same key twice when a gap separates the presses (offset %i)', (offset) => {
    expect(detect(keysAt(offset, '55', { toneMs: 100, gapMs: 60 }))).toBe('55');
  });

  it('reports a key held for two seconds once', () => {
    expect(detect(synthDtmf('9', { toneMs: 2000, gapMs: 0 }))).toBe('9');
  });

  it('returns each digit from the push that completes it, and nothing from later pushes', () => {
    const detector = new InbandDtmfDetector();
    const pcm = synthDtmf('7', { toneMs: 100, gapMs: 200 });
    const perPush = [...chunksOf(pcm, 160)].map((chunk) => detector.push(chunk));
    expect(perPush.flat()).toEqual(['7']);
    // Two 205-sample blocks (410 samples) are needed: the third 160-sample push is the first that can report.
    expect(perPush.findIndex((digits) => digits.length > 0)).toBe(2);
  });

  it('accepts a push of no samples', () => {
    expect(new InbandDtmfDetector().push(new Int16Array(0))).toEqual([]);
  });

  it('works at another sample rate', () => {
    const detector = new InbandDtmfDetector({ sampleRateHz: 16_000 });
    // '4' is 770 + 1209 Hz: 100 ms of it, 100 ms of silence, twice, sampled at 16 kHz.
    const press = new Int16Array(3200).map((_, n) =>
      n < 1600 ? 6000 * (Math.sin((2 * Math.PI * 770 * n) / 16_000) + Math.sin((2 * Math.PI * 1209 * n) / 16_000)) : 0,
    );
    expect(detector.push(concatPcm(press, press)).join('')).toBe('44');
  });
});

describe('InbandDtmfDetector: what is not a key', () => {
  it.each(BLOCK_OFFSETS)('ignores 20 ms tones (offset %i)', (offset) => {
    expect(detect(keysAt(offset, '1234', { toneMs: 20, gapMs: 100 }))).toBe('');
  });

  it('ignores keys below the level threshold', () => {
    expect(detect(synthDtmf(ALL_KEYS, { amplitude: 300 }))).toBe('');
  });

  it('accepts twist within the 8 dB normal / 4 dB reverse limits and refuses it beyond', () => {
    expect(detect(synthDtmf('1357', { rowAmplitude: 6000, columnAmplitude: 2700 }))).toBe('1357'); // 6.9 dB normal
    expect(detect(synthDtmf('1357', { rowAmplitude: 4000, columnAmplitude: 6000 }))).toBe('1357'); // 3.5 dB reverse
    expect(detect(synthDtmf('1357', { rowAmplitude: 6000, columnAmplitude: 2100 }))).toBe(''); // 9.1 dB normal
    expect(detect(synthDtmf('1357', { rowAmplitude: 3300, columnAmplitude: 6000 }))).toBe(''); // 5.2 dB reverse
  });

  it('accepts frequencies 1.5% off (Q.24) and refuses them 3% off', () => {
    expect(detect(synthDtmf(ALL_KEYS, { frequencyFactor: 1.015 }))).toBe(ALL_KEYS);
    expect(detect(synthDtmf(ALL_KEYS, { frequencyFactor: 0.985 }))).toBe(ALL_KEYS);
    expect(detect(synthDtmf(ALL_KEYS, { frequencyFactor: 1.03 }))).toBe('');
    expect(detect(synthDtmf(ALL_KEYS, { frequencyFactor: 0.97 }))).toBe('');
  });

  it('ignores a single tone of a pair (row or column alone)', () => {
    expect(detect(concatPcm(synthTone(697, 500, 8000), silence(100), synthTone(1336, 500, 8000)))).toBe('');
  });

  it('makes no digits from white noise at several levels', () => {
    for (const amplitude of [500, 3000, 12_000, 30_000]) expect(detect(whiteNoise(10_000, amplitude, amplitude))).toBe('');
  });

  it('still finds keys in noise at 10 dB SNR', () => {
    // Uniform noise of peak 4000 has an RMS of 2300; two tones of 6000 together have an RMS of 6000.
    expect(detect(mixPcm(synthDtmf('0123456789', { amplitude: 6000 }), whiteNoise(2000, 4000, 9)))).toBe('0123456789');
  });
});

describeWithPeer(['espeak-ng'], 'InbandDtmfDetector: speech (espeak-ng)', () => {
  const text =
    'The quick brown fox jumps over the lazy dog. One two three four five six seven eight nine ten. ' +
    'Please hold the line, your call is important to us. Beeeep. Eeeeee. Hmmmmm. La la la la.';

  it.each(['en-gb', 'en-us', 'en+f2', 'en+f4', 'en+m3'])('makes no digits from speech in voice %s, quiet or loud', async (voice) => {
    const speech = await speakWithEspeak(text, { voice });
    expect(speech.length).toBeGreaterThan(8000 * 5);
    for (const gain of [0.5, 1, 2.5]) expect(detect(scalePcm(speech, gain))).toBe('');
  });

  it('finds keys pressed while the far end is talking', async () => {
    const speech = await speakWithEspeak(text);
    const keys = concatPcm(silence(500), synthDtmf('123456789', { amplitude: 6000, toneMs: 150, gapMs: 150 }));
    expect(detect(mixPcm(scalePcm(speech, 0.6), keys))).toBe('123456789');
  });
});
