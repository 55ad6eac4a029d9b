// Text-to-speech with espeak-ng: audio at 8 kHz of a plausible length, rendered once and then served from the disk
// cache (the engine is not started again), concurrent requests sharing one render, text that looks like an option
// spoken as text, and every failure a TtsError with its code. The process handling is tested against a fake
// engine (a script that writes espeak-ng's kind of WAV and logs its calls), the speech against the real one.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createEspeakTts, parseEspeakWav, resolveVoice, ttsAvailable, TtsError, ESPEAK_ENGINE_TAG } from '../../src/media/tts/espeak-tts.js';
import { TtsCache } from '../../src/media/tts/tts-cache.js';
import { decodeStoredWav } from '../../src/media/audio/encode-wav.js';
import { speakWithEspeak, writeWav8k } from '../helpers/audio-fixtures.js';
import { describeWithPeer } from '../helpers/peers.js';

const scratch = mkdtempSync(join(tmpdir(), 'ringcast-tts-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;
const freshDir = (name: string) => join(scratch, `${name}-${++folders}`);

/**
 * A stand-in engine: logs its arguments and stdin to `<log>` (one JSON line per run), then writes a WAV the way
 * espeak-ng --stdout does (sizes 0x7fffffff) holding 0.5 s of a 440 Hz sine at 22,050 Hz.
 */
function fakeEngine(behaviour: 'speak' | 'sleep' | 'fail' = 'speak'): { binary: string; calls: () => { args: string[]; text: string }[] } {
  const dir = freshDir('engine');
  const log = join(dir, 'calls.log');
  const binary = join(dir, 'fake-espeak');
  const script = `#!${process.execPath}
const fs = require('node:fs');
let text = '';
process.stdin.on('data', (d) => (text += d));
process.stdin.on('end', () => {
  fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), text }) + '\\n');
  if (${JSON.stringify(behaviour)} === 'sleep') { setTimeout(() => {}, 60000); return; }
  if (${JSON.stringify(behaviour)} === 'fail') { process.stderr.write('something broke'); process.exit(3); }
  const rate = 22050, samples = rate / 2;
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0); out.writeUInt32LE(0x7fffffff, 4); out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16); out.writeUInt16LE(1, 20); out.writeUInt16LE(1, 22); out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28); out.writeUInt16LE(2, 32); out.writeUInt16LE(16, 34);
  out.write('data', 36); out.writeUInt32LE(0x7fffffff, 40);
  for (let n = 0; n < samples; n++) out.writeInt16LE(Math.round(10000 * Math.sin(2 * Math.PI * 440 * n / rate)), 44 + 2 * n);
  process.stdout.write(out);
});
`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(binary, script);
  chmodSync(binary, 0o755);
  return {
    binary,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as { args: string[]; text: string })
        : [],
  };
}

async function rejection(promise: Promise<unknown>): Promise<TtsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TtsError);
  return error as TtsError;
}

function wav(parts: { fmt?: { tag: number; channels: number; rate: number; bits: number }; data?: number[]; dataSize?: number; dataFirst?: boolean }): Uint8Array {
  const chunks: Buffer[] = [];
  const fmtChunk = () => {
    const b = Buffer.alloc(24);
    const f = parts.fmt ?? { tag: 1, channels: 1, rate: 22050, bits: 16 };
    b.write('fmt ', 0);
    b.writeUInt32LE(16, 4);
    b.writeUInt16LE(f.tag, 8);
    b.writeUInt16LE(f.channels, 10);
    b.writeUInt32LE(f.rate, 12);
    b.writeUInt32LE(f.rate * 2 * f.channels, 16);
    b.writeUInt16LE(2 * f.channels, 20);
    b.writeUInt16LE(f.bits, 22);
    return b;
  };
  const dataChunk = () => {
    const bytes = Buffer.from(parts.data ?? []);
    const head = Buffer.alloc(8);
    head.write('data', 0);
    head.writeUInt32LE(parts.dataSize ?? 0x7fffffff, 4);
    return Buffer.concat([head, bytes]);
  };
  const header = Buffer.alloc(12);
  header.write('RIFF', 0);
  header.writeUInt32LE(0x7fffffff, 4);
  header.write('WAVE', 8);
  if (parts.dataFirst) chunks.push(dataChunk(), fmtChunk());
  else chunks.push(fmtChunk(), dataChunk());
  return new Uint8Array(Buffer.concat([header, ...chunks]));
}

