// Named prepared statements on both databases, for statements whose text never changes (only their parameters):
// parsed, analysed and rewritten once per connection instead of on every run, and planned once when PostgreSQL finds
// its generic plan no worse than planning each run (plancache.c: after five custom plans).
//
// On PostgreSQL node-postgres does it: a query with a name is prepared on each pooled connection the first time that
// connection runs it. PGlite has no such option: its query() sends Parse, Describe, Bind, Describe, Execute and
// Sync as six separate calls into the database, each a turn of its protocol loop, and plans every time. Here a
// statement is parsed once (Parse + Describe) and then run as one call of Bind, Describe, Execute and Sync. Measured
// on PGlite (issue 10): a one-row select 207 us a run through query(), 78 us here; the dialer's claim and result
// writes spent 0.6-0.7 ms of their 4-5.5 ms planning (EXPLAIN SUMMARY), and PGlite's file system answers every
// "how many blocks has this relation" of planning with an fstat (9% of the virtual-time campaign's profile).
//
// PGlite runs one session for the whole process: a run takes PGlite's query lock (each message sequence whole) and,
// outside a transaction of the caller's, its transaction lock too (so it never runs inside another caller's open
// transaction), exactly as PGlite's own query() does.
import { createHash } from 'node:crypto';
import { PGlite, protocol } from '@electric-sql/pglite';
import { PgDialect, PgTransaction } from 'drizzle-orm/pg-core';
import { fillPlaceholders, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.js';
import { runAndReadRows } from './pglite-raw-results.js';

const DIALECT = new PgDialect();
const serialize = protocol.serialize;

/** A statement prepared on the PGlite session: its name and the types PostgreSQL inferred for its parameters. */
interface PglitePrepared {
  name: string;
  parameterTypes: number[];
}

/** A transaction of the store's database (drizzle's), as its callback receives it. */
export type StoreTransaction = Parameters<Parameters<Db['transaction']>[0]>[0];

interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** SQLSTATE 26000: the named statement does not exist on the session. */
const INVALID_SQL_STATEMENT_NAME = '26000';

/**
 * Prepared statements of one PGlite instance, by text, or by the FixedStatement they were made from (the session
 * outlives any one repository).
 */
const preparedByClient = new WeakMap<PGlite, Map<string | FixedStatement, PglitePrepared>>();

/** The statement's name: a digest of its text, so two statements never share a name on a connection. */
function nameOf(text: string): string {
  return `rc_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}

/**
 * An integer constant (an enum value) written into a prepared statement's text rather than sent as a parameter. A
 * generic plan is made without the parameters' values, so it cannot use a partial index whose predicate names a
 * value (`where status = 0`) that the query sends as `$n`: PostgreSQL then keeps planning the statement afresh.
 */
export function constant(value: number): SQL {
  if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer constant: ${value}`);
  return sql.raw(String(value));
}

/** The embedded PGlite behind `db`, if that is what it runs on. */
export function pgliteOf(db: Db): PGlite | undefined {
  const client = (db as unknown as { $client?: unknown }).$client;
  return client instanceof PGlite ? client : undefined;
}

/**
 * Runs `statement` as a named prepared statement; returns its rows as the client's own query() parses them
 * (node-postgres's defaults: timestamps as Dates; PGlite's parsers, which installDrizzleParsers set to give timestamps
 * as text, like drizzle's queries there). `db` is the store's database; `executor`, when given, a transaction of it the
 * statement must run in.
 */
export async function runPrepared<Row>(db: Db, statement: SQL, executor?: Db | StoreTransaction): Promise<Row[]> {
  const { sql: text, params } = DIALECT.sqlToQuery(statement);
  return runText<Row>(db, { text, name: undefined }, params, executor);
}

/**
 * A statement rendered to text once, whose values are drizzle placeholders (`sql.placeholder(name)`) filled on each
 * run (runFixed), for the dialer's hottest statements. Rendering a statement's SQL tree is a type check per chunk
 * (drizzle's sqlToQuery), and finding its prepared statement took hashing its text: for the result write, whose text
 * is 5 KB, both cost about as much as PGlite's own parsing of its results (virtual-time campaign, --cpu-prof: drizzle's
 * `is` 0.37 s and the prepared statements' lookup 0.26 s of ~20 s, issue 10).
 */
export class FixedStatement {
  readonly text: string;
  readonly name: string;
  private readonly params: unknown[];

  constructor(statement: SQL) {
    const { sql: text, params } = DIALECT.sqlToQuery(statement);
    this.text = text;
    this.params = params;
    this.name = nameOf(text);
  }

  /** The statement's parameters, its placeholders filled from `values` (one missing is an error, as drizzle's). */
  paramsWith(values: Record<string, unknown>): unknown[] {
    return fillPlaceholders(this.params, values);
  }
}

/** Runs a FixedStatement with these placeholder values, as runPrepared runs a statement. */
export async function runFixed<Row>(db: Db, statement: FixedStatement, values: Record<string, unknown>, executor?: Db | StoreTransaction): Promise<Row[]> {
  return runText<Row>(db, statement, statement.paramsWith(values), executor);
}

/** A statement's text and, when known already, its name and its key in the PGlite cache (a FixedStatement). */
type StatementText = { text: string; name: string | undefined } | FixedStatement;

async function runText<Row>(db: Db, statement: StatementText, params: unknown[], executor?: Db | StoreTransaction): Promise<Row[]> {
  const inTransaction = executor instanceof PgTransaction;
  const pglite = pgliteOf(db);
  if (pglite) return runOnPglite<Row>(pglite, statement, params, inTransaction);
  // A transaction runs on its own pooled connection (drizzle's session client); otherwise any connection of the pool.
  const client = (inTransaction ? (executor as unknown as { session: { client: PgQueryable } }).session.client : (db as unknown as { $client: PgQueryable }).$client);
  return (await client.query({ name: statement.name ?? nameOf(statement.text), text: statement.text, values: params })).rows as Row[];
}

