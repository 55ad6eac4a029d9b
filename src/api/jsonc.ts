// The Voice Campaigns document's example request carries a `// This is not required...` line, and clients paste it
// verbatim. So request bodies are parsed as JSON with comments: `//` and `/* */` outside strings are blanked
// (replaced by spaces, so error positions still point at the original text), then JSON.parse runs.
//
// A 100,000-number campaign is a 10 MB body, and JSON.parse of it holds the event loop for 100-300 ms, during which
// no other client is answered. Large bodies are therefore parsed a piece at a time (parseJsoncPausing): one pass
// finds the long arrays among the top-level object's values, JSON.parse reads the object with those arrays left
// empty, then their entries ELEMENTS_PER_PARSE at a time, with the event loop handed back in between. Any piece that
// does not parse sends the whole text to JSON.parse, so a malformed body gets exactly JSON.parse's message.
import { canonicalizeKeysPausing } from './case-insensitive.js';
import { yieldToEventLoop } from '../domain/stepwise.js';

export class MalformedJsonError extends Error {
  override readonly name = 'MalformedJsonError';
}

const SLASH = 47;
const STAR = 42;
const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

/** Bodies at least this long are parsed a piece at a time. */
export const LARGE_BODY_CHARS = 256 * 1024;
/** Characters scanned between two pauses (a few ms). */
const SCAN_CHARS_PER_STEP = 1 << 20;
/** Array entries per JSON.parse call (about 200 KB of phone-number entries, a few ms). */
const ELEMENTS_PER_PARSE = 2000;

export function stripJsonComments(text: string): string {
  // Fast path: no slash at all means no comment (most bodies, including 100,000-number campaigns).
  if (!text.includes('/')) return text;
  let out = '';
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) {
      inString = true;
      continue;
    }
    if (code !== SLASH) continue;
    const next = text.charCodeAt(i + 1);
    let end: number;
    if (next === SLASH) {
      end = text.indexOf('\n', i);
      if (end === -1) end = text.length;
    } else if (next === STAR) {
      const close = text.indexOf('*/', i + 2);
      if (close === -1) throw new MalformedJsonError(`Unterminated /* comment at position ${i}`);
      end = close + 2;
    } else {
      continue;
    }
    out += text.slice(copiedUpTo, i) + blank(text.slice(i, end));
    copiedUpTo = end;
    i = end - 1;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