describe('parseEspeakWav', () => {
  it('takes the bytes actually present when the data size is the bogus 0x7fffffff, dropping an odd last byte', () => {
    const parsed = parseEspeakWav(wav({ data: [0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0x7f] }));
    expect(parsed.sampleRateHz).toBe(22050);
    expect([...parsed.samples]).toEqual([1, -1, -32768]);
  });

  it('honours a true data size smaller than what follows', () => {
    expect([...parseEspeakWav(wav({ data: [1, 0, 2, 0, 3, 0], dataSize: 4 })).samples]).toEqual([1, 2]);
  });

  it('skips other chunks before the data', () => {
    const bytes = wav({ data: [5, 0] });
    const list = Buffer.from([...Buffer.from('LIST'), 3, 0, 0, 0, 9, 9, 9, 0]); // odd size, padded
    const withList = Buffer.concat([Buffer.from(bytes.subarray(0, 36)), list, Buffer.from(bytes.subarray(36))]);
    expect([...parseEspeakWav(new Uint8Array(withList)).samples]).toEqual([5]);
  });

  it.each([
    ['not a WAV', new Uint8Array(Buffer.from('hello, this is not audio'))],
    ['empty', new Uint8Array(0)],
    ['stereo', wav({ fmt: { tag: 1, channels: 2, rate: 22050, bits: 16 } })],
    ['8-bit', wav({ fmt: { tag: 1, channels: 1, rate: 22050, bits: 8 } })],
    ['float', wav({ fmt: { tag: 3, channels: 1, rate: 22050, bits: 16 } })],
    ['data before fmt', wav({ dataFirst: true })],
    ['header only', wav({}).subarray(0, 30)],
  ])('refuses %s with ENGINE_FAILED', (_name, bytes) => {
    expect(() => parseEspeakWav(bytes)).toThrow(expect.objectContaining({ code: 'ENGINE_FAILED' }));
  });
});

describe('resolveVoice', () => {
  it('uses the voice, else the language in eSpeak form, else the default', () => {
    expect(resolveVoice({ voice: 'en-US+f3' }, 'en-gb')).toBe('en-us+f3');
    expect(resolveVoice({ voice: 'en-gb-x-rp', language: 'fr-FR' }, 'en-gb')).toBe('en-gb-x-rp');
    expect(resolveVoice({ language: 'en-GB' }, 'en-us')).toBe('en-gb');
    expect(resolveVoice({ language: 'pt_BR' }, 'en-gb')).toBe('pt-br');
    expect(resolveVoice({}, 'en-gb')).toBe('en-gb');
  });

  it.each(['../../etc/passwd', '-w /tmp/x', 'en gb', 'en;rm', '', 'e', 'en+', `en-${'a'.repeat(60)}`])('refuses voice %j', (voice) => {
    expect(() => resolveVoice({ voice }, 'en-gb')).toThrow(expect.objectContaining({ code: 'BAD_VOICE' }));
  });

  it('refuses a language with a variant or junk', () => {
    expect(() => resolveVoice({ language: 'en+f3' }, 'en-gb')).toThrow(expect.objectContaining({ code: 'BAD_VOICE' }));
    expect(() => resolveVoice({ language: '--help' }, 'en-gb')).toThrow(expect.objectContaining({ code: 'BAD_VOICE' }));
  });
});

