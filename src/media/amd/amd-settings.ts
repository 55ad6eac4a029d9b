// AMD_JSON: operator overrides of the answering-machine detection parameters (src/media/session/types.ts AmdParams).
// Unknown keys and non-positive values are refused so a typo cannot silently leave the defaults in force.
import type { AmdParams } from '../session/types.js';
import { DEFAULT_AMD_PARAMS, validateAmdParams } from './amd-detector.js';

// Record<keyof AmdParams, true> makes the compiler fail here when AmdParams gains or loses a field.
const AMD_KEYS: Record<keyof AmdParams, true> = {
  silenceThreshold: true,
  initialSilenceMs: true,
  greetingMs: true,
  afterGreetingSilenceMs: true,
  minWordLengthMs: true,
  betweenWordsSilenceMs: true,
  maximumNumberOfWords: true,
  maximumWordLengthMs: true,
  totalAnalysisTimeMs: true,
};

export function parseAmdJson(json: string): Partial<AmdParams> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('must be a JSON object');
  const out: Partial<AmdParams> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in AMD_KEYS)) throw new Error(`unknown key "${key}"; known: ${Object.keys(AMD_KEYS).join(', ')}`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error(`${key}: must be a positive number`);
    if (value > 60_000) throw new Error(`${key}: at most 60000`);
    out[key as keyof AmdParams] = value;
  }
  // Cross-field rules (a word cannot be longer than the longest word allowed, and so on) live with the detector.
  const problems = validateAmdParams({ ...DEFAULT_AMD_PARAMS, ...out });
  if (problems.length > 0) throw new Error(problems.join('; '));
  return out;
}
