// Readable text for a terminal: tables, `key: value` blocks and error problems. When stdout is not a terminal the
// commands print the API's JSON instead; only problems are always printed this way (to stderr).
import type { ProblemDocument } from './api-client.js';

/** Field errors printed before "... and N more": a CSV of bad rows can name thousands. */
const MAX_ERROR_LINES = 50;

/** Columns padded to their widest cell; numbers (right-aligned columns) are named in `right`. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (right.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `key: value` lines with the values lined up; undefined values are left out. */
export function keyValues(entries: readonly (readonly [string, string | undefined])[]): string {
  const shown = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  return shown.map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${value}`).join('\n');
}

/**
 * A problem as lines for a person:
 *   ringcast: 409 Conflict.
 *     Campaign 12 is Completed: it cannot be paused.
 *     Name: A campaign named "x" already exists.
 */
export function formatProblem(problem: ProblemDocument): string {
  const lines = [`ringcast: the server answered ${problem.status} ${problem.title ?? ''}`.trimEnd()];
  if (problem.detail) lines.push(`  ${problem.detail}`);
  const messages = Object.entries(problem.errors ?? {}).flatMap(([path, list]) =>
    (Array.isArray(list) ? list : [String(list)]).map((message) => `  ${path}: ${message}`),
  );
  lines.push(...messages.slice(0, MAX_ERROR_LINES));
  if (messages.length > MAX_ERROR_LINES) {
    lines.push(`  ... and ${messages.length - MAX_ERROR_LINES} more (the whole problem is the JSON output when stdout is not a terminal)`);
  }
  return lines.join('\n');
}
