// Schemas of the Voice Campaigns API (../shared/spec/voice-campaigns.md). Property names, their casing and the
// response shapes are a contract with existing clients: do not "fix" `cli_id` vs `cli_Id` or `starttime`.
import { Type, type Static } from '@sinclair/typebox';
import { AttemptSelector, CallOutcome, CampaignStatus, CampaignType, MAX_CALL_STAGE, NumberStatus } from '../../domain/enums.js';
import type { FieldNameOverrides } from '../field-path.js';
import { TEXT_PATTERNS } from '../validation-errors.js';
import { MAX_ATTEMPTS, MAX_PARAMETER } from '../../domain/campaign-request.js';
import { enumSchema, IdSchema } from './common.js';
import { CampaignProgressSchema } from './campaign-summary.js';
import { INT4_MAX, IntegerSchema, SMALLINT_MAX } from '../strict-integer.js';
import { MAX_PHONE_NUMBER_SEARCH_CHARS } from '../../domain/phone-number-search.js';

export const MAX_NAME_LENGTH = 100;
export { MAX_ATTEMPTS };
/** Thirty days: a longer gap between attempts is almost certainly a units mistake (the interval is in minutes). */
export const MAX_INTERVAL_MINUTES = 30 * 24 * 60;
export const MAX_PHONE_NUMBERS_PER_REQUEST = 1_000_000;

const nullable = <T extends ReturnType<typeof Type.Array>>(schema: T) => Type.Union([schema, Type.Null()]);
const DateString = (description: string) =>
  Type.String({ pattern: TEXT_PATTERNS.date.pattern, description: `${description} (YYYY-MM-DD)` });
const TimeString = (description: string) =>
  Type.String({ pattern: TEXT_PATTERNS.time.pattern, description: `${description} (HH:mm, 24-hour)` });
const selector = (description: string) =>
  Type.Integer({ enum: AttemptSelector.values, description: `${description}: 0 = Never, 1 = OnTheFirstCall, 2 = OnTheLastCall` });

export const RunoverDaySchema = Type.Object({
  date: DateString('A later day to keep calling on'),
  startTime: TimeString('Window opens'),
  finishTime: TimeString('Window closes'),
});

export const AttemptSchema = Type.Object({
  interval: IntegerSchema({ minimum: 0, maximum: MAX_INTERVAL_MINUTES, description: 'Minutes after the previous attempt ended (attempt 1: after the start)' }),
  // The schema's maximum is only the column's (smallint): "1..n without gaps" (checked with the other rules) already
  // bounds it by the number of entries, and a second message about the same mistake would only add noise.
  attemptNumber: Type.Optional(IntegerSchema({ minimum: 1, maximum: SMALLINT_MAX, description: `1..n without gaps (n at most ${MAX_ATTEMPTS}); defaults to the position` })),
});

export const PhoneParameterSchema = Type.Object({
  value: Type.String({ minLength: 1, maxLength: 500, description: 'Spoken (TTS) and sent (SMS) where the flow says {ParameterN}' }),
  parameter: IntegerSchema({ minimum: 1, maximum: MAX_PARAMETER, description: '1 = Parameter1 ... 9 = Parameter9' }),
});

export const PhoneNumberInputSchema = Type.Object({
  number: Type.String({ minLength: 1, maxLength: 64, description: 'UK or international number in any common format' }),
  name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'Name of the customer' })),
  parameters: Type.Optional(nullable(Type.Array(PhoneParameterSchema, { maxItems: MAX_PARAMETER }))),
});

/**
 * A calling-hours profile. Permissive on purpose: its content is checked by narrowCallingHours
 * (src/domain/compliance/calling-hours.ts), which reports each bad interval by its path; the three properties are
 * named so that their spelling matches case-insensitively like every other field.
 */
export const CallingHoursInputSchema = Type.Object(
  {
    weekdays: Type.Optional(Type.Unknown()),
    holidays: Type.Optional(Type.Unknown()),
    excludedDates: Type.Optional(Type.Unknown()),
  },
  {
    description:
      'Ringcast extension: narrows the client\'s calling hours for this campaign (never widens them), e.g. {"weekdays": {"saturday": []}, "excludedDates": ["2026-12-24"]}; weekdays map monday..sunday to lists of {"start": "HH:mm", "finish": "HH:mm"}; fields left out keep the client\'s',
  },
);

