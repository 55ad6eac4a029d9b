// The call-flow document: the one TypeBox schema of Ringcast's IVR language. The TypeScript types are `Static<>` of
// these schemas, and the same schemas serve HTTP validation and the OpenAPI document, so the language is written
// down once.
//
// Interface
//   FlowSchema, StepSchema, STEP_SCHEMAS (by type), STEP_TYPES          the schemas
//   Flow, Step, StepType, StepOfType<T>, SayStep ... AnswerTypeStep     their static types
//   FLOW_LIMITS, FLOW_PATTERNS                                           every size limit and pattern, in one place
//   FLOW_PROPERTIES, VoicemailSchema                                     the parts besides steps (validate.ts reuses them)
//
// A flow is `{ version: 1, start, steps, voicemail, smsOnBusy }`:
//   - `version` is the version of this document format (the language), not an edit counter: a stored flow's own
//     versions (a campaign keeps the version it was created with) are the store's business.
//   - `start` is the id of the first step a person hears.
//   - `steps` run one at a time; each names where to go next by step id. A step with no `next` (say, play, sms)
//     hangs up after it. Step numbers are 1-based positions in `steps`: a call's `stage` is the number of the last
//     step reached (interpreter.ts).
//   - `voicemail` is what an answering machine records, after its greeting, when the campaign's AnswerPhoneMessage
//     asks for it on that attempt; `smsOnBusy` is the text sent when the line is busy and SMSOnBusy asks for it.
//
// Why no `additionalProperties: false`: Fastify's default Ajv options (`removeAdditional: true`) strip such
// properties while trying each branch of the `anyOf` of step types, so a gather step would lose `maxDigits` while
// being tried as a say step. validateFlow (validate.ts) reports unknown properties and malformed branch keys itself.

import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const FLOW_LIMITS = {
  stepIdMaxChars: 40,
  stepsMax: 200,
  /** Spoken text: a say step, a gather prompt, the voicemail message. */
  speechMaxChars: 5_000,
  /** SMS texts are also limited in parts (validateFlow's maxSmsParts); this only bounds the work of counting. */
  smsMaxChars: 1_600,
  voiceMaxChars: 64,
  languageMaxChars: 35,
  transferToMaxChars: 32,
  gatherMaxDigits: 20,
  gatherTimeoutMinMs: 1_000,
  gatherTimeoutMaxMs: 60_000,
  gatherMaxRetries: 5,
  /** 0-9, * and # alone make 12 one-key branches; longer codes are allowed, within reason. */
  gatherBranchesMax: 32,
  transferRingTimeoutMinMs: 5_000,
  transferRingTimeoutMaxMs: 120_000,
  audioIdMax: 2_147_483_647,
} as const;

/** Patterns with the words an error message uses for each (schema-errors.ts), so the two cannot drift apart. */
export const FLOW_PATTERNS = {
  stepId: { pattern: '^[A-Za-z0-9_-]+$', expected: 'a step id made of letters, digits, _ and -' },
  /** BCP 47 language tag, loosely: en, en-GB, cy-GB. */
  language: { pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$', expected: 'a language tag such as en-GB' },
  /** DTMF keys a caller can press, as a branch key of a gather. */
  keys: { pattern: '^[0-9*#]{1,20}$', expected: 'keys made of 0-9, * and #' },
} as const satisfies Record<string, { pattern: string; expected: string }>;

const StepId = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: FLOW_LIMITS.stepIdMaxChars,
    pattern: FLOW_PATTERNS.stepId.pattern,
    description,
  });

const Speech = (description: string) =>
  Type.String({ minLength: 1, maxLength: FLOW_LIMITS.speechMaxChars, description });

const SmsText = (description: string) => Type.String({ minLength: 1, maxLength: FLOW_LIMITS.smsMaxChars, description });

const PLACEHOLDERS = 'Placeholders {Name} and {Parameter1}..{Parameter9} are filled from the number called.';

