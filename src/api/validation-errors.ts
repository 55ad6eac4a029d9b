// Converts schema-validation failures (Ajv errors as Fastify reports them) into ValidationProblemDetails field errors.
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { FieldErrorCollector, type FieldErrors } from './problem.js';
import { type FieldNameOverrides, jsonPointerToFieldPath, joinFieldPath } from './field-path.js';

export function schemaErrorsToFieldErrors(
  errors: readonly FastifySchemaValidationError[],
  context: string | undefined,
  overrides: FieldNameOverrides = {},
): FieldErrors {
  const collector = new FieldErrorCollector();
  // Body fields use the document's PascalCase names; query and path parameters keep the spelling clients send.
  const names = context === 'body' ? overrides : new Proxy({}, { get: (_t, key) => key }) as FieldNameOverrides;
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    let path = jsonPointerToFieldPath(error.instancePath, names);
    let message: string;
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      path = joinFieldPath(path, params.missingProperty, names);
      message = `The ${path} field is required.`;
    } else if (error.keyword === 'type') {
      message = `${path || 'The value'} must be ${article(String(params.type))}.`;
    } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `${path || 'The value'} must be one of ${params.allowedValues.join(', ')}.`;
    } else if (error.keyword === 'anyOf' || error.keyword === 'const') {
      // anyOf reports one error per branch plus this summary: the branch errors say more, keep this one short.
      message = `${path || 'The value'} has an unexpected value.`;
    } else {
      message = `${path || 'The value'} ${error.message ?? 'is invalid'}.`;
    }
    if (path === '') path = context ?? 'body';
    if (!(collector.errors[path] ?? []).includes(message)) collector.add(path, message);
  }
  return collector.errors;
}

function article(type: string): string {
  const name = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
