// Integers in requests: one rule, in one place, for path parameters, query strings and JSON bodies.
//
// Path and query values are always text, and Fastify's Ajv converts text to numbers with its type coercion
// (`coerceTypes`), which follows JavaScript's Number(): "Infinity", "0x10", "00001", "1e3", " 1" and "" all pass as
// integers. Worse, Ajv skips minimum/maximum for a non-finite number, so `Infinity` reached the database and failed
// there as a 500 (issue 14). Ajv cannot be told to coerce more strictly, and a keyword of our own would only see the
// value after the coercion, so the rule runs before validation instead: `strictIntegers` walks the route's schema and,
// at every `type: "integer"` node,
//   - text in the one accepted form (STRICT_INTEGER_PATTERN: decimal digits, no leading zero except "0" itself, a
//     leading '-' only where the schema allows negatives; no '+', exponent, hex, whitespace or fraction) becomes
//     its number, so Ajv has nothing left to coerce;
//   - any other text, a boolean (Ajv reads true as 1), an array (Ajv unwraps one element), an object, or null where
//     the schema does not allow it becomes NaN, which Ajv refuses as "must be an integer" (INTEGER_EXPECTED) without
//     trying to coerce it; the error then leaves with the request's other schema errors, keyed by the field (so the
//     routes that gather every failing field into one answer still do).
// JSON numbers are left as they are: the JSON grammar has one spelling per value, so `1.0` and `1e3` are the
// integers 1 and 1000 once parsed (accepted, as any JSON reader would), `1.5` is refused by Ajv, `1e400` parses to
// Infinity which Ajv refuses as not an integer, and the schema's minimum and maximum (each integer field's column
// range, see IntegerSchema) bound the rest. A body field sent as a string of plain digits ("callflow_Id": "1") is
// still read as that integer, as Ajv's coercion always allowed; only the strict form is.
// It runs in app.ts's preValidation hook, after property names have been made canonical (case-insensitive.ts).
// Every integer node of a request schema is covered, whichever constructor built it (enumerations too); IntegerSchema
// is how a field states its range, which the OpenAPI document shows.
import { Type, type IntegerOptions, type TInteger } from '@sinclair/typebox';
import { ARRAY_ENTRIES_PER_STEP, runStepsPausing, type Steps } from '../domain/stepwise.js';

/** PostgreSQL `integer` (int4): ids and counts. */
export const INT4_MAX = 2_147_483_647;
/** PostgreSQL `smallint`. */
export const SMALLINT_MAX = 32_767;

/** How messages describe what an integer field expects ("id must be ..."): "00001" and "0x10" are integers to a person. */
export const INTEGER_EXPECTED = 'an integer in plain decimal digits, such as 42';

/** Decimal digits without a leading zero (except "0" itself): the one form an integer may take as text. */
export const STRICT_INTEGER_PATTERN = '(?:0|[1-9][0-9]*)';
const UNSIGNED = new RegExp(`^${STRICT_INTEGER_PATTERN}$`);
const SIGNED = new RegExp(`^(?:0|-?[1-9][0-9]*)$`);

/**
 * The integer `text` spells under the strict rule, or undefined. `allowNegative` admits a leading '-' (never on
 * "0"). Digit strings too long for a double read as the largest finite number of their sign, so that the field's
 * maximum (not an Infinity) reports them.
 */
