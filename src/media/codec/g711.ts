// ITU-T G.711 companding: 16-bit linear PCM <-> 8-bit mu-law (PCMU, RTP payload type 0) and A-law (PCMA, payload
// type 8), RFC 3551 section 4.5.14. Both laws are piecewise-linear approximations of a logarithm: a sign bit, a 3-bit
// segment (exponent) and a 4-bit step within the segment. On the wire every other bit is inverted (mu-law: all bits;
// A-law: XOR 0x55, "even bit inversion") so that silence is not a run of zero bits.
//
// The per-sample functions follow the reference arithmetic (the CCITT/Sun g711.c). The buffer functions, which the
// RTP path runs 8,000 times a second per call, read lookup tables built once on first use: 256 entries to decode and
// 65,536 (one per 16-bit sample) to encode.

export type G711Law = 'mulaw' | 'alaw';

/** Encoded digital silence: mu-law 0xFF is +0; A-law 0xD5 is the smallest positive step (+8). */
export const MULAW_SILENCE_BYTE = 0xff;
export const ALAW_SILENCE_BYTE = 0xd5;

/** mu-law adds this bias before finding the segment so that every segment starts on a power of two. */
const MULAW_BIAS = 0x84;
/** Largest magnitude mu-law can represent once the bias is added (32635 + 132 = 32767). */
const MULAW_CLIP = 32635;

/** Linear 16-bit sample (clamped to -32768..32767) to a mu-law byte. */
export function linearToMulaw(sample: number): number {
  let value = clampInt16(sample);
  const sign = value < 0 ? 0x80 : 0x00;
  if (value < 0) value = -value;
  if (value > MULAW_CLIP) value = MULAW_CLIP;
  value += MULAW_BIAS;
  // Segment = position of the highest set bit among bits 7..14.
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** mu-law byte to a linear 16-bit sample (range -32124..32124). */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u & 0x70) >> 4;
  const magnitude = (((u & 0x0f) << 3) + MULAW_BIAS) << exponent;
  return u & 0x80 ? MULAW_BIAS - magnitude : magnitude - MULAW_BIAS;
}

/** Largest 13-bit magnitude in each A-law segment. */
const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

/** Linear 16-bit sample (clamped) to an A-law byte. A-law works on 13 bits: the 3 low bits are dropped first. */
export function linearToAlaw(sample: number): number {
  let value = clampInt16(sample) >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0xd5; // sign bit set for positive values, then the even-bit inversion
  } else {
    mask = 0x55;
    value = -value - 1;
  }
  let segment = 0;
  while (segment < 8 && value > ALAW_SEGMENT_ENDS[segment]!) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const step = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | step) ^ mask;
}

/** A-law byte to a linear 16-bit sample (range -32256..32256; there is no zero, the smallest steps are +-8). */
export function alawToLinear(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  const segment = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude += segment === 0 ? 8 : 0x108;
  if (segment > 1) magnitude <<= segment - 1;
  return a & 0x80 ? magnitude : -magnitude;
}

function clampInt16(sample: number): number {
  const integer = Math.trunc(sample);
  return integer > 32767 ? 32767 : integer < -32768 ? -32768 : integer;
}

interface LawTables {
  /** Indexed by the 16-bit sample as unsigned (sample & 0xFFFF). */
  encode: Uint8Array;
  decode: Int16Array;
}

const tables: Partial<Record<G711Law, LawTables>> = {};

function tablesFor(law: G711Law): LawTables {
  const existing = tables[law];
  if (existing) return existing;
  const toByte = law === 'mulaw' ? linearToMulaw : linearToAlaw;
  const toLinear = law === 'mulaw' ? mulawToLinear : alawToLinear;
  const encode = new Uint8Array(65536);
  for (let unsigned = 0; unsigned < 65536; unsigned++) encode[unsigned] = toByte((unsigned << 16) >> 16);
  const decode = new Int16Array(256);
  for (let byte = 0; byte < 256; byte++) decode[byte] = toLinear(byte);
  const built = { encode, decode };
  tables[law] = built;
  return built;
}

/**
 * Encodes PCM with the given law. `out` (at least `pcm.length` bytes) avoids an allocation on the send path; the
 * encoded bytes are written at its start and the same array is returned.
 */
export function encodeG711(law: G711Law, pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  if (out.length < pcm.length) throw new RangeError(`output holds ${out.length} bytes, ${pcm.length} needed`);
  const table = tablesFor(law).encode;
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

/** Decodes G.711 bytes with the given law; `out` (at least `bytes.length` samples) avoids an allocation. */
export function decodeG711(law: G711Law, bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array {
  if (out.length < bytes.length) throw new RangeError(`output holds ${out.length} samples, ${bytes.length} needed`);
  const table = tablesFor(law).decode;
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}

export const encodeMulaw = (pcm: Int16Array, out?: Uint8Array): Uint8Array => encodeG711('mulaw', pcm, out);
export const decodeMulaw = (bytes: Uint8Array, out?: Int16Array): Int16Array => decodeG711('mulaw', bytes, out);
export const encodeAlaw = (pcm: Int16Array, out?: Uint8Array): Uint8Array => encodeG711('alaw', pcm, out);
export const decodeAlaw = (bytes: Uint8Array, out?: Int16Array): Int16Array => decodeG711('alaw', bytes, out);

/** The byte a frame of silence is made of. */
export function silenceByte(law: G711Law): number {
  return law === 'mulaw' ? MULAW_SILENCE_BYTE : ALAW_SILENCE_BYTE;
}
