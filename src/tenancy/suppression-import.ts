// Adds or removes numbers on a do-not-call list from a stream of lines (an HTTP upload, a file in the CLI) or an
// array (a JSON body), in batches: a TPS register has tens of millions of lines, so nothing holds the whole file,
// and each batch is one statement with one array parameter. The event loop gets a turn between batches.
import { readSuppressionLine, type SuppressionSource } from '../domain/compliance/suppression.js';
import type { ListRef, SuppressionRepository } from '../store/repositories/suppression.js';

/** Numbers per statement: a few tens of milliseconds of parsing and one round trip each. */
export const SUPPRESSION_BATCH = 5_000;
/** Invalid lines reported one by one; the rest are counted. */
const MAX_REPORTED_INVALID = 100;

export interface ImportProgress {
  /** Lines (or array items) read so far. */
  lines: number;
  /** Numbers new to the list (for a removal: numbers taken off it). */
  changed: number;
  /** Valid numbers that needed no change (already listed, or not on the list to remove). */
  unchanged: number;
  invalid: number;
}

export interface ImportResult extends ImportProgress {
  /** The first invalid lines, with 1-based line numbers (array items: 0-based index, as JSON paths have). */
  invalidLines: { line: number; value: string; message: string }[];
}

export interface ImportArgs {
  repository: SuppressionRepository;
  list: ListRef;
  mode: 'add' | 'remove';
  source: SuppressionSource;
  reason: string | null;
  now: Date;
  /** A register import (TPS/CTPS) that will replace the list: stamp listed numbers too (see finishRefresh). */
  refresh?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

/** Reads every line of `lines`, changing the list batch by batch. `firstLine` is 1 for files, 0 for array indexes. */
export async function importSuppressionLines(lines: AsyncIterable<string> | Iterable<string>, args: ImportArgs, firstLine = 1): Promise<ImportResult> {
  const result: ImportResult = { lines: 0, changed: 0, unchanged: 0, invalid: 0, invalidLines: [] };
  let batch: string[] = [];
  let seenContent = false;
  const flush = async () => {
    if (batch.length === 0) return;
    const unique = [...new Set(batch)];
    const changed =
      args.mode === 'add'
        ? await args.repository.add(args.list, unique, args.source, args.reason, args.now, args.refresh ?? false)
        : await args.repository.remove(args.list, unique, args.now);
    result.changed += changed;
    result.unchanged += batch.length - changed;
    batch = [];
    args.onProgress?.({ lines: result.lines, changed: result.changed, unchanged: result.unchanged, invalid: result.invalid });
  };
  for await (const raw of lines) {
    const lineNumber = result.lines + firstLine;
    result.lines++;
    const text = typeof raw === 'string' ? raw : String(raw);
    // Only a file's first non-blank line can be a header; a JSON array has none.
    const line = readSuppressionLine(text, firstLine === 1 && !seenContent);
    if (text.trim() !== '') seenContent = true;
    if (line.kind === 'skip') continue;
    if (line.kind === 'invalid') {
      result.invalid++;
      if (result.invalidLines.length < MAX_REPORTED_INVALID) result.invalidLines.push({ line: lineNumber, value: line.value, message: line.message });
      continue;
    }
    batch.push(line.e164);
    if (batch.length >= SUPPRESSION_BATCH) {
      await flush();
      // A fully synchronous source (an array) would otherwise parse everything in one turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await flush();
  if (result.changed >= ANALYZE_AFTER_ROWS) await args.repository.refreshStatistics();
  return result;
}

/** An import that changes this many numbers refreshes the table's statistics (see refreshStatistics). */
const ANALYZE_AFTER_ROWS = 10_000;
