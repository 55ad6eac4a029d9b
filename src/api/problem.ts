// Errors leave the API as RFC 9457 problem details (application/problem+json). Validation failures use the
// ValidationProblemDetails shape the Voice Campaigns API's clients already parse: {type, title, status, errors, traceId}.
import type { FieldErrors } from '../domain/field-errors.js';

export { FieldErrorCollector, type FieldErrors } from '../domain/field-errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Stable machine-readable codes; the `type` URI of each problem ends with one of these. */
export type ProblemCode =
  | 'validation'
  | 'malformed-json'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'uri-too-long'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'too-many-requests'
  | 'unavailable'
  | 'internal';

const TYPE_BASE = 'https://ringcast.dev/problems/';

const TITLES: Record<ProblemCode, string> = {
  validation: 'One or more validation errors occurred.',
  'malformed-json': 'The request body is not valid JSON.',
  'unsupported-media-type': 'Unsupported media type.',
  'payload-too-large': 'The request body is too large.',
  'uri-too-long': 'The request URI is too long.',
  unauthorized: 'Authentication is required.',
  forbidden: 'Not allowed.',
  'not-found': 'Not found.',
  'method-not-allowed': 'Method not allowed.',
  conflict: 'Conflict.',
  'too-many-requests': 'Too many requests.',
  unavailable: 'Not available on this server.',
  internal: 'An unexpected error occurred.',
};

/** An expected failure that becomes a problem response; anything else thrown is a bug and becomes a 500. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly errors?: FieldErrors,
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? TITLES[code]);
  }
}

export function validationProblem(errors: FieldErrors): HttpProblem {
  return new HttpProblem(400, 'validation', undefined, errors);
}

export const notFound = (detail: string) => new HttpProblem(404, 'not-found', detail);
export const conflict = (detail: string) => new HttpProblem(409, 'conflict', detail);

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldErrors;
  traceId: string;
}

export function problemBody(problem: HttpProblem, traceId: string): ProblemBody {
  return {
    type: TYPE_BASE + problem.code,
    title: TITLES[problem.code],
    status: problem.status,
    ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
    ...(problem.errors !== undefined ? { errors: problem.errors } : {}),
    traceId,
  };
}
