// Validation of a call-flow document, for create and update: everything wrong with it at once, as field errors keyed
// by path (`Steps[2].Branches.1`), which the API turns into problem+json.
//
// Interface
//   validateFlow(doc, { maxSmsParts }) -> { ok: true, flow } | { ok: false, errors }
//   flowFromSimpleMessage({ message, voicemailMessage, smsText }) -> Flow     (re-exported from simple-flow.ts)
//
// Two phases. The shape (schema.ts) comes first: types, ranges, required fields, unknown step types, unknown
// properties. Property names match case-insensitively, as everywhere in the API (`MaxDigits` is `maxDigits`), and a
// null counts as absent. The meaning is checked only once the shape is right, so one typo does not cascade into a
// dozen follow-on errors:
//   - step ids are unique, `start` and every step a step names exist;
//   - every step can be reached from `start`;
//   - no loop of steps lacks a gather: such a loop never waits for the callee and would repeat forever, while a loop
//     through a gather needs a keypress per round and its re-prompts are bounded (runFlow's maxSteps caps the rest);
//   - gather branches can be keyed in (no longer than maxDigits, without the finish key);
//   - transfer numbers are numbers Ringcast may call (stored as E.164);
//   - texts use only known placeholders ({Name}, {Parameter1}..{Parameter9});
//   - SMS texts (sms steps and smsOnBusy) fit in `maxSmsParts` parts (src/domain/sms-parts.ts: GSM-7 septets, where
//     { } and the other extension characters count 2, or UCS-2 code units). Placeholders are counted as written,
//     braces included, because their values differ from number to number and are not known here; a long {Name} can
//     still push a real message over, which the SMS sender must handle.
// The flow returned is the canonical document: canonical property names, nulls dropped, transfer numbers in E.164.

import { Type } from '@sinclair/typebox';
import { FieldErrorCollector, type FieldErrors } from '../domain/field-errors.js';
import { unknownPlaceholders } from '../domain/placeholders.js';
import { smsParts } from '../domain/sms-parts.js';
import {
  FLOW_LIMITS,
  FLOW_PROPERTIES,
  FlowSchema,
  STEP_SCHEMAS,
  STEP_TYPES,
  VoicemailSchema,
  type Flow,
  type Step,
} from './schema.js';
import { addSchemaErrors } from './schema-errors.js';
import { fieldPath, type PathSegment } from './field-paths.js';
import { loopsWithout, reachableFrom, type FlowGraph, type GraphEdge } from './flow-graph.js';
import { definitionOf, isStepType } from './steps/index.js';

export { flowFromSimpleMessage, type SimpleMessageFlow } from './simple-flow.js';

export interface ValidateFlowOptions {
  /** The most SMS parts an SMS text may take (a configured limit, e.g. 3). */
  maxSmsParts: number;
}

export type FlowValidation = { ok: true; flow: Flow } | { ok: false; errors: FieldErrors };

/** The flow without its steps checked in detail: steps are checked one by one against their own type's schema. */
const FLOW_SHAPE = Type.Object({
  ...FLOW_PROPERTIES,
  steps: Type.Array(Type.Unknown(), { minItems: 1, maxItems: FLOW_LIMITS.stepsMax }),
});

const FLOW_PROPERTY_NAMES = Object.keys(FlowSchema.properties);
const VOICEMAIL_PROPERTY_NAMES = Object.keys(VoicemailSchema.properties);
const STEP_TYPE_LIST = `${STEP_TYPES.slice(0, -1).join(', ')} or ${STEP_TYPES[STEP_TYPES.length - 1]}`;

export function validateFlow(doc: unknown, options: ValidateFlowOptions): FlowValidation {
  if (!Number.isInteger(options.maxSmsParts) || options.maxSmsParts < 1) {
    throw new RangeError(`maxSmsParts must be an integer >= 1, not ${options.maxSmsParts}`);
  }
  const errors = new FieldErrorCollector();
  const shaped = checkShape(doc, errors);
  if (shaped === undefined) return { ok: false, errors: errors.errors };
  const flow = checkMeaning(shaped, options, errors);
  return errors.isEmpty ? { ok: true, flow } : { ok: false, errors: errors.errors };
}

// ---- shape ------------------------------------------------------------------------------------------------------

function checkShape(doc: unknown, errors: FieldErrorCollector): Flow | undefined {
  if (!isRecord(doc)) {
    errors.add('body', 'The call flow must be a JSON object.');
    return undefined;
  }
  const top = canonical(doc, FLOW_PROPERTY_NAMES);
  for (const key of top.unknown) errors.add(fieldPath([key]), `A call flow has no property '${key}'.`);
  if (isRecord(top.value.voicemail)) {
    const voicemail = canonical(top.value.voicemail, VOICEMAIL_PROPERTY_NAMES);
    for (const key of voicemail.unknown) errors.add(fieldPath(['voicemail', key]), `Voicemail has no property '${key}'.`);
    top.value.voicemail = voicemail.value;
  }
  addSchemaErrors(FLOW_SHAPE, top.value, [], errors);
  const steps = top.value.steps;
  // Too many steps is already reported; checking each of them would only spend time on a document refused anyway.
  if (Array.isArray(steps) && steps.length <= FLOW_LIMITS.stepsMax) {
    top.value.steps = steps.map((raw, index) => checkStepShape(raw, index, errors));
  }
  return errors.isEmpty ? (top.value as Flow) : undefined;
}

