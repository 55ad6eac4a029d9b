// MP3 (MPEG-1/2 Layer I/II/III) decoding through mpg123-decoder, libmpg123 compiled to WebAssembly: no native code
// and no install scripts. Fed in slices so that decoding stops as soon as the audio passes MAX_AUDIO_DURATION_MS,
// whatever the file's bit rate (a long, low bit-rate file would otherwise decode to gigabytes of float samples).
import { MPEGDecoder } from 'mpg123-decoder';
import { AudioDecodeError, MAX_AUDIO_DURATION_MS, type DecodedAudio } from './wav.js';

const SLICE_BYTES = 64 * 1024;

export async function decodeMp3(bytes: Uint8Array): Promise<DecodedAudio> {
  const decoder = new MPEGDecoder();
  try {
    await decoder.ready;
    const parts: Float32Array[][] = [];
    let sampleRate = 0;
    let frames = 0;
    for (let offset = 0; offset < bytes.length; offset += SLICE_BYTES) {
      let decoded;
      try {
        decoded = decoder.decode(bytes.subarray(offset, offset + SLICE_BYTES));
      } catch (error) {
        throw new AudioDecodeError(`The MP3 file could not be decoded: ${(error as Error).message}`);
      }
      if (decoded.samplesDecoded === 0) continue;
      if (sampleRate !== 0 && decoded.sampleRate !== sampleRate) {
        throw new AudioDecodeError('The MP3 file changes sample rate part way through.');
      }
      sampleRate = decoded.sampleRate;
      frames += decoded.samplesDecoded;
      parts.push(decoded.channelData.map((channel) => channel.slice(0, decoded.samplesDecoded)));
      if ((frames / sampleRate) * 1000 > MAX_AUDIO_DURATION_MS) {
        throw new AudioDecodeError(`The audio is longer than ${MAX_AUDIO_DURATION_MS / 60_000} minutes.`);
      }
    }
    if (frames === 0 || sampleRate <= 0) throw new AudioDecodeError('The file is not an MP3 file (no MPEG audio frames found).');
    const channelCount = Math.min(...parts.map((part) => part.length));
    if (!(channelCount >= 1)) throw new AudioDecodeError('The MP3 file has no audio channels.');
    const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
    let at = 0;
    for (const part of parts) {
      for (let c = 0; c < channelCount; c++) channels[c]!.set(part[c]!, at);
      at += part[0]!.length;
    }
    return { sampleRate, channels };
  } finally {
    decoder.free();
  }
}
