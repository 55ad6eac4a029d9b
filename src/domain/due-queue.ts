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
    const entry: DueEntry<T> = { item, dueMs, seq: this.pushed++ };
    // Sifted up through a hole rather than by swapping pairs: a destructuring swap allocated an array per level
    // (52 of the 324 MB a media worker allocated in bench/media.ts, sampled; a scavenge every ~90 ms).
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!before(entry, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes and returns the earliest entry. */
  pop(): DueEntry<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // The last entry sifts down from the root through a hole (see push).
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
