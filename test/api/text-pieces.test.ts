// TextPieces: a text read by position across the pieces it arrived in.
import { describe, expect, it } from 'vitest';
import { TextPieces } from '../../src/api/text-pieces.js';

describe('TextPieces', () => {
  const pieces = ['', 'abc', 'd', '', 'efghij', 'k'];
  const whole = pieces.join('');
  const text = new TextPieces(pieces);

  it('slices as String.prototype.slice does, within a piece and across several', () => {
    expect(text.length).toBe(whole.length);
    for (let start = 0; start <= whole.length; start++) {
      for (let end = start; end <= whole.length + 1; end++) expect(text.slice(start, end)).toBe(whole.slice(start, end));
    }
    expect(text.slice(3)).toBe(whole.slice(3));
    expect(text.join()).toBe(whole);
    expect(new TextPieces([]).slice(0, 5)).toBe('');
  });

  it('blanks ranges with spaces, keeping line feeds and every position', () => {
    const lines = new TextPieces(['ab/*c', '\nd*/', 'e//f', 'g\nh']);
    const blanked = lines.blanked([
      [2, 9],
      [10, 14],
    ]);
    expect(blanked.join()).toBe('ab   \n   e    \nh');
    expect(blanked.length).toBe(lines.length);
    // The pieces no range touches are kept as they were.
    expect(blanked.pieces[0]).toBe('ab   ');
    expect(new TextPieces(['x']).blanked([])).toBeInstanceOf(TextPieces);
  });
});
