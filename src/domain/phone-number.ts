// Rules for the numbers Ringcast dials (callee numbers) and the caller IDs (CLIs) it presents.
// Pure functions: no I/O and nothing runs at import (the one cache below is filled on first use and never changes
// an answer).
//
// Classification follows the UK number-range policy in shared/notes/uk-rules.md and relies on the "max" metadata of
// libphonenumber-js: the default ("min") metadata has no number-type patterns, so it cannot tell a mobile from a
// premium rate number.
//
// Cost per call. libphonenumber-js builds a new RegExp from the metadata string for every pattern it tests, and the
// GB patterns are a few kilobytes long, so one parse plus getType() of a UK number costs 40-50 µs: about 4 seconds
// of blocked event loop for a 100,000-number upload. UK numbers (the bulk of any upload) therefore take a fast path:
// the digits are split into +44 and the national number by the simple UK rules (+44, 0044, 0, or a bare 44), and
// the number is classified with the same metadata patterns compiled once, following libphonenumber's own algorithm
// (getCountryByNationalNumber, then getNumberType): 2-5 µs a number. Invalid UK numbers gain most, as
// libphonenumber tries every pattern of GB, GG, IM and JE before giving up (about 140 µs). Everything else (other
// countries, other default regions, unusual forms) goes to one libphonenumber parse (10-30 µs for +33 or +1).
// Measured with scratch/phone-number-bench.ts on a 2-CPU container.
// The tests check that the two paths agree on thousands of numbers in every form.
// Validity is read from the type: with max metadata every country has type patterns, and isValid() is then defined
// as "getType() is not undefined", so calling both would match the same patterns twice. The checks before either
// path are linear in the input and capped by MAX_INPUT_CHARS, so junk input cannot make a bulk upload slow.

import {
  Metadata,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumberType,
} from 'libphonenumber-js/max';

export type PhoneNumberRejection =
  | 'empty'
  | 'malformed'
  | 'invalid'
  | 'premium_rate'
  | 'personal_number'
  | 'pager'
  | 'short_code'
  | 'shared_cost_revenue'
  /** A valid number in a country the client may not call (src/domain/destination-country.ts). */
  | 'country_not_allowed';

export interface NormalisedNumber {
  e164: string;
  /** The libphonenumber type (MOBILE, FIXED_LINE, ...), or 'UNKNOWN'. */
  type: string;
  /** ISO region; +44 numbers may be GB, or IM/GG/JE (crown dependencies, outside UK PECR/TPS). */
  region: string | undefined;
}

export type NumberCheck =
  | { ok: true; number: NormalisedNumber }
  | { ok: false; reason: PhoneNumberRejection; message: string };

// The longest sensible written form is about 30 characters ("+44 (0) 7722 - 123 - 456"; E.164 allows 15 digits).
// Anything longer is not a phone number, and refusing it before parsing bounds the work per input.
const MAX_INPUT_CHARS = 64;
// Inputs quoted in messages are cut to this length so that a 10,000-character value does not produce a
// 10,000-character message.
const MAX_QUOTED_CHARS = 32;

// libphonenumber reads vanity letters as keypad digits (0800 FLOWERS) and letters as extension markers ("x", "ext"),
// so any letter at all is refused before parsing.
const LETTER = /\p{L}/u;
// What a written phone number may contain: an optional leading plus (also as "(+44)"), digits, spaces (and the
// no-break spaces spreadsheets paste), dashes (and the Unicode dashes word processors substitute), dots and
// parentheses. '#', '*', ';' and the like are refused: libphonenumber would read some of them as extension
// separators and silently drop digits. Tabs and line breaks are refused too (libphonenumber does not accept them
// inside a number; inside a cell they mean a broken CSV row).
const ALLOWED_CHARS = /^\(?\+?[0-9 \u00a0().\-\u2010-\u2015\u2212]*$/;
const NON_DIGITS = /[^0-9]/g;

// Short codes (999, 112, 101, 111, 118xxx, 116xxx...) are dialled as 3 to 6 digits with no trunk or international
// prefix. They are not in libphonenumber-js (it has no short-number metadata), so they parse as invalid numbers and
// are recognised by shape afterwards.
const SHORT_CODE = /^[1-9][0-9]{2,5}$/;
const EMERGENCY_CODES = new Set(['999', '112', '911']);

// Types a campaign may call (uk-rules.md: 071-075/077-079 mobile, 01/02 fixed, 03/055 UAN, 056 VoIP, 0800/0808
// free). FIXED_LINE_OR_MOBILE is what NANP numbers (+1) report.
export const CALLABLE_NUMBER_TYPES = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'UAN',
  'VOIP',
  'TOLL_FREE',
] as const satisfies readonly PhoneNumberType[];
const ALLOWED_TYPES: ReadonlySet<PhoneNumberType> = new Set<PhoneNumberType>(CALLABLE_NUMBER_TYPES);

