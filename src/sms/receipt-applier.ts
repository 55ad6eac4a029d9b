// Writes SMPP delivery receipts to the texts' parts. A receipt can come before the text's row and part ids are
// written (the SMSC may deliver part 1 while Ringcast still submits part 2, and the parts are written once all are
// accepted): SmsPartsStore.applyReceipt then keeps it in the database (sms_receipts_early) and the hand-over applies
// it when it writes that part, so such a receipt survives a crash of this process. What is retried here, in this
// process only, is a write that failed (the database unreachable for a moment): after 0.2, 1, 5 and 15 s, then the
// receipt is logged and dropped (the text stays `sent`).
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
    // The receipt's time is when it came, not when a retry wrote it.
    const at = this.args.clock.now();
    for (let attempt = 0; ; attempt++) {
      try {
        // Undefined: no part has the id yet; the receipt is kept for the hand-over that writes it.
        await this.args.store.applyReceipt({ provider: this.args.provider, providerMessageId: receipt.messageId, state, error: receipt.error, at });
        return;
      } catch (error) {
        const delayMs = RETRY_DELAYS_MS[attempt];
        if (delayMs === undefined) {
          this.args.log.warn({ err: (error as Error).message, messageId: receipt.messageId }, 'SMS receipt not recorded; dropped');
          return;
        }
        this.args.log.warn({ err: (error as Error).message, messageId: receipt.messageId }, 'SMS receipt not recorded; trying again');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
