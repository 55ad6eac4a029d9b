// The rules of the campaign-creation request beyond its JSON schema: dates in the future in the campaign's zone,
// windows that make sense, attempts numbered 1..n, phone numbers normalised, merged and checked. Pure: the caller
// passes the clock's `now` and the schema's own errors, and gets back every failing field at once. It never throws,
// whatever the body: the schema normally stands in front of it, but a request that fails the schema is still checked
// here field by field (to report everything at once), so each rule reads its field defensively.
import { FieldErrorCollector, type FieldErrors } from './field-errors.js';
import { AttemptSelector } from './enums.js';
import { checkCalleeNumber } from './phone-number.js';
import {
  canonicalTimeZone,
  DEFAULT_TIME_ZONE,
  minutesOfDay,
  normaliseDate,
  normaliseTime,
  wallClockToInstant,
} from './wall-clock.js';

export interface AttemptPlan {
  attemptNumber: number;
  intervalMinutes: number;
}
export interface WindowDay {
  date: string;
  startTime: string;
  finishTime: string;
}
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

export interface CampaignPlan {
  name: string;
  timeZone: string;
  startDate: string;
  startTime: string;
  finishTime: string;
  startsAt: Date;
  runoverDays: WindowDay[];
  callFlowId: number;
  cliId: number;
  attempts: AttemptPlan[];
  answerPhoneMessage: AttemptSelector;
  smsOnBusy: AttemptSelector;
  numbers: PhoneNumberPlan[];
}

export type CampaignCheck =
  | { ok: true; plan: CampaignPlan; leftOut: LeftOutNumber[]; merged: MergedNumber[] }
  /** `name` is the trimmed name when that field itself is fine, so the caller can still check it is unique. */
  | { ok: false; errors: FieldErrors; name?: string };

/** The document: "at most 10 attempts" and "up to Parameter9". The schema enforces these too. */
export const MAX_ATTEMPTS = 10;
export const MAX_PARAMETER = 9;

export const DEFAULT_ATTEMPTS: readonly AttemptPlan[] = [{ attemptNumber: 1, intervalMinutes: 0 }];

type Body = Record<string, unknown>;
const PHONE_PATH = /^PhoneNumbers\[(\d+)\]/;

// PostgreSQL text cannot hold U+0000, and jsonb refuses an unpaired UTF-16 surrogate ("\ud800"). Both are legal in
// JSON, so without this check such a name or parameter value reached the INSERT and failed there as a 500.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_MESSAGE = 'contains a NUL character or an unpaired surrogate, which cannot be stored.';

export interface CampaignCheckInput {
  /** The body with canonical property names (it may still violate the schema). */
  body: unknown;
  /** Errors the JSON schema found, keyed by field path; those fields are not checked again. */
  schemaErrors: FieldErrors;
  now: Date;
  ignoreInvalidPhoneNumbers: boolean;
}

const isObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkCampaignRequest(input: CampaignCheckInput): CampaignCheck {
  const errors = new FieldErrorCollector();
  // Not an object at all (null, an array, a string): the schema has said so and no field can be read.
  if (!isObject(input.body)) {
    for (const [path, messages] of Object.entries(input.schemaErrors)) for (const m of messages) errors.add(path, m);
    if (errors.isEmpty) errors.add('body', 'The request body must be a JSON object.');
    return { ok: false, errors: errors.errors };
  }
  const body = input.body;
  const invalidByIndex = partitionSchemaErrors(input.schemaErrors, input.ignoreInvalidPhoneNumbers, errors);
  const fieldOk = (path: string) => !errors.hasUnder(path);

  // --- name ---
  let name: string | undefined;
  if (fieldOk('Name')) {
    const trimmed = typeof body.name === 'string' ? body.name.trim() : '';
    if (trimmed === '') errors.add('Name', 'The Name field is required.');
    else if (UNSTORABLE.test(trimmed)) errors.add('Name', `Name ${UNSTORABLE_MESSAGE}`);
    else name = trimmed;
  }

  // --- time zone ---
  // Undefined when the zone is bad: then there is no wall clock to judge the start on, and it is not judged.
  let timeZone: string | undefined = DEFAULT_TIME_ZONE;
  if (!fieldOk('TimeZone')) {
    timeZone = undefined;
  } else if (body.timeZone !== undefined && body.timeZone !== null) {
    timeZone = typeof body.timeZone === 'string' ? canonicalTimeZone(body.timeZone) : undefined;
    if (timeZone === undefined) errors.add('TimeZone', `${quote(body.timeZone)} is not an IANA time zone such as Europe/London.`);
  }

  // --- start, finish ---
  const startDate = readDate(body.startDate, 'StartDate', errors);
  const startTime = readTime(body.startTime, 'StartTime', errors);
  const finishTime = readTime(body.finishTime, 'FinishTime', errors);
  let startsAt: Date | undefined;
  if (startDate && startTime && timeZone) {
    const start = wallClockToInstant(startDate, startTime, timeZone);
    if (!start.ok) {
      errors.add('StartTime', `${startTime} does not exist on ${startDate} in ${timeZone} (the clocks go forward).`);
    } else if (start.instant.getTime() <= input.now.getTime()) {
      errors.add('StartDate', `The campaign must start in the future; ${startDate} ${startTime} ${timeZone} has passed.`);
    } else {
      startsAt = start.instant;
    }
  }
  if (startTime && finishTime && minutesOfDay(finishTime) <= minutesOfDay(startTime)) {
    errors.add('FinishTime', `FinishTime ${finishTime} must be after StartTime ${startTime}.`);
  }

  const runoverDays = checkRunoverDays(body.runoverDays, startDate, timeZone, errors);
  const attempts = checkAttempts(body.attempts, errors);
  const phone = checkPhoneNumbers(body.phoneNumbers, invalidByIndex, input.ignoreInvalidPhoneNumbers, errors);

  if (!errors.isEmpty) return { ok: false, errors: errors.errors, ...(name !== undefined ? { name } : {}) };
  return {
    ok: true,
    plan: {
      name: name!,
      timeZone: timeZone!,
      startDate: startDate!,
      startTime: startTime!,
      finishTime: finishTime!,
      startsAt: startsAt!,
      runoverDays,
      callFlowId: Number(body.callflow_Id),
      cliId: Number(body.defaultCli_Id),
      attempts,
      answerPhoneMessage: Number(body.answerMachineDetected) as AttemptSelector,
      smsOnBusy: Number(body.smsOnBusy) as AttemptSelector,
      numbers: phone.numbers,
    },
    leftOut: phone.leftOut,
    merged: phone.merged,
  };
}

/**
 * Schema errors inside a phone number entry make that entry invalid: with ignoreInvalidPhoneNumbers it is dropped
 * (its reasons returned by index), otherwise its errors are reported like any other.
 */
function partitionSchemaErrors(schemaErrors: FieldErrors, ignoreInvalid: boolean, errors: FieldErrorCollector): Map<number, string[]> {
  const invalidByIndex = new Map<number, string[]>();
  for (const [path, messages] of Object.entries(schemaErrors)) {
    const match = PHONE_PATH.exec(path);
    if (match && ignoreInvalid) {
      const index = Number(match[1]);
      invalidByIndex.set(index, [...(invalidByIndex.get(index) ?? []), ...messages]);
    } else {
      for (const message of messages) errors.add(path, message);
    }
  }
  return invalidByIndex;
}

export type PhoneNumbersRequestCheck =
  | { ok: true; numbers: PhoneNumberPlan[]; leftOut: LeftOutNumber[]; merged: MergedNumber[] }
  | { ok: false; errors: FieldErrors };

/** `{ "phoneNumbers": [...] }` on its own, with the same rules as in a new campaign (adding numbers later). */
export function checkPhoneNumbersRequest(input: Omit<CampaignCheckInput, 'now'>): PhoneNumbersRequestCheck {
  const errors = new FieldErrorCollector();
  if (!isObject(input.body)) {
    for (const [path, messages] of Object.entries(input.schemaErrors)) for (const m of messages) errors.add(path, m);
    if (errors.isEmpty) errors.add('body', 'The request body must be a JSON object.');
    return { ok: false, errors: errors.errors };
  }
  const invalidByIndex = partitionSchemaErrors(input.schemaErrors, input.ignoreInvalidPhoneNumbers, errors);
  const phone = checkPhoneNumbers(input.body.phoneNumbers, invalidByIndex, input.ignoreInvalidPhoneNumbers, errors);
  if (!errors.isEmpty) return { ok: false, errors: errors.errors };
  return { ok: true, ...phone };
}

