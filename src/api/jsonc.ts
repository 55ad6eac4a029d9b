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

/** Parses JSON-with-comments; an empty body is `undefined`; bad input throws MalformedJsonError with the reason. */
export function parseJsonc(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(stripJsonComments(text));
  } catch (error) {
    if (error instanceof MalformedJsonError) throw error;
    throw new MalformedJsonError((error as Error).message);
  }
}
