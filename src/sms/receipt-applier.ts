// Writes SMPP delivery receipts to the texts' parts. A receipt can come before the text's row and part ids are
// written (the SMSC may deliver part 1 while Ringcast still submits part 2, and the row is written once all parts
// are accepted), so a receipt whose message id is not known yet is tried again after 0.2, 1, 5 and 15 s; one still
// unknown then is logged and dropped (the text stays `sent`). The retries live in this process only: a receipt
// that arrives just before a crash, for a text not yet written, is lost.
import type { Receipt } from './smpp/receipt.js';
import type { SmsPartsStore } from '../store/repositories/sms-parts-store.js';
import type { Clock } from '../domain/clock.js';

const RETRY_DELAYS_MS = [200, 1000, 5000, 15_000];

export class ReceiptApplier {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly args: {
      store: SmsPartsStore;
      provider: string;
      clock: Clock;
      log: { warn(obj: object, msg: string): void };
    },
  ) {}

  /** Takes a receipt (pending ones, e.g. ENROUTE, change nothing); the write goes on in the background. */
  apply(receipt: Receipt): void {
    if (receipt.state === 'pending') return;
    const work = this.write(receipt, receipt.state).finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** Waits for the receipts being written (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async write(receipt: Receipt, state: Exclude<Receipt['state'], 'pending'>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const status = await this.args.store.applyReceipt({
          provider: this.args.provider,
          providerMessageId: receipt.messageId,
          state,
          error: receipt.error,
          at: this.args.clock.now(),
        });
        if (status !== undefined) return;
      } catch (error) {
        this.args.log.warn({ err: (error as Error).message, messageId: receipt.messageId }, 'SMS receipt not recorded; trying again');
      }
      const delayMs = RETRY_DELAYS_MS[attempt];
      if (delayMs === undefined) {
        this.args.log.warn({ messageId: receipt.messageId }, 'SMS receipt for a message id this database does not know; dropped');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
