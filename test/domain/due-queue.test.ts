import { describe, expect, it } from 'vitest';
import { DueQueue } from '../../src/domain/due-queue.js';

describe('DueQueue (the media worker pacing order, the virtual clock sleepers)', () => {
  it('gives entries back earliest due first, whatever order they went in', () => {
    const queue = new DueQueue<string>();
    const dues = [40, 5, 17, 5.5, 100, 0, 63, 17, 2];
    dues.forEach((dueMs, i) => queue.push(`s${i}`, dueMs));
    expect(queue.peekDueMs()).toBe(0);
    const out: number[] = [];
    while (queue.size > 0) out.push(queue.pop()!.dueMs);
    expect(out).toEqual([...dues].sort((a, b) => a - b));
    expect(queue.peekDueMs()).toBe(Infinity);
    expect(queue.pop()).toBeUndefined();
  });

  it('keeps the order as entries are popped and pushed back a frame later, as the worker does', () => {
    const queue = new DueQueue<number>();
    for (let i = 0; i < 50; i++) queue.push(i, (i * 7) % 20);
    let lastMs = -Infinity;
    for (let n = 0; n < 500; n++) {
      const entry = queue.pop()!;
      expect(entry.dueMs).toBeGreaterThanOrEqual(lastMs);
      lastMs = entry.dueMs;
      queue.push(entry.item, entry.dueMs + 20);
    }
    expect(queue.size).toBe(50);
  });

  it('gives entries due at the same time back in the order they went in', () => {
    const queue = new DueQueue<number>();
    for (let i = 0; i < 40; i++) queue.push(i, i % 3 === 0 ? 10 : 5);
    const out: number[] = [];
    while (queue.size > 0) out.push(queue.pop()!.item);
    const fives = out.slice(0, out.length - 14);
    expect(fives).toEqual([...fives].sort((a, b) => a - b));
    expect(out.slice(-14)).toEqual(Array.from({ length: 14 }, (_, k) => k * 3));
  });
});
