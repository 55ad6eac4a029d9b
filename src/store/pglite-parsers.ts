// Drizzle hands PGlite the same few type parsers with every query (timestamps, dates and intervals, and arrays of
// them, returned as PostgreSQL's text), and PGlite merges them into its own table of ~120 parsers for each query
// before reading the rows: 100 us a query, as much again as running `select 1` (measured on this machine; 12% of
// the virtual-time benchmark's wall time, where the dialer runs ~1,200 statements a second). So those parsers become
// the instance's own, and a query whose parsers are all among them is run without them (installDrizzleParsers): same
// rows, no merge.
//
// The parsers must stay the ones drizzle-orm/pglite/session.js passes: identity for these types. Should drizzle pass
// another parser, the query keeps it and PGlite merges as before (correct, only slower).
import { types, type PGlite, type QueryOptions, type Transaction } from '@electric-sql/pglite';

/** The types drizzle asks PGlite to return as text: timestamp, timestamptz, interval, date and their arrays. */
const TEXT_TYPES = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
const TEXT_TYPE_KEYS = new Set(TEXT_TYPES.map(String));

const asText = (value: string) => value;

/** The options without their parsers when the instance already has every one of them. */
export function withoutInstalledParsers(options: QueryOptions | undefined): QueryOptions | undefined {
  const parsers = options?.parsers;
  if (!parsers) return options;
  for (const key in parsers) if (!TEXT_TYPE_KEYS.has(key)) return options;
  const { parsers: _installed, ...rest } = options;
  return rest;
}

type QueryFn = PGlite['query'];

/**
 * Gives a ready client drizzle's parsers as its own, and makes its queries, and those of its transactions, drop them.
 * After waitReady: starting up, PGlite sets a parser for every array type, the arrays above among them.
 */
export function installDrizzleParsers(client: PGlite): void {
  for (const oid of TEXT_TYPES) client.parsers[oid] = asText;
  const query = client.query.bind(client) as QueryFn;
  client.query = ((text: string, params?: unknown[], options?: QueryOptions) => query(text, params, withoutInstalledParsers(options))) as QueryFn;
  const transaction = client.transaction.bind(client);
  client.transaction = <T>(callback: (tx: Transaction) => Promise<T>) =>
    transaction((tx) => {
      const txQuery = tx.query.bind(tx) as Transaction['query'];
      // The transaction object keeps its own members (closed, rollback, ...); only query is replaced.
      const wrapped = Object.create(tx) as Transaction;
      wrapped.query = ((text: string, params?: unknown[], options?: QueryOptions) => txQuery(text, params, withoutInstalledParsers(options))) as Transaction['query'];
      return callback(wrapped);
    });
}
