// The numbers of an uploaded CSV as the entries of a phoneNumbers list (with the CSV row of each), for the JSON
// create's and add-numbers' own checks; and those checks' answers told in rows.
import { FieldErrorCollector, HttpProblem, validationProblem, type FieldErrors } from '../problem.js';
import { COLUMNS_PATH, FILE_PATH, parseColumnsPart, resolveColumns, type ColumnMapping } from '../../domain/csv/column-mapping.js';
import { recordToEntry, widthProblem, withRowNumbers, type CsvPhoneEntry } from '../../domain/csv/csv-rows.js';
import type { LeftOutNumber, MergedNumber } from '../../domain/phone-number-list.js';
import { CsvFileProblem, readCsvUpload } from './read-csv-upload.js';

/** Rows of another width than the header's reported by row; past this many, the rest are counted. */
const MAX_WIDTH_MESSAGES = 100;

export interface CsvNumbers {
  entries: CsvPhoneEntry[];
  /** The CSV row of each entry. */
  rowOf: number[];
  mapping: ColumnMapping;
  /** Data rows read (blank rows not counted). */
  rows: number;
  /** Problems of the file itself (rows of the wrong width), to report with the other fields'. */
  fileErrors: FieldErrors;
}

/**
 * Reads the file with the mapping of `columnsText` (or the guessed one). A file or mapping that cannot be read on is
 * thrown as a 400 at once, before the rest is read: Columns/File paths, the row in the message.
 */
export async function readCsvNumbers(file: AsyncIterable<Buffer> & { truncated?: boolean }, columnsText: string | undefined): Promise<CsvNumbers> {
  const errors = new FieldErrorCollector();
  const requested = columnsText === undefined ? undefined : parseColumnsPart(columnsText, errors);
  if (errors.has(COLUMNS_PATH)) throw validationProblem(errors.errors);
  let mapping: ColumnMapping | undefined;
  const entries: CsvPhoneEntry[] = [];
  const rowOf: number[] = [];
  let rows = 0;
  let widthErrors = 0;
  try {
    await readCsvUpload(file, {
      onHeader(headers) {
        mapping = resolveColumns(headers, requested, errors);
        if (!mapping) throw validationProblem(errors.errors);
      },
      onRecord(record, row) {
        rows++;
        const problem = widthProblem(record, row, mapping!);
        if (problem === undefined) {
          entries.push(recordToEntry(record, mapping!));
          rowOf.push(row);
        } else if (++widthErrors <= MAX_WIDTH_MESSAGES) {
          errors.add(FILE_PATH, problem);
        }
      },
    });
  } catch (error) {
    if (error instanceof CsvFileProblem) throw validationProblem({ [FILE_PATH]: [error.message] });
    throw error;
  } finally {
    // The multipart reader ends a file at the size limit as if it were whole, marking it truncated: what was read of
    // its last row is not a row, and whatever the rows said the answer is that the file is too large.
    if (file.truncated) throw new HttpProblem(413, 'payload-too-large', 'The file is larger than CSV_UPLOAD_LIMIT_MB allows.');
  }
  if (widthErrors > MAX_WIDTH_MESSAGES) errors.add(FILE_PATH, `And ${widthErrors - MAX_WIDTH_MESSAGES} more rows of the wrong width.`);
  return { entries, rowOf, mapping: mapping!, rows, fileErrors: errors.errors };
}

/** A check's errors with each entry's messages told by row, and the file's own problems beside them. */
export function csvErrors(numbers: CsvNumbers, errors: FieldErrors): FieldErrors {
  return { ...withRowNumbers(errors, (index) => numbers.rowOf[index]!), ...numbers.fileErrors };
}

export function leftOutRows(numbers: CsvNumbers, leftOut: readonly LeftOutNumber[]) {
  return leftOut.map((entry) => ({ ...entry, row: numbers.rowOf[entry.index]! }));
}

export function mergedRows(numbers: CsvNumbers, merged: readonly MergedNumber[]) {
  return merged.map((entry) => ({ ...entry, row: numbers.rowOf[entry.index]!, duplicateOfRow: numbers.rowOf[entry.duplicateOfIndex]! }));
}
