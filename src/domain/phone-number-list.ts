// The PhoneNumbers list of a campaign request: each entry's number normalised and checked (UK range policy and the
// client's allowed countries), its name and parameters checked, repeats merged into their first occurrence, and, with
// ignoreInvalidPhoneNumbers, bad entries left out and listed instead of refused. Pure. The list may hold 100,000
// entries, so the check is a generator that yields after every PHONE_NUMBER_CHUNK entries (src/domain/stepwise.ts):
// a server runs it a chunk at a time and stays responsive; every other caller runs it at once.
import { checkCampaignNumber } from './destination-country.js';
import type { FieldErrorCollector } from './field-errors.js';
import type { Steps } from './stepwise.js';
import { UNSTORABLE, UNSTORABLE_MESSAGE } from './storable-text.js';

/** The document: "up to Parameter9". The schema enforces it too. */
export const MAX_PARAMETER = 9;

/**
 * Entries checked between two yields. A UK number takes 2-5 µs to classify and any other 10-30 µs
 * (src/domain/phone-number.ts), so a chunk holds the event loop for about 5 ms, 30 ms at worst.
 */
export const PHONE_NUMBER_CHUNK = 1000;

export interface PhoneNumberPlan {
  /** Position in the request, for reports. */
  index: number;
  e164: string;
  name: string;
  parameters: { parameter: number; value: string }[];
}
export interface LeftOutNumber {
  index: number;
  number: string;
  reasons: string[];
}
export interface MergedNumber {
  index: number;
  number: string;
  duplicateOfIndex: number;
}

export interface PhoneNumbersCheck {
  numbers: PhoneNumberPlan[];
  merged: MergedNumber[];
  leftOut: LeftOutNumber[];
}

export interface PhoneNumberListInput {
  value: unknown;
  /** Schema errors of entries, by index, when they are to be left out (ignoreInvalid) rather than reported. */
  schemaReasons: ReadonlyMap<number, string[]>;
  /** Entries whose schema errors are already in `errors`: they are not checked again. */
  reportedIndices: ReadonlySet<number>;
  ignoreInvalid: boolean;
  /** ISO regions beyond the UK's the client may call (uppercase). */
  allowedCountries: ReadonlySet<string>;
}

type Body = Record<string, unknown>;
const isObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);

export function* checkPhoneNumberList(input: PhoneNumberListInput, errors: FieldErrorCollector): Steps<PhoneNumbersCheck> {
  const { value, schemaReasons, reportedIndices, ignoreInvalid, allowedCountries } = input;
  const result: PhoneNumbersCheck = { numbers: [], merged: [], leftOut: [] };
  if (errors.has('PhoneNumbers')) return result;
  if (!Array.isArray(value)) {
    errors.add('PhoneNumbers', value === undefined ? 'The PhoneNumbers field is required.' : 'PhoneNumbers must be an array.');
    return result;
  }
  const firstIndexByNumber = new Map<string, number>();
  for (let index = 0; index < value.length; index++) {
    if (index > 0 && index % PHONE_NUMBER_CHUNK === 0) yield;
    // Not errors.hasUnder(path): it scans every key, and asking it once per entry made a list of 100,000 bad numbers
    // quadratic.
    if (reportedIndices.has(index)) continue;
    const entry: unknown = value[index];
    const path = `PhoneNumbers[${index}]`;
    const problems: [string, string][] = [];
    const reasons = schemaReasons.get(index) ?? [];
    const raw = isObject(entry) && typeof entry.number === 'string' ? entry.number : typeof entry === 'string' ? entry : '';
    if (!isObject(entry)) {
      if (reasons.length === 0) problems.push([path, `${path} must be an object.`]);
    } else if (reasons.length === 0) {
      const plan = checkEntry(entry, path, allowedCountries, problems);
      if (plan && problems.length === 0) {
        const firstIndex = firstIndexByNumber.get(plan.e164);
        if (firstIndex !== undefined) {
          result.merged.push({ index, number: plan.e164, duplicateOfIndex: firstIndex });
        } else {
          firstIndexByNumber.set(plan.e164, index);
          result.numbers.push({ index, ...plan });
        }
        continue;
      }
    }
    if (ignoreInvalid) {
      result.leftOut.push({ index, number: raw, reasons: [...reasons, ...problems.map(([, message]) => message)] });
    } else {
      for (const [problemPath, message] of problems) errors.add(problemPath, message);
    }
  }
  if (result.numbers.length === 0 && !errors.hasUnder('PhoneNumbers')) {
    errors.add('PhoneNumbers', 'At least one valid phone number is required.');
  }
  return result;
}

function checkEntry(
  entry: Body,
  path: string,
  allowedCountries: ReadonlySet<string>,
  problems: [string, string][],
): Omit<PhoneNumberPlan, 'index'> | undefined {
  const check = checkCampaignNumber(typeof entry.number === 'string' ? entry.number : '', allowedCountries);
  if (!check.ok) problems.push([`${path}.Number`, check.message]);
  const name = typeof entry.name === 'string' ? entry.name.trim() : '';
  if (UNSTORABLE.test(name)) problems.push([`${path}.Name`, `${path}.Name ${UNSTORABLE_MESSAGE}`]);

  const parameters: { parameter: number; value: string }[] = [];
  const given = entry.parameters === undefined || entry.parameters === null ? [] : entry.parameters;
  if (!Array.isArray(given)) {
    problems.push([`${path}.Parameters`, `${path}.Parameters must be an array or null.`]);
  } else {
    const seen = new Set<number>();
    given.forEach((parameter: unknown, parameterIndex) => {
      const parameterPath = `${path}.Parameters[${parameterIndex}]`;
      if (!isObject(parameter)) {
        problems.push([parameterPath, `${parameterPath} must be an object.`]);
        return;
      }
      const number = parameter.parameter;
      if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > MAX_PARAMETER) {
        problems.push([`${parameterPath}.Parameter`, `${parameterPath}.Parameter must be 1 to ${MAX_PARAMETER}.`]);
      } else if (seen.has(number)) {
        problems.push([`${parameterPath}.Parameter`, `Parameter${number} is given more than once.`]);
      }
      if (typeof number === 'number') seen.add(number);
      const value = parameter.value;
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push([`${parameterPath}.Value`, 'The Value field is required.']);
      } else if (UNSTORABLE.test(value)) {
        problems.push([`${parameterPath}.Value`, `${parameterPath}.Value ${UNSTORABLE_MESSAGE}`]);
      } else if (typeof number === 'number') {
        parameters.push({ parameter: number, value });
      }
    });
  }
  if (!check.ok) return undefined;
  // slice(): an array grown by push keeps room for 17 elements (152 bytes); a campaign's plan holds one per number.
  return { e164: check.number.e164, name, parameters: parameters.length === 0 ? [] : parameters.slice().sort((a, b) => a.parameter - b.parameter) };
}