const UK_COUNTRY_CALLING_CODE = '44';
// UK national numbers 084x and 087x (without the trunk 0): Ofcom's revenue-sharing service numbers.
const UK_REVENUE_SHARING = /^8[47]/;

const CALLEE_REFUSAL = 'which Ringcast does not call';
// Ofcom persistent misuse policy (2016): the presented CLI must be a valid, dialable UK number, never premium rate or
// revenue sharing (09, 084, 087).
const CALLER_ID_REFUSAL = 'which cannot be used as a caller ID';

/** A number both paths agree on: what the rules below need to decide. */
interface ParsedNumber {
  countryCallingCode: string;
  /** National significant number: no trunk prefix, no country code. */
  nationalNumber: string;
  region: string | undefined;
  type: PhoneNumberType;
}

interface Classified {
  check: NumberCheck;
  countryCallingCode: string | undefined;
}

/** Callee numbers for a campaign. defaultRegion 'GB'. */
export function checkCalleeNumber(input: string, defaultRegion: CountryCode = 'GB'): NumberCheck {
  return classify(input, defaultRegion, CALLEE_REFUSAL).check;
}

/**
 * Caller IDs presented on outbound calls. Decision: the number must carry country calling code 44, which admits GB and
 * the crown dependencies (GG, JE, IM) that share the UK numbering plan; any other country is refused as 'invalid'.
 * Within +44 the same ranges are refused as for callees: 09 premium rate and 084/087 revenue sharing (Ofcom), 070
 * personal numbers, 076 pagers and short codes.
 */
export function checkCallerId(input: string): NumberCheck {
  const { check, countryCallingCode } = classify(input, 'GB', CALLER_ID_REFUSAL);
  if (check.ok && countryCallingCode !== UK_COUNTRY_CALLING_CODE) {
    return reject(input.trim(), 'invalid', 'is not a UK number; caller IDs must be UK (+44) numbers');
  }
  return check;
}

function classify(rawInput: unknown, defaultRegion: CountryCode, refusal: string): Classified {
  // Values come from JSON and CSV uploads, so a non-string is possible at run time despite the signature. A number
  // is not accepted either: 07722123456 written as a JSON number has already lost its leading zero.
  if (typeof rawInput !== 'string') {
    return unparsed({ ok: false, reason: 'malformed', message: 'The phone number is not text' });
  }
  const input = rawInput.trim();
  const fail = (reason: PhoneNumberRejection, what: string) => unparsed(reject(input, reason, what));

  if (input === '') return unparsed({ ok: false, reason: 'empty', message: 'The phone number is empty' });
  if (input.length > MAX_INPUT_CHARS) return fail('malformed', 'is too long to be a phone number');
  if (LETTER.test(input)) return fail('malformed', 'contains letters; write phone numbers in digits');
  if (!ALLOWED_CHARS.test(input)) return fail('malformed', 'contains characters that are not part of a phone number');
  const digits = input.replace(NON_DIGITS, '');
  if (digits === '') return fail('malformed', 'contains no digits');
  // ALLOWED_CHARS admits a plus only at the start, so any plus means an international number.
  const international = input.includes('+');

  const fast = parseUkFast(digits, international, defaultRegion);
  const parsed = fast === NOT_UK_FORM ? parseWithLibrary(input, defaultRegion) : fast;
  if (parsed === undefined) {
    if (!international && SHORT_CODE.test(digits)) {
      return EMERGENCY_CODES.has(digits)
        ? fail('short_code', `is an emergency number, ${refusal}`)
        : fail('short_code', `is a short code (a service number), ${refusal}`);
    }
    return fail('invalid', 'is not a valid phone number');
  }
  return { check: decide(input, parsed, refusal), countryCallingCode: parsed.countryCallingCode };
}

