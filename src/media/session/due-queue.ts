// The media worker's pacing queue: the sending sessions ordered by when their next frame is due (a binary min-heap),
// so that a wake-up touches only the streams whose frames are due instead of every session of the worker. With 1,000
// calls spread over the 20 ms frame interval the worker wakes about once a millisecond; scanning all sessions on each
// wake-up (and again to find the next due time) cost two passes over 1,000 sessions per millisecond, several times the
// work of the ~50 packets actually sent.

export interface DueEntry<T> {
  item: T;
  dueMs: number;
}

export class DueQueue<T> {
  private readonly heap: DueEntry<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest due time, Infinity when empty. */
  peekDueMs(): number {
    return this.heap[0]?.dueMs ?? Infinity;
  }

  push(item: T, dueMs: number): void {
    const heap = this.heap;
    heap.push({ item, dueMs });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.dueMs <= heap[i]!.dueMs) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  /** Removes and returns the earliest entry. */
  pop(): DueEntry<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left]!.dueMs < heap[smallest]!.dueMs) smallest = left;
      if (right < heap.length && heap[right]!.dueMs < heap[smallest]!.dueMs) smallest = right;
      if (smallest === i) break;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
