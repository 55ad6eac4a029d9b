// The Voice Campaigns API matches property names case-insensitively, as the ASP.NET service it documents does:
// `callflow_Id`, `CallFlow_Id` and `callFlow_Id` are one field. Before validation, each request body is rewritten
// to the canonical names of its JSON schema. A property schema may also list other names with `x-aliases`
// (the document calls one field both `answerMachineDetected` and `AnswerPhoneMessage`).
//
// A `null` for a property whose schema does not allow null is dropped, so it reads as absent: a required field then
// says "required". Left in place, Ajv's type coercion (Fastify's default `coerceTypes`) would quietly turn it into 0
// or "", and `"smsOnBusy": null` would be stored as 0 = Never.
// When two spellings of one property are both sent, the last one wins, as in the case-insensitive JSON readers of
// .NET that the document's service is built on.
//
// A 100,000-number body took 200 ms or more to rewrite in one go, all that time holding the event loop, so large
// bodies are rewritten by canonicalizeKeysPausing (called by the body parser, src/api/jsonc.ts) a chunk of array
// entries at a time; the preValidation hook's canonicalizeKeys then recognises the result and leaves it as it is.
import type { Steps } from '../domain/stepwise.js';
import { ARRAY_ENTRIES_PER_STEP, runStepsPausing } from '../domain/stepwise.js';

type JsonSchema = {
  type?: unknown;
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  'x-aliases'?: string[];
};

interface KeyPlan {
  /** lower-cased name or alias -> canonical name */
  readonly names: Map<string, string>;
  readonly children: Map<string, KeyPlan | ArrayPlan>;
  /** canonical names whose schema accepts null */
  readonly nullable: Set<string>;
  /** the schema's own names */
  readonly canonical: Set<string>;
}
interface ArrayPlan {
  readonly items: KeyPlan;
}

const plans = new WeakMap<object, KeyPlan | ArrayPlan | null>();

function planFor(schema: JsonSchema | undefined): KeyPlan | ArrayPlan | null {
  if (!schema || typeof schema !== 'object') return null;
  const cached = plans.get(schema);
  if (cached !== undefined) return cached;
  let plan: KeyPlan | ArrayPlan | null = null;
  if (schema.properties) {
    const names = new Map<string, string>();
    const children = new Map<string, KeyPlan | ArrayPlan>();
    const nullable = new Set<string>();
    for (const [name, child] of Object.entries(schema.properties)) {
      names.set(name.toLowerCase(), name);
      if (acceptsNull(child)) nullable.add(name);
      for (const alias of child['x-aliases'] ?? []) names.set(alias.toLowerCase(), name);
      const childPlan = planFor(child);
      if (childPlan) children.set(name, childPlan);
    }
    plan = { names, children, nullable, canonical: new Set(Object.keys(schema.properties)) };
  } else if (schema.items) {
    const items = planFor(schema.items);
    if (items && 'names' in items) plan = { items };
  } else if (schema.anyOf) {
    // Optional/nullable wrappers: use the first branch that describes an object or array.
    for (const branch of schema.anyOf) {
      plan = planFor(branch);
      if (plan) break;
    }
  }
  plans.set(schema, plan);
  return plan;
}

/**
 * The value with its names made canonical. What is already canonical (every name as the schema spells it, no null to
 * drop, at any depth) is returned as it is, not copied: clients send the documented spelling, and copying each of
 * 100,000 phone-number entries was a sixth of what a large create allocated (issue 10, allocation profile).
 */