function checkStepShape(raw: unknown, index: number, errors: FieldErrorCollector): unknown {
  const at = (...rest: PathSegment[]) => fieldPath(['steps', index, ...rest]);
  if (!isRecord(raw)) {
    errors.add(at(), `${at()} must be an object.`);
    return raw;
  }
  const typeKey = Object.keys(raw).find((key) => key.toLowerCase() === 'type' && raw[key] !== null);
  const type = typeKey === undefined ? undefined : raw[typeKey];
  if (type === undefined) {
    errors.add(at('type'), `The ${at('type')} field is required.`);
    return raw;
  }
  if (!isStepType(type)) {
    const shown = typeof type === 'string' ? `'${type}'` : JSON.stringify(type);
    errors.add(at('type'), `${shown} is not a step type; use ${STEP_TYPE_LIST}.`);
    return raw;
  }
  const schema = STEP_SCHEMAS[type];
  const step = canonical(raw, Object.keys(schema.properties));
  for (const key of step.unknown) {
    errors.add(
      at(key),
      type === 'transfer' && key.toLowerCase() === 'next'
        ? 'A transfer has no next: once the target answers, the call is theirs and the flow ends. OnFailure says where to go when it fails.'
        : `A ${type} step has no property '${key}'.`,
    );
  }
  // A copy, so the flow returned shares nothing with the document it was read from.
  if (isRecord(step.value.branches)) step.value.branches = { ...step.value.branches };
  addSchemaErrors(schema, step.value, ['steps', index], errors);
  return step.value;
}

// ---- meaning ----------------------------------------------------------------------------------------------------

function checkMeaning(flow: Flow, options: ValidateFlowOptions, errors: FieldErrorCollector): Flow {
  const indexById = new Map<string, number>();
  flow.steps.forEach((step, index) => {
    const first = indexById.get(step.id);
    if (first === undefined) indexById.set(step.id, index);
    else errors.add(fieldPath(['steps', index, 'id']), `Step id '${step.id}' is already used by ${fieldPath(['steps', first])}.`);
  });

  const start = indexById.get(flow.start);
  if (start === undefined) errors.add('Start', `Step '${flow.start}' does not exist.`);

  const steps: Step[] = [];
  const edges: GraphEdge<PathSegment[]>[][] = flow.steps.map(() => []);
  const graph: FlowGraph<PathSegment[]> = { edges };
  flow.steps.forEach((step, index) => {
    const definition = definitionOf(step);
    const report = (path: readonly string[], message: string) => errors.add(fieldPath(['steps', index, ...path]), message);
    steps.push(definition.check ? definition.check(step, report) : step);
    for (const target of definition.targets(step)) {
      const label = ['steps', index, ...target.path];
      const to = indexById.get(target.stepId);
      if (to === undefined) errors.add(fieldPath(label), `Step '${target.stepId}' does not exist.`);
      else edges[index]!.push({ to, label });
    }
    for (const text of definition.texts(step)) checkText(['steps', index, ...text.path], text.text, text.kind, options, errors);
  });
  checkText(['voicemail', 'say'], flow.voicemail.say, 'speech', options, errors);
  checkText(['smsOnBusy'], flow.smsOnBusy, 'sms', options, errors);

  // With no start, every step would be "unreachable": the missing start is the one error worth reading.
  if (start !== undefined) {
    const reached = reachableFrom(graph, start);
    flow.steps.forEach((step, index) => {
      // A second step with a used id is never the target of anything: its id error says it all.
      if (!reached[index] && indexById.get(step.id) === index) {
        errors.add(fieldPath(['steps', index]), `Step '${step.id}' cannot be reached from the start step '${flow.start}'.`);
      }
    });
  }

  const waits = (index: number) => {
    const step = flow.steps[index];
    return step !== undefined && definitionOf(step).waitsForInput;
  };
  for (const cycle of loopsWithout(graph, waits)) {
    const ids = [...cycle.map(({ from }) => flow.steps[from]!.id), flow.steps[cycle[0]!.from]!.id];
    errors.add(
      fieldPath(cycle[0]!.edge.label),
      `This goes round the loop ${ids.map((id) => `'${id}'`).join(' -> ')}, which has no gather step: the call would repeat it forever.`,
    );
  }

  return { ...flow, steps };
}

function checkText(
  segments: readonly PathSegment[],
  text: string,
  kind: 'speech' | 'sms',
  options: ValidateFlowOptions,
  errors: FieldErrorCollector,
): void {
  const path = fieldPath(segments);
  for (const placeholder of new Set(unknownPlaceholders(text))) {
    errors.add(path, `${placeholder} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.`);
  }
  if (kind !== 'sms') return;
  const { parts, encoding, units } = smsParts(text);
  if (parts > options.maxSmsParts) {
    errors.add(
      path,
      `${path} needs ${parts} SMS parts (${encoding}, ${units} units); at most ${options.maxSmsParts} ` +
        `${options.maxSmsParts === 1 ? 'is' : 'are'} allowed. Placeholders count as written, since their values are not known yet.`,
    );
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `raw` with its property names matched case-insensitively to `names` and nulls dropped (a null reads as absent, as
 * in the API). When two spellings of one name are sent the last wins. Unmatched names are returned to be reported.
 */
function canonical(raw: Record<string, unknown>, names: readonly string[]): { value: Record<string, unknown>; unknown: string[] } {
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  const value: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, item] of Object.entries(raw)) {
    const name = byLowerCase.get(key.toLowerCase());
    if (name === undefined) unknown.push(key);
    else if (item !== null) value[name] = item;
    else delete value[name];
  }
  return { value, unknown };
}
