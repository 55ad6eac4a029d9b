// The cancellation a call carries: the dialer makes one per call (its shutdown and a lost lease hang the call up) and
// the simulated call one for its own waits. An AbortController does the same, but each costs its EventTarget, an
// Event built and dispatched on abort and the listeners' bookkeeping, twice per call: 8% of the dialer's time in
// bench/dialer-throughput.ts and 3% of the virtual-time campaign (--cpu-prof: createAbortSignal, abortSignal,
// addEventListener, isEventTarget, dispatchEvent). Clocks and carriers take the CancelSignal subset below, which an
// AbortSignal satisfies too, so callers holding one still pass it.

/** What a wait or a call needs of a signal: whether it was cancelled, why, and a one-time listener. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The reason of abort() without one, as AbortController gives: an Error named AbortError. */
function abortError(): Error {
  const error = new Error('This operation was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * A controller and its signal in one object. As with AbortSignal: listeners run once, in the order added, when it is
 * aborted; a listener added twice runs once; one added after the abort never runs; a second abort changes nothing; a
 * listener that throws does not stop the others, and its error is thrown again outside (uncaught, as Node does).
 */
export class Cancellation implements CancelSignal {
  private listeners: (() => void)[] | undefined;
  private abortedWith: { reason: unknown } | undefined;

  get signal(): CancelSignal {
    return this;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.abortedWith) return;
    const listeners = (this.listeners ??= []);
    if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners?.indexOf(listener) ?? -1;
    if (index >= 0) this.listeners!.splice(index, 1);
  }

  abort(reason: unknown = abortError()): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
