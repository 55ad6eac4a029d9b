// Converts schema-validation failures (Ajv errors as Fastify reports them) into ValidationProblemDetails field errors.
// Ajv's own messages name the schema ("must match pattern \"^([01]?\d|2[0-3])...\"", "must NOT have more than 100
// characters"); clients show these messages to people, so each keyword gets a sentence that names the field and
// says what is expected instead.
import type { FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { FieldErrorCollector, type FieldErrors } from './problem.js';
import { type FieldNameOverrides, jsonPointerToFieldPath, joinFieldPath } from './field-path.js';
import { INTEGER_EXPECTED, STRICT_INTEGER_PATTERN } from './strict-integer.js';

// Each value of an integer list is spelt by the strict integer rule (strict-integer.ts); spaces around the commas are
// allowed.
const LIST_ITEM = `\\s*${STRICT_INTEGER_PATTERN}\\s*`;

/**
 * The string patterns the API's schemas use, each with the words a message uses for it. A schema takes its pattern
 * from here, so the message can never describe a different pattern than the one enforced (Ajv reports only the
 * pattern text, not the schema that carried it).
 */
export const TEXT_PATTERNS = {
  /** A calendar date; a time part (as .NET clients send DateTime values) is tolerated and ignored. */
  date: { pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]*)?$', expected: 'a date as YYYY-MM-DD' },
  /** 24-hour wall-clock time; seconds are tolerated and dropped. */
  time: { pattern: '^([01]?\\d|2[0-3]):[0-5]\\d(:[0-5]\\d)?$', expected: 'a time as HH:mm (24-hour)' },
  trueOrFalse: { pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$', expected: 'true or false' },
  ascOrDesc: { pattern: '^(?:[Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])$', expected: 'asc or desc' },
  /** Query filters: one id or status, or several separated by commas (spaces around the commas allowed). */
  integerList: {
    pattern: `^${LIST_ITEM}(,${LIST_ITEM})*$`,
    expected: 'a whole number, or whole numbers separated by commas (such as 1,2)',
  },
  /** A listing's date bound: a day, or a day and a wall-clock time. */
  dateOrDateTime: {
    pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2})?)?$',
    expected: 'a date as YYYY-MM-DD, or a date and time as YYYY-MM-DDTHH:mm[:ss]',
  },
  notBlank: { pattern: '\\S', expected: 'text with something other than spaces in it' },
  /** A bigserial id as text (past the int4 range every integer field keeps to): the audit log's page cursor. */
  bigId: { pattern: '^[1-9][0-9]{0,14}$', expected: 'an id: a whole number from 1, up to 15 digits' },
} as const satisfies Record<string, { pattern: string; expected: string }>;

const EXPECTED_BY_PATTERN = new Map<string, string>(Object.values(TEXT_PATTERNS).map((p) => [p.pattern, p.expected]));

/** Ajv's anyOf error and the errors of its branches, by the anyOf's schema path. */
interface AnyOfGroup {
  instancePath: string;
  /** `type` failures of the branches at the anyOf's own value: "must be an array", "must be null". */
  types: string[];
  /** `const` failures of the branches at the anyOf's own value: a union of literals, such as the webhook event types. */
  constants: unknown[];
  /**
   * Whether some branch failed for another reason than its type (too many items, or something inside the value): the
   * value had that branch's type, so that failure is the news and the other branches' type errors are noise.
   */
  otherFailure: boolean;
}

