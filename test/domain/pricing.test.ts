import { describe, it, expect } from 'vitest';
import { checkCalleeNumber } from '../../src/domain/phone-number.js';
import {
  callPrice,
  DEFAULT_RATES_GBP_PER_MINUTE,
  parseRateTable,
  RATE_KEYS,
  rateKeyFor,
  type RateTable,
} from '../../src/domain/pricing.js';

/** The e164 and type the dialer records for an input, via the real number check. */
function callee(input: string) {
  const check = checkCalleeNumber(input);
  if (!check.ok) throw new Error(`test number ${input} refused: ${check.message}`);
  return { e164: check.number.e164, numberType: check.number.type };
}

describe('callPrice: rate by number type, billed per second', () => {
  // One minute on each type: the per-minute rate itself.
  const perType: [string, string, string, number][] = [
    ['MOBILE', '07722 123456', 'MOBILE', DEFAULT_RATES_GBP_PER_MINUTE.MOBILE],
    ['FIXED_LINE', '020 7946 0123', 'FIXED_LINE', DEFAULT_RATES_GBP_PER_MINUTE.FIXED_LINE],
    ['UAN', '0300 123 4567', 'UAN', DEFAULT_RATES_GBP_PER_MINUTE.UAN],
    ['VOIP', '056 1234 5678', 'VOIP', DEFAULT_RATES_GBP_PER_MINUTE.VOIP],
    ['TOLL_FREE', '0800 123 4567', 'TOLL_FREE', DEFAULT_RATES_GBP_PER_MINUTE.TOLL_FREE],
    ['INTERNATIONAL (France)', '+33 1 23 45 67 89', 'FIXED_LINE', DEFAULT_RATES_GBP_PER_MINUTE.INTERNATIONAL],
    ['INTERNATIONAL (NANP)', '+1 212 555 0123', 'FIXED_LINE_OR_MOBILE', DEFAULT_RATES_GBP_PER_MINUTE.INTERNATIONAL],
  ];
  it.each(perType)('%s: 60 s costs the per-minute rate', (_name, input, type, rate) => {
    const number = callee(input);
    expect(number.numberType).toBe(type);
    expect(callPrice({ ...number, billableSeconds: 60 })).toBe(rate);
  });

  it('the default rates are the illustrative figures (so a change is deliberate)', () => {
    expect(DEFAULT_RATES_GBP_PER_MINUTE).toEqual({
      MOBILE: 0.012,
      FIXED_LINE: 0.004,
      FIXED_LINE_OR_MOBILE: 0.012,
      UAN: 0.005,
      VOIP: 0.008,
      TOLL_FREE: 0,
      INTERNATIONAL: 0.05,
    });
  });

  it('prices a crown-dependency mobile (+44 7624, Isle of Man) as a UK mobile', () => {
    const number = callee('07624 123456');
    expect(rateKeyFor(number.e164, number.numberType)).toBe('MOBILE');
    expect(callPrice({ ...number, billableSeconds: 120 })).toBe(0.024);
  });

  it('bills per second and rounds to 4 decimals', () => {
    const mobile = { e164: '+447722123456', numberType: 'MOBILE' };
    expect(callPrice({ ...mobile, billableSeconds: 1 })).toBe(0.0002); // 0.012 / 60
    expect(callPrice({ ...mobile, billableSeconds: 61 })).toBe(0.0122);
    expect(callPrice({ ...mobile, billableSeconds: 95 })).toBe(0.019);
    const fixed = { e164: '+442079460123', numberType: 'FIXED_LINE' };
    expect(callPrice({ ...fixed, billableSeconds: 1 })).toBe(0.0001); // 0.0000667
    expect(callPrice({ ...fixed, billableSeconds: 37 })).toBe(0.0025); // 0.0024667
    expect(callPrice({ ...fixed, billableSeconds: 3600 })).toBe(0.24);
  });

  it('counts a part second as a whole second', () => {
    const mobile = { e164: '+447722123456', numberType: 'MOBILE' };
    expect(callPrice({ ...mobile, billableSeconds: 0.2 })).toBe(0.0002);
    expect(callPrice({ ...mobile, billableSeconds: 60.01 })).toBe(0.0122);
  });

  it('rounds an exact half up (as PostgreSQL numeric does)', () => {
    const rates: RateTable = { ...DEFAULT_RATES_GBP_PER_MINUTE, FIXED_LINE: 0.0003 };
    // 10 s at 0.0003/min = 0.00005 exactly
    expect(callPrice({ e164: '+442079460123', numberType: 'FIXED_LINE', billableSeconds: 10, rates })).toBe(0.0001);
    // 9 s = 0.000045 -> 0.0000
    expect(callPrice({ e164: '+442079460123', numberType: 'FIXED_LINE', billableSeconds: 9, rates })).toBe(0);
  });

  it('an unanswered call (0 billable seconds) costs 0, whatever the type or minimum', () => {
    expect(callPrice({ e164: '+33123456789', numberType: 'FIXED_LINE', billableSeconds: 0 })).toBe(0);
    expect(callPrice({ e164: '+447722123456', numberType: 'MOBILE', billableSeconds: 0, minimumBillableSeconds: 60 })).toBe(0);
  });

  it('applies a minimum charge to answered calls only when one is set (none by default)', () => {
    const mobile = { e164: '+447722123456', numberType: 'MOBILE' };
    expect(callPrice({ ...mobile, billableSeconds: 5 })).toBe(0.001);
    expect(callPrice({ ...mobile, billableSeconds: 5, minimumBillableSeconds: 60 })).toBe(0.012);
    expect(callPrice({ ...mobile, billableSeconds: 90, minimumBillableSeconds: 60 })).toBe(0.018);
  });

  it('uses a custom rate table', () => {
    const rates = parseRateTable('{"MOBILE": 0.03}');
    expect(callPrice({ e164: '+447722123456', numberType: 'MOBILE', billableSeconds: 30, rates })).toBe(0.015);
  });

  it('throws on negative or non-finite seconds, and on a +44 type Ringcast never dials', () => {
    const mobile = { e164: '+447722123456', numberType: 'MOBILE' };
    expect(() => callPrice({ ...mobile, billableSeconds: -1 })).toThrow(RangeError);
    expect(() => callPrice({ ...mobile, billableSeconds: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => callPrice({ e164: '+449012345678', numberType: 'PREMIUM_RATE', billableSeconds: 10 })).toThrow(/PREMIUM_RATE/);
    expect(() => callPrice({ e164: '+447722123456', numberType: 'INTERNATIONAL', billableSeconds: 10 })).toThrow(RangeError);
  });
});

describe('parseRateTable', () => {
  it('overrides the keys given and keeps the defaults for the rest', () => {
    const table = parseRateTable('{"MOBILE": 0.015, "INTERNATIONAL": 0.2, "TOLL_FREE": 0}');
    expect(table).toEqual({ ...DEFAULT_RATES_GBP_PER_MINUTE, MOBILE: 0.015, INTERNATIONAL: 0.2, TOLL_FREE: 0 });
    expect(Object.keys(table).sort()).toEqual([...RATE_KEYS].sort());
  });

  it('accepts an empty object as the defaults', () => {
    expect(parseRateTable('{}')).toEqual(DEFAULT_RATES_GBP_PER_MINUTE);
  });

  it('names an unknown key', () => {
    expect(() => parseRateTable('{"MOBILE": 0.01, "mobile": 0.01}')).toThrow(/unknown key "mobile"/);
    expect(() => parseRateTable('{"PREMIUM_RATE": 1}')).toThrow(/"PREMIUM_RATE"/);
    expect(() => parseRateTable('{"__proto__": 1}')).toThrow(/"__proto__"/);
  });

  it('names a key whose value is not a rate', () => {
    expect(() => parseRateTable('{"VOIP": "0.01"}')).toThrow(/VOIP must be a number/);
    expect(() => parseRateTable('{"UAN": -0.01}')).toThrow(/UAN must be a number/);
    expect(() => parseRateTable('{"FIXED_LINE": 1000}')).toThrow(/FIXED_LINE must be a number/);
    expect(() => parseRateTable('{"MOBILE": null}')).toThrow(/MOBILE must be a number/);
  });

  it('refuses JSON that is not an object, or not JSON', () => {
    expect(() => parseRateTable('[0.01]')).toThrow(/JSON object/);
    expect(() => parseRateTable('0.01')).toThrow(/JSON object/);
    expect(() => parseRateTable('{"MOBILE": 0.01')).toThrow(/not valid JSON/);
  });
});
