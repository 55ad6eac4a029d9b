// JSON with comments, for the document's example body (it has a `//` line that clients paste as is).
import { describe, expect, it } from 'vitest';
import { JSON_MEDIA_TYPE, MalformedJsonError, parseJsonc, parseJsoncPausing, stripJsonComments } from '../../src/api/jsonc.js';

describe('parseJsonc', () => {
  it('ignores // line comments and /* block */ comments outside strings', () => {
    expect(parseJsonc('{\n  // a line comment\n  "a": 1, /* a block\n comment */ "b": [2]\n}')).toEqual({ a: 1, b: [2] });
  });

  it('keeps comment markers inside strings, escaped quotes included', () => {
    expect(parseJsonc('{"url": "http://example.com/*x*/", "q": "say \\"//hi\\"" // end\n}')).toEqual({
      url: 'http://example.com/*x*/',
      q: 'say "//hi"',
    });
  });

  it('reads a comment on the last line without a newline', () => {
    expect(parseJsonc('[1] // done')).toEqual([1]);
  });

  it('gives undefined for an empty body, blank space or only comments', () => {
    for (const text of ['', '   \n', '// nothing', '/* nothing */']) expect(parseJsonc(text)).toBeUndefined();
  });

  it('skips a leading byte order mark', () => {
    expect(parseJsonc('\uFEFF{"a": 1}')).toEqual({ a: 1 });
  });

  it.each(['{"a": 1', '{"a": 1,}', "{'a': 1}", '{"a": 1} /* open', '/ {"a": 1}', 'undefined'])('refuses %j with MalformedJsonError', (text) => {
    expect(() => parseJsonc(text)).toThrow(MalformedJsonError);
  });

  it('parses JSON.parse output unchanged for plain JSON', () => {
    const value = { name: 'x', list: [1, 2, { nested: null }], text: 'a/b' };
    expect(parseJsonc(JSON.stringify(value))).toEqual(value);
  });
});

describe('stripJsonComments', () => {
  it('blanks comments with spaces and keeps newlines, so error positions still point at the original text', () => {
    const text = '{"a": 1, // note\n"b": 2 /* x\ny */}';
    const stripped = stripJsonComments(text);
    expect(stripped).toHaveLength(text.length);
    expect(stripped).toBe('{"a": 1,        \n"b": 2     \n    }');
  });

  it('returns text without a slash as it is', () => {
    const text = '{"a": [1, 2, 3]}';
    expect(stripJsonComments(text)).toBe(text);
  });
});

describe('JSON_MEDIA_TYPE', () => {
  it.each(['application/json', 'application/json; charset="utf-8"', 'application/json;charset=utf-8', 'application/problem+json', 'Application/JSON'])(
    'matches %j',
    (contentType) => {
      expect(JSON_MEDIA_TYPE.test(contentType)).toBe(true);
    },
  );

  it.each(['text/plain', 'application/jsonp', 'application/json-seq', 'text/json', 'application/x-www-form-urlencoded'])('does not match %j', (contentType) => {
    expect(JSON_MEDIA_TYPE.test(contentType)).toBe(false);
  });
});

