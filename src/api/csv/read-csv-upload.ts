// Reads an uploaded CSV as it arrives: the header line first (its delimiter decides how the rest is split), then
// every record through csv-parse's streaming parser, fed chunk by chunk from the upload with its backpressure, so a
// file is never held whole. What is kept is the caller's per row (an entry of the numbers list), as for a JSON body.
//
// A file that cannot be read on (a record past MAX_CSV_RECORD_BYTES, a quote never closed, bytes that are not
// UTF-8) stops the read at once with a CsvFileProblem naming the row: the rest of the upload is not read, so a 50 MB
// line costs 64 KiB of memory, not 50 MB.
import { once } from 'node:events';
import { parse, CsvError } from 'csv-parse';
import { detectDelimiter, isBlankRecord, MAX_CSV_RECORD_BYTES, type CsvDelimiter } from '../../domain/csv/csv-rows.js';

/** A file the reader cannot go on with; `row` is the CSV row (header = 1). */
export class CsvFileProblem extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CsvReadHandlers {
  /** The header row; a throw here stops the read (a mapping that does not fit the headers). */
  onHeader(headers: string[], delimiter: CsvDelimiter): void;
  /** A data row, with its number (the header is row 1); blank rows are not passed. */
  onRecord(record: string[], row: number): void;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NEWLINE = 0x0a;
/** What TextDecoder and Buffer#toString put in place of bytes that are not UTF-8. */
const REPLACEMENT = '\uFFFD';

/** Reads `source` to its end (or to the first problem); returns the number of the last row read. */
export async function readCsvUpload(source: AsyncIterable<Buffer>, handlers: CsvReadHandlers): Promise<{ lastRow: number }> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await readHeaderLine(iterator);
  const delimiter = detectDelimiter(head.line);
  let row = 0;
  const parser = parse({
    delimiter,
    bom: true,
    // RFC 4180 quoting, strictly: a stray quote is an error that names its row, not a silently merged field.
    relax_quotes: false,
    // Rows of another width are reported by the caller, row by row, with the others.
    relax_column_count: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
  });
  const consume = (async () => {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      // csv-parse decodes each field as UTF-8 and puts U+FFFD where the bytes are not UTF-8.
      if (record.some((field) => field.includes(REPLACEMENT))) {
        throw new CsvFileProblem(row, `Row ${row} is not valid UTF-8 (or holds U+FFFD); save the file as UTF-8 and send it again.`);
      }
      if (row === 1) handlers.onHeader(record.map((header) => header.trim()), delimiter);
      else if (!isBlankRecord(record)) handlers.onRecord(record, row);
    }
  })();
  // Settled on its own terms below; this only keeps an early rejection from being reported as unhandled.
  consume.catch(() => undefined);
  try {
    const write = async (chunk: Buffer) => {
      if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), consume]);
    };
    await write(head.bytes);
    if (!head.ended) {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (parser.destroyed) break;
        await write(next.value);
      }
    }
    parser.end();
    await consume;
  } catch (error) {
    parser.destroy();
    // The parser counts the records it completed (the header too): the one it failed on is the next.
    throw toFileProblem(error, parser.info.records + 1);
  } finally {
    // Leaves the rest of the upload unread (a problem stopped the read); the route closes the connection.
    await iterator.return?.();
  }
  if (row === 0) throw new CsvFileProblem(1, 'The file is empty; it needs a header row and at least one row of numbers.');
  return { lastRow: row };
}

/**
 * The file's first bytes up to and including the header line's end (or the whole file when it has one line),
 * without its BOM for detection (the parser drops it too). A header past MAX_CSV_RECORD_BYTES is row 1's problem.
 */
async function readHeaderLine(iterator: AsyncIterator<Buffer>): Promise<{ line: string; bytes: Buffer; ended: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = next.value;
    const newline = chunk.indexOf(NEWLINE);
    chunks.push(chunk);
    if (newline >= 0 && length + newline <= MAX_CSV_RECORD_BYTES) {
      length += chunk.length;
      const bytes = Buffer.concat(chunks, length);
      return { line: headerText(bytes.subarray(0, bytes.length - chunk.length + newline)), bytes, ended: false };
    }
    length += chunk.length;
    if (length > MAX_CSV_RECORD_BYTES) throw new CsvFileProblem(1, tooLong(1));
  }
  const bytes = Buffer.concat(chunks, length);
  return { line: headerText(bytes), bytes, ended: true };
}

function headerText(bytes: Buffer): string {
  return (bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes).toString('utf8');
}

const tooLong = (row: number) =>
  `Row ${row} is longer than ${MAX_CSV_RECORD_BYTES / 1024} KiB; a row holds one number with its name and parameters (is this the right file, and its delimiter a comma, semicolon or tab?).`;

function toFileProblem(error: unknown, row: number): unknown {
  if (!(error instanceof CsvError)) return error;
  if (error.code === 'CSV_MAX_RECORD_SIZE') return new CsvFileProblem(row, tooLong(row));
  // csv-parse's own words say what it met and where ("Invalid Closing Quote: got ... at line 3").
  return new CsvFileProblem(row, `Row ${row} is not well-formed CSV (RFC 4180): ${error.message}`);
}