export const CreateCampaignBody = Type.Object(
  {
    name: Type.String({ maxLength: MAX_NAME_LENGTH, description: 'Required, unique for the client (ignoring case)' }),
    startDate: DateString('First calling day; with startTime, must be in the future'),
    startTime: TimeString('Daily window opens'),
    finishTime: TimeString('Daily window closes; after startTime'),
    timeZone: Type.Optional(Type.String({ description: 'IANA zone of the dates and times; default Europe/London' })),
    runoverDays: Type.Optional(nullable(Type.Array(RunoverDaySchema, { maxItems: 366 }))),
    callflow_Id: IdSchema("One of the client's call flows (GET /api/callflows)"),
    defaultCli_Id: IdSchema("One of the client's caller IDs (GET /api/clis)"),
    attempts: Type.Optional(nullable(Type.Array(AttemptSchema, { maxItems: MAX_ATTEMPTS }))),
    answerMachineDetected: {
      ...selector('AnswerPhoneMessage: when to leave the voicemail message on an answering machine'),
      'x-aliases': ['answerPhoneMessage'],
    } as unknown as ReturnType<typeof selector>,
    smsOnBusy: selector('SMSOnBusy: when to send the SMS if the line is busy'),
    phoneNumbers: Type.Array(PhoneNumberInputSchema, { minItems: 1, maxItems: MAX_PHONE_NUMBERS_PER_REQUEST }),
    callingHours: Type.Optional(Type.Union([CallingHoursInputSchema, Type.Null()])),
    marketing: Type.Optional(
      Type.Boolean({
        description: 'Ringcast extension: a marketing campaign (PECR reg 21), whose numbers are also screened against TPS and CTPS; default false',
      }),
    ),
  },
  { description: 'Property names match case-insensitively; answerPhoneMessage is accepted for answerMachineDetected.' },
);
export type CreateCampaignBody = Static<typeof CreateCampaignBody>;

/** Error paths use the names of the document's tables (C#-style): `AnswerPhoneMessage`, `SMSOnBusy`, `CallFlow_Id`. */
export const CAMPAIGN_FIELD_NAMES: FieldNameOverrides = {
  answerMachineDetected: 'AnswerPhoneMessage',
  smsOnBusy: 'SMSOnBusy',
  callflow_Id: 'CallFlow_Id',
  defaultCli_Id: 'DefaultCli_Id',
};

export const CreateParams = Type.Object({
  ignoreInvalidPhoneNumbers: Type.String({ pattern: TEXT_PATTERNS.trueOrFalse.pattern, description: 'true drops invalid numbers and lists them in the response; false (default) rejects the request' }),
});

export const LeftOutNumberSchema = Type.Object({
  index: Type.Integer({ description: 'Position in the request phoneNumbers array' }),
  number: Type.String(),
  reasons: Type.Array(Type.String()),
});
export const MergedNumberSchema = Type.Object({
  index: Type.Integer(),
  number: Type.String({ description: 'E.164' }),
  duplicateOfIndex: Type.Integer({ description: 'The earlier entry that was kept' }),
});

export const TrimmedDaySchema = Type.Object({
  date: Type.String({ description: 'YYYY-MM-DD' }),
  requested: Type.String({ description: 'The window asked for, HH:mm-HH:mm' }),
  allowed: Type.Array(Type.String(), { description: 'What is left of it, HH:mm-HH:mm each; empty when the whole day went' }),
  reason: Type.String(),
});

export const CreatedCampaignSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  startDate: Type.String(),
  startTime: Type.String(),
  finishTime: Type.String(),
  timeZone: Type.String(),
  runoverDays: Type.Array(RunoverDaySchema),
  callflow_Id: Type.Integer(),
  defaultCli_Id: Type.Integer(),
  attempts: Type.Array(Type.Object({ interval: Type.Integer(), attemptNumber: Type.Integer() })),
  answerMachineDetected: Type.Integer(),
  smsOnBusy: Type.Integer(),
  phoneNumbers: Type.Array(
    Type.Object({
      number: Type.String(),
      name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      parameters: Type.Optional(Type.Union([Type.Array(PhoneParameterSchema), Type.Null()])),
    }),
  ),
  invalidPhoneNumbers: Type.Array(LeftOutNumberSchema, { description: 'Numbers left out (only with ignoreInvalidPhoneNumbers=true)' }),
  duplicatePhoneNumbers: Type.Array(MergedNumberSchema, { description: 'Repeats of an earlier number, merged into it' }),
  marketing: Type.Boolean({ description: 'Ringcast extension: a marketing campaign (TPS/CTPS apply)' }),
  callingHoursTrimmed: Type.Array(TrimmedDaySchema, {
    description: "Ringcast extension: what the calling hours (the client's, narrowed by callingHours) cut from the campaign's days; empty when nothing",
  }),
});

