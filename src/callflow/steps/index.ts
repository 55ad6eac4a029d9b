// The step registry: every step type's definition by its `type`, and makeStep, the validating factory the
// interpreter builds each step with (after jambonz's make_task): a step that does not match its type's schema is a
// bug (flows are validated by validateFlow before they are stored), so it throws before the call is touched.
//
// Interface
//   STEP_DEFINITIONS                     type -> StepDefinition (say, play, gather, transfer, sms, hangup, answerType, optOut)
//   definitionOf(step)                   the definition of a step's type, typed for that step
//   makeStep(step): PreparedStep         checks the step and binds it to its definition
//   InvalidStepError                     what makeStep throws
import { Value } from '@sinclair/typebox/value';
import { STEP_SCHEMAS, STEP_TYPES, type Step, type StepOfType, type StepType } from '../schema.js';
import { answerTypeStep } from './answer-type.js';
import { gatherStep } from './gather.js';
import { hangupStep } from './hangup.js';
import { playStep } from './play.js';
import { sayStep } from './say.js';
import { smsStep } from './sms.js';
import { transferStep } from './transfer.js';
import { optOutStep } from './opt-out.js';
import type { StepContext, StepDefinition, StepOutcome, StepTarget, StepText } from './types.js';

export type {
  PlayAudio,
  ReportProblem,
  StepContext,
  StepDefinition,
  StepOutcome,
  StepTarget,
  StepText,
  Transition,
} from './types.js';

export const STEP_DEFINITIONS: { readonly [T in StepType]: StepDefinition<StepOfType<T>> } = {
  say: sayStep,
  play: playStep,
  gather: gatherStep,
  transfer: transferStep,
  sms: smsStep,
  hangup: hangupStep,
  answerType: answerTypeStep,
  optOut: optOutStep,
};

export function isStepType(value: unknown): value is StepType {
  return typeof value === 'string' && (STEP_TYPES as readonly string[]).includes(value);
}

/** The definition of `step`'s type. (TypeScript cannot correlate a union-typed key with its entry, hence the cast.) */
export function definitionOf<S extends Step>(step: S): StepDefinition<S> {
  return STEP_DEFINITIONS[step.type] as unknown as StepDefinition<S>;
}

/** A step checked against its schema and bound to its definition. */
export interface PreparedStep {
  readonly step: Step;
  readonly definition: StepDefinition<Step>;
  targets(): StepTarget[];
  texts(): StepText[];
  run(context: StepContext): Promise<StepOutcome>;
}

export class InvalidStepError extends Error {
  readonly code = 'CALLFLOW_INVALID_STEP';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStepError';
  }
}

export function makeStep(step: Step): PreparedStep {
  const type: unknown = (step as { type?: unknown } | null)?.type;
  if (!isStepType(type)) throw new InvalidStepError(`unknown step type ${JSON.stringify(type)}`);
  const id: unknown = step.id;
  if (!Value.Check(STEP_SCHEMAS[type], step)) {
    const first = Value.Errors(STEP_SCHEMAS[type], step).First();
    throw new InvalidStepError(`step ${JSON.stringify(id)} is not a valid ${type} step: ${first?.path} ${first?.message}`);
  }
  const definition = definitionOf(step);
  return {
    step,
    definition,
    targets: () => definition.targets(step),
    texts: () => definition.texts(step),
    run: (context) => definition.run(step, context),
  };
}