const Voice = Type.String({
  minLength: 1,
  maxLength: FLOW_LIMITS.voiceMaxChars,
  description: 'Text-to-speech voice name; absent: the carrier default.',
});
const Language = Type.String({
  minLength: 2,
  maxLength: FLOW_LIMITS.languageMaxChars,
  pattern: FLOW_PATTERNS.language.pattern,
  description: 'BCP 47 language of the text, e.g. en-GB; absent: the carrier default.',
});
const Next = StepId('The step to go to next; absent: hang up after this step.');

export const SayStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('say'),
    text: Speech(`Text to speech. ${PLACEHOLDERS}`),
    voice: Type.Optional(Voice),
    language: Type.Optional(Language),
    next: Type.Optional(Next),
  },
  { title: 'say', description: 'Speaks a text.' },
);

export const PlayStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('play'),
    audioId: Type.Integer({ minimum: 1, maximum: FLOW_LIMITS.audioIdMax, description: 'Id of an uploaded audio file.' }),
    next: Type.Optional(Next),
  },
  { title: 'play', description: 'Plays an uploaded audio file.' },
);

export const GatherStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('gather'),
    prompt: Speech(`Spoken while waiting for keys; keys pressed during it count. ${PLACEHOLDERS}`),
    maxDigits: Type.Integer({
      minimum: 1,
      maximum: FLOW_LIMITS.gatherMaxDigits,
      description: 'Input ends once this many keys are pressed.',
    }),
    timeoutMs: Type.Integer({
      minimum: FLOW_LIMITS.gatherTimeoutMinMs,
      maximum: FLOW_LIMITS.gatherTimeoutMaxMs,
      description: 'Input ends when no key is pressed for this long after the prompt or the last key.',
    }),
    finishOnKey: Type.Optional(
      Type.Union([Type.Literal('#'), Type.Literal('*')], { description: 'A key that ends input early; not part of it.' }),
    ),
    branches: Type.Record(Type.String({ pattern: FLOW_PATTERNS.keys.pattern }), StepId('Step for this input.'), {
      maxProperties: FLOW_LIMITS.gatherBranchesMax,
      description: 'Input -> step id, e.g. {"1": "confirm", "2": "agent"}.',
    }),
    default: Type.Optional(
      StepId('Step for input that matches no branch, once re-prompts are used up; absent: noInput is used.'),
    ),
    noInput: StepId('Step when nothing is pressed, once re-prompts are used up.'),
    maxRetries: Type.Integer({
      minimum: 0,
      maximum: FLOW_LIMITS.gatherMaxRetries,
      description: 'Re-prompts after no input or input matching no branch, shared between the two.',
    }),
    invalidPrompt: Type.Optional(
      Speech(`Spoken before the prompt when re-prompting after input that matched no branch. ${PLACEHOLDERS}`),
    ),
  },
  { title: 'gather', description: 'Speaks a prompt and collects keypresses (DTMF), then branches on them.' },
);

export const TransferStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('transfer'),
    to: Type.String({
      minLength: 1,
      maxLength: FLOW_LIMITS.transferToMaxChars,
      description: 'Number to transfer to, E.164 (+442079460123) or UK national (020 7946 0123).',
    }),
    ringTimeoutMs: Type.Integer({
      minimum: FLOW_LIMITS.transferRingTimeoutMinMs,
      maximum: FLOW_LIMITS.transferRingTimeoutMaxMs,
      description: 'How long the target may ring before the transfer counts as failed.',
    }),
    onFailure: StepId('Step when the target is busy, does not answer or cannot be reached.'),
  },
  {
    title: 'transfer',
    description:
      'Transfers the callee to another number. Once the target answers the call is theirs and the flow ends, so a ' +
      'transfer has no `next`.',
  },
);

export const SmsStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('sms'),
    text: SmsText(`SMS sent to the callee. ${PLACEHOLDERS}`),
    next: Type.Optional(Next),
  },
  { title: 'sms', description: 'Sends an SMS to the number called, while the call goes on.' },
);

export const HangupStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('hangup'),
  },
  { title: 'hangup', description: 'Ends the call.' },
);

