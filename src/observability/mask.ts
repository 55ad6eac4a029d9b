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

/** The user part of sip:/sips: URIs (before the @) and tel: URIs: where a SIP message carries phone numbers. */
const URI_NUMBER = /\b(sips?:)([^@\s;>:]+)(?=@)|\b(tel:)([^\s;>]+)/gi;

/**
 * Masks the numbers in SIP URIs within any text (a URI, a header, a whole message for SIP_TRACE):
 * "sip:07722123456@trunk" -> "sip:********456@trunk". Host parts (addresses, ports) are left as they are.
 */
export function maskSipNumbers(text: string): string {
  return text.replace(URI_NUMBER, (_all, sipScheme?: string, sipUser?: string, telScheme?: string, telNumber?: string) =>
    sipScheme !== undefined ? sipScheme + maskPhoneNumber(sipUser!) : telScheme! + maskPhoneNumber(telNumber!),
  );
}

/** Digit runs this long or longer in a query string are taken for (part of) a phone number. */
const MIN_QUERY_NUMBER_DIGITS = 5;
const QUERY_DIGIT_RUN = new RegExp(`\\d{${MIN_QUERY_NUMBER_DIGITS},}`, 'g');

/**
 * A request URL as it may be logged: the query string can hold a number (the phone-number listing's `search`), so
 * its runs of 5 or more digits are masked; the path holds only ids and names and is kept as it is.
 */
export function maskUrlNumbers(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  return url.slice(0, query) + url.slice(query).replace(QUERY_DIGIT_RUN, (digits) => maskPhoneNumber(digits));
}
