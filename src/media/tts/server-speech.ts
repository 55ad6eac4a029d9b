// The server's own text-to-speech, for hearing a call flow in the browser (POST /api/callflows/:id/speech): the same
// engine, voice and disk cache the SIP carrier speaks calls with (espeak-ng, TTS_VOICE, TTS_CACHE_DIR), so a preview
// sounds like the call and a prompt heard once is already rendered for the calls. The engine is optional on a server
// (the simulated carrier needs none): where it is missing, `unavailable()` says so and the page shows the text only.
import path from 'node:path';
import { createEspeakTts, DEFAULT_ESPEAK_BINARY, ttsAvailable } from './espeak-tts.js';
import { TtsError, type TextToSpeech } from './types.js';

export interface ServerSpeech {
  /** Why this server cannot render speech, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** `text` as 8 kHz mono 16-bit PCM in the default voice. Rejects with TtsError. */
  render(text: string): Promise<Int16Array>;
}

/** The settings that choose the engine's voice and cache (a subset of src/config/settings.ts). */
export interface SpeechSettings {
  DATA_DIR: string;
  TTS_CACHE_DIR?: string | undefined;
  TTS_VOICE: string;
}

/** Where rendered prompts are cached: TTS_CACHE_DIR, else DATA_DIR/tts-cache. */
export function ttsCacheDirOf(settings: SpeechSettings): string {
  return settings.TTS_CACHE_DIR ?? path.join(settings.DATA_DIR, 'tts-cache');
}

/**
 * espeak-ng as the settings configure it. Nothing runs until the first use: whether the program is installed is asked
 * then (`espeak-ng --version`); a yes is remembered for the life of the process, a no is asked again next time (the
 * program may be installed while the server runs, and a check that timed out on a busy machine is not final).
 */
export function speechFromSettings(settings: SpeechSettings, options: { binary?: string } = {}): ServerSpeech {
  const binary = options.binary ?? DEFAULT_ESPEAK_BINARY;
  let engine: Promise<TextToSpeech | string> | undefined;
  const ready = () =>
    (engine ??= ttsAvailable(binary).then((installed) => {
      if (!installed) {
        engine = undefined;
        return `Text-to-speech is not available on this server: ${binary} is not installed or did not run (Debian: apt-get install espeak-ng).`;
      }
      try {
        return createEspeakTts({ cacheDir: path.resolve(ttsCacheDirOf(settings)), defaultVoice: settings.TTS_VOICE, binary });
      } catch (error) {
        // An unusable TTS_VOICE: the calls would fail the same way; the page can still show the text.
        return `Text-to-speech is not available on this server: ${(error as Error).message}.`;
      }
    }));
  return {
    async unavailable() {
      const tts = await ready();
      return typeof tts === 'string' ? tts : undefined;
    },
    async render(text) {
      const tts = await ready();
      if (typeof tts === 'string') throw new TtsError('ENGINE_MISSING', tts);
      return tts.render(text);
    },
  };
}