/** How node-postgres turns a column's text into a value (its `types` option): by the column type's OID. */
export interface PgTypeParsers {
  getTypeParser(oid: number, format?: string): (text: string) => unknown;
}

/**
 * PostgreSQL only (node-postgres): runs `statement` as a named prepared statement and returns its rows as arrays of
 * column values, each column's text turned into a value by `types`. For reads of many plain rows, where building an
 * object per row or JSON on the server costs more than the rows themselves.
 */
export async function runPreparedArrays(db: Db, statement: SQL, types: PgTypeParsers): Promise<unknown[][]> {
  if (pgliteOf(db)) throw new TypeError('runPreparedArrays runs on PostgreSQL only');
  const { sql: text, params } = DIALECT.sqlToQuery(statement);
  const client = (db as unknown as { $client: { query(config: object): Promise<{ rows: unknown[][] }> } }).$client;
  return (await client.query({ name: nameOf(text), text, values: params, rowMode: 'array', types })).rows;
}

async function runOnPglite<Row>(pglite: PGlite, statement: StatementText, params: unknown[], inTransaction: boolean): Promise<Row[]> {
  const key = statement instanceof FixedStatement ? statement : statement.text;
  const execute = async () => {
    const prepared = await preparedOn(pglite, key, statement.text);
    const values = params.map((value, i) => serializedParameter(pglite, value, prepared.parameterTypes[i]!));
    const message = Buffer.concat([bindMessage(prepared.name, values), DESCRIBE_EXECUTE_SYNC]);
    // Outside a transaction PGlite's query() syncs its file system after the statement (a no-op on a data folder);
    // inside one, at the commit.
    return (await runAndReadRows(pglite, message, !inTransaction)) as Row[];
  };
  const run = () =>
    pglite._runExclusiveQuery(async () => {
      try {
        return await execute();
      } catch (error) {
        // Someone ran DEALLOCATE or DISCARD on the session: prepared again next time, and at once outside a transaction
        // (Bind failed, so nothing ran; inside a transaction the failure has aborted it, and the caller's retry
        // decides).
        if ((error as { code?: string }).code !== INVALID_SQL_STATEMENT_NAME) throw error;
        preparedByClient.get(pglite)?.delete(key);
        preparedByClient.get(pglite)?.delete(statement.text);
        if (inTransaction) throw error;
        return execute();
      }
    });
  await pglite._checkReady();
  return inTransaction ? run() : pglite._runExclusiveTransaction(run);
}

/** Parses the statement on the session the first time it is run there. Called under PGlite's query lock. */
async function preparedOn(pglite: PGlite, key: string | FixedStatement, text: string): Promise<PglitePrepared> {
  let prepared = preparedByClient.get(pglite);
  if (!prepared) preparedByClient.set(pglite, (prepared = new Map()));
  const known = prepared.get(key);
  if (known) return known;
  // A statement is prepared once per name on the session: a FixedStatement's is known by its text too.
  const byText = typeof key === 'string' ? undefined : prepared.get(text);
  if (byText) {
    prepared.set(key, byText);
    return byText;
  }
  const name = nameOf(text);
  const { messages } = await pglite.execProtocol(Buffer.concat([serialize.parse({ name, text, types: [] }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
  const description = messages.find((message) => message.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
  const statement = { name, parameterTypes: description?.dataTypeIDs ?? [] };
  prepared.set(text, statement);
  if (key !== text) prepared.set(key, statement);
  return statement;
}

/** What follows each Bind of runOnPglite: Describe the portal, Execute it, Sync. The same bytes every time. */
const DESCRIBE_EXECUTE_SYNC = Buffer.concat([serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);

/**
 * The Bind message of the unnamed portal for a prepared statement and its parameters in text format (null: SQL NULL),
 * results in text, as PGlite's serialize.bind writes it, in a buffer sized once: that serializer's writer starts small
 * and grows by copying, which for the result write's few-KB arrays was 0.19 s of a 30,000-number virtual-time campaign
 * (--cpu-prof, issue 10). Every parameter is text here: serializedParameter gives PGlite's serializers' text (bytea
 * as its hex form).
 */
function bindMessage(statement: string, texts: readonly (string | null)[]): Uint8Array {
  let length = 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 * texts.length + 2 + 2;
  for (const text of texts) length += 4 + (text === null ? 0 : Buffer.byteLength(text));
  const message = Buffer.allocUnsafe(1 + length);
  let at = message.writeUInt8(0x42, 0); // 'B'
  at = message.writeInt32BE(length, at);
  at = message.writeUInt8(0, at); // the unnamed portal
  at += message.write(statement, at);
  at = message.writeUInt8(0, at);
  at = message.writeUInt16BE(texts.length, at);
  for (let i = 0; i < texts.length; i++) at = message.writeInt16BE(0, at); // each parameter in text format
  at = message.writeUInt16BE(texts.length, at);
  for (const text of texts) {
    if (text === null) {
      at = message.writeInt32BE(-1, at);
      continue;
    }
    const bytes = message.write(text, at + 4);
    at = message.writeInt32BE(bytes, at) + bytes;
  }
  message.writeInt16BE(0, at); // every result column in text format
  return message;
}

/** A parameter as PGlite's query() would send it: its type's serializer, else its text. */
function serializedParameter(pglite: PGlite, value: unknown, type: number): string | null {
  if (value === null || value === undefined) return null;
  const serializer = pglite.serializers[type];
  return serializer ? (serializer(value) as string) : String(value);
}
