// Writes SMPP delivery receipts to the texts' parts. A receipt can come before the text's row and part ids are
// written (the SMSC may deliver part 1 while Ringcast still submits part 2, and the parts are written once all are
// accepted): SmsPartsStore.applyReceipt then keeps it in the database (sms_receipts_early) and the hand-over applies
// it when it writes that part. The provider answers the SMSC's deliver_sm only once apply() has written the receipt;
// a write that fails (the database unreachable) rejects, and the provider asks the SMSC to deliver it again later,
// so no receipt is acknowledged before it is in the database.
import type { Receipt } from './smpp/receipt.js';
import type { SmsPartsStore } from '../store/repositories/sms-parts-store.js';
import type { Clock } from '../domain/clock.js';

export class ReceiptApplier {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly args: {
      store: SmsPartsStore;
      provider: string;
      clock: Clock;
    },
  ) {}

  /** Writes a receipt (pending ones, e.g. ENROUTE, change nothing); rejects when the write failed. */
  apply(receipt: Receipt): Promise<void> {
    if (receipt.state === 'pending') return Promise.resolve();
    const work = this.args.store
      .applyReceipt({ provider: this.args.provider, providerMessageId: receipt.messageId, state: receipt.state, error: receipt.error, at: this.args.clock.now() })
      .then(() => {});
    const tracked: Promise<void> = work.catch(() => {}).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return work;
  }

  /** Waits for the receipts being written (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
