// Delivery receipts (SMPP 3.4 appendix B): the short_message of a deliver_sm with esm_class 0x04 reads
// "id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E Text: ...".
// Only id, stat and err matter here. The receipted_message_id TLV, when the SMSC sends it, wins over the text's id
// (the text's id is sometimes shown in decimal where submit_sm_resp gave hex). Pure.

export type ReceiptState = 'delivered' | 'failed' | 'expired' | 'pending';

export interface Receipt {
  messageId: string;
  state: ReceiptState;
  /** The SMSC's stat word, e.g. DELIVRD, UNDELIV. */
  stat: string;
  /** Why it was not delivered: the stat word, and the err: field when it is not all zeros. */
  error: string | undefined;
}

const FINAL_STATES: Record<string, ReceiptState> = {
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'failed',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  UNKNOWN: 'failed',
  ACCEPTD: 'pending',
  ENROUTE: 'pending',
};

/** The receipt in a deliver_sm text, or undefined when the text is not one. */
export function parseReceipt(text: string, receiptedMessageId?: string): Receipt | undefined {
  const id = /(?:^|\s)id:(\S+)/i.exec(text)?.[1];
  const stat = /(?:^|\s)stat:(\S+)/i.exec(text)?.[1]?.toUpperCase();
  const err = /(?:^|\s)err:(\S+)/i.exec(text)?.[1];
  const messageId = receiptedMessageId && receiptedMessageId !== '' ? receiptedMessageId : id;
  if (messageId === undefined || stat === undefined) return undefined;
  const state = FINAL_STATES[stat] ?? 'failed';
  return {
    messageId,
    state,
    stat,
    error: state === 'delivered' || state === 'pending' ? undefined : err === undefined || /^0+$/.test(err) ? stat : `${stat} err:${err}`,
  };
}

/** The receipt text an SMSC writes (used by the test SMSC, and a reference for what parseReceipt reads). */
export function formatReceipt(args: { messageId: string; stat: string; err?: string; submitDate: Date; doneDate: Date }): string {
  const stamp = (d: Date) => d.toISOString().replace(/[-T:]/g, '').slice(2, 12);
  const dlvrd = args.stat === 'DELIVRD' ? '001' : '000';
  return (
    `id:${args.messageId} sub:001 dlvrd:${dlvrd} submit date:${stamp(args.submitDate)} done date:${stamp(args.doneDate)} ` +
    `stat:${args.stat} err:${args.err ?? '000'} text:`
  );
}
