// The Voice Campaigns document's example request carries a `// This is not required...` line, and clients paste it
// verbatim. So request bodies are parsed as JSON with comments: `//` and `/* */` outside strings are blanked
// (replaced by spaces, so error positions still point at the original text), then JSON.parse runs.
//
// A 100,000-number campaign is a 10 MB body, and JSON.parse of it holds the event loop for 100-300 ms, during which
// no other client is answered. Large bodies are therefore parsed a piece at a time (parseJsoncPausing): one pass
// finds the long arrays among the top-level object's values, JSON.parse reads the object with those arrays left
// empty, then their entries ELEMENTS_PER_PARSE at a time, with the event loop handed back in between. The pass reads
// the body as the pieces it arrived in, never joined (text-pieces.ts says why). Any piece that does not parse sends
// the whole text to JSON.parse, so a malformed body gets exactly JSON.parse's message.
import { canonicalizeKeysPausing } from './case-insensitive.js';
import { yieldToEventLoop } from '../domain/stepwise.js';
import { TextPieces } from './text-pieces.js';
import { strictIntegersPausing } from './strict-integer.js';

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
const SPACE = 32;
const TAB = 9;
const CARRIAGE_RETURN = 13;

/** Bodies at least this long are parsed a piece at a time. */
export const LARGE_BODY_CHARS = 256 * 1024;
/** Characters scanned between two pauses (1-4 ms; a million took 11-21 ms on a 2-core AMD machine). */
const SCAN_CHARS_PER_STEP = 1 << 18;
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

/** Text the one-pass scan could not follow (a stray '/', an unterminated comment): JSON.parse of the whole says why. */
class NotScannable extends Error {}

/**
 * parseJsonc for large bodies: the same result, with `pause` awaited between pieces of work. The text may be given as
 * the pieces it arrived in (readBodyPieces), which are then never joined unless the text turns out malformed.
 */
export async function parseJsoncPausing(text: string | readonly string[], pause: () => Promise<void>): Promise<unknown> {
  const original = new TextPieces(typeof text === 'string' ? [text] : text);
  try {
    return await parseInPieces(original, pause);
  } catch {
    // Malformed somewhere (or only comments and blanks): parseJsonc of the whole says what, in JSON.parse's own words.
    return parseJsonc(original.join());
  }
}

async function parseInPieces(original: TextPieces, pause: () => Promise<void>): Promise<unknown> {
  const withoutMark = original.slice(0, 1) === BYTE_ORDER_MARK ? new TextPieces([original.pieces[0]!.slice(1), ...original.pieces.slice(1)]) : original;
  const scan = await scanPausing(withoutMark, pause);
  if (!scan.anyValue) throw new NotScannable('nothing but blanks and comments');
  const json = withoutMark.blanked(scan.comments);
  let skeleton = '';
  let copiedUpTo = 0;
  for (const array of scan.arrays) {
    skeleton += json.slice(copiedUpTo, array.open + 1);
    copiedUpTo = array.close;
  }
  const value = JSON.parse(skeleton + json.slice(copiedUpTo)) as Record<string, unknown>;
  for (const array of scan.arrays) {
    const entries: unknown[] = [];
    const starts = [array.open + 1, ...array.cuts.map((cut) => cut + 1)];
    const ends = [...array.cuts, array.close];
    for (let piece = 0; piece < starts.length; piece++) {
      await pause();
      const text = json.slice(starts[piece]!, ends[piece]!);
      // A blank piece would parse as [] and hide a stray comma ("[1,]"), so it is malformed here.
      if (text.trim() === '') throw new MalformedJsonError('empty array entry');
      for (const entry of JSON.parse(`[${text}]`) as unknown[]) entries.push(entry);
    }
    // defineProperty: a "__proto__" key is an ordinary property in JSON.parse's result, and must stay one.
    Object.defineProperty(value, array.key, { value: entries, enumerable: true, writable: true, configurable: true });
  }
  return value;
}

const enum Scanning {
  Value,
  InString,
  InEscape,
  AfterSlash,
  InLineComment,
  InBlockComment,
  InBlockCommentAfterStar,
}

interface Scan {
  /** The comments' places, [start, end), to be blanked as stripJsonComments blanks them. */
  comments: [number, number][];
  /** The array values of the top-level object with more than ELEMENTS_PER_PARSE entries, and where to cut them. */
  arrays: LongArray[];
  /** Whether anything but blanks and comments was seen. */
  anyValue: boolean;
}

/**
 * One pass over the text, piece by piece: where its comments are, and its long arrays (see Scan). Only well-formed
 * text gets this far without JSON.parse complaining later, so the pass only tracks comments, strings and nesting;
 * what it cannot follow throws NotScannable.
 */
