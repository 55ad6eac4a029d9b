// Offline text-to-speech with eSpeak NG (Debian `espeak-ng`), cached on disk.
//
// The engine runs as a child process with an argument array (never a shell) and reads the text from stdin
// (`--stdin`), so no text, whatever it starts with or contains, can become an option or a command. It writes a
// 22,050 Hz mono 16-bit WAV to stdout whose RIFF and data sizes are 0x7fffffff (it cannot seek back on a pipe), so
// the chunks are located here and the data is whatever bytes actually arrived. The audio is resampled to 8 kHz in
// process (src/media/audio/resample.ts), so sox is not needed at run time.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resampleToInt16 } from '../audio/resample.js';
import { AudioDecodeError, parseWav, type DecodedWav } from '../audio/wav.js';
import { TtsCache } from './tts-cache.js';
import { TtsError, type TextToSpeech, type TtsRenderOptions } from './types.js';

export { TtsError, type TextToSpeech, type TtsRenderOptions, type TtsErrorCode } from './types.js';

/** Part of every cache key: change it when the rendering changes (engine flags, resampler), to re-render. */
export const ESPEAK_ENGINE_TAG = 'espeak-ng;stdin;wav->8k-s16le;v1';
export const DEFAULT_ESPEAK_BINARY = 'espeak-ng';
export const DEFAULT_ESPEAK_VOICE = 'en-gb';
/** eSpeak's own default speed. */
export const DEFAULT_SPEED_WPM = 175;
export const MIN_SPEED_WPM = 80;
export const MAX_SPEED_WPM = 450;
export const DEFAULT_TTS_TIMEOUT_MS = 15_000;
/** Longest text rendered (characters): a few minutes of speech, far more than any prompt. */
export const MAX_TTS_TEXT_CHARS = 5000;
/** Engine processes running at once; further renders wait (each is CPU-bound for up to a few seconds). */
const MAX_CONCURRENT_RENDERS = 2;
/** Stop reading (and kill the engine) beyond this much output: 15 minutes at 22,050 Hz 16-bit. */
const MAX_OUTPUT_BYTES = 22_050 * 2 * 60 * 15;
const MAX_STDERR_CHARS = 2000;
const AVAILABILITY_TIMEOUT_MS = 5000;

/**
 * An eSpeak voice: language, optional subtags (single letters too, as in the private-use 'x' of 'en-gb-x-rp'),
 * optional variant after '+' ('en', 'en-029', 'en-gb-x-rp', 'en-us+f3'). Only letters, digits, '-' and one '+':
 * nothing a program could read as a path or an option. Length is capped separately (MAX_VOICE_CHARS).
 */
export const VOICE_PATTERN = /^[a-z]{2,3}(-[a-z0-9]{1,8})*(\+[a-z0-9]{1,20})?$/i;
const MAX_VOICE_CHARS = 40;

export interface EspeakTtsOptions {
  /** Folder for rendered prompts (created when needed). */
  cacheDir: string;
  /** Program to run (default 'espeak-ng', looked up on PATH). */
  binary?: string;
  /** Voice when a render names neither voice nor language (default 'en-gb'). */
  defaultVoice?: string;
  /** Words per minute, 80-450 (default 175). */
  speedWpm?: number;
  /** Kill the engine after this long (default 15000 ms). */
  timeoutMs?: number;
  /** Told when a rendered prompt could not be stored in, or read from, the cache (the render still succeeds). */
  onCacheError?: (error: unknown) => void;
  /** Told whether each prompt was found in the cache (true) or rendered (false). */
  onCacheLookup?: (hit: boolean) => void;
}

/** Throws RangeError for unusable options (configuration bugs); render() rejects only with TtsError. */
export function createEspeakTts(options: EspeakTtsOptions): TextToSpeech {
  const binary = options.binary ?? DEFAULT_ESPEAK_BINARY;
  const defaultVoice = options.defaultVoice ?? DEFAULT_ESPEAK_VOICE;
  const speedWpm = options.speedWpm ?? DEFAULT_SPEED_WPM;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TTS_TIMEOUT_MS;
  if (binary.length === 0) throw new RangeError('binary must not be empty');
  if (!isVoiceName(defaultVoice)) throw new RangeError(`defaultVoice "${defaultVoice}" is not a voice name`);
  if (!Number.isInteger(speedWpm) || speedWpm < MIN_SPEED_WPM || speedWpm > MAX_SPEED_WPM) {
    throw new RangeError(`speedWpm must be a whole number from ${MIN_SPEED_WPM} to ${MAX_SPEED_WPM}`);
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('timeoutMs must be positive');

  const cache = new TtsCache(options.cacheDir, {
    ...(options.onCacheError ? { onError: options.onCacheError } : {}),
    ...(options.onCacheLookup ? { onLookup: options.onCacheLookup } : {}),
  });
  const limit = createLimiter(MAX_CONCURRENT_RENDERS);

  return {
    async render(text: string, renderOptions: TtsRenderOptions = {}): Promise<Int16Array> {
      const voice = resolveVoice(renderOptions, defaultVoice);
      const spoken = normaliseText(text);
      const key = TtsCache.keyOf([ESPEAK_ENGINE_TAG, voice, speedWpm, spoken]);
      return cache.getOrRender(key, () =>
        limit(async () => {
          const wav = await runEspeak(binary, ['--stdout', '-b', '1', '-v', voice, '-s', String(speedWpm), '--stdin'], spoken, timeoutMs);
          const { sampleRateHz, samples } = parseEspeakWav(wav);
          const mono = new Float32Array(samples.length);
          for (let i = 0; i < samples.length; i++) mono[i] = samples[i]! / 32768;
          return resampleToInt16(mono, sampleRateHz);
        }),
      );
    },
  };
}

/** True when `binary --version` runs and exits 0 (within a few seconds). */
export async function ttsAvailable(binary: string = DEFAULT_ESPEAK_BINARY): Promise<boolean> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(binary, ['--version'], { stdio: 'ignore' });
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, AVAILABILITY_TIMEOUT_MS);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/**
 * The eSpeak voice for a render: `voice` as given, else the language tag in the form eSpeak looks voices up by
 * (lowercase, '-' separated: 'en-GB' -> 'en-gb', 'pt_BR' -> 'pt-br'; eSpeak falls back from a region it lacks to
 * the language, 'es-MX' -> its Spanish), else the default. Anything not shaped like a voice name is refused before
 * it reaches the engine.
 */
