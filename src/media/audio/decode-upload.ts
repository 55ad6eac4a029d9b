// An uploaded audio file (WAV or MP3) to the form it is stored and played in: 8 kHz mono 16-bit PCM.
import { AudioDecodeError, looksLikeWav, parseWav, type DecodedAudio } from './wav.js';
import { decodeMp3 } from './mp3.js';
import { toTelephoneAudio } from './resample.js';
import { durationMsOf8k, encodeWav8kMono } from './encode-wav.js';

export type UploadKind = 'wav' | 'mp3';

/** Media types accepted for uploads, by the container they name. */
export const AUDIO_MEDIA_TYPES: Record<string, UploadKind> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
};

export interface TelephoneAudio {
  /** 8 kHz mono 16-bit PCM WAV, as stored. */
  wav: Uint8Array;
  pcm8kMono: Int16Array;
  durationMs: number;
}

/** Decodes an upload of the given kind; AudioDecodeError when it is not valid audio of that kind. */
export async function decodeUpload(bytes: Uint8Array, kind: UploadKind): Promise<TelephoneAudio> {
  let decoded: DecodedAudio;
  if (kind === 'wav') decoded = parseWav(bytes);
  else {
    // A WAV sent as audio/mpeg would "decode" as noise or nothing: say what it is.
    if (looksLikeWav(bytes)) throw new AudioDecodeError('The file is a WAV file but was sent as audio/mpeg: send it as audio/wav.');
    decoded = await decodeMp3(bytes);
  }
  const pcm8kMono = toTelephoneAudio(decoded.channels, decoded.sampleRate);
  if (pcm8kMono.length === 0) throw new AudioDecodeError('The audio is empty.');
  return { wav: encodeWav8kMono(pcm8kMono), pcm8kMono, durationMs: durationMsOf8k(pcm8kMono.length) };
}
