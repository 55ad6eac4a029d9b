// The rules of the campaign-creation request beyond its JSON schema: dates in the future in the campaign's zone,
// windows that make sense, attempts numbered 1..n, phone numbers normalised, merged and checked, and (given the
// client's calling-hours profile) the days cut to the calling hours, narrowed by the request's own. Pure: the caller
// passes the clock's `now` and the schema's own errors, and gets back every failing field at once. It never throws,
// whatever the body: the schema normally stands in front of it, but a request that fails the schema is still checked
// here field by field (to report everything at once), so each rule reads its field defensively.
// The phone-number list may be 100,000 entries long: the check is written as steps (src/domain/stepwise.ts) that a
// server runs a chunk at a time (checkCampaignRequestPausing) and everything else at once (checkCampaignRequest).
import { FieldErrorCollector, type FieldErrors } from './field-errors.js';
import { AttemptSelector } from './enums.js';
import { checkPhoneNumberList, MAX_PARAMETER, type LeftOutNumber, type MergedNumber, type PhoneNumberPlan } from './phone-number-list.js';
import { runSteps, runStepsPausing, type Steps } from './stepwise.js';
import { UNSTORABLE, UNSTORABLE_MESSAGE } from './storable-text.js';
import { CALLING_HOURS_PATH, campaignEnvelope } from './compliance/campaign-envelope.js';
import { narrowCallingHours, type CallingHoursProfile, type TrimmedDay } from './compliance/calling-hours.js';
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
export { MAX_PARAMETER, type LeftOutNumber, type MergedNumber, type PhoneNumberPlan };

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

/** The Ringcast extensions of a new campaign that the UK compliance guards use (issue 9). */
export interface CampaignCompliancePlan {
  /**
   * The calling hours the campaign runs in: the client's profile, narrowed by the request's `callingHours`. Null
   * when the check was given no client profile (callers outside the API): the client's current one applies.
   */
  callingHours: CallingHoursProfile | null;
  /** What the calling hours cut from the campaign's days, for the create echo. */
  callingHoursTrimmed: TrimmedDay[];
  /** A marketing campaign (PECR reg 21): TPS/CTPS apply. False unless the request says true. */
  marketing: boolean;
}

export type CampaignCheck =
  | { ok: true; plan: CampaignPlan; compliance: CampaignCompliancePlan; leftOut: LeftOutNumber[]; merged: MergedNumber[] }
  /** `name` is the trimmed name when that field itself is fine, so the caller can still check it is unique. */
  | { ok: false; errors: FieldErrors; name?: string };

/** The document: "at most 10 attempts". The schema enforces it too. */
export const MAX_ATTEMPTS = 10;

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
  /**
   * ISO regions beyond the UK's (GB, GG, IM, JE) that the client may call: clients.allowed_countries. None when
   * absent: numbers abroad are refused (src/domain/destination-country.ts).
   */
  allowedCountries?: readonly string[];
  /**
   * The client's calling-hours profile (ComplianceRepository.clientSettings). When given, the campaign's days are cut
   * to it, narrowed by the request's `callingHours` (src/domain/compliance/campaign-envelope.ts), and a campaign left
   * with no window is refused. Absent: no envelope is applied here (the plan's callingHours is null).
   */
  clientCallingHours?: CallingHoursProfile;
}

/** Pauses between chunks of a long check; a server passes `() => new Promise(setImmediate)`. */
export type Pause = () => Promise<void>;

const isObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);

export function checkCampaignRequest(input: CampaignCheckInput): CampaignCheck {
  return runSteps(campaignRequestSteps(input));
}

/** checkCampaignRequest, handing the event loop back (`pause`) between chunks of the phone-number list. */
export function checkCampaignRequestPausing(input: CampaignCheckInput, pause: Pause): Promise<CampaignCheck> {
  return runStepsPausing(campaignRequestSteps(input), pause);
}

function* campaignRequestSteps(input: CampaignCheckInput): Steps<CampaignCheck> {
  const errors = new FieldErrorCollector();
  // Not an object at all (null, an array, a string): the schema has said so and no field can be read.
  if (!isObject(input.body)) {
    for (const [path, messages] of Object.entries(input.schemaErrors)) for (const m of messages) errors.add(path, m);
    if (errors.isEmpty) errors.add('body', 'The request body must be a JSON object.');
    return { ok: false, errors: errors.errors };
  }
  const body = input.body;
  const schemaPartition = partitionSchemaErrors(input.schemaErrors, input.ignoreInvalidPhoneNumbers, errors);
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
  const marketing = checkMarketing(body.marketing, errors);
  // The calling hours are judged only on days that are themselves fine, so a bad date gives one message, not two.
  const daysOk = startsAt !== undefined && !errors.hasUnder('FinishTime') && !errors.hasUnder('RunoverDays');
  const days = daysOk ? { startDate: startDate!, startTime: startTime!, finishTime: finishTime!, runoverDays } : undefined;
  const envelope = checkEnvelope(input.clientCallingHours, body.callingHours, days, errors);
  const phone = yield* checkPhoneNumberList(phoneListInput(body.phoneNumbers, schemaPartition, input), errors);

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
    compliance: { callingHours: envelope.profile, callingHoursTrimmed: envelope.trimmed, marketing },
    leftOut: phone.leftOut,
    merged: phone.merged,
  };
}

