// The rows of one run of a prepared statement on PGlite (prepared-statements.ts), read straight from the protocol
// bytes PGlite's backend writes.
//
// PGlite's own execProtocol parses everything it runs with its general protocol parser: it copies each chunk of
// output, then copies every field of every row into an ArrayBuffer of its own before decoding it (its reader's
// bytes()), makes a message object per row, and parseResults then turns those into row objects. In the 30,000-number
// virtual-time campaign on PGlite that was 3.1 s of its ~25 s of work (--cpu-prof, issue 10: the parser's module
// 1.6 s, the copies and dispatch of its execProtocol 1.5 s, scaled to the same machine speed); read here, the rows of
// the same runs took 0.26 s. Only what those runs can answer is read: the first result's row description, rows and
// command completion. Anything else keeps PGlite's meaning:
// - an error: the output is handed to PGlite's parser and the DatabaseError it makes is thrown, as execProtocol
//   throws it (its SQLSTATE, detail, constraint...);
// - a notification (NOTIFY, pg_notify, by a trigger, in a statement that commits itself): PGlite hands those to its
//   listeners only from its own parsing, so the listeners are kept here too (mirrorListeners) and told the same way,
//   each in a microtask of its own;
// - notices are dropped, as execProtocol drops them when it is given no onNotice.
import { messages, protocol, type PGlite } from '@electric-sql/pglite';

/** What PGlite's parsers are called with: the field's text and its type's OID. */
type FieldParser = (text: string, typeId: number) => unknown;
type NotificationCallback = (payload: string) => void;

const MESSAGE_ROW_DESCRIPTION = 0x54; // 'T'
const MESSAGE_DATA_ROW = 0x44; // 'D'
const MESSAGE_COMMAND_COMPLETE = 0x43; // 'C'
const MESSAGE_ERROR = 0x45; // 'E'
const MESSAGE_NOTIFICATION = 0x41; // 'A'
/** In a RowDescription, after each field's name: table OID (4), column number (2), then the type's OID. */
const TYPE_OID_OFFSET = 6;
/** The bytes after each field's name: table OID, column, type OID, type size, type modifier, format. */
const FIELD_TAIL_BYTES = 18;

const decoder = new TextDecoder();

/** Listeners by PGlite instance and channel (PostgreSQL's name for it), as mirrorListeners keeps them. */
const listenersByClient = new WeakMap<PGlite, Map<string, Set<NotificationCallback>>>();

/**
 * Runs `message` (Bind, Describe, Execute, Sync of a prepared statement) under the caller's hold of PGlite's query
 * lock, and returns the first result's rows as PGlite's parseResults would make them with the instance's parsers.
 */
export async function runAndReadRows(pglite: PGlite, message: Uint8Array, syncToFs: boolean): Promise<Record<string, unknown>[]> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  await pglite.execProtocolRawStream(message, {
    syncToFs,
    // A chunk is a view of the WASM memory, reused for the next write: copied.
    onRawData: (chunk: Uint8Array) => {
      chunks.push(chunk.slice());
      size += chunk.length;
    },
  });
  const output = chunks.length === 1 ? chunks[0]! : joined(chunks, size);
  return readRows(pglite, output);
}

/**
 * Keeps a copy of each listener PGlite's listen() registers on `client` (its transactions' listen() calls it too), and
 * drops it when PGlite's unlisten() drops it (the function listen() returns calls unlisten()), so that notifications
 * read by runAndReadRows reach the same listeners. Call once, when the instance is opened.
 */
export function mirrorListeners(client: PGlite): void {
  const channels = new Map<string, Set<NotificationCallback>>();
  listenersByClient.set(client, channels);
  const listen = client.listen.bind(client);
  client.listen = async (channel, callback, tx) => {
    const unlisten = await listen(channel, callback, tx);
    const name = postgresName(channel);
    let set = channels.get(name);
    if (!set) channels.set(name, (set = new Set()));
    set.add(callback);
    return unlisten;
  };
  const unlisten = client.unlisten.bind(client);
  client.unlisten = async (channel, callback, tx) => {
    const name = postgresName(channel);
    if (callback) channels.get(name)?.delete(callback);
    else channels.delete(name);
    await unlisten(channel, callback, tx);
  };
}

