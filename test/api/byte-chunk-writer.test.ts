// ByteChunkWriter: strings encoded as UTF-8 into one growing Buffer, taken out a chunk at a time.
import { describe, expect, it } from 'vitest';
import { ByteChunkWriter } from '../../src/api/byte-chunk-writer.js';

describe('ByteChunkWriter', () => {
  it('writes UTF-8 (multi-byte letters, surrogate pairs) past its first size and starts empty after a take', () => {
    const writer = new ByteChunkWriter(16);
    const parts = ['plain,', 'Zoë,', '名前,', '😀\r\n', 'x'.repeat(100)];
    for (const part of parts) writer.write(part);
    expect(writer.byteLength).toBe(Buffer.byteLength(parts.join('')));
    const first = writer.take();
    expect(first.toString('utf8')).toBe(parts.join(''));
    expect(writer.byteLength).toBe(0);
    writer.write('next');
    // The first chunk is its own memory: writing on does not change it.
    expect(writer.take().toString('utf8')).toBe('next');
    expect(first.toString('utf8')).toBe(parts.join(''));
  });

  it('takes an empty chunk when nothing was written', () => {
    expect(new ByteChunkWriter().take().length).toBe(0);
  });
});