async function scanPausing(json: TextPieces, pause: () => Promise<void>): Promise<Scan> {
  const comments: [number, number][] = [];
  const found: LongArray[] = [];
  const lastColonOfKey = new Map<string, number>();
  let state = Scanning.Value;
  let commentStart = -1;
  let anyValue = false;
  let depth = 0;
  let stringStart = -1;
  let stringEnd = -1;
  let key: { name: string; colon: number } | undefined;
  let current: LongArray | undefined;
  let entriesSinceCut = 0;
  let topLevelObject = false;
  let pauseAt = SCAN_CHARS_PER_STEP;
  let pieceStart = 0;
  for (const piece of json.pieces) {
    for (let at = 0; at < piece.length; at++) {
      const i = pieceStart + at;
      if (i >= pauseAt) {
        pauseAt = i + SCAN_CHARS_PER_STEP;
        await pause();
      }
      const code = piece.charCodeAt(at);
      switch (state) {
        case Scanning.InString:
          if (code === BACKSLASH) state = Scanning.InEscape;
          else if (code === QUOTE) {
            state = Scanning.Value;
            stringEnd = i;
          }
          continue;
        case Scanning.InEscape:
          state = Scanning.InString;
          continue;
        case Scanning.AfterSlash:
          if (code === SLASH) state = Scanning.InLineComment;
          else if (code === STAR) state = Scanning.InBlockComment;
          else throw new NotScannable('a slash outside a string and a comment');
          continue;
        case Scanning.InLineComment:
          if (code !== NEWLINE) continue;
          comments.push([commentStart, i]);
          state = Scanning.Value;
          continue;
        case Scanning.InBlockComment:
          if (code === STAR) state = Scanning.InBlockCommentAfterStar;
          continue;
        case Scanning.InBlockCommentAfterStar:
          if (code === SLASH) {
            comments.push([commentStart, i + 1]);
            state = Scanning.Value;
          } else if (code !== STAR) state = Scanning.InBlockComment;
          continue;
        case Scanning.Value:
          break;
      }
      if (code === SPACE || code === NEWLINE || code === TAB || code === CARRIAGE_RETURN) continue;
      if (code === SLASH) {
        state = Scanning.AfterSlash;
        commentStart = i;
        continue;
      }
      anyValue = true;
      switch (code) {
        case QUOTE:
          state = Scanning.InString;
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
    pieceStart += piece.length;
  }
  if (state === Scanning.InLineComment) comments.push([commentStart, json.length]);
  else if (state !== Scanning.Value) throw new NotScannable('the text ends inside a string or a comment');
  // A key given twice: JSON.parse keeps the last value, so only that one may be replaced.
  return { comments, arrays: found.filter((array) => lastColonOfKey.get(array.key) === array.colon), anyValue };
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

/** Bodies parsed a piece at a time (isLargeBody). */
const largeBodies = new WeakSet<object>();

/**
 * Whether `body` was parsed a piece at a time (a large body): its validation is then started in a task of its own
 * (app.ts's preValidation hook), not in the one that ends the parse.
 */
export function isLargeBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && largeBodies.has(body);
}

/**
 * A Fastify content-type parser for JSON with comments, given the body's text or the pieces it arrived in
 * (readBodyPieces). A large body is parsed a piece at a time, without joining its pieces, and its property names
 * canonicalised (src/api/case-insensitive.ts) and its integers read (src/api/strict-integer.ts) the same way, handing
 * the event loop back between pieces.
 */
export function jsoncBodyParser(request: ParsedRequest, body: string | Buffer | readonly string[], done: (error: Error | null, value?: unknown) => void): void {
  const pieces = typeof body === 'string' ? [body] : Buffer.isBuffer(body) ? [body.toString()] : body;
  let length = 0;
  for (const piece of pieces) length += piece.length;
  if (length >= LARGE_BODY_CHARS) {
    const schema = request.routeOptions?.schema?.body;
    parseJsoncPausing(pieces, yieldToEventLoop)
      .then((value) => (typeof schema === 'object' && schema !== null ? canonicalizeKeysPausing(value, schema, yieldToEventLoop) : value))
      .then((value) => (typeof schema === 'object' && schema !== null ? strictIntegersPausing(value, schema, yieldToEventLoop) : value))
      .then((value) => {
        if (typeof value === 'object' && value !== null) largeBodies.add(value);
        return value;
      })
      .then(
        (value) => done(null, value),
        (error: unknown) => done(error as Error, undefined),
      );
    return;
  }
  let value: unknown;
  try {
    value = parseJsonc(pieces.length === 1 ? pieces[0]! : pieces.join(''));
  } catch (error) {
    done(error as Error, undefined);
    return;
  }
  done(null, value);
}
