// Schemas shared by several routes. Enumerations are built from domain/enums.ts, their one source.
import { Type, type TSchema } from '@sinclair/typebox';
import { describeEnum, type EnumMember } from '../../domain/enums.js';
import { INT4_MAX, IntegerSchema } from '../strict-integer.js';

export function enumSchema(members: readonly EnumMember[], description: string) {
  return Type.Integer({ enum: members.map((member) => member.value), description: `${description}\n${describeEnum(members)}` });
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
    traceId: Type.String(),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details; `errors` maps field paths to messages (400 only).' },
);

const problemRef = (description: string) => ({ ...Type.Ref('Problem'), description });

/** The error responses every route can produce, for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const described: Record<number, string> = {
    400: 'Validation failed (application/problem+json)',
    401: 'Missing or invalid credentials',
    403: 'Operator API disabled',
    404: 'Not found (or owned by another client)',
    409: 'Conflict with the current state',
    413: 'Body too large',
    422: 'Idempotency-Key already used with a different request',
    429: 'Rate limit or daily quota exceeded (Retry-After says when to retry)',
    503: 'Not available on this server',
  };
  return Object.fromEntries(statuses.map((status) => [status, problemRef(described[status] ?? 'Error')]));
}

/** A row id in a request: ids are int4 serial columns, so 1..2147483647. */
export const IdSchema = (description?: string) =>
  IntegerSchema({ minimum: 1, maximum: INT4_MAX, ...(description !== undefined ? { description } : {}) });

export const IdParams = Type.Object({ id: IdSchema() });
export const ClientIdParams = Type.Object({ clientId: IdSchema() });
