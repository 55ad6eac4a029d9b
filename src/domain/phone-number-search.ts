// What a search typed into the number listing (GET .../phonenumbers?search=, a Ringcast extension) looks for: numbers
// are stored in E.164 (+447722123456) but people type them as they read them ("07722 123 456"), so the digits are
// matched with the spacing taken out and a leading UK national 0 read as +44 too; the text is also looked for in the
// name. Pure: the store turns these fragments into escaped LIKE patterns.

/** Longest search accepted (characters). */
export const MAX_PHONE_NUMBER_SEARCH_CHARS = 64;

/** Characters people put between digits when they write a number, ignored when the search is read as a number. */
const NUMBER_SPACING = /[\s\-().]/g;
const NUMBER_LIKE = /^\+?\d+$/;
const UK_COUNTRY_CODE = '+44';

export interface PhoneNumberSearchTerms {
  /** Substrings the E.164 number may contain (at most two), none when the search is not a number. */
  numberFragments: string[];
  /** Substring the name may contain, compared case-insensitively. */
  nameFragment: string;
}

/** The fragments a search matches; the caller has checked it holds something other than spaces. */
export function phoneNumberSearchTerms(search: string): PhoneNumberSearchTerms {
  const text = search.trim();
  const compact = text.replace(NUMBER_SPACING, '');
  const numberFragments: string[] = [];
  if (NUMBER_LIKE.test(compact)) {
    // The digits as typed match anywhere ("0123" finds +447700900123's last digits)...
    numberFragments.push(compact);
    // ...and a leading 0 is also the UK trunk prefix: "07722" is +447722. "00" is an international prefix, not that.
    if (compact.length > 1 && compact.startsWith('0') && !compact.startsWith('00')) numberFragments.push(UK_COUNTRY_CODE + compact.slice(1));
  }
  return { numberFragments, nameFragment: text };
}
