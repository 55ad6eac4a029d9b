// The end of a machine's greeting: a beep (reported as it ends), a long enough silence, or the time limit; once.
import { describe, expect, it } from 'vitest';
import { GreetingEndDetector, type GreetingEndOptions } from '../../src/media/amd/greeting-end.js';
import { chunksOf, concatPcm, mixPcm, silence, speakWithEspeak, synthTone, synthVowel, whiteNoise } from '../helpers/audio-fixtures.js';
import { describeWithPeer } from '../helpers/peers.js';

/** The end reported and after how many ms of audio (to the end of the chunk that reported it). */
function run(pcm: Int16Array, options: GreetingEndOptions = {}, chunkSize = 160): { end: string | null; atMs: number; reports: number } {
  const detector = new GreetingEndDetector(options);
  let end: string | null = null;
  let atMs = 0;
  let reports = 0;
  let fed = 0;
  for (const chunk of chunksOf(pcm, chunkSize)) {
    fed += chunk.length;
    const result = detector.pushFrame(chunk);
    if (result !== null) {
      reports++;
      end = result;
      atMs = fed / 8;
    }
  }
  return { end, atMs, reports };
}

/** Speech-like filler: vowels of varying pitch with short pauses, `seconds` long, the last TALKING_PAUSE_MS silent. */
const TALKING_PAUSE_MS = 120;
function talking(seconds: number): Int16Array {
  const parts: Int16Array[] = [];
  for (let i = 0; i < seconds * 2; i++) parts.push(synthVowel(380, 5000, 110 + ((i * 37) % 120)), silence(TALKING_PAUSE_MS));
  return concatPcm(...parts);
}

describe('GreetingEndDetector (synthetic audio)', () => {
  it('beep: a 1 kHz tone of 300 ms after talking, reported when the tone ends', () => {
    const greeting = talking(3);
    const { end, atMs, reports } = run(concatPcm(greeting, synthTone(1000, 300, 8000), silence(2000)));
    expect(end).toBe('beep');
    expect(reports).toBe(1);
    expect(atMs).toBeGreaterThanOrEqual(3000 + 300);
    expect(atMs).toBeLessThanOrEqual(3000 + 300 + 40);
  });

  it.each([400, 440, 850, 1400, 2000])('beep at %i Hz, and at any frame alignment', (frequencyHz) => {
    for (const offsetMs of [0, 3, 7.5, 13, 19]) {
      expect(run(concatPcm(silence(300 + offsetMs), synthTone(frequencyHz, 100, 6000), silence(1500))).end).toBe('beep');
    }
  });

  it('beep in line noise', () => {
    const pcm = concatPcm(talking(2), synthTone(1000, 300, 8000), silence(2000));
    expect(run(mixPcm(pcm, whiteNoise(pcm.length / 8, 1500, 4))).end).toBe('beep');
  });

  it('no beep for a tone that is too short, too low or too high in pitch: silence instead', () => {
    expect(run(concatPcm(talking(1), synthTone(1000, 60, 8000), silence(1500))).end).toBe('silence');
    expect(run(concatPcm(talking(1), synthTone(300, 300, 8000), silence(1500))).end).toBe('silence');
    expect(run(concatPcm(talking(1), synthTone(2500, 300, 8000), silence(1500))).end).toBe('silence');
  });

  it('a gliding tone (a siren, a whistle) is not a beep', () => {
    const glide = new Int16Array(4000);
    let phase = 0;
    for (let n = 0; n < glide.length; n++) {
      phase += (2 * Math.PI * (600 + n / 4)) / 8000; // 600 -> 1600 Hz over 500 ms
      glide[n] = Math.round(8000 * Math.sin(phase));
    }
    expect(run(concatPcm(glide, silence(1500))).end).toBe('silence');
  });

  it('silence: 1000 ms of continuous silence after talking', () => {
    const { end, atMs } = run(concatPcm(talking(3), silence(3000)));
    expect(end).toBe('silence');
    expect(atMs).toBe(3000 - TALKING_PAUSE_MS + 1000);
  });

  it('silence: from the start too, and `silenceMs` is honoured', () => {
    expect(run(silence(3000))).toMatchObject({ end: 'silence', atMs: 1000 });
    expect(run(concatPcm(talking(1), silence(3000)), { silenceMs: 2000 })).toMatchObject({ end: 'silence', atMs: 1000 - TALKING_PAUSE_MS + 2000 });
  });

  it('timeout: endless talking, after maxWaitMs', () => {
    expect(run(talking(30))).toMatchObject({ end: 'timeout', atMs: 20_000, reports: 1 });
    expect(run(talking(10), { maxWaitMs: 5000 })).toMatchObject({ end: 'timeout', atMs: 5000 });
  });

  it.each([1, 33, 159, 161, 800])('same result for chunks of %i samples', (size) => {
    const pcm = concatPcm(talking(2), synthTone(1000, 300, 8000), silence(2000));
    expect(run(pcm, {}, size).end).toBe('beep');
    expect(run(pcm, {}, size).reports).toBe(1);
  });

  it('accepts empty pushes and refuses nonsense options', () => {
    expect(new GreetingEndDetector().pushFrame(new Int16Array(0))).toBeNull();
    expect(() => new GreetingEndDetector({ silenceMs: 0 })).toThrow(RangeError);
    expect(() => new GreetingEndDetector({ maxWaitMs: Number.NaN })).toThrow(RangeError);
  });
});

describeWithPeer(['espeak-ng'], 'GreetingEndDetector on an espeak-ng greeting', () => {
  const text =
    'Hello, you have reached the voicemail of John Smith. I am not available to take your call right now. ' +
    'Please leave a message after the tone.';

  it('greeting then a 1 kHz beep of 300 ms -> beep, right after the beep', async () => {
    const greeting = await speakWithEspeak(text);
    const { end, atMs } = run(concatPcm(greeting, synthTone(1000, 300, 8000), silence(2000)));
    expect(end).toBe('beep');
    expect(atMs).toBeCloseTo(greeting.length / 8 + 300, -2);
  });

  it('greeting then silence -> silence, not before the greeting ends', async () => {
    const greeting = await speakWithEspeak(text);
    const { end, atMs } = run(concatPcm(greeting, silence(3000)));
    expect(end).toBe('silence');
    // espeak's pauses between sentences are ~350 ms, its trailing silence ~340 ms: the end is found ~660 ms after.
    expect(atMs).toBeGreaterThan(greeting.length / 8);
    expect(atMs).toBeLessThan(greeting.length / 8 + 1000);
  });

  it('endless speech -> timeout, with no beep heard in it', async () => {
    const greeting = await speakWithEspeak(text, { voice: 'en-us+f3' });
    const { end, atMs } = run(concatPcm(greeting, greeting, greeting, greeting));
    expect(end).toBe('timeout');
    expect(atMs).toBe(20_000);
  });
});
