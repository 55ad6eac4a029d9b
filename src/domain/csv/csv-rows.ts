// The rows of an uploaded CSV as entries of the API's phoneNumbers list, so that they are checked by the very rules a
// JSON create uses (src/domain/campaign-request.ts), and the answers of those rules told in CSV rows. Pure.
//
// Rows are counted as a spreadsheet shows them: the header is row 1, and a blank row still takes its number.
import type { FieldErrors } from '../field-errors.js';
import type { ColumnMapping } from './column-mapping.js';

/** A record longer than this is refused at once (RFC 4180 puts no bound; a 50 MB "row" is a wrong file, not a row). */
export const MAX_CSV_RECORD_BYTES = 64 * 1024;

/** The delimiters a file may use; which one is read from the header line. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/**
 * The delimiter of a file, from its header line: the one of comma, semicolon and tab that occurs most often outside
 * quotes (a header "Name, first" in quotes does not count). A comma when none occurs (a one-column file).
 */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = new Map<string, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best: CsvDelimiter = ',';
  for (const delimiter of CSV_DELIMITERS) if (counts.get(delimiter)! > counts.get(best)!) best = delimiter;
  return best;
}

/** A row with no content (an empty line, or only delimiters, as spreadsheets export trailing rows): skipped. */
export function isBlankRecord(record: readonly string[]): boolean {
  return record.every((field) => field.trim() === '');
}

/** A phoneNumbers entry as the JSON create receives it. */
export interface CsvPhoneEntry {
  number: string;
  name?: string;
  parameters?: { parameter: number; value: string }[];
}

/**
 * A row as a phoneNumbers entry. An empty parameter cell is left out (the JSON list would not send an empty value);
 * the number is taken as written, so the number rules judge and quote it as they would in JSON.
 */
export function recordToEntry(record: readonly string[], mapping: ColumnMapping): CsvPhoneEntry {
  const entry: CsvPhoneEntry = { number: record[mapping.number] ?? '' };
  if (mapping.name !== undefined) entry.name = record[mapping.name] ?? '';
  if (mapping.parameters.length > 0) {
    const parameters: { parameter: number; value: string }[] = [];
    for (const { parameter, column } of mapping.parameters) {
      const value = record[column];
      if (value !== undefined && value !== '') parameters.push({ parameter, value });
    }
    if (parameters.length > 0) entry.parameters = parameters;
  }
  return entry;
}

/** `Row 7 has 3 fields; the header row has 4.` when a row's width differs from the header's, else undefined. */
export function widthProblem(record: readonly string[], row: number, mapping: ColumnMapping): string | undefined {
  if (record.length === mapping.width) return undefined;
  return `Row ${row} has ${record.length} field${record.length === 1 ? '' : 's'}; the header row has ${mapping.width}.`;
}

const ENTRY_PATH = /^PhoneNumbers\[(\d+)\]/;

/**
 * The field errors of a check with each message about a list entry prefixed by its CSV row (`Row 12: ...`). The
 * paths stay the JSON create's (`PhoneNumbers[10].Number`), so a client reads either answer the same way.
 */
export function withRowNumbers(errors: FieldErrors, rowOf: (index: number) => number): FieldErrors {
  const result: FieldErrors = {};
  for (const [path, messages] of Object.entries(errors)) {
    const match = ENTRY_PATH.exec(path);
    result[path] = match ? messages.map((message) => `Row ${rowOf(Number(match[1]))}: ${message}`) : messages;
  }
  return result;
}