export const AnswerTypeStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('answerType'),
    human: StepId('Step when a person answered.'),
    machine: StepId('Step when an answering machine answered; taken after its greeting has ended.'),
  },
  { title: 'answerType', description: 'Branches on who answered: a person or an answering machine.' },
);

export const OptOutStepSchema = Type.Object(
  {
    id: StepId('Unique id of the step.'),
    type: Type.Literal('optOut'),
    say: Type.Optional(Speech(`Confirmation spoken after the opt-out is taken, e.g. "You will not be called again." ${PLACEHOLDERS}`)),
    voice: Type.Optional(Voice),
    language: Type.Optional(Language),
    next: Type.Optional(Next),
  },
  {
    title: 'optOut',
    description:
      "Puts the number called on the client's do-not-call list (recorded with the call, in the same transaction), " +
      'so it is never called again by any campaign of the client; typically the branch of a gather ("press 9 to ' +
      'stop these calls"). Then says `say`, if given, and goes to `next` or hangs up.',
  },
);

/** Every step type, by its `type`: the registry validation and the interpreter dispatch on. */
export const STEP_SCHEMAS = {
  say: SayStepSchema,
  play: PlayStepSchema,
  gather: GatherStepSchema,
  transfer: TransferStepSchema,
  sms: SmsStepSchema,
  hangup: HangupStepSchema,
  answerType: AnswerTypeStepSchema,
  optOut: OptOutStepSchema,
} as const satisfies Record<string, TSchema>;

export type StepType = keyof typeof STEP_SCHEMAS;
export const STEP_TYPES = Object.keys(STEP_SCHEMAS) as StepType[];

export const StepSchema = Type.Union(
  STEP_TYPES.map((type) => STEP_SCHEMAS[type]) as [
    typeof SayStepSchema,
    typeof PlayStepSchema,
    typeof GatherStepSchema,
    typeof TransferStepSchema,
    typeof SmsStepSchema,
    typeof HangupStepSchema,
    typeof AnswerTypeStepSchema,
    typeof OptOutStepSchema,
  ],
  { description: 'One step of a call flow; `type` says which.' },
);

export const VoicemailSchema = Type.Object(
  {
    say: Speech(`What an answering machine records after its greeting. ${PLACEHOLDERS}`),
    voice: Type.Optional(Voice),
    language: Type.Optional(Language),
  },
  { description: "Left on an answering machine when the campaign's AnswerPhoneMessage asks for it." },
);

/** The properties of a flow other than its steps, shared with the shape check of validate.ts. */
export const FLOW_PROPERTIES = {
  version: Type.Literal(1, { description: 'Version of the call-flow document format.' }),
  start: StepId('Id of the first step.'),
  voicemail: VoicemailSchema,
  smsOnBusy: SmsText(`SMS sent when the line is busy and the campaign's SMSOnBusy asks for it. ${PLACEHOLDERS}`),
};

export const FlowSchema = Type.Object(
  {
    version: FLOW_PROPERTIES.version,
    start: FLOW_PROPERTIES.start,
    steps: Type.Array(StepSchema, {
      minItems: 1,
      maxItems: FLOW_LIMITS.stepsMax,
      description: 'The steps; step numbers (a call\'s `stage`) are 1-based positions in this list.',
    }),
    voicemail: FLOW_PROPERTIES.voicemail,
    smsOnBusy: FLOW_PROPERTIES.smsOnBusy,
  },
  { title: 'CallFlow', description: 'A call flow: an IVR script of steps.' },
);

export type Flow = Static<typeof FlowSchema>;
export type Step = Static<typeof StepSchema>;
export type StepOfType<T extends StepType> = Extract<Step, { type: T }>;
export type SayStep = StepOfType<'say'>;
export type PlayStep = StepOfType<'play'>;
export type GatherStep = StepOfType<'gather'>;
export type TransferStep = StepOfType<'transfer'>;
export type SmsStep = StepOfType<'sms'>;
export type HangupStep = StepOfType<'hangup'>;
export type AnswerTypeStep = StepOfType<'answerType'>;
export type OptOutStep = StepOfType<'optOut'>;
export type Voicemail = Static<typeof VoicemailSchema>;
