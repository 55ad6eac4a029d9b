// The results of a header parser for the values it saw last, by value. One message's headers are read by several
// layers in turn (a 2xx's To by the INVITE's user, its early dialog and the call; its CSeq by the transaction stack,
// the dialog and the ACK), and some values repeat from call to call (the far end's Contact, "1 INVITE"): in the SIP
// benchmark a call parsed From/To five times, CSeq four and Contact twice, and the header parsers made an eighth of
// the main thread's allocations. A parser is a pure function of the text, so an earlier result is as good as a new
// one; shared between callers, it is frozen, so that a caller changing it would throw instead of changing it for the
// next.

/** Values remembered per parser; the memo forgets them all when full, so a peer cannot grow it. */
const DEFAULT_CAPACITY = 256;

export class ParseMemo<T> {
  private readonly results = new Map<string, T>();

  constructor(
    private readonly parse: (value: string) => T,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  get(value: string): T {
    let result = this.results.get(value);
    if (result === undefined) {
      result = deepFreeze(this.parse(value));
      if (this.results.size >= this.capacity) this.results.clear();
      this.results.set(value, result);
    }
    return result;
  }
}

/**
 * Freezes an object and every object and array it holds (parse results are trees of plain objects and arrays, without
 * cycles). Walked with for...in and indexes rather than Object.keys, which made an array for every object frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) if (Object.hasOwn(record, key)) deepFreeze(record[key]);
  }
  return Object.freeze(value);
}