/**
 * Schema errors inside a phone number entry make that entry invalid: with ignoreInvalidPhoneNumbers it is dropped
 * (its reasons returned by index), otherwise its errors are reported like any other.
 */
interface SchemaPartition {
  /** Entries to leave out, with their schema errors (ignoreInvalidPhoneNumbers). */
  invalidByIndex: Map<number, string[]>;
  /** Entries whose schema errors were reported. */
  reportedIndices: Set<number>;
}

function partitionSchemaErrors(schemaErrors: FieldErrors, ignoreInvalid: boolean, errors: FieldErrorCollector): SchemaPartition {
  const partition: SchemaPartition = { invalidByIndex: new Map(), reportedIndices: new Set() };
  for (const [path, messages] of Object.entries(schemaErrors)) {
    const match = PHONE_PATH.exec(path);
    const index = match ? Number(match[1]) : undefined;
    if (index !== undefined && ignoreInvalid) {
      partition.invalidByIndex.set(index, [...(partition.invalidByIndex.get(index) ?? []), ...messages]);
    } else {
      if (index !== undefined) partition.reportedIndices.add(index);
      for (const message of messages) errors.add(path, message);
    }
  }
  return partition;
}

function phoneListInput(value: unknown, partition: SchemaPartition, input: Omit<CampaignCheckInput, 'now'>) {
  return {
    value,
    schemaReasons: partition.invalidByIndex,
    reportedIndices: partition.reportedIndices,
    ignoreInvalid: input.ignoreInvalidPhoneNumbers,
    allowedCountries: new Set(input.allowedCountries ?? []),
  };
}

export type PhoneNumbersRequestCheck =
  | { ok: true; numbers: PhoneNumberPlan[]; leftOut: LeftOutNumber[]; merged: MergedNumber[] }
  | { ok: false; errors: FieldErrors };

/** `{ "phoneNumbers": [...] }` on its own, with the same rules as in a new campaign (adding numbers later). */
export function checkPhoneNumbersRequest(input: Omit<CampaignCheckInput, 'now'>): PhoneNumbersRequestCheck {
  return runSteps(phoneNumbersRequestSteps(input));
}

/** checkPhoneNumbersRequest, handing the event loop back (`pause`) between chunks of the list. */
export function checkPhoneNumbersRequestPausing(input: Omit<CampaignCheckInput, 'now'>, pause: Pause): Promise<PhoneNumbersRequestCheck> {
  return runStepsPausing(phoneNumbersRequestSteps(input), pause);
}

function* phoneNumbersRequestSteps(input: Omit<CampaignCheckInput, 'now'>): Steps<PhoneNumbersRequestCheck> {
  const errors = new FieldErrorCollector();
  if (!isObject(input.body)) {
    for (const [path, messages] of Object.entries(input.schemaErrors)) for (const m of messages) errors.add(path, m);
    if (errors.isEmpty) errors.add('body', 'The request body must be a JSON object.');
    return { ok: false, errors: errors.errors };
  }
  const partition = partitionSchemaErrors(input.schemaErrors, input.ignoreInvalidPhoneNumbers, errors);
  const phone = yield* checkPhoneNumberList(phoneListInput(input.body.phoneNumbers, partition, input), errors);
  if (!errors.isEmpty) return { ok: false, errors: errors.errors };
  return { ok: true, ...phone };
}

/** `marketing`: optional, true or false (default false). */
function checkMarketing(value: unknown, errors: FieldErrorCollector): boolean {
  if (value === undefined || value === null || errors.hasUnder(MARKETING_PATH)) return value === true;
  if (typeof value !== 'boolean') errors.add(MARKETING_PATH, 'Marketing must be true or false.');
  return value === true;
}
const MARKETING_PATH = 'Marketing';

/**
 * The campaign's days within the client's calling hours, narrowed by the request's own (never widened). Without a
 * client profile nothing is judged; with days that failed their own rules only the request's calling hours are.
 */
function checkEnvelope(
  clientProfile: CallingHoursProfile | undefined,
  requested: unknown,
  days: Parameters<typeof campaignEnvelope>[0] | undefined,
  errors: FieldErrorCollector,
): { profile: CallingHoursProfile | null; trimmed: TrimmedDay[] } {
  const none = { profile: null, trimmed: [] };
  if (clientProfile === undefined || errors.hasUnder(CALLING_HOURS_PATH)) return none;
  if (days === undefined) {
    if (requested !== undefined && requested !== null) {
      const narrowed = narrowCallingHours(clientProfile, requested, CALLING_HOURS_PATH);
      if (!narrowed.ok) addAll(errors, narrowed.errors);
    }
    return none;
  }
  const envelope = campaignEnvelope(days, clientProfile, requested);
  if (!envelope.ok) {
    addAll(errors, envelope.errors);
    return none;
  }
  return { profile: envelope.profile, trimmed: envelope.trimmed };
}

function addAll(errors: FieldErrorCollector, found: FieldErrors): void {
  for (const [path, messages] of Object.entries(found)) for (const message of messages) errors.add(path, message);
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

/** A client's value in a message: JSON-quoted and cut short, so a 10,000-character value gives a short message. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
