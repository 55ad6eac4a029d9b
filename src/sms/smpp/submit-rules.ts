// What a text becomes on the SMPP wire (SMPP 3.4): addresses, data coding, and the submit_sm parts. Pure.
//
// - Sender: an alphanumeric sender id (1-11 characters from [A-Za-z0-9 ], at least one letter) is sent with
//   source_addr_ton 5 (alphanumeric), npi 0; anything else must be E.164 and goes as ton 1 (international), npi 1
//   (ISDN), without the '+'. Anything else is refused here, before the SMSC can take the message.
// - data_coding 0 (SMSC default alphabet, GSM-7) or 8 (UCS-2), by the project's SMS parts rules (domain/sms-parts).
// - A text of more than one part is sent as several submit_sm, each with an 8-bit-reference concatenation UDH
//   (IEI 0x00, length 3: reference, total, sequence) and esm_class 0x40 (UDHI). registered_delivery 1 on every part,
//   as a receipt may come for any part.
import { splitSms } from '../../domain/sms-parts.js';

export const TON_INTERNATIONAL = 1;
export const TON_ALPHANUMERIC = 5;
export const NPI_ISDN = 1;
export const NPI_UNKNOWN = 0;
export const DATA_CODING_GSM7 = 0;
export const DATA_CODING_UCS2 = 8;
export const ESM_CLASS_UDHI = 0x40;
export const ESM_CLASS_RECEIPT = 0x04;

export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const ALPHANUMERIC = /^[A-Za-z0-9 ]{1,11}$/;

/** The source address for a sender, or an Error saying why it cannot be one. */
export function senderAddress(from: string): SmppAddress | Error {
  if (ALPHANUMERIC.test(from) && /[A-Za-z]/.test(from)) return { ton: TON_ALPHANUMERIC, npi: NPI_UNKNOWN, addr: from };
  if (E164.test(from)) return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: from.slice(1) };
  return new Error(`sender ${JSON.stringify(from)} is neither E.164 nor an alphanumeric id of 1-11 characters with a letter`);
}

/** The destination address for an E.164 number, or an Error. */
export function destinationAddress(to: string): SmppAddress | Error {
  if (E164.test(to)) return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: to.slice(1) };
  return new Error(`recipient ${JSON.stringify(to)} is not an E.164 number`);
}

/** The fields of one submit_sm (names as the SMPP specification and the `smpp` package spell them). */
export interface SubmitPart {
  source_addr_ton: number;
  source_addr_npi: number;
  source_addr: string;
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
  data_coding: number;
  esm_class: number;
  registered_delivery: 1;
  /** The `smpp` package encodes `message` by data_coding (0: GSM-7 one septet per octet, 8: UCS-2 big-endian). */
  short_message: { udh?: Buffer; message: string };
}

/**
 * The submit_sm parts of a text. `reference` (0-255) ties the parts together at the handset; callers pass a
 * counter so two long texts to one number in flight at once do not share one.
 */
export function submitParts(args: { from: SmppAddress; to: SmppAddress; text: string; reference: number }): SubmitPart[] {
  const { encoding, segments } = splitSms(args.text);
  const dataCoding = encoding === 'GSM-7' ? DATA_CODING_GSM7 : DATA_CODING_UCS2;
  const reference = args.reference & 0xff;
  return segments.map((segment, index) => ({
    source_addr_ton: args.from.ton,
    source_addr_npi: args.from.npi,
    source_addr: args.from.addr,
    dest_addr_ton: args.to.ton,
    dest_addr_npi: args.to.npi,
    destination_addr: args.to.addr,
    data_coding: dataCoding,
    esm_class: segments.length > 1 ? ESM_CLASS_UDHI : 0,
    registered_delivery: 1,
    short_message:
      segments.length > 1
        ? { udh: Buffer.from([0x05, 0x00, 0x03, reference, segments.length, index + 1]), message: segment }
        : { message: segment },
  }));
}
