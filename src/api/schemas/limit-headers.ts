// The response headers of the limits (issue 12), named and described once: the plugins send them by these names
// (src/api/plugins/idempotency.ts, rate-limit.ts, the quota answers of campaign-create.ts) and declare them on the
// routes' responses with these schemas, so the OpenAPI document (/docs/json) shows what is sent.
import { Type, type TSchema } from '@sinclair/typebox';

export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
export const RETRY_AFTER_HEADER = 'Retry-After';
export const RATE_LIMIT_LIMIT_HEADER = 'RateLimit-Limit';
export const RATE_LIMIT_REMAINING_HEADER = 'RateLimit-Remaining';
export const RATE_LIMIT_RESET_HEADER = 'RateLimit-Reset';

/** On the answers of routes that take an Idempotency-Key. */
export const IdempotentReplayedHeaders = {
  [IDEMPOTENT_REPLAYED_HEADER]: Type.String({
    enum: ['true'],
    description: 'Present (true) when this is the stored first answer to an earlier request with the same Idempotency-Key: nothing was done again.',
  }),
};

/** On every 429, and on the 409 of a request whose Idempotency-Key is still being worked on. */
export const RetryAfterHeaders = {
  [RETRY_AFTER_HEADER]: Type.Integer({
    minimum: 1,
    description: 'Seconds to wait before retrying: for the rate limit until a request is allowed, for maxNumbersPerDay until 00:00 UTC, for an Idempotency-Key in progress 1.',
  }),
};

/** On every 429: the rate limit's (with the RateLimit-* headers) and the maxNumbersPerDay quota's (Retry-After only). */
export const TooManyRequestsHeaders = {
  ...RetryAfterHeaders,
  [RATE_LIMIT_LIMIT_HEADER]: Type.Integer({ description: "The client's requests a minute (rate limit only; also sent on every answer it lets through)." }),
  [RATE_LIMIT_REMAINING_HEADER]: Type.Integer({ description: 'Requests left now (rate limit only).' }),
  [RATE_LIMIT_RESET_HEADER]: Type.Integer({ description: 'Seconds until the whole minute of requests is available again (rate limit only).' }),
};

type RouteResponses = Record<string, unknown>;

/**
 * The responses with `headers` added to those whose status `applies` to (copies: response schemas are shared between
 * routes). @fastify/swagger documents a response schema's `headers`; the serializer ignores them.
 */
export function withResponseHeaders(responses: RouteResponses, applies: (status: string) => boolean, headers: Record<string, TSchema>): RouteResponses {
  return Object.fromEntries(
    Object.entries(responses).map(([status, schema]) => {
      if (!applies(status) || typeof schema !== 'object' || schema === null) return [status, schema];
      const existing = (schema as { headers?: Record<string, TSchema> }).headers;
      return [status, { ...schema, headers: { ...existing, ...headers } }];
    }),
  );
}
