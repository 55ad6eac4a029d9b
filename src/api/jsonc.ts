// The Voice Campaigns document's example request carries a `// This is not required...` line, and clients paste it
// verbatim. So request bodies are parsed as JSON with comments: `//` and `/* */` outside strings are blanked
// (replaced by spaces, so error positions still point at the original text), then JSON.parse runs.

export class MalformedJsonError extends Error {
  override readonly name = 'MalformedJsonError';
}

const SLASH = 47;
const STAR = 42;
const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

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

/**
 * `application/json` and any `+json` type, with or without parameters. Fastify tests a RegExp parser against the
 * whole header as it normalises it (`application/json; charset="utf-8"`), so the pattern must allow what follows a
 * `;`, or a client that names its charset gets 415.
 */
export const JSON_MEDIA_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;

/** A Fastify content-type parser (`parseAs: 'string'`) for JSON with comments. */
export function jsoncBodyParser(_request: unknown, body: string | Buffer, done: (error: Error | null, value?: unknown) => void): void {
  let value: unknown;
  try {
    value = parseJsonc(String(body));
  } catch (error) {
    done(error as Error, undefined);
    return;
  }
  done(null, value);
}
