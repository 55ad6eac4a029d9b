// What a `ringcast campaigns` command runs with. Streams, environment and clock are passed in rather than read from
// `process`, so tests run the commands in-process with their own writers and decide whether each "is a terminal".
import type { ApiClient } from './api-client.js';
import type { TerminalStream } from './progress.js';
import { UsageError } from './usage-error.js';

export interface CampaignsIo {
  env: Readonly<Record<string, string | undefined>>;
  /** The command's output: text on a terminal, else the API's JSON. `export` pipes the CSV into it. */
  stdout: NodeJS.WritableStream & TerminalStream;
  /** Progress (only when it is a terminal) and errors. */
  stderr: TerminalStream;
  fetch?: typeof fetch;
  /** Milliseconds from a fixed origin, for rates and redraw spacing (performance.now by default). */
  nowMs?: () => number;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  api: ApiClient;
  values: OptionValues;
  positionals: string[];
  io: CampaignsIo;
  nowMs: () => number;
}

/** Writes the API's JSON as it came when stdout is not a terminal, else `text()`. */
export function printResult(io: CampaignsIo, json: string, text: () => string): void {
  io.stdout.write(`${io.stdout.isTTY ? text() : json.trim()}\n`);
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function positiveInt(text: string | undefined, what: string): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > 2147483647) {
    throw new UsageError(`${what} must be a positive whole number (got "${text ?? ''}")`);
  }
  return n;
}
