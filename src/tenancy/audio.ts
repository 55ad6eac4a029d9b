// Uploading audio, shared by the operator API and `ringcast admin audio upload`: decode (WAV or MP3), convert to the
// stored form (8 kHz mono 16-bit PCM WAV) and store. Audio that cannot be decoded is a 400 with the decoder's reason.
import { validationProblem } from '../api/problem.js';
import { AudioDecodeError } from '../media/audio/wav.js';
import { AUDIO_MEDIA_TYPES, decodeUpload, type UploadKind } from '../media/audio/decode-upload.js';
import type { AudioFileInfo, AudioRepository } from '../store/repositories/audio.js';

export { AUDIO_MEDIA_TYPES, type UploadKind };

export interface AudioUpload {
  clientId: number;
  name: string;
  kind: UploadKind;
  bytes: Uint8Array;
}

export async function uploadAudio(audio: AudioRepository, upload: AudioUpload): Promise<AudioFileInfo> {
  const name = upload.name.trim();
  if (name === '') throw validationProblem({ Name: ['The Name field is required.'] });
  let converted;
  try {
    converted = await decodeUpload(upload.bytes, upload.kind);
  } catch (error) {
    if (error instanceof AudioDecodeError) throw validationProblem({ Audio: [error.message] });
    throw error;
  }
  return audio.create({ clientId: upload.clientId, name, durationMs: converted.durationMs, data: converted.wav });
}

/** The upload kind a file name suggests (for the command line, which has no Content-Type). */
export function uploadKindOfFileName(fileName: string): UploadKind | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.wav') || lower.endsWith('.wave')) return 'wav';
  if (lower.endsWith('.mp3')) return 'mp3';
  return undefined;
}