const campaignType = enumSchema(CampaignType.members, 'Campaign type');
const campaignStatus = enumSchema(CampaignStatus.members, 'Campaign status');

export const CampaignListItemSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  startDate: Type.String({ description: 'Start date at the start time, YYYY-MM-DDTHH:mm:ss, campaign time zone' }),
  starttime: Type.String(),
  finishtime: Type.String(),
  type: campaignType,
  callFlow_Id: Type.Integer(),
  campaignStatus,
  callCount: Type.Integer({ description: 'Calls placed so far' }),
  cli_id: Type.Integer(),
});

/** A /p item: the list item with the Ringcast progress extension (issue 11: the dashboard's progress bars). */
export const CampaignPageItemSchema = Type.Composite([CampaignListItemSchema, Type.Object({ progress: CampaignProgressSchema })]);

export const CampaignPageSchema = Type.Object({
  pageIndex: Type.Integer(),
  totalPages: Type.Integer(),
  totalRecords: Type.Integer(),
  items: Type.Array(CampaignPageItemSchema),
});

export const CampaignDetailSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  startDate: Type.String(),
  starttime: Type.String(),
  finishtime: Type.String(),
  type: campaignType,
  callFlow_Id: Type.Integer(),
  campaignStatus,
  callCount: Type.Integer(),
  cli_Id: Type.Integer(),
  timeZone: Type.String({ description: 'Ringcast extension: the IANA zone of all dates and times' }),
  attempts: Type.Array(Type.Object({ interval: Type.Integer(), attemptNumber: Type.Integer() })),
  runOverDays: Type.Array(Type.Object({ date: Type.String(), startTime: Type.String(), finishTime: Type.String() })),
  marketing: Type.Boolean({ description: 'Ringcast extension: a marketing campaign (TPS/CTPS apply)' }),
  complianceNote: Type.Union([Type.String(), Type.Null()], {
    description: 'Ringcast extension: why the dialer slowed, paused or held the campaign for compliance (abandoned-call rate, TPS screening), or null',
  }),
  abandonedCalls24h: Type.Object(
    {
      live: Type.Integer({ description: 'Answered by a person who heard the message in time' }),
      abandoned: Type.Integer(),
      machine: Type.Integer({ description: 'Answered by a machine (AMD)' }),
      ratePercent: Type.Number({ description: "Ofcom's abandoned-call rate with the estimated AMD false positives, in percent (limit 3)" }),
    },
    { description: 'Ringcast extension: calls started in the last 24 hours' },
  ),
});

export const CallSchema = Type.Object({
  startTime: Type.String({ description: 'Campaign-zone wall clock, YYYY-MM-DDTHH:mm:ss.SSS' }),
  endTime: Type.Union([Type.String(), Type.Null()]),
  stage: Type.Integer({
    minimum: 0,
    maximum: MAX_CALL_STAGE,
    description: 'The last call-flow step reached, numbered from 1 in the flow\'s step order; 0 = no step ran (not answered, or a machine)',
  }),
  outcome: enumSchema(CallOutcome.members, 'How the call ended'),
  userInput: Type.String({ description: 'Digits pressed, in order' }),
  price: Type.Number({ description: 'GBP' }),
  isTransferCall: Type.Boolean(),
  attemptNumber: Type.Integer(),
  secondsDuration: Type.Integer(),
  answeredBy: Type.Union([Type.Literal('human'), Type.Literal('machine'), Type.Null()], { description: 'Ringcast extension: who answered' }),
  voicemailLeft: Type.Boolean({ description: 'Ringcast extension: the answerphone message was left' }),
  endReason: Type.Union([Type.String(), Type.Null()], { description: 'Ringcast extension: why the call ended (SIP code, Q.850 cause)' }),
  optedOut: Type.Boolean({ description: 'Ringcast extension: the callee opted out during the call (added to the client\'s do-not-call list)' }),
  firstAudioMs: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Ringcast extension: milliseconds from answer to the first audio played (Ofcom: within 2,000); null when none played',
  }),
});

