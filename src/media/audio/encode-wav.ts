// Writes and reads the one WAV form audio is stored in: 8000 Hz, mono, 16-bit little-endian PCM, a canonical 44-byte
// header (RIFF, "fmt " of 16 bytes, data).
import { AudioDecodeError, parseWav } from './wav.js';
import { TELEPHONE_RATE_HZ } from './resample.js';

const HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;

/** An 8 kHz mono 16-bit PCM WAV file of `pcm`. */
export function encodeWav8kMono(pcm: Int16Array): Uint8Array {
  const dataBytes = pcm.length * BYTES_PER_SAMPLE;
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, TELEPHONE_RATE_HZ, true);
  view.setUint32(28, TELEPHONE_RATE_HZ * BYTES_PER_SAMPLE, true); // byte rate
  view.setUint16(32, BYTES_PER_SAMPLE, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < pcm.length; i++) view.setInt16(HEADER_BYTES + i * BYTES_PER_SAMPLE, pcm[i]!, true);
  return bytes;
}

/** The samples of a stored WAV (as encodeWav8kMono writes it); AudioDecodeError for anything else. */
export function decodeStoredWav(bytes: Uint8Array): Int16Array {
  const wav = parseWav(bytes);
  const mono = wav.channels[0];
  if (wav.format !== 'pcm_s16' || wav.sampleRate !== TELEPHONE_RATE_HZ || wav.channels.length !== 1 || !mono) {
    throw new AudioDecodeError('A stored audio file is not 8 kHz mono 16-bit PCM.');
  }
  // Exact: each float is an int16 divided by 32768.
  const pcm = new Int16Array(mono.length);
  for (let i = 0; i < mono.length; i++) pcm[i] = Math.round(mono[i]! * 32768);
  return pcm;
}

/** Duration of 8 kHz samples in whole milliseconds (rounded). */
export function durationMsOf8k(samples: number): number {
  return Math.round((samples * 1000) / TELEPHONE_RATE_HZ);
}
