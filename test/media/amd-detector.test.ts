// Answering-machine detection: each rule decides with its reason and time, once; any chunking gives the same
// decision; parameters are validated. Then real rendered speech: espeak-ng "Hello?" is a human, an espeak-ng
// voicemail greeting a machine, with the defaults from the notes.
import { describe, expect, it } from 'vitest';
import { AmdDetector, DEFAULT_AMD_PARAMS, validateAmdParams } from '../../src/media/amd/amd-detector.js';
import type { AmdDecision, AmdParams } from '../../src/media/session/types.js';
import { chunksOf, concatPcm, silence, speakWithEspeak, synthVowel, whiteNoise } from '../helpers/audio-fixtures.js';
import { describeWithPeer } from '../helpers/peers.js';

/** Feeds the audio in `chunkSize` pieces; the decision and every non-null result (there must be one at most). */
function analyse(pcm: Int16Array, params: Partial<AmdParams> = {}, chunkSize = 160): { decision: AmdDecision | null; results: number } {
  const detector = new AmdDetector(params);
  let decision: AmdDecision | null = null;
  let results = 0;
  for (const chunk of chunksOf(pcm, chunkSize)) {
    const result = detector.pushFrame(chunk);
    if (result !== null) {
      results++;
      decision = result;
    }
  }
  return { decision, results };
}

const decide = (pcm: Int16Array, params: Partial<AmdParams> = {}) => analyse(pcm, params).decision;

/** Bursts of voice separated by silence, e.g. pattern(200, 100, 3) is three 200 ms "words". */
function words(voicedMs: number, gapMs: number, count: number): Int16Array {
  const parts: Int16Array[] = [];
  for (let i = 0; i < count; i++) parts.push(synthVowel(voicedMs, 4000), silence(gapMs));
  return concatPcm(...parts);
}

const VOICEMAIL_GREETING =
  'Hello, you have reached the voicemail of John Smith. I am not available to take your call right now. ' +
  'Please leave a message after the tone.';

