// The price of a call: a per-minute rate by the callee's number type, billed per second. Pure.
//
// Billing rules:
// - Rates are GBP per minute, charged per second: price = ceil(billableSeconds) * rate / 60. A part second counts as
//   a whole one (carriers bill whole seconds).
// - An unanswered call has no billable seconds and costs 0; a minimum charge, when configured, applies only to
//   calls with billable seconds (the default minimum is none).
// - +44 numbers are priced by their libphonenumber type (this includes the crown dependencies, which share the UK
//   numbering plan); every other country takes the INTERNATIONAL rate.
// - The result is rounded to 4 decimals, half away from zero (as PostgreSQL rounds numeric), because the `price`
//   column is numeric(12,4).
import { CALLABLE_NUMBER_TYPES } from './phone-number.js';

/** Number types the dialer may call, plus INTERNATIONAL for non-+44 numbers. */
export const RATE_KEYS = [...CALLABLE_NUMBER_TYPES, 'INTERNATIONAL'] as const;
export type RateKey = (typeof RATE_KEYS)[number];

/** GBP per minute for each rate key. */
export type RateTable = Readonly<Record<RateKey, number>>;

/**
 * Illustrative UK wholesale termination rates, GBP per minute, in the range UK carriers published around 2024; they
 * are placeholders for demos and tests, not a quote. Operators supply their own (parseRateTable).
 */
export const DEFAULT_RATES_GBP_PER_MINUTE: RateTable = Object.freeze({
  // 07 mobile: Ofcom caps mobile termination well under 1p/min; wholesale resale adds a margin.
  MOBILE: 0.012,
  // 01/02 geographic.
  FIXED_LINE: 0.004,
  // Kept for completeness: NANP (+1) numbers report this type but are priced INTERNATIONAL, and no +44 number
  // reports it. Priced as a mobile should one ever do so.
  FIXED_LINE_OR_MOBILE: 0.012,
  // 03 and 055: charged like geographic numbers.
  UAN: 0.005,
  // 056 VoIP.
  VOIP: 0.008,
  // 0800/0808: free to the caller since 2015 (the callee pays).
  TOLL_FREE: 0,
  // Any number outside +44.
  INTERNATIONAL: 0.05,
});

/** The minimum charge of an answered call, in seconds; none by default. */
export const DEFAULT_MINIMUM_BILLABLE_SECONDS = 0;

export interface CallPriceArgs {
  e164: string;
  /** The libphonenumber type recorded for the number (NormalisedNumber.type). */
  numberType: string;
  /** Seconds from answer to hang-up; 0 for an unanswered call. */
  billableSeconds: number;
  rates?: RateTable;
  minimumBillableSeconds?: number;
}

const UK_PREFIX = '+44';

/** The rate key a number is priced under, or undefined for a +44 type Ringcast never dials (premium rate...). */
export function rateKeyFor(e164: string, numberType: string): RateKey | undefined {
  if (!e164.startsWith(UK_PREFIX)) return 'INTERNATIONAL';
  return isRateKey(numberType) && numberType !== 'INTERNATIONAL' ? numberType : undefined;
}

/**
 * The price in GBP of one call, rounded to 4 decimals. Throws on negative or non-finite seconds and on a +44 number
 * of a type with no rate (such numbers are refused when a campaign is created, so reaching here is a bug).
 */
export function callPrice(args: CallPriceArgs): number {
  if (!Number.isFinite(args.billableSeconds) || args.billableSeconds < 0) {
    throw new RangeError(`callPrice: billableSeconds must be a finite number >= 0, got ${args.billableSeconds}`);
  }
  if (args.billableSeconds === 0) return 0;
  const key = rateKeyFor(args.e164, args.numberType);
  if (key === undefined) {
    throw new RangeError(`callPrice: no rate for ${args.e164}, whose type ${args.numberType} Ringcast does not call`);
  }
  const rate = (args.rates ?? DEFAULT_RATES_GBP_PER_MINUTE)[key];
  const minimumSeconds = args.minimumBillableSeconds ?? DEFAULT_MINIMUM_BILLABLE_SECONDS;
  const seconds = Math.max(Math.ceil(args.billableSeconds), minimumSeconds);
  return roundTo4((seconds * rate) / 60);
}

// toPrecision(12) removes binary noise (0.00125 stored as 0.0012499999...) before rounding, so halves round up.
function roundTo4(value: number): number {
  const tenThousandths = Number((value * 10_000).toPrecision(12));
  return Math.round(tenThousandths) / 10_000;
}

/** A generous bound on a per-minute rate, to catch pence typed as pounds. */
const MAX_RATE_GBP_PER_MINUTE = 100;

/**
 * An operator's rate table from JSON: an object whose keys are some of RATE_KEYS and whose values are GBP per
 * minute (finite, 0..100). Keys left out keep the default rate. Throws an Error naming the bad key.
 * Example: {"MOBILE": 0.015, "INTERNATIONAL": 0.2}
 */
export function parseRateTable(json: string): RateTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`Rate table: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('Rate table: expected a JSON object such as {"MOBILE": 0.015}');
  }
  const table: Record<RateKey, number> = { ...DEFAULT_RATES_GBP_PER_MINUTE };
  for (const [key, value] of Object.entries(parsed)) {
    if (!isRateKey(key)) {
      throw new Error(`Rate table: unknown key ${JSON.stringify(key)}; expected one of ${RATE_KEYS.join(', ')}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_RATE_GBP_PER_MINUTE) {
      throw new Error(
        `Rate table: ${key} must be a number of GBP per minute from 0 to ${MAX_RATE_GBP_PER_MINUTE}, ` +
          `got ${JSON.stringify(value)}`,
      );
    }
    table[key] = value;
  }
  return Object.freeze(table);
}

function isRateKey(key: string): key is RateKey {
  return (RATE_KEYS as readonly string[]).includes(key);
}
