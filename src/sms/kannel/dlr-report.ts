// What a Kannel delivery report means for the part it is about. Pure.
//
// Kannel's report types (the dlr-mask bits, Kannel user guide "sendsms" dlr-mask):
//   1 delivered to the phone          -> delivered
//   2 not delivered to the phone      -> failed, or expired when the SMSC's receipt (%A) says stat:EXPIRED
//   4 queued on the SMSC (buffered)   -> no change (not asked for: dlr-mask leaves it out)
//   8 accepted by the SMSC            -> no change: the text was `sent` already when Kannel took it
//  16 refused by the SMSC             -> failed, with Kannel's reply, e.g. "NACK/0x0000000b/Invalid Destination Address"
// Any other value is not a report type Kannel 1.4 sends: no change.
import { parseReceipt } from '../smpp/receipt.js';
import type { SmsPartState } from '../receipt-status.js';

export const DLR_DELIVERED = 1;
export const DLR_UNDELIVERED = 2;
export const DLR_BUFFERED = 4;
export const DLR_SMSC_ACCEPTED = 8;
export const DLR_SMSC_REJECTED = 16;

/** The dlr-mask sent with every text: final reports (1 + 2), and the SMSC's refusal (16), and its acceptance (8), which
 *  changes nothing but shows in Kannel's and Ringcast's logs that the message reached the SMSC. 27. */
export const KANNEL_DLR_MASK = DLR_DELIVERED + DLR_UNDELIVERED + DLR_SMSC_ACCEPTED + DLR_SMSC_REJECTED;

export type DlrOutcome = { change: false } | { change: true; state: Exclude<SmsPartState, 'sent'>; error: string | undefined };

/** Longest error text kept from a report (the SMSC's reply can be long). */
const MAX_ERROR_CHARS = 200;

export function dlrOutcome(type: number, reply: string | undefined): DlrOutcome {
  const text = (reply ?? '').trim();
  switch (type) {
    case DLR_DELIVERED:
      return { change: true, state: 'delivered', error: undefined };
    case DLR_UNDELIVERED: {
      // Kannel's smpp connection passes the SMSC's receipt text on as the reply: the stat word names the cause.
      const receipt = parseReceipt(text);
      if (receipt?.state === 'expired') return { change: true, state: 'expired', error: receipt.error };
      return { change: true, state: 'failed', error: receipt?.error ?? (text === '' ? 'UNDELIVERED' : text.slice(0, MAX_ERROR_CHARS)) };
    }
    case DLR_SMSC_REJECTED:
      return { change: true, state: 'failed', error: text === '' ? 'rejected by the SMSC' : text.slice(0, MAX_ERROR_CHARS) };
    default:
      return { change: false };
  }
}