export const SmsSchema = Type.Object({
  sentAt: Type.String({ description: 'Campaign-zone wall clock when the text was queued, YYYY-MM-DDTHH:mm:ss.SSS' }),
  attemptNumber: Type.Integer(),
  text: Type.String(),
  parts: Type.Integer({ description: 'SMS parts billed (GSM-7: 160/153, UCS-2: 70/67 characters)' }),
  status: Type.String({
    description:
      'queued (waiting for the provider), sent (the provider took it), delivered (a receipt for every part), expired, or failed: <why> (the provider refused it, or a receipt said so)',
  }),
  statusAt: Type.String({ description: 'Ringcast extension: campaign-zone wall clock of the last status change (queued: sentAt)' }),
  error: Type.Union([Type.String(), Type.Null()], {
    description: "Ringcast extension: the provider's error (SMPP status name, a receipt's stat and err, Kannel's answer), or null",
  }),
});

export const PhoneNumberResultSchema = Type.Object({
  id: Type.Integer(),
  number: Type.String({ description: 'E.164' }),
  name: Type.String(),
  status: enumSchema(NumberStatus.members, 'Ringcast extension: where the number stands'),
  statusReason: Type.Union([Type.String(), Type.Null()], {
    description: 'Ringcast extension: why the number stopped (Suppressed: the list; RepeatRule: the rule and until when), or null',
  }),
  parameters: Type.Array(PhoneParameterSchema),
  calls: Type.Array(CallSchema),
  sms: Type.Array(SmsSchema),
});

const PositiveInt = (maximum: number, description: string, defaultValue?: number) =>
  IntegerSchema({ minimum: 1, maximum, description, ...(defaultValue !== undefined ? { default: defaultValue } : {}) });

export const MAX_PAGE_SIZE = 1000;

const PHONE_NUMBERS_PARAMS = {
  id: PositiveInt(INT4_MAX, 'Campaign id'),
  pageNumber: PositiveInt(INT4_MAX, 'Page, 1-based (default 1)'),
  pageSize: PositiveInt(MAX_PAGE_SIZE, 'Numbers per page (default 10)'),
};

export const PhoneNumbersParams = Type.Object({
  id: PHONE_NUMBERS_PARAMS.id,
  pageNumber: Type.Optional(PHONE_NUMBERS_PARAMS.pageNumber),
  pageSize: Type.Optional(PHONE_NUMBERS_PARAMS.pageSize),
});
export type PhoneNumbersParams = Static<typeof PhoneNumbersParams>;

/**
 * The params of one of the listing's three paths: only the variables that path has, so the OpenAPI document declares
 * no path parameter the path template lacks (each is then required, as OpenAPI says path parameters are).
 */
export function phoneNumbersParamsFor(path: string) {
  return Type.Object(Object.fromEntries(Object.entries(PHONE_NUMBERS_PARAMS).filter(([name]) => path.includes(`:${name}`))));
}

/** The listing's optional search (a Ringcast extension; src/domain/phone-number-search.ts says what it matches). */
export const PhoneNumbersQuery = Type.Object({
  search: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: MAX_PHONE_NUMBER_SEARCH_CHARS,
      pattern: TEXT_PATTERNS.notBlank.pattern,
      description:
        'Ringcast extension: only numbers whose E.164 contains these digits (spaces ignored; a leading 0 also matches +44) or whose name contains this text (any case); pages count the matches, in upload order',
    }),
  ),
});

/** POST /api/campaigns/voice/:id/phonenumbers: more numbers for a campaign that has not finished. */
export const AddPhoneNumbersBody = Type.Object({
  phoneNumbers: Type.Array(PhoneNumberInputSchema, { minItems: 1, maxItems: MAX_PHONE_NUMBERS_PER_REQUEST }),
});
export const AddPhoneNumbersQuery = Type.Object({
  ignoreInvalidPhoneNumbers: Type.Optional(
    Type.String({ pattern: TEXT_PATTERNS.trueOrFalse.pattern, description: 'true drops invalid numbers and lists them; false (default) rejects the request' }),
  ),
});
export const AddedPhoneNumbersSchema = Type.Object({
  added: Type.Integer({ description: 'Numbers added to the campaign' }),
  alreadyInCampaign: Type.Array(Type.String({ description: 'E.164' }), { description: 'Numbers the campaign already had (skipped)' }),
  invalidPhoneNumbers: Type.Array(LeftOutNumberSchema),
  duplicatePhoneNumbers: Type.Array(MergedNumberSchema),
});
