// Webhook endpoint, delivery log and operator schemas (issue 12). The event types come from src/webhooks/event-types.ts.
import { Type, type Static } from '@sinclair/typebox';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/event-types.js';

export const EventTypeSchema = Type.Union(
  WEBHOOK_EVENT_TYPES.map((entry) => Type.Literal(entry.type, { description: entry.description })),
  { description: WEBHOOK_EVENT_TYPES.map((entry) => `${entry.type}: ${entry.description}`).join('; ') },
);

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'https (or http) URL the events are POSTed to; private and loopback addresses are refused unless the operator allows them' });
const Events = Type.Array(EventTypeSchema, { minItems: 1, maxItems: 20, uniqueItems: true, description: 'Event types to receive' });
const Description = Type.String({ maxLength: 500, description: 'Free text for the client' });

export const EndpointCreateBody = Type.Object({ url: Url, events: Events, description: Type.Optional(Description) }, { additionalProperties: false });
export type EndpointCreateBody = Static<typeof EndpointCreateBody>;

export const EndpointUpdateBody = Type.Object(
  { url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Description) },
  { additionalProperties: false },
);
export type EndpointUpdateBody = Static<typeof EndpointUpdateBody>;

export const RotateQuery = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30 * 86400, description: 'How long the old secret keeps signing beside the new one (default WEBHOOK_SECRET_OVERLAP_S)' }),
    ),
  },
);

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const EndpointSchema = Type.Object({
  id: Type.Integer(),
  clientId: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.String(),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()], { description: 'Why the operator or the failure rule disabled it' }),
  disabledAt: NullableDateTime,
  consecutiveFailures: Type.Integer({ description: 'Failed attempts since the last 2xx' }),
  previousSecretUntil: Type.Union([DateTime, Type.Null()], { description: 'Until then the old secret signs too (a second v1=)' }),
  createdAt: DateTime,
});

export const EndpointWithSecretSchema = Type.Intersect([
  EndpointSchema,
  Type.Object({ secret: Type.String({ description: 'The signing secret: shown only in this answer' }) }),
]);

export const EndpointListSchema = Type.Object({ items: Type.Array(EndpointSchema) });

export const EndpointParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
export const RedeliverParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }), eventId: Type.String({ format: 'uuid' }) });

export const DeliveryLogQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Deliveries per page, newest first' }),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Only deliveries older than this delivery id (the next page)' })),
});

export const DeliveryLogSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      eventId: Type.String({ format: 'uuid' }),
      type: Type.String(),
      createdAt: DateTime,
      state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
      attempts: Type.Integer(),
      nextRetryAt: Type.Union([DateTime, Type.Null()], { description: 'Pending: when it is sent next' }),
      deliveredAt: NullableDateTime,
      attemptLog: Type.Array(
        Type.Object({
          attemptedAt: DateTime,
          statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'Null: no HTTP answer (timeout, connection error, refused URL)' }),
          latencyMs: Type.Integer(),
          error: Type.Union([Type.String(), Type.Null()]),
          nextRetryAt: NullableDateTime,
        }),
      ),
    }),
  ),
});

export const DisableBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why (shown to the client)' }) }, { additionalProperties: false });