export function parseStrictInteger(text: string, allowNegative = false): number | undefined {
  if (!(allowNegative ? SIGNED : UNSIGNED).test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : Math.sign(value) * Number.MAX_VALUE;
}

/**
 * An integer field of a request: its range is required, and is the column's range (INT4_MAX, SMALLINT_MAX) or a
 * tighter business limit, so no value the database cannot hold gets past the schema.
 */
export function IntegerSchema(options: IntegerOptions & { minimum: number; maximum: number }): TInteger {
  return Type.Integer(options);
}

// --- the walk over a request value, planned once per schema ---

type JsonSchema = {
  type?: unknown;
  minimum?: number;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

type Plan =
  | { readonly kind: 'integer'; readonly allowNegative: boolean; readonly nullable: boolean }
  | { readonly kind: 'object'; readonly properties: ReadonlyMap<string, Plan> }
  | { readonly kind: 'array'; readonly items: Plan };

const plans = new WeakMap<object, Plan | null>();

const types = (schema: JsonSchema): unknown[] => (Array.isArray(schema.type) ? schema.type : [schema.type]);

function integerPlan(schema: JsonSchema, nullable: boolean): Plan {
  // Negatives are spelt with '-' only where the field can hold one.
  const allowNegative = schema.enum
    ? schema.enum.some((value) => typeof value === 'number' && value < 0)
    : !(typeof schema.minimum === 'number' && schema.minimum >= 0);
  return { kind: 'integer', allowNegative, nullable };
}

/** What to check in values of `schema`; null when it holds no integer at all (that part of a value is skipped). */
function planFor(schema: JsonSchema | undefined): Plan | null {
  if (!schema || typeof schema !== 'object') return null;
  const cached = plans.get(schema);
  if (cached !== undefined) return cached;
  let plan: Plan | null = null;
  const schemaTypes = types(schema);
  if (schemaTypes.includes('integer') && !schemaTypes.includes('string')) {
    plan = integerPlan(schema, schemaTypes.includes('null'));
  } else if (schema.properties) {
    const properties = new Map<string, Plan>();
    for (const [name, child] of Object.entries(schema.properties)) {
      const childPlan = planFor(child);
      if (childPlan) properties.set(name, childPlan);
    }
    if (properties.size > 0) plan = { kind: 'object', properties };
  } else if (schema.items && !Array.isArray(schema.items)) {
    const items = planFor(schema.items);
    if (items) plan = { kind: 'array', items };
  } else if (schema.anyOf) {
    // Nullable wrappers (`anyOf: [T, null]`): an integer that may be null, or the first object or array branch.
    const branches = schema.anyOf.filter((branch) => !types(branch).includes('null'));
    const nullable = branches.length < schema.anyOf.length;
    if (branches.length === 1 && types(branches[0]!).includes('integer') && !types(branches[0]!).includes('string')) {
      plan = integerPlan(branches[0]!, nullable);
    } else if (branches.every((branch) => !types(branch).includes('integer') && !types(branch).includes('string'))) {
      for (const branch of branches) {
        plan = planFor(branch);
        if (plan) break;
      }
    }
  }
  plans.set(schema, plan);
  return plan;
}

function toInteger(value: unknown, plan: Extract<Plan, { kind: 'integer' }>): unknown {
  if (typeof value === 'number' || value === undefined) return value;
  if (value === null && plan.nullable) return value;
  if (typeof value === 'string') return parseStrictInteger(value, plan.allowNegative) ?? Number.NaN;
  // true (which Ajv would read as 1), null, arrays (Ajv unwraps a one-element array) and objects are not integers.
  return Number.NaN;
}

function apply(value: unknown, plan: Plan): unknown {
  if (plan.kind === 'integer') return toInteger(value, plan);
  if (plan.kind === 'array') {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) value[i] = apply(value[i], plan.items);
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  for (const [name, childPlan] of plan.properties) {
    if (Object.prototype.hasOwnProperty.call(record, name)) record[name] = apply(record[name], childPlan);
  }
  return value;
}

/**
 * Applies the strict rule to every integer of `value` (a request's params, query or body, with the schema's
 * canonical property names): rewritten in place, and returned.
 */
export function strictIntegers(value: unknown, schema: object): unknown {
  if (typeof value === 'object' && value !== null && strictBodies.get(value) === schema) return value;
  const plan = planFor(schema as JsonSchema);
  return plan ? apply(value, plan) : value;
}

/** Bodies strictIntegersPausing has rewritten, with the schema they were rewritten for: strictIntegers leaves them. */
const strictBodies = new WeakMap<object, object>();

/**
 * strictIntegers for a large body (called by the body parser, src/api/jsonc.ts, after its names were made canonical),
 * awaiting `pause` between chunks of long arrays: over 100,000 numbers the walk took 10 ms in one go on a 2-core AMD
 * machine, in the same task as the body's validation (bench/create-latency.ts). The preValidation hook's
 * strictIntegers then recognises the result and leaves it as it is.
 */
export async function strictIntegersPausing(value: unknown, schema: object, pause: () => Promise<void>): Promise<unknown> {
  const plan = planFor(schema as JsonSchema);
  if (!plan) return value;
  const result = await runStepsPausing(applySteps(value, plan), pause);
  if (typeof result === 'object' && result !== null) strictBodies.set(result, schema);
  return result;
}

/** apply(), as steps: an array's entries ARRAY_ENTRIES_PER_STEP at a time, and the arrays within an object in turn. */
function* applySteps(value: unknown, plan: Plan): Steps<unknown> {
  if (plan.kind === 'integer') return toInteger(value, plan);
  if (plan.kind === 'array') {
    if (!Array.isArray(value)) return value;
    for (let i = 0; i < value.length; i++) {
      if (i > 0 && i % ARRAY_ENTRIES_PER_STEP === 0) yield;
      value[i] = apply(value[i], plan.items);
    }
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  for (const [name, childPlan] of plan.properties) {
    if (Object.prototype.hasOwnProperty.call(record, name)) record[name] = yield* applySteps(record[name], childPlan);
  }
  return value;
}