export function resolveVoice(options: TtsRenderOptions, defaultVoice: string): string {
  if (options.voice !== undefined) {
    if (!isVoiceName(options.voice)) throw new TtsError('BAD_VOICE', `"${printable(options.voice)}" is not a voice name`);
    return options.voice.toLowerCase();
  }
  if (options.language !== undefined) {
    const voice = options.language.trim().replace(/_/g, '-').toLowerCase();
    if (!isVoiceName(voice) || voice.includes('+')) {
      throw new TtsError('BAD_VOICE', `"${printable(options.language)}" is not a language tag`);
    }
    return voice;
  }
  return defaultVoice.toLowerCase();
}

function isVoiceName(name: string): boolean {
  return name.length <= MAX_VOICE_CHARS && VOICE_PATTERN.test(name);
}

/** Control characters (which the engine might take as commands) become spaces; empty or over-long text is refused. */
function normaliseText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const spoken = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ').trim();
  if (spoken.length === 0) throw new TtsError('BAD_TEXT', 'nothing to say: the text is empty');
  if (spoken.length > MAX_TTS_TEXT_CHARS) {
    throw new TtsError('BAD_TEXT', `the text is ${spoken.length} characters; at most ${MAX_TTS_TEXT_CHARS} are rendered`);
  }
  return spoken;
}

function runEspeak(binary: string, args: string[], text: string, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let child: ChildProcessWithoutNullStreams | undefined;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: TtsError | null, bytes?: Uint8Array) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(error);
      } else resolve(bytes!);
    };
    try {
      child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    } catch (error) {
      // Synchronous only for arguments Node refuses outright (e.g. a NUL byte in the program name).
      settle(new TtsError('ENGINE_FAILED', `${printable(binary)} could not be started: ${(error as Error).message}`, { cause: error }));
      return;
    }
    timer = setTimeout(
      () => settle(new TtsError('TIMEOUT', `${binary} took longer than ${timeoutMs} ms and was stopped`)),
      timeoutMs,
    );
    const chunks: Buffer[] = [];
    let outputBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > MAX_OUTPUT_BYTES) settle(new TtsError('ENGINE_FAILED', `${binary} wrote more than ${MAX_OUTPUT_BYTES} bytes`));
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString('utf8').slice(0, MAX_STDERR_CHARS - stderr.length);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        settle(new TtsError('ENGINE_MISSING', `the text-to-speech program "${binary}" is not installed or not executable (${error.code})`, { cause: error }));
      } else {
        settle(new TtsError('ENGINE_FAILED', `${binary} could not be started: ${error.message}`, { cause: error }));
      }
    });
    // The engine may exit before reading everything (a bad voice): the broken pipe is reported through its exit.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      if (code === 0) {
        settle(null, Buffer.concat(chunks));
        return;
      }
      const detail = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${code}`);
      if (/voice does not exist/i.test(stderr)) settle(new TtsError('BAD_VOICE', `${binary}: ${detail}`));
      else settle(new TtsError('ENGINE_FAILED', `${binary} failed: ${detail}`));
    });
    child.stdin.end(text, 'utf8');
  });
}

/** The samples of eSpeak's stdout WAV (mono 16-bit PCM), taking the data chunk as the bytes actually present. */
export function parseEspeakWav(bytes: Uint8Array): { sampleRateHz: number; samples: Int16Array } {
  const fail = (why: string) => new TtsError('ENGINE_FAILED', `unexpected audio from the engine: ${why}`);
  let decoded: DecodedWav;
  try {
    decoded = parseWav(bytes, { streamed: true });
  } catch (error) {
    throw error instanceof AudioDecodeError ? fail(error.message) : error;
  }
  const [mono, ...others] = decoded.channels;
  if (decoded.format !== 'pcm_s16' || mono === undefined || others.length > 0) {
    throw fail(`${decoded.format}, ${decoded.channels.length} channels`);
  }
  const samples = new Int16Array(mono.length);
  for (let i = 0; i < mono.length; i++) samples[i] = Math.round(mono[i]! * 32768);
  return { sampleRateHz: decoded.sampleRate, samples };
}

function printable(value: string): string {
  return JSON.stringify(value.slice(0, 40)).slice(1, -1);
}

/** Runs at most `max` tasks at once, the rest in arrival order. */
function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finishing task hands its slot straight to the next waiter, so `running` never exceeds `max`.
    if (running >= max) await new Promise<void>((resume) => waiting.push(resume));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
