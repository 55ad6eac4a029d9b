// JSON with comments, for the document's example body (it has a `//` line that clients paste as is).
import { describe, expect, it } from 'vitest';
import { JSON_MEDIA_TYPE, MalformedJsonError, parseJsonc, stripJsonComments } from '../../src/api/jsonc.js';

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
