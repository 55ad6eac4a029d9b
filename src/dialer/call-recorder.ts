// Group commit of finished calls: a call's result waits at most for the write in progress, then goes with every
// result that arrived meanwhile in one statement (DialerStore.finishCalls). At a few calls a second each write
// carries one call, as before; at thousands a second one write carries hundreds, where a transaction per call (four
// round trips) was the dialer's largest cost. Every record keeps its own lease guard, and its caller learns whether
// it was recorded only once its write has committed.
import type { CallResultRecord } from '../store/repositories/dialer-store.js';

/** Most calls in one write: bounds a statement's parameters and how long one write holds its rows. */
export const MAX_RECORD_BATCH = 1_000;

interface Queued {
  record: CallResultRecord;
  resolve: (recorded: boolean) => void;
  reject: (error: unknown) => void;
}

export class CallRecorder {
  private queue: Queued[] = [];
  private writing = false;

  constructor(private readonly write: (records: readonly CallResultRecord[]) => Promise<boolean[]>) {}

  /** Resolves true once the call is recorded, false when the lease was lost (nothing of it was written). */
  record(record: CallResultRecord): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_RECORD_BATCH);
        try {
          const recorded = await this.write(batch.map((queued) => queued.record));
          batch.forEach((queued, i) => queued.resolve(recorded[i] === true));
        } catch (error) {
          // The whole write failed, so none of the batch was written. Each record is tried again on its own, so that
          // one bad record fails only its own call, as its own transaction did.
          if (batch.length === 1) batch[0]!.reject(error);
          else for (const queued of batch) await this.write([queued.record]).then((recorded) => queued.resolve(recorded[0] === true), queued.reject);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