describe('parseJsoncPausing: large bodies a piece at a time', () => {
  /** The error parseJsonc throws for `text`. */
  const refusalOf = (text: string): Error => {
    try {
      parseJsonc(text);
    } catch (error) {
      return error as Error;
    }
    throw new Error('the spoiled text parsed');
  };
  const pause = () => Promise.resolve();
  const entries = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      number: `0772${String(i).padStart(7, '0')}`,
      // Brackets, braces, commas, colons and escaped quotes inside strings must not cut the array.
      name: i % 3 === 0 ? `A "quoted", [bracketed] {braced}: name ${i} \\ end` : `Customer ${i}`,
      parameters: i % 2 === 0 ? [{ parameter: 1, value: `ref,${i}]` }] : null,
    }));

  it('gives what JSON.parse gives, for long arrays at the top level, nested values, and a key given twice', async () => {
    const text = JSON.stringify({ name: 'Big', phoneNumbers: entries(5_500), nested: { list: [1, 2, 3] }, attempts: [{ interval: 0 }] })
      // The same key twice: JSON.parse keeps the last value, whichever is the long one.
      .replace(/^\{/, `{"attempts": ${JSON.stringify(entries(2_500))}, `);
    expect(await parseJsoncPausing(text, pause)).toEqual(JSON.parse(text));
    const reversed = `{"phoneNumbers": [1], ${text.slice(1)}`;
    expect(await parseJsoncPausing(reversed, pause)).toEqual(JSON.parse(reversed));
    const shortLast = `${text.slice(0, -1)}, "phoneNumbers": [1]}`;
    expect(await parseJsoncPausing(shortLast, pause)).toEqual(JSON.parse(shortLast));
  });

  it('hands the event loop back between pieces', async () => {
    let pauses = 0;
    const text = JSON.stringify({ phoneNumbers: entries(10_000) });
    await parseJsoncPausing(text, async () => {
      pauses++;
    });
    expect(pauses).toBeGreaterThanOrEqual(5);
  });

  it('keeps "__proto__" an ordinary property, as JSON.parse does', async () => {
    const text = `{"__proto__": ${JSON.stringify(entries(4_100))}}`;
    const value = (await parseJsoncPausing(text, pause)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(value).toEqual(JSON.parse(text));
  });

  it('strips comments and a byte order mark first, as parseJsonc does', async () => {
    const text = `\uFEFF{ // the document's comment\n "phoneNumbers": ${JSON.stringify(entries(4_100))} /* end */ }`;
    expect(await parseJsoncPausing(text, pause)).toEqual(parseJsonc(text));
  });

  it('reads a body given as the pieces it arrived in, cut anywhere (inside strings, escapes, comments, "//" and "/*")', async () => {
    const text =
      `\uFEFF{ // the document's comment, with "quotes" and [brackets]\n "name": "Big /* not a comment */ // nor this",` +
      ` /* a block\n comment ** with stars */ "phoneNumbers": ${JSON.stringify(entries(4_100))}, "tail": "\\\"" } // the end`;
    const expected = parseJsonc(text);
    // Cut at every position in the first and last 300 characters (two pieces), then into many random pieces.
    const cuts = [...Array.from({ length: 300 }, (_, i) => i + 1), ...Array.from({ length: 300 }, (_, i) => text.length - 1 - i)];
    for (const cut of cuts) expect(await parseJsoncPausing([text.slice(0, cut), text.slice(cut)], pause)).toEqual(expected);
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let round = 0; round < 20; round++) {
      const pieces: string[] = [];
      for (let at = 0; at < text.length; ) {
        const length = 1 + Math.floor(random() * (round % 2 === 0 ? 64 : 70_000));
        pieces.push(text.slice(at, at + length));
        at += length;
      }
      expect(await parseJsoncPausing(pieces, pause)).toEqual(expected);
    }
  });

  it('refuses, from pieces, what parseJsonc refuses, with its message (a stray slash, an unterminated comment or string)', async () => {
    const body = JSON.stringify({ phoneNumbers: entries(4_100) });
    for (const text of [`${body} / 2`, `${body} /* open`, body.replace('"Customer 5"', '"Customer 5'), `{ "a": 1 /`]) {
      const expected = refusalOf(text);
      const half = Math.floor(text.length / 2);
      await expect(parseJsoncPausing([text.slice(0, half), text.slice(half)], pause)).rejects.toEqual(expected);
    }
    // Only comments and blanks: no value, as parseJsonc says.
    const blank = `// nothing\n${' '.repeat(300_000)}/* here */`;
    expect(await parseJsoncPausing([blank.slice(0, 5), blank.slice(5)], pause)).toBeUndefined();
  });

  it.each([
    ['a trailing comma in the long array', (json: string) => json.replace(/\]\}$/, ',]}')],
    ['two commas between entries', (json: string) => json.replace('},{', '},,{')],
    ['a missing comma between entries', (json: string) => json.replace('},{', '}{')],
    ['an unterminated string', (json: string) => json.replace('"Customer 5"', '"Customer 5')],
    ['text after the object', (json: string) => `${json} x`],
    ['a truncated body', (json: string) => json.slice(0, -100)],
  ])('refuses %s with the message parseJsonc gives', async (_case, spoil) => {
    const text = spoil(JSON.stringify({ phoneNumbers: entries(6_000) }));
    const expected = refusalOf(text);
    await expect(parseJsoncPausing(text, pause)).rejects.toEqual(expected);
    await expect(parseJsoncPausing(text, pause)).rejects.toBeInstanceOf(MalformedJsonError);
  });
});
