// Operator API: a client's limits (issue 12). GET answers the override and the limit in force; PUT sets the override
// (null returns the client to the RATE_LIMIT_PER_MIN default).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { ClientIdParams, errorResponses } from '../schemas/common.js';
import { IntegerSchema } from '../strict-integer.js';
import { notFound } from '../problem.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

// Null first: with type coercion on, a null tried against the integer first would become 0 (unlimited).
const RateLimitOverride = Type.Union([Type.Null(), IntegerSchema({ minimum: 0, maximum: 1000000 })], {
  description: 'Client API requests a minute per process for this client; 0 = unlimited; null = the RATE_LIMIT_PER_MIN default',
});

const ClientLimitsBody = Type.Object({ rateLimitPerMin: RateLimitOverride }, { additionalProperties: false });
const ClientLimitsSchema = Type.Object({
  clientId: Type.Integer(),
  rateLimitPerMin: RateLimitOverride,
  effectiveRateLimitPerMin: Type.Integer({ description: 'The limit in force: the override, or the default' }),
});

export const clientLimitsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, clientLimits, rateLimiter, settings, clock } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));

  const answer = async (clientId: number) => {
    const limits = await clientLimits.get(clientId);
    return { clientId, rateLimitPerMin: limits.rateLimitPerMin, effectiveRateLimitPerMin: limits.rateLimitPerMin ?? settings.RATE_LIMIT_PER_MIN };
  };
  const requireClient = async (clientId: number) => {
    if (!(await tenants.getClient(clientId))) throw notFound(`Client ${clientId} does not exist.`);
  };

  app.get(
    '/clients/:clientId/limits',
    { schema: { tags, security, summary: "A client's limits", params: ClientIdParams, response: { 200: ClientLimitsSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      await requireClient(request.params.clientId);
      return answer(request.params.clientId);
    },
  );

  app.put(
    '/clients/:clientId/limits',
    {
      schema: {
        tags,
        security,
        summary: "Set a client's limits (applies within 5 s in every process, at once in this one)",
        params: ClientIdParams,
        body: ClientLimitsBody,
        response: { 200: ClientLimitsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { clientId } = request.params;
      await requireClient(clientId);
      await clientLimits.set(clientId, { rateLimitPerMin: request.body.rateLimitPerMin }, clock.now());
      rateLimiter.invalidate(clientId);
      return answer(clientId);
    },
  );
};
