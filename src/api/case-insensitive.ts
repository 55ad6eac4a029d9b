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
    plan = { names, children, nullable };
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

function apply(value: unknown, plan: KeyPlan | ArrayPlan): unknown {
  if ('items' in plan) {
    return Array.isArray(value) ? value.map((item) => apply(item, plan.items)) : value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
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

function acceptsNull(schema: JsonSchema): boolean {
  if (schema.nullable === true || schema.type === 'null') return true;
  if (Array.isArray(schema.type) && schema.type.includes('null')) return true;
  return (schema.anyOf ?? []).some(acceptsNull);
}

/** Returns `body` with property names replaced by the schema's canonical spelling (recursively). */
export function canonicalizeKeys(body: unknown, schema: object): unknown {
  const plan = planFor(schema as JsonSchema);
  return plan ? apply(body, plan) : body;
}
