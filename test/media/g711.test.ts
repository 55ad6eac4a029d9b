// G.711 against the reference values of ITU-T G.711 / the CCITT reference code, and the properties a codec must
// keep: every code word survives decode -> encode, and the round-trip error stays within half a quantisation step.
import { describe, expect, it } from 'vitest';
import {
  ALAW_SILENCE_BYTE,
  MULAW_SILENCE_BYTE,
  alawToLinear,
  decodeAlaw,
  decodeG711,
  decodeMulaw,
  encodeAlaw,
  encodeG711,
  encodeMulaw,
  linearToAlaw,
  linearToMulaw,
  mulawToLinear,
} from '../../src/media/codec/g711.js';
import * as wav from '../../src/media/audio/wav.js';

/** Width of the quantisation step a linear value falls in: the bound on the round-trip error is half of it. */
function mulawStep(sample: number): number {
  const magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
  const segment = Math.max(0, Math.floor(Math.log2(magnitude)) - 7);
  return 8 << segment;
}
function alawStep(sample: number): number {
  const magnitude = Math.abs(sample);
  const segment = magnitude < 256 ? 0 : Math.floor(Math.log2(magnitude)) - 7;
  return segment <= 1 ? 16 : 16 << (segment - 1);
}

describe('G.711 mu-law', () => {
  it('encodes the known values: 0 -> 0xFF, full scale -> 0x80 / 0x00, -1 -> 0x7F', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(MULAW_SILENCE_BYTE).toBe(0xff);
    expect(linearToMulaw(32767)).toBe(0x80);
    expect(linearToMulaw(-32768)).toBe(0x00);
    expect(linearToMulaw(-1)).toBe(0x7f);
    expect(linearToMulaw(100)).toBe(0xf2);
    expect(linearToMulaw(1000)).toBe(0xce);
  });

  it('decodes the known values: 0xFF and 0x7F -> 0, 0x80 -> 32124, 0x00 -> -32124', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0x00)).toBe(-32124);
  });

  it('keeps every code word through decode -> encode (0x7F, negative zero, becomes 0xFF)', () => {
    for (let code = 0; code < 256; code++) {
      expect(linearToMulaw(mulawToLinear(code))).toBe(code === 0x7f ? 0xff : code);
    }
  });

  it('decodes as the WAV reader does (an independent implementation)', () => {
    for (let code = 0; code < 256; code++) expect(mulawToLinear(code)).toBe(wav.mulawToLinear(code));
  });

  it('round-trips every 16-bit sample within half a step, and clips beyond +-32635', () => {
    for (let sample = -32768; sample <= 32767; sample++) {
      const error = Math.abs(mulawToLinear(linearToMulaw(sample)) - Math.max(-32635, Math.min(32635, sample)));
      if (error > mulawStep(sample) / 2 + 4) throw new Error(`sample ${sample}: error ${error}`);
    }
  });
});

describe('G.711 A-law', () => {
  it('encodes the known values: 0 -> 0xD5, -1 -> 0x55, full scale -> 0xAA / 0x2A', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(ALAW_SILENCE_BYTE).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
  });

  it('decodes the known values: 0xD5 -> 8, 0x55 -> -8, 0xAA -> 32256, 0x2A -> -32256', () => {
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
  });

  it('keeps all 256 code words through decode -> encode', () => {
    for (let code = 0; code < 256; code++) expect(linearToAlaw(alawToLinear(code))).toBe(code);
  });

  it('decodes as the WAV reader does', () => {
    for (let code = 0; code < 256; code++) expect(alawToLinear(code)).toBe(wav.alawToLinear(code));
  });

  it('round-trips every 16-bit sample within half a step', () => {
    for (let sample = -32768; sample <= 32767; sample++) {
      const error = Math.abs(alawToLinear(linearToAlaw(sample)) - sample);
      if (error > alawStep(sample) / 2) throw new Error(`sample ${sample}: error ${error}`);
    }
  });
});

describe('G.711 buffers', () => {
  const pcm = Int16Array.from({ length: 8000 }, (_, i) => Math.round(20000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));

  it('encodes and decodes buffers exactly as the per-sample functions do (lookup tables)', () => {
    const mu = encodeMulaw(pcm);
    const a = encodeAlaw(pcm);
    expect(mu).toHaveLength(pcm.length);
    pcm.forEach((sample, i) => {
      expect(mu[i]).toBe(linearToMulaw(sample));
      expect(a[i]).toBe(linearToAlaw(sample));
    });
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(decodeMulaw(all))).toEqual(Array.from(all, mulawToLinear));
    expect(Array.from(decodeAlaw(all))).toEqual(Array.from(all, alawToLinear));
  });

  it('keeps a tone: signal-to-noise ratio above 35 dB for both laws', () => {
    for (const law of ['mulaw', 'alaw'] as const) {
      const back = decodeG711(law, encodeG711(law, pcm));
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < pcm.length; i++) {
        signal += pcm[i]! ** 2;
        noise += (pcm[i]! - back[i]!) ** 2;
      }
      expect(10 * Math.log10(signal / noise)).toBeGreaterThan(35);
    }
  });

  it('writes into a caller-supplied buffer (no allocation on the send path)', () => {
    const out = new Uint8Array(200).fill(7);
    const result = encodeMulaw(new Int16Array(160), out);
    expect(result).toBe(out);
    expect(out.subarray(0, 160).every((byte) => byte === 0xff)).toBe(true);
    expect(out[160]).toBe(7);
    expect(() => encodeMulaw(new Int16Array(160), new Uint8Array(10))).toThrow(RangeError);
  });
});