/** A channel as PostgreSQL names it: a quoted name as written, any other in lower case (PGlite's rule too). */
function postgresName(channel: string): string {
  return channel.length >= 2 && channel.startsWith('"') && channel.endsWith('"') ? channel.slice(1, -1) : channel.toLowerCase();
}

function joined(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const output = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    output.set(chunk, at);
    at += chunk.length;
  }
  return output;
}

function readRows(pglite: PGlite, output: Uint8Array): Record<string, unknown>[] {
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  const parsers = pglite.parsers as Record<number, FieldParser | undefined>;
  const rows: Record<string, unknown>[] = [];
  let names: string[] = [];
  let fieldParsers: (FieldParser | undefined)[] = [];
  let typeIds: number[] = [];
  let firstResultDone = false;
  for (let at = 0; at + 5 <= output.length; ) {
    const type = output[at]!;
    const end = at + 1 + view.getInt32(at + 1);
    const body = at + 5;
    if (type === MESSAGE_ERROR) throw databaseErrorIn(output);
    if (type === MESSAGE_NOTIFICATION) notify(pglite, output, body);
    else if (!firstResultDone) {
      if (type === MESSAGE_ROW_DESCRIPTION) {
        const count = view.getInt16(body);
        names = new Array<string>(count);
        typeIds = new Array<number>(count);
        fieldParsers = new Array<FieldParser | undefined>(count);
        let p = body + 2;
        for (let i = 0; i < count; i++) {
          const nameEnd = output.indexOf(0, p);
          names[i] = decoder.decode(output.subarray(p, nameEnd));
          typeIds[i] = view.getInt32(nameEnd + 1 + TYPE_OID_OFFSET);
          fieldParsers[i] = parsers[typeIds[i]!];
          p = nameEnd + 1 + FIELD_TAIL_BYTES;
        }
      } else if (type === MESSAGE_DATA_ROW) {
        const count = view.getInt16(body);
        const row: Record<string, unknown> = {};
        let p = body + 2;
        for (let i = 0; i < count; i++) {
          const length = view.getInt32(p);
          p += 4;
          if (length < 0) {
            row[names[i]!] = null;
            continue;
          }
          const text = decoder.decode(output.subarray(p, p + length));
          p += length;
          const parser = fieldParsers[i];
          row[names[i]!] = parser ? parser(text, typeIds[i]!) : text;
        }
        rows.push(row);
      } else if (type === MESSAGE_COMMAND_COMPLETE) {
        firstResultDone = true;
      }
    }
    at = end;
  }
  return rows;
}

/** The first error in the output, as PGlite's parser makes it (what its execProtocol throws). */
function databaseErrorIn(output: Uint8Array): Error {
  let error: Error | undefined;
  new protocol.Parser().parse(output, (message) => {
    if (!error && message instanceof messages.DatabaseError) error = message;
  });
  return error ?? new Error('PGlite answered with an error message that could not be read');
}

/** A NotificationResponse: process id, channel, payload. */
function notify(pglite: PGlite, output: Uint8Array, body: number): void {
  const channelStart = body + 4;
  const channelEnd = output.indexOf(0, channelStart);
  const payloadEnd = output.indexOf(0, channelEnd + 1);
  const channel = decoder.decode(output.subarray(channelStart, channelEnd));
  const payload = decoder.decode(output.subarray(channelEnd + 1, payloadEnd));
  for (const callback of listenersByClient.get(pglite)?.get(channel) ?? []) queueMicrotask(() => callback(payload));
}