describe('AmdDetector: rules (synthetic audio)', () => {
  it('has the notes defaults', () => {
    expect(DEFAULT_AMD_PARAMS).toEqual({
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
  });

  it('HUMAN: a 500 ms "hello" then silence, decided 800 ms after the voice stops', () => {
    const decision = decide(concatPcm(silence(300), synthVowel(500, 4000), silence(2000)));
    expect(decision).toEqual({ result: 'human', afterMs: 300 + 500 + 800, reason: expect.stringMatching(/^after-greeting silence 800 ms/) });
    expect(decision!.reason).toContain('500 ms of voice in 1 word');
  });

  it('MACHINE: initial silence, at exactly 2500 ms', () => {
    expect(decide(silence(4000))).toEqual({ result: 'machine', afterMs: 2500, reason: expect.stringMatching(/^initial silence 2500 ms/) });
  });

  it('MACHINE: low line noise is still silence', () => {
    expect(decide(whiteNoise(4000, 300))).toMatchObject({ result: 'machine', afterMs: 2500 });
  });

  it('MACHINE: the third word, when it reaches the minimum word length', () => {
    // Words start at 0, 300 and 600 ms; the third is a word 100 ms after it starts.
    expect(decide(words(200, 100, 4))).toEqual({ result: 'machine', afterMs: 700, reason: expect.stringMatching(/^words 3 \(limit 3\)/) });
  });

  it('MACHINE: a long greeting of 1500 ms of voice even in only two words', () => {
    const decision = decide(concatPcm(synthVowel(900, 4000), silence(300), synthVowel(900, 4000), silence(1000)));
    expect(decision).toEqual({ result: 'machine', afterMs: 900 + 300 + 600, reason: expect.stringMatching(/^long greeting 1500 ms of voice/) });
  });

  it('MACHINE: one word too long, when the greeting limit is set above it', () => {
    const decision = decide(synthVowel(3000, 4000), { maximumWordLengthMs: 2000, greetingMs: 4000 });
    expect(decision).toEqual({ result: 'machine', afterMs: 2000, reason: expect.stringMatching(/^long word 2000 ms/) });
  });

  it('NOTSURE: at the total analysis time, for voice too short to be words and pauses too short to be an end', () => {
    // 60 ms bursts (under the 100 ms word) every 760 ms (700 ms pauses, under the 800 ms after-greeting silence).
    const borderline = words(60, 700, 10);
    const decision = decide(borderline);
    expect(decision).toEqual({ result: 'notsure', afterMs: 5000, reason: expect.stringMatching(/^no decision after 5000 ms/) });
  });

  it('short silences inside a word do not split it', () => {
    // 30 ms gaps (under betweenWordsSilenceMs 50) between 80 ms bursts: one long word, not three.
    const pcm = concatPcm(synthVowel(80, 4000), silence(30), synthVowel(80, 4000), silence(30), synthVowel(80, 4000), silence(2000));
    const decision = decide(pcm);
    expect(decision).toMatchObject({ result: 'human' });
    expect(decision!.reason).toContain('in 1 word');
  });

  it('uses the parameters it is given', () => {
    const hello = concatPcm(synthVowel(500, 4000), silence(2000));
    expect(decide(hello, { afterGreetingSilenceMs: 400 })).toMatchObject({ result: 'human', afterMs: 900 });
    expect(decide(hello, { greetingMs: 400 })).toMatchObject({ result: 'machine', afterMs: 400 });
    expect(decide(silence(3000), { initialSilenceMs: 1000 })).toMatchObject({ result: 'machine', afterMs: 1000 });
    expect(decide(synthVowel(3000, 200))).toMatchObject({ result: 'machine', afterMs: 2500 }); // quieter than the threshold
    expect(decide(synthVowel(3000, 200), { silenceThreshold: 50 })).toMatchObject({ result: 'machine', reason: expect.stringMatching(/^long greeting/) });
  });

  it('returns the decision once, then null, and keeps it readable', () => {
    const detector = new AmdDetector();
    const results = [...chunksOf(silence(4000))].map((frame) => detector.pushFrame(frame));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(results.indexOf(results.find((r) => r !== null)!)).toBe(2500 / 20 - 1);
    expect(detector.result).toMatchObject({ result: 'machine', afterMs: 2500 });
    expect(detector.stateName).toBe('decided');
    expect(detector.pushFrame(synthVowel(500, 4000))).toBeNull();
  });

  it.each([1, 7, 80, 159, 161, 333, 4000])('decides the same for chunks of %i samples', (size) => {
    const pcm = concatPcm(silence(300), synthVowel(500, 4000), silence(2000));
    const { decision, results } = analyse(pcm, {}, size);
    expect(results).toBe(1);
    expect(decision).toEqual(decide(pcm));
  });

  it('accepts empty pushes', () => {
    const detector = new AmdDetector();
    expect(detector.pushFrame(new Int16Array(0))).toBeNull();
    expect(detector.stateName).toBe('initial-silence');
  });
});

describe('validateAmdParams', () => {
  it('accepts the defaults, nothing, and sensible overrides', () => {
    expect(validateAmdParams(DEFAULT_AMD_PARAMS)).toEqual([]);
    expect(validateAmdParams({})).toEqual([]);
    expect(validateAmdParams({ greetingMs: 2000, maximumNumberOfWords: 4 })).toEqual([]);
  });

  it('lists each problem', () => {
    const problems = validateAmdParams({
      silenceThreshold: 0,
      initialSilenceMs: -1,
      greetingMs: Number.NaN,
      maximumNumberOfWords: 2.5,
      totalAnalysisTimeMs: Number.POSITIVE_INFINITY,
    });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/silenceThreshold/);
    expect(problems.join('\n')).toMatch(/initialSilenceMs: must be a positive number of milliseconds \(got -1\)/);
    expect(problems.join('\n')).toMatch(/greetingMs: must be a finite number/);
    expect(problems.join('\n')).toMatch(/maximumNumberOfWords: must be a whole number/);
    expect(problems.join('\n')).toMatch(/totalAnalysisTimeMs/);
  });

  it('checks fields against each other, with the defaults filling in', () => {
    expect(validateAmdParams({ minWordLengthMs: 6000 })).toEqual([expect.stringMatching(/minWordLengthMs \(6000\) must be below maximumWordLengthMs \(5000\)/)]);
    expect(validateAmdParams({ betweenWordsSilenceMs: 800 })).toEqual([expect.stringMatching(/betweenWordsSilenceMs .* afterGreetingSilenceMs/)]);
    expect(validateAmdParams({ totalAnalysisTimeMs: 10 })).toEqual([expect.stringMatching(/at least one frame/)]);
  });

  it('flags unknown keys and non-numbers', () => {
    expect(validateAmdParams({ greetingMS: 100 } as unknown as Partial<AmdParams>)).toEqual(['greetingMS: not an AMD parameter']);
    expect(validateAmdParams({ greetingMs: '100' } as unknown as Partial<AmdParams>)).toEqual(['greetingMs: must be a finite number']);
  });

  it('makes the constructor refuse bad parameters', () => {
    expect(() => new AmdDetector({ silenceThreshold: -5 })).toThrow(RangeError);
    expect(() => new AmdDetector({ greetingMs: undefined })).not.toThrow();
  });
});

describeWithPeer(['espeak-ng'], 'AmdDetector on espeak-ng speech', () => {
  it('HUMAN: "Hello?" then 2 s of silence', async () => {
    const hello = await speakWithEspeak('Hello?');
    const decision = decide(concatPcm(silence(300), hello, silence(2000)));
    expect(decision).toMatchObject({ result: 'human', reason: expect.stringMatching(/^after-greeting silence/) });
    // espeak's "Hello?" has ~400 ms of voice; the decision follows 800 ms after it (observed: 1520 ms).
    expect(decision!.afterMs).toBeGreaterThanOrEqual(1300);
    expect(decision!.afterMs).toBeLessThanOrEqual(1800);
  });

  it.each(['Hello?', 'Yes?', 'Speaking.', 'Hi, who is this?'])('HUMAN in several voices: %s', async (text) => {
    for (const voice of ['en-gb', 'en-us', 'en-us+f3']) {
      const speech = await speakWithEspeak(text, { voice });
      expect(decide(concatPcm(silence(300), speech, silence(2000)))?.result, `${voice}: ${text}`).toBe('human');
    }
  });

  it('MACHINE: a voicemail greeting, decided within about 2 s', async () => {
    const greeting = await speakWithEspeak(VOICEMAIL_GREETING);
    expect(greeting.length / 8).toBeGreaterThan(6000); // ~7.7 s of speech
    const decision = decide(concatPcm(silence(300), greeting, silence(1000)));
    // Observed: "words 3 (limit 3) in 1000 ms of voice" at 1600 ms.
    expect(decision).toMatchObject({ result: 'machine', reason: expect.stringMatching(/^(words|long greeting)/) });
    expect(decision!.afterMs).toBeLessThan(2500);
  });

  it.each([
    'Hi, this is Sarah. Leave a message.',
    'The person you are calling is not available. Please leave a message after the tone.',
    'You have reached 555 1234. Please leave your name and number.',
  ])('MACHINE in several voices: %s', async (text) => {
    for (const voice of ['en-gb', 'en-us', 'en-us+f3']) {
      const greeting = await speakWithEspeak(text, { voice });
      expect(decide(concatPcm(silence(300), greeting, silence(1000)))?.result, `${voice}: ${text}`).toBe('machine');
    }
  });
});
