// Operator API: the audit log (issue 12), newest first, a page at a time (`before` = the previous page's nextBefore),
// filtered by client, action and time.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { IdSchema, errorResponses } from '../schemas/common.js';
import { IntegerSchema } from '../strict-integer.js';
import { AUDIT_ACTOR_KINDS } from '../../audit/actions.js';
import { validationProblem } from '../problem.js';
import { TEXT_PATTERNS } from '../validation-errors.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

const MAX_PAGE = 500;

const AuditQuery = Type.Object(
  {
    limit: Type.Optional(IntegerSchema({ minimum: 1, maximum: MAX_PAGE, description: `Entries in the page (default 100, at most ${MAX_PAGE})` })),
    // A string: entry ids are bigserial, past the int4 range every integer field of the API keeps to.
    before: Type.Optional(Type.String({ pattern: TEXT_PATTERNS.bigId.pattern, description: "Entries older than this one: the previous page's nextBefore" })),
    clientId: Type.Optional(IdSchema('Entries of this client (its own requests and the operator changes that name it)')),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'An action name such as `campaign.create`' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Entries at or after this instant (ISO 8601)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Entries at or before this instant (ISO 8601)' })),
  },
  { additionalProperties: false },
);

const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time', description: 'When the change was answered (ISO 8601, UTC)' }),
  actorKind: Type.Union(
    AUDIT_ACTOR_KINDS.map((kind) => Type.Literal(kind)),
    { description: 'operator (ADMIN_TOKEN) or client (one of its API keys)' },
  ),
  clientId: Type.Union([Type.Integer(), Type.Null()], { description: 'The acting client; for the operator, the client the route names (or null)' }),
  apiKeyId: Type.Union([Type.Integer(), Type.Null()], { description: "The client's API key that made the request; null for the operator" }),
  action: Type.String({ description: 'A stable name such as `campaign.pause` or `client.limits.update`' }),
  targets: Type.Record(Type.String(), Type.Union([Type.Integer(), Type.String()]), {
    description: "The route's id parameters and `createdId`, the id of what the request created (never phone numbers)",
  }),
  statusCode: Type.Integer({ description: 'The HTTP status of the answer (2xx: failed requests are not logged)' }),
  requestId: Type.String({ description: 'The X-Request-Id of the request, as in the logs' }),
});

const AuditPageSchema = Type.Object({
  entries: Type.Array(AuditEntrySchema),
  nextBefore: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `before` for the next page; null on the last page' }),
});

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auditLog, settings } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));

  app.get(
    '/audit',
    {
      schema: {
        tags,
        security,
        summary: 'The audit log: changes made through the API by the operator and by clients, newest first',
        querystring: AuditQuery,
        response: { 200: AuditPageSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit = 100, before, clientId, action, from, to } = request.query;
      const fromDate = from === undefined ? undefined : new Date(from);
      const toDate = to === undefined ? undefined : new Date(to);
      if (fromDate && toDate && fromDate > toDate) {
        throw validationProblem({ from: ['must not be after `to`'] });
      }
      const entries = await auditLog.list({ limit, before: before === undefined ? undefined : Number(before), clientId, action, from: fromDate, to: toDate });
      return {
        entries: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
        nextBefore: entries.length === limit ? String(entries[entries.length - 1]!.id) : null,
      };
    },
  );
};