export function schemaErrorsToFieldErrors(
  errors: readonly FastifySchemaValidationError[],
  context: string | undefined,
  overrides: FieldNameOverrides = {},
): FieldErrors {
  const collector = new FieldErrorCollector();
  // Body fields use the document's PascalCase names; query and path parameters keep the spelling clients send.
  const names = context === 'body' ? overrides : (new Proxy({}, { get: (_t, key) => key }) as FieldNameOverrides);
  const add = (path: string, message: string) => {
    const key = path === '' ? (context ?? 'body') : path;
    if (!(collector.errors[key] ?? []).includes(message)) collector.add(key, message);
  };

  // Nullable values are `anyOf: [T, null]`. Ajv reports one error per failing branch plus the anyOf itself:
  // "must be array", "must be null", "must match a schema in anyOf". Those become one sentence ("must be an array
  // or null"), or nothing when a branch failed for another reason (RunoverDays[0].Date, too many Attempts).
  const groups = new Map<string, AnyOfGroup>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' && error.schemaPath) {
      groups.set(error.schemaPath, { instancePath: error.instancePath, types: [], constants: [], otherFailure: false });
    }
  }
  const groupOf = (error: FastifySchemaValidationError): AnyOfGroup | undefined => {
    for (const [schemaPath, group] of groups) if (error.schemaPath?.startsWith(`${schemaPath}/`)) return group;
    return undefined;
  };
  const branchErrors = new Set<FastifySchemaValidationError>();
  for (const error of errors) {
    const group = groupOf(error);
    if (!group) continue;
    if (error.instancePath === group.instancePath && error.keyword === 'type') {
      group.types.push(String((error.params as Record<string, unknown>).type));
      branchErrors.add(error);
    } else if (error.instancePath === group.instancePath && error.keyword === 'const') {
      group.constants.push((error.params as Record<string, unknown>).allowedValue);
      branchErrors.add(error);
    } else {
      group.otherFailure = true;
    }
  }

  for (const error of errors) {
    if (branchErrors.has(error)) continue;
    const params = error.params as Record<string, unknown>;
    let path = jsonPointerToFieldPath(error.instancePath, names);
    const subject = path === '' ? describeRoot(context) : path;
    let message: string;
    switch (error.keyword) {
      case 'additionalProperties': {
        const field = joinFieldPath(path, String(params.additionalProperty), names);
        const owner = path !== '' ? path : context === 'querystring' ? 'the query' : `the ${context ?? 'body'}`;
        message = `${field} is not a field of ${owner}.`;
        path = field;
        break;
      }
      case 'required':
        path = joinFieldPath(path, String(params.missingProperty), names);
        message = `The ${path} field is required.`;
        break;
      case 'type':
        message =
          path === '' && context === 'body'
            ? 'The request body must be a JSON object.'
            : `${subject} must be ${typeName(String(params.type))}.`;
        break;
      case 'enum':
        message = `${subject} must be one of ${(params.allowedValues as unknown[]).join(', ')}.`;
        break;
      case 'anyOf': {
        const group = groups.get(error.schemaPath ?? '');
        if (group?.otherFailure) continue;
        // A union of literals reads as an enumeration ("must be one of a, b, c"), where Ajv said "must be equal to
        // constant" once per literal.
        if (group && group.constants.length > 0) {
          const allowed = [...group.constants.map(String), ...group.types.map(typeName)];
          message = `${subject} must be one of ${allowed.join(', ')}.`;
        } else {
          message =
            group && group.types.length > 0
              ? `${subject} must be ${group.types.map(typeName).join(' or ')}.`
              : `${subject} has an unexpected value.`;
        }
        break;
      }
      case 'pattern': {
        const expected = EXPECTED_BY_PATTERN.get(String(params.pattern));
        message = expected ? `${subject} must be ${expected}.` : `${subject} is not in the expected format.`;
        break;
      }
      case 'minLength':
        message = params.limit === 1 ? `${subject} must not be empty.` : `${subject} must be at least ${params.limit} characters long.`;
        break;
      case 'maxLength':
        message = `${subject} must be at most ${params.limit} characters long.`;
        break;
      case 'minimum':
        message = `${subject} must be at least ${params.limit}.`;
        break;
      case 'maximum':
        message = `${subject} must be at most ${params.limit}.`;
        break;
      case 'exclusiveMinimum':
        message = `${subject} must be greater than ${params.limit}.`;
        break;
      case 'exclusiveMaximum':
        message = `${subject} must be less than ${params.limit}.`;
        break;
      case 'minItems':
        message = `${subject} must have at least ${params.limit} ${params.limit === 1 ? 'entry' : 'entries'}.`;
        break;
      case 'maxItems':
        message = `${subject} must have at most ${params.limit} ${params.limit === 1 ? 'entry' : 'entries'}.`;
        break;
      default:
        message = `${subject} ${error.message ?? 'is invalid'}.`;
    }
    add(path, message);
  }
  return collector.errors;
}

function describeRoot(context: string | undefined): string {
  return context === 'body' || context === undefined ? 'The request body' : `The ${context}`;
}

function typeName(type: string): string {
  return type
    .split(',')
    .map((name) => (name === 'null' ? 'null' : name === 'integer' ? INTEGER_EXPECTED : /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`))
    .join(' or ');
}

/**
 * For routes with `attachValidation: true`, which gather schema errors with their own rules into one answer: the
 * body's schema errors as field errors. A failure elsewhere (path or query parameters) is thrown as it is.
 */
export function attachedBodyErrors(request: FastifyRequest, overrides: FieldNameOverrides = {}): FieldErrors {
  const error = request.validationError as (Error & { validation?: FastifySchemaValidationError[]; validationContext?: string }) | undefined;
  if (!error) return {};
  if (error.validationContext !== 'body') throw error;
  return error.validation ? schemaErrorsToFieldErrors(error.validation, 'body', overrides) : {};
}
