// A queue of items by the time they are due (a binary min-heap); items due at the same time come out in the order
// they went in. Used where something must find the next due item among many, often: the media worker's pacing (the
// sessions whose next frame is due: with 1,000 calls spread over the 20 ms frame interval it wakes about once a
// millisecond, and scanning every session twice per wake-up cost several times the work of the ~50 packets sent)
// and the virtual clock's sleepers (a two-day campaign in virtual time has a thousand calls asleep and moves the
// clock ~90,000 times a minute).

export interface DueEntry<T> {
  item: T;
  dueMs: number;
  /** Push order: breaks ties between entries due at the same time. */
  seq: number;
}

const before = <T>(a: DueEntry<T>, b: DueEntry<T>) => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);

export class DueQueue<T> {
  private readonly heap: DueEntry<T>[] = [];
  private pushed = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest entry, left in the queue. */
  peek(): DueEntry<T> | undefined {
    return this.heap[0];
  }

  /** The earliest due time, Infinity when empty. */
  peekDueMs(): number {
    return this.heap[0]?.dueMs ?? Infinity;
  }

  push(item: T, dueMs: number): void {
    const heap = this.heap;
    heap.push({ item, dueMs, seq: this.pushed++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
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
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
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