/** A date field the schema passed (or never saw), normalised; undefined (with an error when due) otherwise. */
function readDate(value: unknown, path: string, errors: FieldErrorCollector): string | undefined {
  if (errors.hasUnder(path)) return undefined;
  if (typeof value !== 'string') {
    errors.add(path, `The ${path} field is required.`);
    return undefined;
  }
  const date = normaliseDate(value);
  if (date === undefined) errors.add(path, `${quote(value)} is not a calendar date.`);
  return date;
}

function readTime(value: unknown, path: string, errors: FieldErrorCollector): string | undefined {
  if (errors.hasUnder(path)) return undefined;
  if (typeof value !== 'string') {
    errors.add(path, `The ${path} field is required.`);
    return undefined;
  }
  const time = normaliseTime(value);
  if (time === undefined) errors.add(path, `${path} must be a time as HH:mm (24-hour).`);
  return time;
}

function checkRunoverDays(
  value: unknown,
  startDate: string | undefined,
  timeZone: string | undefined,
  errors: FieldErrorCollector,
): WindowDay[] {
  if (value === undefined || value === null || errors.has('RunoverDays')) return [];
  if (!Array.isArray(value)) {
    errors.add('RunoverDays', 'RunoverDays must be an array or null.');
    return [];
  }
  const days: WindowDay[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const path = `RunoverDays[${index}]`;
    // A schema error on one field of an entry leaves the other fields and entries to be checked, so that every
    // failing field is reported at once.
    if (errors.has(path)) return;
    if (!isObject(entry)) {
      errors.add(path, `${path} must be an object.`);
      return;
    }
    const date = readDate(entry.date, `${path}.Date`, errors);
    const startTime = readTime(entry.startTime, `${path}.StartTime`, errors);
    const finishTime = readTime(entry.finishTime, `${path}.FinishTime`, errors);
    if (date && startDate && date <= startDate) {
      errors.add(`${path}.Date`, `Runover day ${date} must be after StartDate ${startDate}.`);
    } else if (date && seen.has(date)) {
      errors.add(`${path}.Date`, `${date} is already RunoverDays[${seen.get(date)}]; one window per day.`);
    }
    if (date && !seen.has(date)) seen.set(date, index);
    if (startTime && finishTime && minutesOfDay(finishTime) <= minutesOfDay(startTime)) {
      errors.add(`${path}.FinishTime`, `FinishTime ${finishTime} must be after StartTime ${startTime}.`);
    }
    if (date && startTime && timeZone && !wallClockToInstant(date, startTime, timeZone).ok) {
      errors.add(`${path}.StartTime`, `${startTime} does not exist on ${date} in ${timeZone} (the clocks go forward).`);
    }
    if (date && startTime && finishTime) days.push({ date, startTime, finishTime });
  });
  return days.sort((a, b) => a.date.localeCompare(b.date));
}

