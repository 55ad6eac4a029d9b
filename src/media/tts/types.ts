// The text-to-speech port: whatever engine renders prompts, callers get 8 kHz mono 16-bit PCM, the form every
// audio prompt is played in (src/media/audio/encode-wav.ts), and failures as a TtsError with a stable code.

export interface TtsRenderOptions {
  /** An engine voice name (e.g. 'en-gb', 'en-us+f3'); wins over `language`. */
  voice?: string;
  /** A BCP 47 language tag (e.g. 'en-GB'), mapped to the engine's voice for it. */
  language?: string;
}

export interface TextToSpeech {
  /** Speech for `text` as 8 kHz mono 16-bit PCM. Rejects with TtsError. */
  render(text: string, options?: TtsRenderOptions): Promise<Int16Array>;
}

export type TtsErrorCode =
  /** The engine's program is not installed (or not executable). */
  | 'ENGINE_MISSING'
  /** The engine ran past its time limit and was killed. */
  | 'TIMEOUT'
  /** The voice or language is malformed, or the engine has no such voice. */
  | 'BAD_VOICE'
  /** The text is empty or too long. */
  | 'BAD_TEXT'
  /** The engine exited with an error or wrote something that is not the expected audio. */
  | 'ENGINE_FAILED';

export class TtsError extends Error {
  readonly code: TtsErrorCode;
  constructor(code: TtsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TtsError';
    this.code = code;
  }
}
