// The WAV parser, the resampler and the stored form: every supported sample format decodes to the right values, any
// rate and channel count comes out as 8 kHz mono, and bad input of any kind is an AudioDecodeError, never another throw.
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, alawToLinear, mulawToLinear, parseWav } from '../../../src/media/audio/wav.js';
import { mixToMono, resampleToInt16, toTelephoneAudio } from '../../../src/media/audio/resample.js';
import { decodeStoredWav, encodeWav8kMono } from '../../../src/media/audio/encode-wav.js';
import { decodeUpload } from '../../../src/media/audio/decode-upload.js';
import { buildWav, silentMp3, sineWav16 } from '../../helpers/wav-builder.js';

const rms = (samples: ArrayLike<number>, scale = 1) => {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i]! / scale) ** 2;
  return Math.sqrt(sum / samples.length);
};
/** Upward zero crossings per second of 8 kHz audio: its frequency. */
const frequencyOf8k = (pcm: Int16Array) => {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 && pcm[i]! >= 0) crossings++;
  return crossings / (pcm.length / 8000);
};

describe('parseWav', () => {
  it('decodes a 44.1 kHz stereo 16-bit sine, and the telephone form is 8 kHz mono at the same pitch and level', () => {
    const wav = parseWav(sineWav16({ sampleRate: 44_100, channels: 2, frequencyHz: 440, durationMs: 1000 }));
    expect(wav).toMatchObject({ format: 'pcm_s16', sampleRate: 44_100 });
    expect(wav.channels).toHaveLength(2);
    expect(wav.channels[0]).toHaveLength(44_100);
    const pcm = toTelephoneAudio(wav.channels, wav.sampleRate);
    expect(pcm).toHaveLength(8000);
    expect(frequencyOf8k(pcm)).toBeCloseTo(440, -1);
    // A sine of amplitude 0.5 has an RMS of 0.5 / sqrt 2.
    expect(rms(pcm, 32768)).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });

  it('removes content above 4 kHz when downsampling instead of folding it back (a 6 kHz tone at 48 kHz)', () => {
    const wav = parseWav(sineWav16({ sampleRate: 48_000, channels: 1, frequencyHz: 6000, durationMs: 500 }));
    const pcm = toTelephoneAudio(wav.channels, wav.sampleRate);
    expect(pcm).toHaveLength(4000);
    // Unfiltered decimation would give a 2 kHz alias at the full 0.35 RMS.
    expect(rms(pcm.subarray(200, 3800), 32768)).toBeLessThan(0.01);
  });

  it('upsamples a 4 kHz file to 8 kHz by linear interpolation', () => {
    const wav = parseWav(sineWav16({ sampleRate: 4000, channels: 1, frequencyHz: 250, durationMs: 1000 }));
    const pcm = toTelephoneAudio(wav.channels, wav.sampleRate);
    expect(pcm).toHaveLength(8000);
    expect(frequencyOf8k(pcm)).toBeCloseTo(250, -1);
  });

  it('decodes 8-bit unsigned PCM (128 is silence)', () => {
    const wav = parseWav(buildWav({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 8, data: new Uint8Array([128, 255, 0, 192]) }));
    expect(wav.format).toBe('pcm_u8');
    expect([...wav.channels[0]!]).toEqual([0, 127 / 128, -1, 0.5]);
  });

  it('decodes G.711 mu-law (format 7) and A-law (format 6)', () => {
    expect([mulawToLinear(0xff), mulawToLinear(0x80), mulawToLinear(0x00), mulawToLinear(0x7f)]).toEqual([0, 32124, -32124, 0]);
    expect([alawToLinear(0xd5), alawToLinear(0x55), alawToLinear(0xaa), alawToLinear(0x2a)]).toEqual([8, -8, 32256, -32256]);
    const mulaw = parseWav(buildWav({ formatTag: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8, data: new Uint8Array([0xff, 0x80, 0x00]) }));
    expect(mulaw.format).toBe('mulaw');
    expect([...mulaw.channels[0]!].map((x) => Math.round(x * 32768))).toEqual([0, 32124, -32124]);
    const alaw = parseWav(buildWav({ formatTag: 6, channels: 2, sampleRate: 8000, bitsPerSample: 8, data: new Uint8Array([0xd5, 0xaa]) }));
    expect(alaw.format).toBe('alaw');
    expect(alaw.channels.map((c) => Math.round(c[0]! * 32768))).toEqual([8, 32256]);
  });

  it('decodes 24 and 32-bit integer PCM, 32-bit float, and WAVE_FORMAT_EXTENSIBLE, after other chunks', () => {
    const s24 = parseWav(buildWav({ formatTag: 1, channels: 1, sampleRate: 16_000, bitsPerSample: 24, data: new Uint8Array([0, 0, 0x40, 0, 0, 0xc0]), listChunk: true }));
    expect([...s24.channels[0]!]).toEqual([0.5, -0.5]);
    const s32data = new Uint8Array(8);
    new DataView(s32data.buffer).setInt32(0, 0x40000000, true);
    new DataView(s32data.buffer).setInt32(4, -0x80000000, true);
    const s32 = parseWav(buildWav({ formatTag: 1, channels: 1, sampleRate: 22_050, bitsPerSample: 32, data: s32data }));
    expect([...s32.channels[0]!]).toEqual([0.5, -1]);
    const f32 = new Float32Array([0.25, -0.75, 3, Number.NaN]);
    const float = parseWav(buildWav({ formatTag: 3, channels: 1, sampleRate: 96_000, bitsPerSample: 32, data: new Uint8Array(f32.buffer) }));
    expect([...float.channels[0]!]).toEqual([0.25, -0.75, 1, 0]);
    const ext = parseWav(buildWav({ formatTag: 1, channels: 2, sampleRate: 48_000, bitsPerSample: 16, data: new Uint8Array([0, 0x40, 0, 0xc0]), extensible: true }));
    expect(ext.format).toBe('pcm_s16');
    expect(ext.channels.map((c) => c[0])).toEqual([0.5, -0.5]);
  });

  it('mixes any number of channels to mono by averaging', () => {
    const mono = mixToMono([new Float32Array([1, 0]), new Float32Array([0, 0]), new Float32Array([-0.5, 0.3])]);
    expect(mono[0]).toBeCloseTo(1 / 6);
    expect(mono[1]).toBeCloseTo(0.1);
    expect(resampleToInt16(new Float32Array([0.5, -0.5]), 8000)).toEqual(new Int16Array([16384, -16384]));
  });

  it.each([
    ['an empty file', new Uint8Array(0), /too short/],
    ['a text file', new TextEncoder().encode('hello, this is not audio at all'), /not a WAV file/],
    ['a RIFF header alone', buildWav({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, data: new Uint8Array(0) }).subarray(0, 12), /no "fmt " chunk/],
    ['a truncated data chunk', sineWav16({ sampleRate: 8000, channels: 1, frequencyHz: 400, durationMs: 100 }).subarray(0, 500), /truncated/],
    ['a truncated fmt chunk', buildWav({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, data: new Uint8Array(4) }).subarray(0, 24), /truncated|no "fmt "/],
    ['no data', buildWav({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, data: new Uint8Array(0) }), /no audio samples/],
    ['ADPCM (format 2)', buildWav({ formatTag: 2, channels: 1, sampleRate: 8000, bitsPerSample: 4, data: new Uint8Array(4) }), /format 2 is not supported/],
    ['12-bit PCM', buildWav({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 12, data: new Uint8Array(4) }), /12 bits/],
    ['zero channels', buildWav({ formatTag: 1, channels: 0, sampleRate: 8000, bitsPerSample: 16, data: new Uint8Array(4), blockAlign: 2 }), /0 channels/],
    ['a zero sample rate', buildWav({ formatTag: 1, channels: 1, sampleRate: 0, bitsPerSample: 16, data: new Uint8Array(4) }), /sample rate 0/],
    ['a wrong block align', buildWav({ formatTag: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, data: new Uint8Array(8), blockAlign: 3 }), /block align/],
    ['audio over 10 minutes (1 Hz)', buildWav({ formatTag: 1, channels: 1, sampleRate: 1, bitsPerSample: 8, data: new Uint8Array(601).fill(128) }), /longer than 10 minutes/],
  ])('refuses %s with an AudioDecodeError', (_label, bytes, message) => {
    expect(() => parseWav(bytes)).toThrow(AudioDecodeError);
    expect(() => parseWav(bytes)).toThrow(message);
  });

  it('throws nothing but AudioDecodeError for random bytes and mutated WAV files (fuzz)', () => {
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const valid = [
      sineWav16({ sampleRate: 11_025, channels: 3, frequencyHz: 300, durationMs: 20 }),
      buildWav({ formatTag: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8, data: new Uint8Array(64), listChunk: true }),
      buildWav({ formatTag: 3, channels: 2, sampleRate: 44_100, bitsPerSample: 32, data: new Uint8Array(64), extensible: true }),
    ];
    let decoded = 0;
    for (let round = 0; round < 3000; round++) {
      let bytes: Uint8Array;
      if (round % 3 === 0) {
        bytes = new Uint8Array(Math.floor(random() * 200));
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
        if (bytes.length >= 12 && random() < 0.5) bytes.set([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45]);
      } else {
        const base = valid[round % valid.length]!;
        bytes = base.slice(0, Math.floor(random() * (base.length + 1)));
        const flips = Math.floor(random() * 6);
        for (let i = 0; i < flips && bytes.length > 0; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      try {
        const wav = parseWav(bytes);
        toTelephoneAudio(wav.channels, wav.sampleRate);
        decoded++;
      } catch (error) {
        if (!(error instanceof AudioDecodeError)) throw new Error(`round ${round}: ${String(error)}`, { cause: error });
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('the stored form', () => {
  it('writes 8 kHz mono 16-bit WAV and reads it back sample for sample', () => {
    const pcm = new Int16Array([0, 1, -1, 32767, -32768, 1234]);
    const wav = encodeWav8kMono(pcm);
    expect(wav).toHaveLength(44 + 12);
    expect(parseWav(wav)).toMatchObject({ format: 'pcm_s16', sampleRate: 8000 });
    expect(decodeStoredWav(wav)).toEqual(pcm);
  });

  it('decodes an upload to the stored form with its duration', async () => {
    const upload = await decodeUpload(sineWav16({ sampleRate: 44_100, channels: 2, frequencyHz: 440, durationMs: 1500 }), 'wav');
    expect(upload.durationMs).toBe(1500);
    expect(upload.pcm8kMono).toHaveLength(12_000);
    expect(decodeStoredWav(upload.wav)).toEqual(upload.pcm8kMono);
  });

  it('decodes MP3 (WebAssembly mpg123) and refuses what is not MP3', async () => {
    const mp3 = await decodeUpload(silentMp3(20), 'mp3');
    // 20 frames x 1152 samples at 44.1 kHz (522.4 ms), to the nearest 8 kHz sample.
    expect(Math.abs(mp3.durationMs - (20 * 1152 * 1000) / 44_100)).toBeLessThanOrEqual(1);
    expect(rms(mp3.pcm8kMono)).toBe(0);
    await expect(decodeUpload(new TextEncoder().encode('not an mp3 file, just text'), 'mp3')).rejects.toThrow(AudioDecodeError);
    await expect(decodeUpload(sineWav16({ sampleRate: 8000, channels: 1, frequencyHz: 400, durationMs: 100 }), 'mp3')).rejects.toThrow(/send it as audio\/wav/);
  });
});
