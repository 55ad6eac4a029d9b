// How many SMS parts a text takes, and in which encoding (3GPP TS 23.038, formerly GSM 03.38). Pure.
//
// - GSM-7 when every character is in the default alphabet or its extension table: 160 septets in a single message,
//   153 per part when concatenated (the user data header takes the other 7). An extension-table character is sent as
//   ESC plus the character, so it counts 2.
// - Otherwise the whole message is UCS-2: 70 UTF-16 code units alone, 67 per part concatenated; a character outside
//   the Basic Multilingual Plane (most emoji) is a surrogate pair and counts 2.
// - Parts are filled greedily and an escape sequence or a surrogate pair is never split across two parts (what
//   handsets and providers do, since half of one is garbage), so a long text can need one more part than
//   ceil(units / 153) would say.
// - Empty text: a zero-length SMS is still one message (it can be sent and is billed), so 1 part, 0 units.
// - The text is taken as given, without Unicode normalisation: a decomposed "é" (e + U+0301) is not GSM-7.
// - ESC itself (U+001B) is not a character a text can contain; it forces UCS-2 like any other non-GSM character.

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsParts {
  encoding: SmsEncoding;
  /** Messages the text is sent as. */
  parts: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text. */
  units: number;
}

export const GSM7_SINGLE_PART_SEPTETS = 160;
export const GSM7_CONCATENATED_PART_SEPTETS = 153;
export const UCS2_SINGLE_PART_UNITS = 70;
export const UCS2_CONCATENATED_PART_UNITS = 67;

// The GSM 7-bit default alphabet, TS 23.038 section 6.2.1, in code order 0x00-0x7F; position 0x1B (ESC) is left out.
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅå' + //                    0x00-0x0F
  'Δ_ΦΓΛΩΠΨΣΘΞ' + 'ÆæßÉ' + //                  0x10-0x1F (0x1B ESC omitted)
  ' !"#¤%&\'()*+,-./' + //                    0x20-0x2F
  '0123456789:;<=>?' + //                      0x30-0x3F
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' + //      0x40-0x5F
  '¿abcdefghijklmnopqrstuvwxyzäöñüà'; //       0x60-0x7F

// The extension table, section 6.2.1.1: form feed, ^ { } \ [ ~ ] | €; each is sent as ESC + code, 2 septets.
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export function smsParts(text: string): SmsParts {
  // Code points, so that a surrogate pair is one step of size 2.
  const characters = [...text];
  const gsm = characters.every((c) => BASIC.has(c) || EXTENSION.has(c));
  if (gsm) {
    const septets = characters.map((c) => (EXTENSION.has(c) ? 2 : 1));
    return count('GSM-7', septets, GSM7_SINGLE_PART_SEPTETS, GSM7_CONCATENATED_PART_SEPTETS);
  }
  return count('UCS-2', characters.map((c) => c.length), UCS2_SINGLE_PART_UNITS, UCS2_CONCATENATED_PART_UNITS);
}

function count(encoding: SmsEncoding, sizes: number[], singleMax: number, partMax: number): SmsParts {
  const units = sizes.reduce((sum, size) => sum + size, 0);
  if (units <= singleMax) return { encoding, parts: 1, units };
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > partMax) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, parts, units };
}

/**
 * The text cut into the parts it is sent as, by the same greedy rule as smsParts (an escape sequence or a surrogate
 * pair is never split), so `splitSms(text).segments.length === smsParts(text).parts`.
 */
export function splitSms(text: string): { encoding: SmsEncoding; segments: string[] } {
  const { encoding, parts } = smsParts(text);
  if (parts === 1) return { encoding, segments: [text] };
  const partMax = encoding === 'GSM-7' ? GSM7_CONCATENATED_PART_SEPTETS : UCS2_CONCATENATED_PART_UNITS;
  const segments: string[] = [];
  let current = '';
  let used = 0;
  for (const c of text) {
    const size = encoding === 'GSM-7' ? (EXTENSION.has(c) ? 2 : 1) : c.length;
    if (used + size > partMax) {
      segments.push(current);
      current = '';
      used = 0;
    }
    current += c;
    used += size;
  }
  segments.push(current);
  return { encoding, segments };
}