function blank(comment: string): string {
  let spaces = '';
  for (let i = 0; i < comment.length; i++) spaces += comment.charCodeAt(i) === NEWLINE ? '\n' : ' ';
  return spaces;
}

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Parses JSON-with-comments; an empty body (or only comments) is `undefined`; bad input throws MalformedJsonError with
 * the reason.
 * A leading byte order mark is skipped: Windows tools (Notepad, PowerShell's Out-File) write one, JSON.parse refuses
 * it, and the .NET readers the document's clients know accept it.
 */
export function parseJsonc(text: string): unknown {
  if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(1);
  try {
    const json = stripJsonComments(text);
    // Checked after stripping: a body that is only a comment is as empty as no body at all.
    if (json.trim() === '') return undefined;
    return JSON.parse(json);
  } catch (error) {
    if (error instanceof MalformedJsonError) throw error;
    throw new MalformedJsonError((error as Error).message);
  }
}

/** A long array value of the top-level object: its brackets, and the commas where it is cut into pieces. */
interface LongArray {
  key: string;
  /** Position of the colon after the key: the last occurrence of a key is the one JSON.parse keeps. */
  colon: number;
  open: number;
  close: number;
  cuts: number[];
}

/** parseJsonc for large bodies: the same result, with `pause` awaited between pieces of work. */
export async function parseJsoncPausing(text: string, pause: () => Promise<void>): Promise<unknown> {
  if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(1);
  let json: string;
  try {
    json = stripJsonComments(text);
  } catch (error) {
    throw error instanceof MalformedJsonError ? error : new MalformedJsonError((error as Error).message);
  }
  if (json.trim() === '') return undefined;
  try {
    return await parseInPieces(json, pause);
  } catch {
    // Malformed somewhere: JSON.parse of the whole says where, in its own words.
    return parseJsonc(json);
  }
}

async function parseInPieces(json: string, pause: () => Promise<void>): Promise<unknown> {
  const arrays = await findLongArrays(json, pause);
  if (arrays.length === 0) return JSON.parse(json);
  let skeleton = '';
  let copiedUpTo = 0;
  for (const array of arrays) {
    skeleton += json.slice(copiedUpTo, array.open + 1);
    copiedUpTo = array.close;
  }
  const value = JSON.parse(skeleton + json.slice(copiedUpTo)) as Record<string, unknown>;
  for (const array of arrays) {
    const entries: unknown[] = [];
    const starts = [array.open + 1, ...array.cuts.map((cut) => cut + 1)];
    const ends = [...array.cuts, array.close];
    for (let piece = 0; piece < starts.length; piece++) {
      await pause();
      const text = json.slice(starts[piece], ends[piece]);
      // A blank piece would parse as [] and hide a stray comma ("[1,]"), so it is malformed here.
      if (text.trim() === '') throw new MalformedJsonError('empty array entry');
      for (const entry of JSON.parse(`[${text}]`) as unknown[]) entries.push(entry);
    }
    // defineProperty: a "__proto__" key is an ordinary property in JSON.parse's result, and must stay one.
    Object.defineProperty(value, array.key, { value: entries, enumerable: true, writable: true, configurable: true });
  }
  return value;
}

/**
 * One pass over the text: the array values of the top-level object with more than ELEMENTS_PER_PARSE entries, and
 * where to cut them. Only well-formed text gets this far without JSON.parse complaining later, so the pass only
 * tracks strings and nesting.
 */
async function findLongArrays(json: string, pause: () => Promise<void>): Promise<LongArray[]> {
  const found: LongArray[] = [];
  const lastColonOfKey = new Map<string, number>();
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let stringEnd = -1;
  let key: { name: string; colon: number } | undefined;
  let current: LongArray | undefined;
  let entriesSinceCut = 0;
  let topLevelObject = false;
  let pauseAt = SCAN_CHARS_PER_STEP;
  for (let i = 0; i < json.length; i++) {
    if (i >= pauseAt) {
      pauseAt = i + SCAN_CHARS_PER_STEP;
      await pause();
    }
    const code = json.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) {
        inString = false;
        stringEnd = i;
      }
      continue;
    }
    switch (code) {
      case QUOTE:
        inString = true;
        stringStart = i;
        break;
      case COLON:
        if (depth === 1) {
          key = { name: JSON.parse(json.slice(stringStart, stringEnd + 1)) as string, colon: i };
          lastColonOfKey.set(key.name, i);
        }
        break;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (depth === 0) topLevelObject = code === OPEN_BRACE;
        depth++;
        if (depth === 2 && code === OPEN_BRACKET && topLevelObject && key) {
          current = { key: key.name, colon: key.colon, open: i, close: -1, cuts: [] };
          entriesSinceCut = 0;
        }
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        if (depth === 2 && current && code === CLOSE_BRACKET) {
          current.close = i;
          if (current.cuts.length > 0) found.push(current);
          current = undefined;
        }
        depth--;
        break;
      case COMMA:
        if (depth === 1) key = undefined;
        else if (depth === 2 && current && ++entriesSinceCut === ELEMENTS_PER_PARSE) {
          current.cuts.push(i);
          entriesSinceCut = 0;
        }
        break;
    }
  }
  // A key given twice: JSON.parse keeps the last value, so only that one may be replaced.
  return found.filter((array) => lastColonOfKey.get(array.key) === array.colon);
}

/**
 * `application/json` and any `+json` type, with or without parameters. Fastify tests a RegExp parser against the
 * whole header as it normalises it (`application/json; charset="utf-8"`), so the pattern must allow what follows a
 * `;`, or a client that names its charset gets 415.
 */
export const JSON_MEDIA_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;

/** What the parser reads of the request: the route's body schema, to canonicalise large bodies as they are parsed. */
interface ParsedRequest {
  routeOptions?: { schema?: { body?: unknown } | undefined } | undefined;
}

/**
 * A Fastify content-type parser (`parseAs: 'string'`) for JSON with comments. A large body is parsed a piece at a time
 * and its property names canonicalised the same way (src/api/case-insensitive.ts), handing the event loop back
 * between pieces.
 */
export function jsoncBodyParser(request: ParsedRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void): void {
  const text = String(body);
  if (text.length >= LARGE_BODY_CHARS) {
    const schema = request.routeOptions?.schema?.body;
    parseJsoncPausing(text, yieldToEventLoop)
      .then((value) => (typeof schema === 'object' && schema !== null ? canonicalizeKeysPausing(value, schema, yieldToEventLoop) : value))
      .then(
        (value) => done(null, value),
        (error: unknown) => done(error as Error, undefined),
      );
    return;
  }
  let value: unknown;
  try {
    value = parseJsonc(text);
  } catch (error) {
    done(error as Error, undefined);
    return;
  }
  done(null, value);
}
