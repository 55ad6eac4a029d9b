// TypeBox value errors as field errors a person can read: the same sentences the API gives for its other bodies
// (src/api/validation-errors.ts), keyed by field paths (field-paths.ts). TypeBox's own messages ("Expected string
// length greater or equal to 1") name the schema rather than the field, so each error kind gets a sentence.
//
// Interface
//   addSchemaErrors(schema, value, prefix, errors)   checks `value` against `schema`, adding one message per field

import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { FieldErrorCollector } from '../domain/field-errors.js';
import { FLOW_PATTERNS } from './schema.js';
import { fieldPath, pointerSegments, type PathSegment } from './field-paths.js';

const EXPECTED_BY_PATTERN = new Map<string, string>(Object.values(FLOW_PATTERNS).map((p) => [p.pattern, p.expected]));

/** Adds the errors of `value` against `schema`; `prefix` is where `value` sits in the document. Returns how many. */
export function addSchemaErrors(
  schema: TSchema,
  value: unknown,
  prefix: readonly PathSegment[],
  errors: FieldErrorCollector,
): number {
  const required = new Set<string>();
  let added = 0;
  const all = [...Value.Errors(schema, value)];
  // A missing property is reported twice by TypeBox (required, then the type of `undefined`): keep "required".
  for (const error of all) if (error.type === ValueErrorType.ObjectRequiredProperty) required.add(error.path);
  for (const error of all) {
    if (required.has(error.path) && error.type !== ValueErrorType.ObjectRequiredProperty) continue;
    const path = fieldPath([...prefix, ...pointerSegments(error.path)]) || 'body';
    const message = messageFor(error, path);
    if ((errors.errors[path] ?? []).includes(message)) continue;
    errors.add(path, message);
    added += 1;
  }
  return added;
}

function messageFor(error: ValueError, path: string): string {
  const schema = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `The ${path} field is required.`;
    case ValueErrorType.Object:
      return `${path} must be an object.`;
    case ValueErrorType.Array:
      return `${path} must be an array.`;
    case ValueErrorType.String:
      return `${path} must be a string.`;
    case ValueErrorType.Integer:
      return `${path} must be an integer.`;
    case ValueErrorType.Number:
      return `${path} must be a number.`;
    case ValueErrorType.Literal:
      return `${path} must be ${JSON.stringify(schema.const)}.`;
    case ValueErrorType.Union: {
      const options = Array.isArray(schema.anyOf) ? (schema.anyOf as Record<string, unknown>[]) : [];
      const constants = options.map((option) => option.const);
      return options.length > 0 && constants.every((c) => c !== undefined)
        ? `${path} must be one of ${constants.map((c) => JSON.stringify(c)).join(', ')}.`
        : `${path} has an unexpected value.`;
    }
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? `${path} must not be empty.` : `${path} must be at least ${schema.minLength} characters long.`;
    case ValueErrorType.StringMaxLength:
      return `${path} must be at most ${schema.maxLength} characters long.`;
    case ValueErrorType.StringPattern: {
      const expected = EXPECTED_BY_PATTERN.get(String(schema.pattern));
      return expected ? `${path} must be ${expected}.` : `${path} is not in the expected format.`;
    }
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `${path} must be at least ${schema.minimum}.`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `${path} must be at most ${schema.maximum}.`;
    case ValueErrorType.ArrayMinItems:
      return `${path} must have at least ${schema.minItems} ${schema.minItems === 1 ? 'entry' : 'entries'}.`;
    case ValueErrorType.ArrayMaxItems:
      return `${path} must have at most ${schema.maxItems} entries.`;
    case ValueErrorType.ObjectMaxProperties:
      return `${path} must have at most ${schema.maxProperties} entries.`;
    default:
      return `${path} is invalid: ${error.message}.`;
  }
}
