// RIFF/WAVE parsing for uploaded audio: any channel count and sample rate, in the sample formats telephony and
// desktop tools write. Every read is preceded by a length check; anything this parser does not accept becomes an
// AudioDecodeError with a message fit to show the uploader, never another exception.
//
//   offset  size  RIFF header
//   0       4     "RIFF"
//   4       4     size of what follows (little-endian; not trusted: the chunks are walked within the buffer)
//   8       4     "WAVE"
//   12      ...   chunks: 4-byte id, 4-byte little-endian size, the data, one pad byte when the size is odd
//
//   "fmt " chunk (at least 16 bytes)
//   0  2  format tag: 1 PCM, 3 IEEE float, 6 A-law, 7 mu-law, 0xFFFE extensible (the real tag in its sub-format GUID)
//   2  2  channels
//   4  4  sample rate (Hz)
//   8  4  byte rate (ignored: derived)
//   12 2  block align: bytes of one frame (every channel's sample)
//   14 2  bits per sample
//   16 2  extension size (extensible: 22), 18 2 valid bits, 20 4 channel mask, 24 16 sub-format GUID

import { alawToLinear, mulawToLinear } from '../codec/g711.js';

/** Why an uploaded file could not be decoded; `message` says it in words for the uploader. */
export class AudioDecodeError extends Error {
  readonly code = 'AUDIO_DECODE';
  constructor(message: string) {
    super(message);
    this.name = 'AudioDecodeError';
  }
}

export type WavSampleFormat = 'pcm_u8' | 'pcm_s16' | 'pcm_s24' | 'pcm_s32' | 'float32' | 'float64' | 'alaw' | 'mulaw';

export interface DecodedAudio {
  sampleRate: number;
  /** One array per channel, samples in [-1, 1]. */
  channels: Float32Array[];
}

export interface DecodedWav extends DecodedAudio {
  format: WavSampleFormat;
}

/** Longest audio accepted, so that a tiny sample rate cannot turn a small file into hours of 8 kHz audio. */
export const MAX_AUDIO_DURATION_MS = 10 * 60_000;
/** Limits on the header's numbers, far beyond any real file. */
export const MAX_CHANNELS = 64;
export const MAX_SAMPLE_RATE_HZ = 768_000;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const FMT_MIN_BYTES = 16;
const FMT_EXTENSIBLE_BYTES = 40;
const FMT_SUBFORMAT_OFFSET = 24;

function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

/** True when the bytes start like a WAV file (for telling a mislabelled upload apart). */
export function looksLikeWav(bytes: Uint8Array): boolean {
  return bytes.length >= RIFF_HEADER_BYTES && fourCC(bytes, 0) === 'RIFF' && fourCC(bytes, 8) === 'WAVE';
}

