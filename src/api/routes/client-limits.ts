// Operator API: a client's limits (issue 12). GET answers the override and the limit in force; PUT sets the override
// (null returns the client to the RATE_LIMIT_PER_MIN default).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { ClientIdParams, errorResponses } from '../schemas/common.js';
import { IntegerSchema } from '../strict-integer.js';
import { requireClient } from './require-client.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

// Null first: with type coercion on, a null tried against the integer first would become 0 (unlimited).
const RateLimitOverride = Type.Union([Type.Null(), IntegerSchema({ minimum: 0, maximum: 1000000 })], {
  description: 'Client API requests a minute per process for this client; 0 = unlimited; null = the RATE_LIMIT_PER_MIN default',
});

const Quota = (description: string) =>
  Type.Union([Type.Null(), IntegerSchema({ minimum: 0, maximum: 10000000 })], { description: `${description}; null = no quota` });
const quotaFields = {
  maxActiveCampaigns: Quota('Campaigns not cancelled or completed at once (a create past it answers 403, quota maxActiveCampaigns)'),
  maxNumbersPerCampaign: Quota('Numbers in one created campaign (a create past it answers 403, quota maxNumbersPerCampaign)'),
};
// PUT replaces every limit: one left out is null (the default, or no quota).
const ClientLimitsBody = Type.Object(
  {
    rateLimitPerMin: Type.Optional(RateLimitOverride),
    maxActiveCampaigns: Type.Optional(quotaFields.maxActiveCampaigns),
    maxNumbersPerCampaign: Type.Optional(quotaFields.maxNumbersPerCampaign),
  },
  { additionalProperties: false },
);
const ClientLimitsSchema = Type.Object({
  clientId: Type.Integer(),
  rateLimitPerMin: RateLimitOverride,
  ...quotaFields,
  effectiveRateLimitPerMin: Type.Integer({ description: 'The limit in force: the override, or the default' }),
});

export const clientLimitsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, clientLimits, rateLimiter, settings, clock } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));

  const answer = async (clientId: number) => {
    const limits = await clientLimits.get(clientId);
    return { clientId, ...limits, effectiveRateLimitPerMin: limits.rateLimitPerMin ?? settings.RATE_LIMIT_PER_MIN };
  };

  app.get(
    '/clients/:clientId/limits',
    { schema: { tags, security, summary: "A client's limits", params: ClientIdParams, response: { 200: ClientLimitsSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      await requireClient(tenants, request.params.clientId);
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
      await requireClient(tenants, clientId);
      const { rateLimitPerMin = null, maxActiveCampaigns = null, maxNumbersPerCampaign = null } = request.body;
      await clientLimits.set(clientId, { rateLimitPerMin, maxActiveCampaigns, maxNumbersPerCampaign }, clock.now());
      rateLimiter.invalidate(clientId);
      return answer(clientId);
    },
  );
};
