// What the new-campaign page shows before an upload: the file's columns mapped to number, name and Parameter1..9
// (guessed from the header row, changeable), and the numbers the server will refuse or merge, checked with the same
// rule the server uses (src/domain/phone-number.ts). The server checks again: the preview only saves a round trip.
import { parse } from 'csv-parse/browser/esm/sync';
import { checkCalleeNumber } from '../../src/domain/phone-number.js';
import { detectDelimiter } from '../../src/domain/csv/csv-rows.js';
import { guessColumns, type ColumnNames } from '../../src/domain/csv/column-mapping.js';

export { guessColumns };

/** Files past this size are previewed from their start only (the upload still sends, and the server checks, all). */
export const PREVIEW_BYTES = 5 * 1024 * 1024;
/** Rows listed per kind of problem. */
const LISTED = 50;

export interface CsvFilePreview {
  headers: string[];
  /** The first rows, for the table under the mapping. */
  sample: string[][];
  rowsRead: number;
  /** True when only the start of the file was read. */
  partial: boolean;
  delimiter: string;
}

export interface NumberProblems {
  invalid: { row: number; number: string; reason: string }[];
  invalidCount: number;
  duplicates: { row: number; number: string; firstRow: number }[];
  duplicateCount: number;
  valid: number;
}

export async function readPreview(file: File): Promise<CsvFilePreview> {
  const partial = file.size > PREVIEW_BYTES;
  let text = await file.slice(0, PREVIEW_BYTES).text();
  if (partial) text = text.slice(0, text.lastIndexOf('\n') + 1);
  text = text.replace(/^\uFEFF/, '');
  // The delimiter the header line uses most, as the server detects it.
  const delimiter = detectDelimiter(text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined));
  const records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][];
  const [headers = [], ...rows] = records;
  return { headers, sample: rows, rowsRead: rows.length, partial, delimiter };
}

/** Invalid and repeated numbers among the rows read. Rows are numbered as the server numbers them: the header is row 1. */
export function findNumberProblems(preview: CsvFilePreview, mapping: ColumnNames): NumberProblems {
  const column = mapping.number ? preview.headers.indexOf(mapping.number) : -1;
  const problems: NumberProblems = { invalid: [], invalidCount: 0, duplicates: [], duplicateCount: 0, valid: 0 };
  if (column < 0) return problems;
  const firstRowByNumber = new Map<string, number>();
  preview.sample.forEach((record, index) => {
    const row = index + 2;
    const written = record[column] ?? '';
    const check = checkCalleeNumber(written);
    if (!check.ok) {
      problems.invalidCount++;
      if (problems.invalid.length < LISTED) problems.invalid.push({ row, number: written, reason: check.message });
      return;
    }
    const firstRow = firstRowByNumber.get(check.number.e164);
    if (firstRow !== undefined) {
      problems.duplicateCount++;
      if (problems.duplicates.length < LISTED) problems.duplicates.push({ row, number: written, firstRow });
      return;
    }
    firstRowByNumber.set(check.number.e164, row);
    problems.valid++;
  });
  return problems;
}