interface FmtChunk {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function readFmt(view: DataView, offset: number, size: number): FmtChunk {
  if (size < FMT_MIN_BYTES) throw new AudioDecodeError(`The WAV "fmt " chunk is ${size} bytes; at least ${FMT_MIN_BYTES} are needed.`);
  let formatTag = view.getUint16(offset, true);
  if (formatTag === FORMAT_EXTENSIBLE) {
    if (size < FMT_EXTENSIBLE_BYTES) throw new AudioDecodeError('The WAV file says WAVE_FORMAT_EXTENSIBLE but its "fmt " chunk is too short.');
    // The GUID's first two bytes are the format tag (KSDATAFORMAT_SUBTYPE_PCM = 00000001-0000-0010-...).
    formatTag = view.getUint16(offset + FMT_SUBFORMAT_OFFSET, true);
  }
  return {
    formatTag,
    channels: view.getUint16(offset + 2, true),
    sampleRate: view.getUint32(offset + 4, true),
    blockAlign: view.getUint16(offset + 12, true),
    bitsPerSample: view.getUint16(offset + 14, true),
  };
}

function sampleFormat(fmt: FmtChunk): WavSampleFormat {
  const { formatTag, bitsPerSample: bits } = fmt;
  const unsupportedBits = (what: string) =>
    new AudioDecodeError(`${what} WAV with ${bits} bits per sample is not supported.`);
  switch (formatTag) {
    case FORMAT_PCM:
      if (bits === 8) return 'pcm_u8';
      if (bits === 16) return 'pcm_s16';
      if (bits === 24) return 'pcm_s24';
      if (bits === 32) return 'pcm_s32';
      throw unsupportedBits('PCM');
    case FORMAT_FLOAT:
      if (bits === 32) return 'float32';
      if (bits === 64) return 'float64';
      throw unsupportedBits('Floating-point');
    case FORMAT_ALAW:
      if (bits === 8) return 'alaw';
      throw unsupportedBits('A-law');
    case FORMAT_MULAW:
      if (bits === 8) return 'mulaw';
      throw unsupportedBits('mu-law');
    default:
      throw new AudioDecodeError(
        `WAV format ${formatTag} is not supported: use PCM (8, 16, 24 or 32-bit), 32-bit float, A-law or mu-law.`,
      );
  }
}

const BYTES_PER_SAMPLE: Record<WavSampleFormat, number> = {
  pcm_u8: 1,
  pcm_s16: 2,
  pcm_s24: 3,
  pcm_s32: 4,
  float32: 4,
  float64: 8,
  alaw: 1,
  mulaw: 1,
};

// G.711 WAV files decode with the same tables as RTP audio.
export { alawToLinear, mulawToLinear };

function readSample(view: DataView, offset: number, format: WavSampleFormat): number {
  switch (format) {
    case 'pcm_u8':
      return (view.getUint8(offset) - 128) / 128;
    case 'pcm_s16':
      return view.getInt16(offset, true) / 32768;
    case 'pcm_s24': {
      const value = view.getUint8(offset) | (view.getUint8(offset + 1) << 8) | (view.getInt8(offset + 2) << 16);
      return value / 8388608;
    }
    case 'pcm_s32':
      return view.getInt32(offset, true) / 2147483648;
    case 'float32':
      return clampUnit(view.getFloat32(offset, true));
    case 'float64':
      return clampUnit(view.getFloat64(offset, true));
    case 'alaw':
      return alawToLinear(view.getUint8(offset)) / 32768;
    case 'mulaw':
      return mulawToLinear(view.getUint8(offset)) / 32768;
  }
}

/** Float samples outside [-1, 1] are clipped; NaN and infinities become silence. */
function clampUnit(x: number): number {
  if (!Number.isFinite(x)) return 0;
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

export interface ParseWavOptions {
  /**
   * The file was written as a stream (espeak-ng --stdout), whose writer could not know the data size and put a
   * placeholder there (0x7fffffff): the data chunk is what follows its header, however much that is.
   */
  streamed?: boolean;
}

/**
 * Decodes a WAV file to per-channel float samples. Throws AudioDecodeError for anything that is not a complete WAV
 * file in a supported format (a truncated data chunk included, unless `streamed`), and for audio longer than
 * MAX_AUDIO_DURATION_MS.
 */
export function parseWav(bytes: Uint8Array, options: ParseWavOptions = {}): DecodedWav {
  if (bytes.length < RIFF_HEADER_BYTES) throw new AudioDecodeError('The file is too short to be a WAV file.');
  if (fourCC(bytes, 0) !== 'RIFF' || fourCC(bytes, 8) !== 'WAVE') {
    throw new AudioDecodeError('The file is not a WAV file (no RIFF/WAVE header).');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: FmtChunk | undefined;
  let data: { offset: number; size: number } | undefined;
  let offset = RIFF_HEADER_BYTES;
  while (offset + CHUNK_HEADER_BYTES <= bytes.length && data === undefined) {
    const id = fourCC(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + CHUNK_HEADER_BYTES;
    if (id === 'data') {
      if (options.streamed && body + size > bytes.length) {
        data = { offset: body, size: bytes.length - body };
        break;
      }
      if (body + size > bytes.length) {
        throw new AudioDecodeError(`The WAV data chunk says ${size} bytes but only ${bytes.length - body} follow: the file is truncated.`);
      }
      data = { offset: body, size };
      break;
    }
    if (body + size > bytes.length) throw new AudioDecodeError(`The WAV "${id}" chunk runs past the end of the file: the file is truncated.`);
    if (id === 'fmt ') fmt = readFmt(view, body, size);
    offset = body + size + (size % 2);
  }
  if (!fmt) throw new AudioDecodeError('The WAV file has no "fmt " chunk before its data.');
  if (!data) throw new AudioDecodeError('The WAV file has no data chunk.');

  const format = sampleFormat(fmt);
  const { channels: channelCount, sampleRate } = fmt;
  if (channelCount < 1 || channelCount > MAX_CHANNELS) {
    throw new AudioDecodeError(`The WAV file has ${channelCount} channels; 1 to ${MAX_CHANNELS} are accepted.`);
  }
  if (sampleRate < 1 || sampleRate > MAX_SAMPLE_RATE_HZ) {
    throw new AudioDecodeError(`The WAV sample rate ${sampleRate} Hz is outside 1 to ${MAX_SAMPLE_RATE_HZ} Hz.`);
  }
  const sampleBytes = BYTES_PER_SAMPLE[format];
  const frameBytes = sampleBytes * channelCount;
  if (fmt.blockAlign !== frameBytes) {
    throw new AudioDecodeError(`The WAV block align is ${fmt.blockAlign}; ${channelCount} channel(s) of ${sampleBytes} byte(s) need ${frameBytes}.`);
  }
  // A trailing part frame (a writer that stopped mid-frame) is dropped.
  const frames = Math.floor(data.size / frameBytes);
  if (frames === 0) throw new AudioDecodeError('The WAV file has no audio samples.');
  if ((frames / sampleRate) * 1000 > MAX_AUDIO_DURATION_MS) {
    throw new AudioDecodeError(`The audio is longer than ${MAX_AUDIO_DURATION_MS / 60_000} minutes.`);
  }

  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let frame = 0; frame < frames; frame++) {
    const frameOffset = data.offset + frame * frameBytes;
    for (let channel = 0; channel < channelCount; channel++) {
      channels[channel]![frame] = readSample(view, frameOffset + channel * sampleBytes, format);
    }
  }
  return { format, sampleRate, channels };
}
