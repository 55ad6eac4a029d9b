// Reading many plain rows on PostgreSQL (runPreparedArrays): a row per call with its number's columns repeated, each
// column turned into a value by a parser that does only what the row needs. Where PostgreSQL building JSON of a page
// (json_agg of the calls per number) costs its backend more than sending the rows, and Node more to parse the JSON and
// make its Dates than to read the rows: the CSV export's pages and the number listing's.
import { sql, type SQL } from 'drizzle-orm';
import type { PgTypeParsers } from './prepared-statements.js';

/** Epoch milliseconds of a timestamptz as int8 (exact: the time is cut to whole milliseconds before the division). */
export const epochMs = (column: SQL) => sql`(date_part('epoch', date_trunc('milliseconds', ${column})) * 1000)::int8`;

// OIDs of the column types read (pg_type).
const INT2 = 21;
const INT4 = 23;
const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;
const asIs = (text: string) => text;

/**
 * Numbers as JS numbers (ids, epoch milliseconds, counts and prices all fit a double), booleans as booleans, the rest
 * (text, and json/jsonb as their text, parsed once per number by the reader) as text.
 */
export const PLAIN_COLUMN_PARSERS: PgTypeParsers = {
  getTypeParser(oid) {
    if (oid === INT2 || oid === INT4 || oid === INT8 || oid === NUMERIC) return Number;
    if (oid === BOOL) return (text) => text === 't';
    return asIs;
  },
};
