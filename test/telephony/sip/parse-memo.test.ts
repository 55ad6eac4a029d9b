import { describe, expect, it } from 'vitest';
import { deepFreeze, ParseMemo } from '../../../src/telephony/sip/message/parse-memo.js';
import { parseContact, parseCSeq, parseFromTo, parseNameAddrList } from '../../../src/telephony/sip/message/headers.js';

describe('ParseMemo', () => {
  it('parses a value once and hands every caller the same frozen result', () => {
    let parses = 0;
    const memo = new ParseMemo((value: string) => {
      parses++;
      return { ok: true as const, value: { text: value, parts: [[value, null]] } };
    });
    const first = memo.get('a;b');
    const second = memo.get('a;b');
    expect(second).toBe(first);
    expect(parses).toBe(1);
    // ESM is strict mode: writing to a shared result throws rather than changing it for the next caller.
    expect(() => {
      (first.value.parts as unknown[]).push(['x', 'y']);
    }).toThrow(TypeError);
    expect(() => {
      (first.value as { text: string }).text = 'changed';
    }).toThrow(TypeError);
    expect(memo.get('a;b').value.text).toBe('a;b');
  });

  it('forgets everything when full, so the values of a peer cannot grow it', () => {
    let parses = 0;
    const memo = new ParseMemo((value: string) => {
      parses++;
      return value.length;
    }, 3);
    for (const value of ['a', 'bb', 'ccc']) memo.get(value);
    expect(parses).toBe(3);
    memo.get('a');
    expect(parses).toBe(3);
    memo.get('dddd'); // full: cleared, then remembered alone
    memo.get('a');
    expect(parses).toBe(5);
  });

  it('remembers refusals too', () => {
    let parses = 0;
    const memo = new ParseMemo(() => {
      parses++;
      return { ok: false as const, error: 'bad' };
    });
    expect(memo.get('x')).toEqual({ ok: false, error: 'bad' });
    expect(memo.get('x')).toEqual({ ok: false, error: 'bad' });
    expect(parses).toBe(1);
  });

  it('deepFreeze freezes nested objects and arrays and leaves primitives alone', () => {
    const tree = deepFreeze({ a: { b: [1, { c: 2 }] }, d: null, e: 'text' });
    expect(Object.isFrozen(tree)).toBe(true);
    expect(Object.isFrozen(tree.a)).toBe(true);
    expect(Object.isFrozen(tree.a.b)).toBe(true);
    expect(Object.isFrozen(tree.a.b[1])).toBe(true);
    expect(deepFreeze(5)).toBe(5);
  });
});

describe('the memoised header parsers', () => {
  it('give equal values the same result, whichever message they came from', () => {
    const to = '<sip:447700900123@127.0.0.1:5080>;tag=1234SIPpTag01';
    const a = parseFromTo(to);
    // A value built apart (another message's header): equal text, another string.
    const b = parseFromTo(['<sip:447700900123@127.0.0.1:5080>', 'tag=1234SIPpTag01'].join(';'));
    expect(b).toBe(a);
    expect(a.ok && a.value.tag).toBe('1234SIPpTag01');
    expect(Object.isFrozen(a.ok && a.value.uri.params)).toBe(true);
    expect(parseCSeq('1 INVITE')).toBe(parseCSeq('1 INVITE'));
    expect(parseCSeq('1 INVITE')).toEqual({ ok: true, value: { seq: 1, method: 'INVITE' } });
  });

  it('parse a one-line list like the same text given as a string, and several lines apart', () => {
    const contact = '<sip:127.0.0.1:5080;transport=UDP>';
    expect(parseNameAddrList([contact])).toBe(parseNameAddrList(contact));
    expect(parseContact([contact])).toBe(parseNameAddrList(contact));
    const two = parseNameAddrList(['<sip:a@h1>', '<sip:b@h2>, <sip:c@h3>']);
    expect(two.ok && two.value.map((n) => n.uriText)).toEqual(['sip:a@h1', 'sip:b@h2', 'sip:c@h3']);
    expect(parseContact('*')).toEqual({ ok: true, value: 'star' });
  });
});