/** The policy: which number types Ringcast calls or presents, and how a refusal reads. */
function decide(input: string, parsed: ParsedNumber, refusal: string): NumberCheck {
  const { countryCallingCode, nationalNumber, region, type } = parsed;
  if (ALLOWED_TYPES.has(type)) {
    return { ok: true, number: { e164: `+${countryCallingCode}${nationalNumber}`, type, region } };
  }
  const uk = countryCallingCode === UK_COUNTRY_CALLING_CODE;
  // "(084)" etc. in messages; only UK ranges are well known by their prefix.
  const range = (digitCount: number) => (uk ? ` (0${nationalNumber.slice(0, digitCount)})` : '');
  switch (type) {
    case 'PREMIUM_RATE':
      // libphonenumber files 0842-0845 and 0870-0873 under PREMIUM_RATE; Ofcom treats them as a distinct class of
      // revenue-sharing service numbers, so they get their own reason.
      if (uk && UK_REVENUE_SHARING.test(nationalNumber)) {
        return reject(input, 'shared_cost_revenue', `is a revenue-sharing number${range(2)}, ${refusal}`);
      }
      return reject(input, 'premium_rate', `is a premium rate number${range(1)}, ${refusal}`);
    case 'SHARED_COST':
      return reject(input, 'shared_cost_revenue', `is a shared-cost number, ${refusal}`);
    case 'PERSONAL_NUMBER':
      // 070 numbers forward anywhere and are a known vehicle for revenue-sharing fraud.
      return reject(input, 'personal_number', `is a personal number${range(2)}, ${refusal}`);
    case 'PAGER':
      return reject(input, 'pager', `is a pager number${range(2)}, ${refusal}`);
    default:
      // VOICEMAIL and any type libphonenumber adds later: refuse until someone decides otherwise.
      return reject(input, 'invalid', `is a ${type.toLowerCase().replace(/_/g, ' ')} number, ${refusal}`);
  }
}

/** The authority: one libphonenumber parse and one type lookup. Undefined when the number is not valid. */
function parseWithLibrary(input: string, defaultRegion: CountryCode): ParsedNumber | undefined {
  const parsed = parsePhoneNumberFromString(input, defaultRegion);
  const type = parsed?.getType();
  if (parsed === undefined || type === undefined) return undefined;
  return {
    countryCallingCode: parsed.countryCallingCode,
    nationalNumber: parsed.nationalNumber,
    region: parsed.country,
    type,
  };
}

// ---- Fast path for +44 -------------------------------------------------------------------------------------------

const RELAY_UK_PREFIX = '180020';
const NOT_UK_FORM = Symbol('not a +44 form the fast path reads');

/**
 * Splits a UK number written in one of the common forms and classifies it: the number, undefined when it is not
 * valid, or NOT_UK_FORM to say "ask libphonenumber". The forms, as libphonenumber reads them (GB: IDD 00, trunk
 * prefix 0): +44 N, +44 0N, 0044 N, 0044 0N, 0N with default region GB, and a bare 44 N of 11 or 12 digits (longer
 * than any national number, so libphonenumber strips the 44 too). N must not start with 0, nor with 180020: that is
 * the Relay UK prefix, which libphonenumber strips after +44 ("+44 180020 7722 123456" is a mobile).
 */
function parseUkFast(
  digits: string,
  international: boolean,
  defaultRegion: CountryCode,
): ParsedNumber | undefined | typeof NOT_UK_FORM {
  let rest: string | undefined;
  if (international) {
    if (digits.startsWith(UK_COUNTRY_CALLING_CODE)) rest = digits.slice(2);
  } else if (defaultRegion === 'GB') {
    if (digits.startsWith('0044')) rest = digits.slice(4);
    else if (digits.startsWith('0') && !digits.startsWith('00')) rest = digits;
    else if (digits.startsWith(UK_COUNTRY_CALLING_CODE) && (digits.length === 11 || digits.length === 12)) {
      if (digits[2] !== '0') rest = digits.slice(2);
    }
  }
  if (rest === undefined || rest.startsWith(RELAY_UK_PREFIX)) return NOT_UK_FORM;
  const nationalNumber = rest.startsWith('0') ? rest.slice(1) : rest;
  if (nationalNumber.startsWith('0')) return NOT_UK_FORM;

  for (const plan of ukPlans()) {
    // libphonenumber's getCountryByNationalNumber: the first plan (GB first) whose leading digits match, or, for
    // plans without leading digits, whose types accept the number.
    const belongs = plan.leadingDigits ? plan.leadingDigits.test(nationalNumber) : typeIn(plan, nationalNumber);
    if (belongs) {
      const type = typeIn(plan, nationalNumber);
      if (type === undefined) return undefined;
      return { countryCallingCode: UK_COUNTRY_CALLING_CODE, nationalNumber, region: plan.region, type };
    }
  }
  return undefined;
}

