// The do-not-call screen of a request's numbers (creating a campaign, adding numbers): SuppressionRepository.lookup
// over every number (one array parameter a query), then the pure rule of src/domain/compliance/do-not-call.ts.
import type { FieldErrorCollector } from '../domain/field-errors.js';
import { yieldToEventLoop } from '../domain/stepwise.js';
import type { SuppressionListKind } from '../domain/compliance/suppression.js';
import { applyDoNotCall, listKindsFor } from '../domain/compliance/do-not-call.js';
import type { LeftOutNumber, PhoneNumberPlan } from '../domain/phone-number-list.js';
import type { ListRef, SuppressionRepository } from '../store/repositories/suppression.js';

/**
 * Numbers per lookup query. PGlite runs each query on the event loop: 100,000 numbers in one query held it for
 * 140-190 ms (10,000: 20-40 ms; measured on a busy 2-CPU machine), against the 50 ms that bench/create-latency.ts
 * allows, and 5,000 still took 30-50 ms (session 19, a timer on each PGlite statement during that bench). In chunks,
 * with the event loop handed back between them, a large create does not stall other requests. On PostgreSQL the query
 * runs on the server and a chunk is a round trip: 20 for 100,000 numbers.
 */
export const LOOKUP_CHUNK = { onEventLoop: 1_000, onServer: 5_000 } as const;

/** Longest written number quoted in a message (the schema allows 64 characters). */
const MAX_WRITTEN_CHARS = 32;

export interface ScreenInput {
  clientId: number;
  /** A marketing campaign: TPS and CTPS apply too. */
  marketing: boolean;
  numbers: readonly PhoneNumberPlan[];
  leftOut: readonly LeftOutNumber[];
  /** The request's phoneNumbers array, for the numbers as written. */
  sent: unknown;
  ignoreInvalid: boolean;
}

export async function screenDoNotCall(
  suppression: SuppressionRepository,
  input: ScreenInput,
  errors: FieldErrorCollector,
): Promise<{ numbers: PhoneNumberPlan[]; leftOut: LeftOutNumber[] }> {
  const refs: ListRef[] = listKindsFor(input.marketing).map((kind) => (kind === 'client' ? { kind, clientId: input.clientId } : { kind }));
  const listed = new Map<string, { kind: SuppressionListKind; reason: string | null }[]>();
  const chunkSize = suppression.onEventLoop ? LOOKUP_CHUNK.onEventLoop : LOOKUP_CHUNK.onServer;
  for (let start = 0; start < input.numbers.length; start += chunkSize) {
    if (start > 0) await yieldToEventLoop();
    const chunk = input.numbers.slice(start, start + chunkSize).map((n) => n.e164);
    for (const [number, entries] of await suppression.lookup(refs, chunk)) listed.set(number, entries);
  }
  const sent = Array.isArray(input.sent) ? (input.sent as unknown[]) : [];
  const written = (index: number) => {
    const entry = sent[index];
    const raw = typeof entry === 'object' && entry !== null && typeof (entry as { number?: unknown }).number === 'string' ? (entry as { number: string }).number.trim() : '';
    return raw.length > MAX_WRITTEN_CHARS ? `${raw.slice(0, MAX_WRITTEN_CHARS)}…` : raw;
  };
  return applyDoNotCall({ numbers: input.numbers, leftOut: input.leftOut, listed, written, ignoreInvalid: input.ignoreInvalid }, errors);
}
