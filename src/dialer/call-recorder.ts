// Group commit of finished calls: a call's result waits at most for the write in progress, then goes with every
// result that arrived meanwhile in one statement (DialerStore.finishCalls). At a few calls a second each write
// carries one call, as before; at thousands a second one write carries hundreds, where a transaction per call (four
// round trips) was the dialer's largest cost. Every record keeps its own lease guard, and its caller learns whether
// it was recorded only once its write has committed.
//
// A linger (lingerMs, on the dialer's clock) makes the first result of a batch wait that long for others before the
// write starts. In real time the default is none: the group commit batches by itself under load. In virtual time
// every call ends at its own instant and the runner settles each instant's I/O before moving on, so without a linger
// every call was a write of its own (issue 10: 1.4 ms a call on PGlite, most of a two-day campaign's wall time).
// A lingering result holds its number's lease and its line until written: a crash in the linger loses the result as
// a crash mid-call would (the lease expires and the attempt is recovered as interrupted).
import type { Clock } from '../domain/clock.js';
import type { CallResultRecord } from '../store/repositories/dialer-store.js';

/** Most calls in one write: bounds a statement's parameters and how long one write holds its rows. */
export const MAX_RECORD_BATCH = 1_000;

interface Queued {
  record: CallResultRecord;
  resolve: (recorded: boolean) => void;
  reject: (error: unknown) => void;
}

export interface RecorderLinger {
  clock: Pick<Clock, 'sleep'>;
  lingerMs: number;
}

export class CallRecorder {
  private queue: Queued[] = [];
  private writing = false;
  /** Ends the current linger at once (stopLingering()). */
  private lingerAbort: AbortController | undefined;
  private lingering = true;

  constructor(
    private readonly write: (records: readonly CallResultRecord[]) => Promise<boolean[]>,
    private readonly linger?: RecorderLinger,
  ) {}

  /** From now on results are written without a linger, and what lingers now is written at once (shutdown). */
  stopLingering(): void {
    this.lingering = false;
    this.lingerAbort?.abort();
  }

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
      if (this.linger && this.linger.lingerMs > 0 && this.lingering) {
        this.lingerAbort = new AbortController();
        await this.linger.clock.sleep(this.linger.lingerMs, this.lingerAbort.signal).catch(() => {});
        this.lingerAbort = undefined;
      }
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