describe('createEspeakTts with a stand-in engine', () => {
  it('passes the text on stdin (never as an argument) and the voice and speed as arguments', async () => {
    const engine = fakeEngine();
    const tts = createEspeakTts({ cacheDir: freshDir('cache'), binary: engine.binary, speedWpm: 150 });
    await tts.render('-v xx --help; rm -rf /', { language: 'en-US' });
    const [call] = engine.calls();
    expect(call!.text).toBe('-v xx --help; rm -rf /');
    expect(call!.args).toEqual(['--stdout', '-b', '1', '-v', 'en-us', '-s', '150', '--stdin']);
  });

  it('resamples 22,050 Hz to 8 kHz: 0.5 s becomes 4000 samples', async () => {
    const engine = fakeEngine();
    const pcm = await createEspeakTts({ cacheDir: freshDir('cache'), binary: engine.binary }).render('x');
    expect(pcm).toBeInstanceOf(Int16Array);
    expect(pcm.length).toBe(4000);
    let upward = 0;
    for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 && pcm[i]! >= 0) upward++;
    expect(upward).toBeGreaterThanOrEqual(219); // 440 Hz for 0.5 s
    expect(upward).toBeLessThanOrEqual(221);
  });

  it('caches on disk: a second render, even by another instance, does not start the engine', async () => {
    const engine = fakeEngine();
    const cacheDir = freshDir('cache');
    const first = await createEspeakTts({ cacheDir, binary: engine.binary }).render('Welcome to Ringcast.');
    const second = await createEspeakTts({ cacheDir, binary: engine.binary }).render('Welcome to Ringcast.');
    expect(engine.calls()).toHaveLength(1);
    expect(second).toEqual(first);

    const key = TtsCache.keyOf([ESPEAK_ENGINE_TAG, 'en-gb', 175, 'Welcome to Ringcast.']);
    const path = join(cacheDir, key.slice(0, 2), `${key}.pcm`);
    expect(readFileSync(path).length).toBe(first.length * 2);
    expect(readdirSync(join(cacheDir, key.slice(0, 2)))).toEqual([`${key}.pcm`]); // no temporary file left behind

    // Another voice, speed or text is another entry.
    await createEspeakTts({ cacheDir, binary: engine.binary, speedWpm: 140 }).render('Welcome to Ringcast.');
    await createEspeakTts({ cacheDir, binary: engine.binary }).render('Welcome to Ringcast.', { voice: 'en-us' });
    expect(engine.calls()).toHaveLength(3);
  });

  it('shares one render among concurrent requests for the same text, each getting its own copy', async () => {
    const engine = fakeEngine();
    const tts = createEspeakTts({ cacheDir: freshDir('cache'), binary: engine.binary });
    const results = await Promise.all([tts.render('Same.'), tts.render('Same.'), tts.render('Same.'), tts.render('Other.')]);
    expect(engine.calls()).toHaveLength(2);
    expect(results[0]).toEqual(results[1]);
    results[0]![0] = 12345;
    expect(results[1]![0]).not.toBe(12345);
  });

  it('renders again when a cache file is damaged (odd length)', async () => {
    const engine = fakeEngine();
    const cacheDir = freshDir('cache');
    const tts = createEspeakTts({ cacheDir, binary: engine.binary });
    await tts.render('Damaged.');
    const key = TtsCache.keyOf([ESPEAK_ENGINE_TAG, 'en-gb', 175, 'Damaged.']);
    writeFileSync(join(cacheDir, key.slice(0, 2), `${key}.pcm`), Buffer.from([1, 2, 3]));
    expect(await createEspeakTts({ cacheDir, binary: engine.binary }).render('Damaged.')).toHaveLength(4000);
    expect(engine.calls()).toHaveLength(2);
  });

  it('still returns the audio when the cache cannot be written, and says so', async () => {
    const engine = fakeEngine();
    const blocker = freshDir('blocked');
    writeFileSync(blocker, 'a file where the cache folder should be');
    const errors: unknown[] = [];
    const tts = createEspeakTts({ cacheDir: blocker, binary: engine.binary, onCacheError: (e) => errors.push(e) });
    expect(await tts.render('Uncached.')).toHaveLength(4000);
    // The read (ENOTDIR) and the write both fail, and both are reported.
    expect(errors.length).toBeGreaterThanOrEqual(1);
  });

  it('ENGINE_MISSING when the program does not exist', async () => {
    const tts = createEspeakTts({ cacheDir: freshDir('cache'), binary: join(scratch, 'no-such-espeak') });
    const error = await rejection(tts.render('Hello'));
    expect(error.code).toBe('ENGINE_MISSING');
    expect(error.message).toContain('no-such-espeak');
  });

  it('TIMEOUT when the engine hangs', async () => {
    const engine = fakeEngine('sleep');
    const tts = createEspeakTts({ cacheDir: freshDir('cache'), binary: engine.binary, timeoutMs: 1500 });
    const started = Date.now();
    expect((await rejection(tts.render('Hello'))).code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ENGINE_FAILED with the engine\'s message when it exits with an error; nothing is cached', async () => {
    const engine = fakeEngine('fail');
    const cacheDir = freshDir('cache');
    const tts = createEspeakTts({ cacheDir, binary: engine.binary });
    const error = await rejection(tts.render('Hello'));
    expect(error.code).toBe('ENGINE_FAILED');
    expect(error.message).toContain('something broke');
    await rejection(tts.render('Hello'));
    expect(engine.calls()).toHaveLength(2);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('BAD_TEXT for empty or over-long text, BAD_VOICE for a malformed voice, without starting the engine', async () => {
    const engine = fakeEngine();
    const tts = createEspeakTts({ cacheDir: freshDir('cache'), binary: engine.binary });
    expect((await rejection(tts.render('  \n '))).code).toBe('BAD_TEXT');
    expect((await rejection(tts.render('x'.repeat(5001)))).code).toBe('BAD_TEXT');
    expect((await rejection(tts.render('Hello', { voice: '../voices/evil' }))).code).toBe('BAD_VOICE');
    expect(engine.calls()).toHaveLength(0);
  });

  it('refuses bad options at creation', () => {
    expect(() => createEspeakTts({ cacheDir: scratch, speedWpm: 10 })).toThrow(RangeError);
    expect(() => createEspeakTts({ cacheDir: scratch, defaultVoice: '-w' })).toThrow(RangeError);
    expect(() => createEspeakTts({ cacheDir: scratch, timeoutMs: 0 })).toThrow(RangeError);
  });

  it('ttsAvailable is false for a missing program', async () => {
    expect(await ttsAvailable(join(scratch, 'no-such-espeak'))).toBe(false);
  });
});

describeWithPeer(['espeak-ng'], 'createEspeakTts with espeak-ng', () => {
  it('ttsAvailable says yes', async () => {
    expect(await ttsAvailable()).toBe(true);
  });

  it('renders speech at 8 kHz: the length matches the engine\'s own 22,050 Hz output and the audio is loud', async () => {
    const text = 'Your appointment is on Tuesday at ten o clock.';
    const pcm = await createEspeakTts({ cacheDir: freshDir('cache') }).render(text);
    const direct = spawnSync('espeak-ng', ['--stdout', '-v', 'en-gb', '-s', '175', text]);
    const directSamples = (direct.stdout.length - 44) / 2;
    expect(pcm.length).toBeGreaterThan(8000 * 1.5); // a sentence is seconds long
    expect(pcm.length).toBeLessThan(8000 * 6);
    expect(Math.abs(pcm.length - Math.round((directSamples * 8000) / 22050))).toBeLessThanOrEqual(1);
    let sumOfSquares = 0;
    for (const x of pcm) sumOfSquares += x * x;
    expect(Math.sqrt(sumOfSquares / pcm.length)).toBeGreaterThan(1000);
  });

  it('speaks text that starts with "-" as text', async () => {
    const pcm = await createEspeakTts({ cacheDir: freshDir('cache') }).render('-v xx --help minus five degrees');
    expect(pcm.length).toBeGreaterThan(8000);
  });

  it('maps a language tag to a voice: en-GB is en-gb, and en-US sounds different', async () => {
    const tts = createEspeakTts({ cacheDir: freshDir('cache') });
    const byLanguage = await tts.render('Hello there.', { language: 'en-GB' });
    expect(byLanguage).toEqual(await tts.render('Hello there.', { voice: 'en-gb' }));
    expect(await tts.render('Hello there.', { language: 'en-US' })).not.toEqual(byLanguage);
  });

  it('BAD_VOICE for a voice espeak-ng does not have', async () => {
    const error = await rejection(createEspeakTts({ cacheDir: freshDir('cache') }).render('Hello', { voice: 'zz-qq' }));
    expect(error.code).toBe('BAD_VOICE');
    expect(error.message).toMatch(/does not exist/);
  });

  it('a cache hit does not start espeak-ng (a counting wrapper around it)', async () => {
    const dir = freshDir('wrapper');
    mkdirSync(dir, { recursive: true });
    const count = join(dir, 'count');
    const wrapper = join(dir, 'espeak-ng');
    writeFileSync(wrapper, `#!/bin/sh\necho run >> '${count}'\nexec espeak-ng "$@"\n`);
    chmodSync(wrapper, 0o755);
    const cacheDir = freshDir('cache');
    const first = await createEspeakTts({ cacheDir, binary: wrapper }).render('Press one to confirm.');
    const again = await createEspeakTts({ cacheDir, binary: wrapper }).render('Press one to confirm.');
    expect(again).toEqual(first);
    expect(readFileSync(count, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describeWithPeer(['espeak-ng'], 'test fixtures: speakWithEspeak and writeWav8k', () => {
  it('writes speech as an 8 kHz mono 16-bit WAV that reads back sample for sample', async () => {
    const pcm = await speakWithEspeak('Hello?');
    const path = join(freshDir('wav'), 'hello.wav');
    mkdirSync(join(path, '..'), { recursive: true });
    await writeWav8k(path, pcm);
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(24)).toBe(8000);
    expect(bytes.readUInt16LE(22)).toBe(1);
    expect(decodeStoredWav(new Uint8Array(bytes))).toEqual(pcm);
  });
});
