// Phone numbers in logs: a callee's number is personal data, and logs travel further than the database (shippers,
// tickets, screenshots). At info level a number shows only its last 3 digits, enough to tell calls apart when
// reading a log beside the API's call records.

/** Digits shown at the end of a masked number. */
export const VISIBLE_DIGITS = 3;

/**
 * Every digit but the last three becomes `*`; other characters (+, spaces, dashes) stay, so the shape is kept:
 * "+447722123456" -> "+*********456". A string with three digits or fewer is all masked (it is too short to show
 * part of without showing all of it).
 */
export function maskPhoneNumber(number: string): string {
  let digits = 0;
  for (const char of number) if (char >= '0' && char <= '9') digits++;
  let keepFrom = digits > VISIBLE_DIGITS ? digits - VISIBLE_DIGITS : digits;
  let out = '';
  for (const char of number) {
    if (char >= '0' && char <= '9') {
      out += keepFrom > 0 ? '*' : char;
      keepFrom--;
    } else {
      out += char;
    }
  }
  return out;
}

/** Masks the user part of a SIP or tel URI ("sip:07722123456@trunk" -> "sip:********456@trunk"); other text as is. */
export function maskSipUri(uri: string): string {
  return uri.replace(/^((?:sips?|tel):)([^@;>]+)/i, (_all, scheme: string, user: string) => scheme + maskPhoneNumber(user));
}
