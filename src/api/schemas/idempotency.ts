// The Idempotency-Key request header of the create routes (src/api/plugins/idempotency.ts), for the OpenAPI document.
// Its syntax is checked by the plugin (400 problem+json), not here, so a bad key is refused with a detail that says why.
import { Type } from '@sinclair/typebox';

export const IdempotencyKeyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        '1-255 printable ASCII characters, unique per request you mean once. Kept 24 hours per client: the same key with the same method, URL and body answers the first response again (status and body, with Idempotent-Replayed: true) and creates nothing; with another request 422; while the first request is still running 409 with Retry-After.',
    }),
  ),
});
