// The rules of the campaign-creation request beyond its JSON schema: dates in the future in the campaign's zone,
// windows that make sense, attempts numbered 1..n, phone numbers normalised, merged and checked. Pure: the caller
// passes the clock's `now` and the schema's own errors, and gets back every failing field at once.
import { FieldErrorCollector, type FieldErrors } from './field-errors.js';
import { AttemptSelector } from './enums.js';
import { checkCalleeNumber } from './phone-number.js';
import {
  DEFAULT_TIME_ZONE,
  isValidTimeZone,
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
  | { ok: false; errors: FieldErrors };

export const DEFAULT_ATTEMPTS: readonly AttemptPlan[] = [{ attemptNumber: 1, intervalMinutes: 0 }];

type Body = Record<string, unknown>;
const PHONE_PATH = /^PhoneNumbers\[(\d+)\]/;

export interface CampaignCheckInput {
  /** The body with canonical property names (it may still violate the schema). */
  body: unknown;
  /** Errors the JSON schema found, keyed by field path; those fields are not checked again. */
  schemaErrors: FieldErrors;
  now: Date;
  ignoreInvalidPhoneNumbers: boolean;
}

export function checkCampaignRequest(input: CampaignCheckInput): CampaignCheck {
  const body = (input.body && typeof input.body === 'object' ? input.body : {}) as Body;
  const errors = new FieldErrorCollector();
  const invalidByIndex = new Map<number, string[]>();

  // Schema errors inside a phone number entry make that entry invalid; with ignoreInvalidPhoneNumbers it is dropped.
  for (const [path, messages] of Object.entries(input.schemaErrors)) {
    const match = PHONE_PATH.exec(path);
    if (match && input.ignoreInvalidPhoneNumbers) {
      const index = Number(match[1]);
      invalidByIndex.set(index, [...(invalidByIndex.get(index) ?? []), ...messages]);
    } else {
      for (const message of messages) errors.add(path, message);
    }
  }
  const fieldOk = (path: string) => !errors.hasUnder(path);

  // --- name ---
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (fieldOk('Name') && name === '') errors.add('Name', 'The Name field is required.');

  // --- time zone ---
  let timeZone = DEFAULT_TIME_ZONE;
  if (body.timeZone !== undefined && body.timeZone !== null) {
    if (typeof body.timeZone === 'string' && isValidTimeZone(body.timeZone)) timeZone = body.timeZone;
    else errors.add('TimeZone', `${JSON.stringify(body.timeZone)} is not an IANA time zone such as Europe/London.`);
  }

  // --- start, finish ---
  const startDate = fieldOk('StartDate') ? normaliseDate(String(body.startDate)) : undefined;
  if (fieldOk('StartDate') && startDate === undefined) errors.add('StartDate', `${body.startDate} is not a calendar date.`);
  const startTime = fieldOk('StartTime') ? normaliseTime(String(body.startTime)) : undefined;
  const finishTime = fieldOk('FinishTime') ? normaliseTime(String(body.finishTime)) : undefined;
  let startsAt: Date | undefined;
  if (startDate && startTime && !errors.has('TimeZone')) {
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

  // --- phone numbers ---
  const numbers: PhoneNumberPlan[] = [];
  const merged: MergedNumber[] = [];
  const leftOut: LeftOutNumber[] = [];
  if (Array.isArray(body.phoneNumbers) && !errors.has('PhoneNumbers')) {
    const firstIndexByNumber = new Map<string, number>();
    body.phoneNumbers.forEach((entry: unknown, index) => {
      const path = `PhoneNumbers[${index}]`;
      const reasons = invalidByIndex.get(index) ?? [];
      if (!fieldOk(path) || !entry || typeof entry !== 'object') return;
      const item = entry as Body;
      const raw = String(item.number ?? '');
      const parameters = Array.isArray(item.parameters) ? (item.parameters as { parameter: number; value: string }[]) : [];

      const problems: [string, string][] = [];
      if (reasons.length === 0) {
        const check = checkCalleeNumber(raw);
        if (!check.ok) problems.push([`${path}.Number`, check.message]);
        const seen = new Set<number>();
        parameters.forEach((parameter, parameterIndex) => {
          if (seen.has(parameter.parameter)) {
            problems.push([`${path}.Parameters[${parameterIndex}].Parameter`, `Parameter${parameter.parameter} is given more than once.`]);
          }
          seen.add(parameter.parameter);
          if (String(parameter.value).trim() === '') {
            problems.push([`${path}.Parameters[${parameterIndex}].Value`, 'The Value field is required.']);
          }
        });
        if (problems.length === 0 && check.ok) {
          const e164 = check.number.e164;
          const firstIndex = firstIndexByNumber.get(e164);
          if (firstIndex !== undefined) {
            merged.push({ index, number: e164, duplicateOfIndex: firstIndex });
            return;
          }
          firstIndexByNumber.set(e164, index);
          numbers.push({
            index,
            e164,
            name: typeof item.name === 'string' ? item.name.trim() : '',
            parameters: [...parameters]
              .map((parameter) => ({ parameter: parameter.parameter, value: String(parameter.value) }))
              .sort((a, b) => a.parameter - b.parameter),
          });
          return;
        }
      }
      if (input.ignoreInvalidPhoneNumbers) {
        leftOut.push({ index, number: raw, reasons: [...reasons, ...problems.map(([, message]) => message)] });
      } else {
        for (const [problemPath, message] of problems) errors.add(problemPath, message);
      }
    });
    if (numbers.length === 0 && !errors.hasUnder('PhoneNumbers')) {
      errors.add('PhoneNumbers', 'At least one valid phone number is required.');
    }
  }

  if (!errors.isEmpty) return { ok: false, errors: errors.errors };
  return {
    ok: true,
    plan: {
      name,
      timeZone,
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
      numbers,
    },
    leftOut,
    merged,
  };
}

function checkRunoverDays(value: unknown, startDate: string | undefined, timeZone: string, errors: FieldErrorCollector): WindowDay[] {
  if (!Array.isArray(value) || errors.hasUnder('RunoverDays')) return [];
  const days: WindowDay[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: Body, index) => {
    const path = `RunoverDays[${index}]`;
    const date = normaliseDate(String(entry.date));
    const startTime = normaliseTime(String(entry.startTime));
    const finishTime = normaliseTime(String(entry.finishTime));
    if (!date) errors.add(`${path}.Date`, `${entry.date} is not a calendar date.`);
    else if (startDate && date <= startDate) errors.add(`${path}.Date`, `Runover day ${date} must be after StartDate ${startDate}.`);
    else if (seen.has(date)) errors.add(`${path}.Date`, `${date} is already RunoverDays[${seen.get(date)}]; one window per day.`);
    if (date) seen.set(date, seen.get(date) ?? index);
    if (startTime && finishTime && minutesOfDay(finishTime) <= minutesOfDay(startTime)) {
      errors.add(`${path}.FinishTime`, `FinishTime ${finishTime} must be after StartTime ${startTime}.`);
    }
    if (date && startTime && !wallClockToInstant(date, startTime, timeZone).ok) {
      errors.add(`${path}.StartTime`, `${startTime} does not exist on ${date} in ${timeZone} (the clocks go forward).`);
    }
    if (date && startTime && finishTime) days.push({ date, startTime, finishTime });
  });
  return days.sort((a, b) => a.date.localeCompare(b.date));
}

function checkAttempts(value: unknown, errors: FieldErrorCollector): AttemptPlan[] {
  if (value === undefined || value === null) return [...DEFAULT_ATTEMPTS];
  if (!Array.isArray(value) || errors.hasUnder('Attempts')) return [];
  if (value.length === 0) return [...DEFAULT_ATTEMPTS];
  const attempts = value.map((entry: Body, index) => ({
    attemptNumber: typeof entry.attemptNumber === 'number' ? entry.attemptNumber : index + 1,
    intervalMinutes: Number(entry.interval),
  }));
  const seen = new Set<number>();
  attempts.forEach((attempt, index) => {
    if (seen.has(attempt.attemptNumber)) {
      errors.add(`Attempts[${index}].AttemptNumber`, `Attempt ${attempt.attemptNumber} is given more than once.`);
    } else if (attempt.attemptNumber > attempts.length) {
      errors.add(
        `Attempts[${index}].AttemptNumber`,
        `Attempt numbers must run 1..${attempts.length} without gaps; ${attempt.attemptNumber} is out of range.`,
      );
    }
    seen.add(attempt.attemptNumber);
  });
  return attempts.sort((a, b) => a.attemptNumber - b.attemptNumber);
}
