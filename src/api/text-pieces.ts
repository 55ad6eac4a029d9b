// A text kept as the pieces it arrived in (a request body, chunk by chunk), read by position without joining them.
// Joining a 10 MB body into one string held the event loop for 27-36 ms on a 2-core AMD machine: V8 copies it into a
// fresh 10 MB allocation whose pages fault in as they are first written (bench/create-latency.ts, session 30), and a
// rope (`a + b`) costs the same when it is first read. Whoever reads the text a slice at a time never pays for that.

export class TextPieces {
  readonly pieces: readonly string[];
  /** Where each piece starts in the whole text. */
  private readonly starts: number[];
  readonly length: number;

  constructor(pieces: readonly string[]) {
    this.pieces = pieces.filter((piece) => piece.length > 0);
    this.starts = [];
    let length = 0;
    for (const piece of this.pieces) {
      this.starts.push(length);
      length += piece.length;
    }
    this.length = length;
  }

  /** The index of the piece that holds position `at` (0 <= at < length). */
  private pieceAt(at: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= at) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** The text from `start` up to (not including) `end`, as String.prototype.slice with non-negative bounds. */
  slice(start: number, end: number = this.length): string {
    start = Math.max(0, Math.min(start, this.length));
    end = Math.max(start, Math.min(end, this.length));
    if (start === end) return '';
    let index = this.pieceAt(start);
    const first = this.pieces[index]!;
    const firstStart = this.starts[index]!;
    if (end <= firstStart + first.length) return first.slice(start - firstStart, end - firstStart);
    const parts = [first.slice(start - firstStart)];
    for (index++; index < this.pieces.length && this.starts[index]! < end; index++) {
      parts.push(this.pieces[index]!.slice(0, end - this.starts[index]!));
    }
    return parts.join('');
  }

  /** The whole text as one string (the join the rest of this class avoids). */
  join(): string {
    return this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
  }

  /**
   * The same text with the characters in `ranges` ([start, end), in order, not overlapping) replaced by spaces,
   * line feeds kept (so positions and line numbers stay those of the original). Only the pieces they touch are copied.
   */
  blanked(ranges: readonly (readonly [number, number])[]): TextPieces {
    if (ranges.length === 0) return this;
    const pieces = [...this.pieces];
    for (const [start, end] of ranges) {
      for (let index = this.pieceAt(start); index < pieces.length && this.starts[index]! < end; index++) {
        const pieceStart = this.starts[index]!;
        const piece = pieces[index]!;
        const from = Math.max(0, start - pieceStart);
        const to = Math.min(piece.length, end - pieceStart);
        pieces[index] = piece.slice(0, from) + piece.slice(from, to).replace(/[^\n]/g, ' ') + piece.slice(to);
      }
    }
    return new TextPieces(pieces);
  }
}