function checkAttempts(value: unknown, errors: FieldErrorCollector): AttemptPlan[] {
  if (value === undefined || value === null) return [...DEFAULT_ATTEMPTS];
  if (errors.has('Attempts')) return [];
  if (!Array.isArray(value)) {
    errors.add('Attempts', 'Attempts must be an array or null.');
    return [];
  }
  if (value.length === 0) return [...DEFAULT_ATTEMPTS];
  if (value.length > MAX_ATTEMPTS) {
    errors.add('Attempts', `Attempts must have at most ${MAX_ATTEMPTS} entries.`);
    return [];
  }
  const attempts: AttemptPlan[] = [];
  const indexByNumber = new Map<number, number>();
  value.forEach((entry: unknown, index) => {
    const path = `Attempts[${index}]`;
    // As for runover days: a schema error in one field leaves the rest to be checked.
    if (errors.has(path)) return;
    if (!isObject(entry)) {
      errors.add(path, `${path} must be an object.`);
      return;
    }
    const intervalMinutes = entry.interval;
    const intervalOk = typeof intervalMinutes === 'number' && Number.isInteger(intervalMinutes) && intervalMinutes >= 0;
    if (!intervalOk && !errors.hasUnder(`${path}.Interval`)) {
      errors.add(`${path}.Interval`, `${path}.Interval must be a whole number of minutes, at least 0.`);
    }
    if (errors.hasUnder(`${path}.AttemptNumber`)) return;
    // attemptNumber is optional: the position says which attempt an entry is.
    const attemptNumber = entry.attemptNumber ?? index + 1;
    if (typeof attemptNumber !== 'number' || !Number.isInteger(attemptNumber) || attemptNumber < 1) {
      errors.add(`${path}.AttemptNumber`, `${path}.AttemptNumber must be a whole number, at least 1.`);
    } else if (indexByNumber.has(attemptNumber)) {
      errors.add(
        `${path}.AttemptNumber`,
        `Attempt ${attemptNumber} is given more than once (also Attempts[${indexByNumber.get(attemptNumber)}]).`,
      );
    } else if (attemptNumber > value.length) {
      // n entries numbered without repeats stay within 1..n exactly when there is no gap.
      errors.add(`${path}.AttemptNumber`, `Attempt numbers must run 1..${value.length} without gaps; ${attemptNumber} is out of range.`);
    } else {
      indexByNumber.set(attemptNumber, index);
      if (intervalOk) attempts.push({ attemptNumber, intervalMinutes });
    }
  });
  return attempts.sort((a, b) => a.attemptNumber - b.attemptNumber);
}

interface PhoneNumbersCheck {
  numbers: PhoneNumberPlan[];
  merged: MergedNumber[];
  leftOut: LeftOutNumber[];
}

function checkPhoneNumbers(
  value: unknown,
  schemaReasons: Map<number, string[]>,
  ignoreInvalid: boolean,
  errors: FieldErrorCollector,
): PhoneNumbersCheck {
  const result: PhoneNumbersCheck = { numbers: [], merged: [], leftOut: [] };
  if (errors.has('PhoneNumbers')) return result;
  if (!Array.isArray(value)) {
    errors.add('PhoneNumbers', value === undefined ? 'The PhoneNumbers field is required.' : 'PhoneNumbers must be an array.');
    return result;
  }
  const firstIndexByNumber = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const path = `PhoneNumbers[${index}]`;
    if (errors.hasUnder(path)) return;
    const problems: [string, string][] = [];
    const reasons = schemaReasons.get(index) ?? [];
    const raw = isObject(entry) && typeof entry.number === 'string' ? entry.number : typeof entry === 'string' ? entry : '';
    if (!isObject(entry)) {
      if (reasons.length === 0) problems.push([path, `${path} must be an object.`]);
    } else if (reasons.length === 0) {
      const plan = checkPhoneNumber(entry, path, problems);
      if (plan && problems.length === 0) {
        const firstIndex = firstIndexByNumber.get(plan.e164);
        if (firstIndex !== undefined) {
          result.merged.push({ index, number: plan.e164, duplicateOfIndex: firstIndex });
        } else {
          firstIndexByNumber.set(plan.e164, index);
          result.numbers.push({ index, ...plan });
        }
        return;
      }
    }
    if (ignoreInvalid) {
      result.leftOut.push({ index, number: raw, reasons: [...reasons, ...problems.map(([, message]) => message)] });
    } else {
      for (const [problemPath, message] of problems) errors.add(problemPath, message);
    }
  });
  if (result.numbers.length === 0 && !errors.hasUnder('PhoneNumbers')) {
    errors.add('PhoneNumbers', 'At least one valid phone number is required.');
  }
  return result;
}

function checkPhoneNumber(entry: Body, path: string, problems: [string, string][]): Omit<PhoneNumberPlan, 'index'> | undefined {
  const check = checkCalleeNumber(typeof entry.number === 'string' ? entry.number : '');
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
  return { e164: check.number.e164, name, parameters: parameters.sort((a, b) => a.parameter - b.parameter) };
}

/** A client's value in a message: JSON-quoted and cut short, so a 10,000-character value gives a short message. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