function apply(value: unknown, plan: KeyPlan | ArrayPlan): unknown {
  if ('items' in plan) {
    if (!Array.isArray(value)) return value;
    const out = new SharedUntilChanged(value);
    for (let index = 0; index < value.length; index++) out.set(index, apply(value[index], plan.items));
    return out.result();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.every((key) => isCanonical(key, record[key], plan))) {
    let same = true;
    for (const key of keys) {
      const childPlan = plan.children.get(key);
      if (childPlan && apply(record[key], childPlan) !== record[key]) {
        same = false;
        break;
      }
    }
    if (same) return value;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const child = record[key];
    const canonical = plan.names.get(key.toLowerCase()) ?? key;
    if (child === null && plan.names.has(canonical.toLowerCase()) && !plan.nullable.has(canonical)) continue;
    const childPlan = plan.children.get(canonical);
    // defineProperty, not assignment: JSON.parse makes "__proto__" an ordinary key, and assigning it would set
    // the prototype of `out`, so that the validator found fields the client never sent at the top level.
    Object.defineProperty(out, canonical, {
      value: childPlan ? apply(child, childPlan) : child,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** An array's entries as rewritten: the array itself until an entry differs, then a copy. */
class SharedUntilChanged {
  private copy: unknown[] | undefined;
  constructor(private readonly source: unknown[]) {}

  set(index: number, entry: unknown): void {
    if (this.copy) this.copy[index] = entry;
    else if (entry !== this.source[index]) {
      this.copy = this.source.slice();
      this.copy[index] = entry;
    }
  }

  result(): unknown[] {
    return this.copy ?? this.source;
  }
}

/** Whether a property stays as it is: its name is the canonical one (or no name of the schema's), and it is not a null to drop. */
function isCanonical(key: string, child: unknown, plan: KeyPlan): boolean {
  if (plan.canonical.has(key)) return child !== null || plan.nullable.has(key);
  // "__proto__" as a key of the parsed object: only a copy made with defineProperty keeps it an ordinary key.
  return key !== '__proto__' && !plan.names.has(key.toLowerCase());
}

function acceptsNull(schema: JsonSchema): boolean {
  if (schema.nullable === true || schema.type === 'null') return true;
  if (Array.isArray(schema.type) && schema.type.includes('null')) return true;
  return (schema.anyOf ?? []).some(acceptsNull);
}

/** Bodies canonicalizeKeysPausing has rewritten, with the schema they were rewritten for. */
const canonicalBodies = new WeakMap<object, object>();

/** Returns `body` with property names replaced by the schema's canonical spelling (recursively). */
export function canonicalizeKeys(body: unknown, schema: object): unknown {
  if (typeof body === 'object' && body !== null && canonicalBodies.get(body) === schema) return body;
  const plan = planFor(schema as JsonSchema);
  return plan ? apply(body, plan) : body;
}

/** canonicalizeKeys, awaiting `pause` between chunks of long arrays. */
export async function canonicalizeKeysPausing(body: unknown, schema: object, pause: () => Promise<void>): Promise<unknown> {
  const plan = planFor(schema as JsonSchema);
  if (!plan) return body;
  const result = await runStepsPausing(applySteps(body, plan), pause);
  if (typeof result === 'object' && result !== null) canonicalBodies.set(result, schema);
  return result;
}

/** apply(), as steps: an array's entries are rewritten ARRAY_ENTRIES_PER_STEP at a time; the rest at once. */
function* applySteps(value: unknown, plan: KeyPlan | ArrayPlan): Steps<unknown> {
  if ('items' in plan) {
    if (!Array.isArray(value)) return value;
    const out = new SharedUntilChanged(value);
    for (let index = 0; index < value.length; index++) {
      if (index > 0 && index % ARRAY_ENTRIES_PER_STEP === 0) yield;
      out.set(index, apply(value[index], plan.items));
    }
    return out.result();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  // The object's own properties as apply() sets them; array-valued ones are then redone as steps.
  const out = apply(value, { ...plan, children: new Map([...plan.children].filter(([, child]) => !('items' in child))) }) as Record<string, unknown>;
  for (const [name, child] of plan.children) {
    if ('items' in child && Object.hasOwn(out, name)) {
      Object.defineProperty(out, name, { value: yield* applySteps(out[name], child), enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}