interface CompiledType {
  type: PhoneNumberType;
  pattern: RegExp;
  lengths: readonly number[] | undefined;
}

interface CompiledPlan {
  region: CountryCode;
  nationalNumber: RegExp;
  leadingDigits: RegExp | undefined;
  fixedLine: CompiledType | undefined;
  /** Undefined when the metadata has no separate mobile pattern (it then equals the fixed-line one). */
  mobile: CompiledType | undefined;
  /** Every type but FIXED_LINE, in libphonenumber's order. */
  others: CompiledType[];
}

// libphonenumber's getNumberType tries FIXED_LINE first, then these in this order.
const NON_FIXED_LINE_TYPES: readonly PhoneNumberType[] = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
];

// The Metadata class's public typings stop at selectNumberingPlan() and leadingDigits(); these are the methods
// libphonenumber's own getCountryByCallingCode and getNumberType call. If an upgrade changes them, the comparison
// tests fail.
interface MetadataCountries {
  getCountryCodesForCallingCode(callingCode: string): CountryCode[] | undefined;
}
interface NumberingPlanPatterns {
  nationalNumberPattern(): string;
  leadingDigits(): string | undefined;
  type(type: PhoneNumberType): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

let compiledUkPlans: CompiledPlan[] | undefined;

/** GB, GG, IM, JE in the metadata's order (GB first), compiled on first use. */
function ukPlans(): CompiledPlan[] {
  if (compiledUkPlans === undefined) {
    const metadata = new Metadata() as unknown as MetadataCountries;
    compiledUkPlans = (metadata.getCountryCodesForCallingCode(UK_COUNTRY_CALLING_CODE) ?? []).map(compilePlan);
  }
  return compiledUkPlans;
}

function compilePlan(region: CountryCode): CompiledPlan {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(region);
  const plan = metadata.numberingPlan as unknown as NumberingPlanPatterns;
  const compile = (type: PhoneNumberType): CompiledType | undefined => {
    const description = plan.type(type);
    const pattern = description?.pattern();
    if (!description || !pattern) return undefined;
    return { type, pattern: new RegExp(`^(?:${pattern})$`), lengths: description.possibleLengths() };
  };
  const leadingDigits = plan.leadingDigits();
  const others = NON_FIXED_LINE_TYPES.map(compile).filter((type) => type !== undefined);
  return {
    region,
    nationalNumber: new RegExp(`^(?:${plan.nationalNumberPattern()})$`),
    leadingDigits: leadingDigits ? new RegExp(`^(?:${leadingDigits})`) : undefined,
    fixedLine: compile('FIXED_LINE'),
    mobile: others.find((type) => type.type === 'MOBILE'),
    others,
  };
}

/** libphonenumber's getNumberType, on compiled patterns. */
function typeIn(plan: CompiledPlan, nationalNumber: string): PhoneNumberType | undefined {
  if (!plan.nationalNumber.test(nationalNumber)) return undefined;
  if (plan.fixedLine && matches(plan.fixedLine, nationalNumber)) {
    return plan.mobile === undefined || matches(plan.mobile, nationalNumber) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  return plan.others.find((type) => matches(type, nationalNumber))?.type;
}

function matches(type: CompiledType, nationalNumber: string): boolean {
  const possibleLength = type.lengths === undefined || type.lengths.includes(nationalNumber.length);
  return possibleLength && type.pattern.test(nationalNumber);
}

function unparsed(check: NumberCheck): Classified {
  return { check, countryCallingCode: undefined };
}

function reject(input: string, reason: PhoneNumberRejection, what: string): NumberCheck {
  return { ok: false, reason, message: `${quote(input)} ${what}` };
}

function quote(input: string): string {
  return input.length > MAX_QUOTED_CHARS ? `${input.slice(0, MAX_QUOTED_CHARS)}…` : input;
}
