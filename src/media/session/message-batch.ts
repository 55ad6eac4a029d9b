// Messages between the main thread and a media worker, gathered per event-loop turn: what one side posts while it
// handles a turn's I/O goes to the other thread as one message (`{ type: 'batch', messages }`) when the turn's poll
// phase is over (setImmediate), in the order posted. A postMessage costs the sender a structured clone and a wake-up
// of the other thread's loop, and the receiver a task of its own: per call the SIP carrier sent the worker about
// seven (open, start, detection, close...) and got as many back, 4.3% + 1.4% of the main thread's profile in
// bench/sip.ts at 2,200 calls/s, with a hundred calls' messages posted in the same turns.
//
// Latency: a message waits at most for the rest of the turn that posted it; a turn that posts one message sends it as
// it is, unwrapped.

/** A batch of messages of either direction. */
export interface MessageBatch<T> {
  type: 'batch';
  messages: T[];
}

/** Where a batcher's messages go (a Worker or a MessagePort). */
export interface MessageTarget {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
}

export class MessageBatcher<T> {
  private messages: T[] = [];
  private transfers: ArrayBuffer[] = [];
  private scheduled = false;

  constructor(private readonly target: MessageTarget) {}

  /** Queues a message (its transfer list moves with it); it goes at the end of this event-loop turn. */
  post(message: T, transfer?: readonly ArrayBuffer[]): void {
    this.messages.push(message);
    if (transfer) for (const buffer of transfer) this.transfers.push(buffer);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** Sends what is queued now (before a message that must not wait, or when the target is about to go). */
  readonly flush = (): void => {
    this.scheduled = false;
    const { messages, transfers } = this;
    if (messages.length === 0) return;
    this.messages = [];
    this.transfers = [];
    const batch: T | MessageBatch<T> = messages.length === 1 ? messages[0]! : { type: 'batch', messages };
    this.target.postMessage(batch, transfers);
  };
}

/** Calls `handle` for a message, or for each message of a batch in order. */
export function forEachMessage<T extends { type: string }>(message: T | MessageBatch<T>, handle: (message: T) => void): void {
  if (message.type !== 'batch') return handle(message as T);
  for (const each of (message as MessageBatch<T>).messages) handle(each);
}
