// Operator API: a client's limits (issue 12). GET answers the overrides and the limits in force; PUT sets them (null
// returns the client to the RATE_LIMIT_PER_MIN / CLIENT_MAX_CALLS default, or to no quota).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { ClientIdParams, errorResponses } from '../schemas/common.js';
import { requireClient } from './require-client.js';
import { CLIENT_CALL_QUOTA_REFRESH_MS } from '../../dialer/client-call-quotas.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

/**
 * An integer or null, as one type list. With Ajv's type coercion on (Fastify's default) a union of the two coerces
 * whichever value its first branch does not take: [null, integer] turned 0 into null (a quota of 0 became no quota,
 * a rate limit of 0, unlimited, became the default) and [integer, null] would turn null into 0. A value of a type the
 * list names is never coerced.
 */
const NullableInteger = (options: { minimum: number; maximum: number; description: string }) =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], ...options });

const RateLimitOverride = NullableInteger({
  minimum: 0,
  maximum: 1000000,
  description: 'Client API requests a minute per process for this client; 0 = unlimited; null = the RATE_LIMIT_PER_MIN default',
});

const Quota = (description: string) => NullableInteger({ minimum: 0, maximum: 10000000, description: `${description}; null = no quota` });
const quotaFields = {
  maxActiveCampaigns: Quota('Campaigns not cancelled or completed at once (a create past it answers 403, quota maxActiveCampaigns)'),
  maxNumbersPerCampaign: Quota('Numbers in one campaign (a create or add past it answers 403, quota maxNumbersPerCampaign)'),
  maxNumbersPerDay: Quota(
    'Numbers added to the client\'s campaigns (creates and adds, JSON and CSV) per UTC day, counted from when the quota is set (a request past it answers 429 with Retry-After to the next 00:00 UTC, quota maxNumbersPerDay; one larger than the whole quota 403)',
  ),
};
const ConcurrentCallsOverride = NullableInteger({
  minimum: 1,
  maximum: 1000000,
  description: `The client's calls in flight at once across every dialer process (at least 1, as CLIENT_MAX_CALLS); null = the CLIENT_MAX_CALLS default. Never more than the carrier's CARRIER_MAX_CALLS; a lowered figure holds new calls within ${CLIENT_CALL_QUOTA_REFRESH_MS / 1000} s, calls already up are not cut`,
});
// PUT replaces every limit: one left out is null (the default, or no quota).
const ClientLimitsBody = Type.Object(
  {
    rateLimitPerMin: Type.Optional(RateLimitOverride),
    maxActiveCampaigns: Type.Optional(quotaFields.maxActiveCampaigns),
    maxNumbersPerCampaign: Type.Optional(quotaFields.maxNumbersPerCampaign),
    maxNumbersPerDay: Type.Optional(quotaFields.maxNumbersPerDay),
    maxConcurrentCalls: Type.Optional(ConcurrentCallsOverride),
  },
  { additionalProperties: false },
);
const ClientLimitsSchema = Type.Object({
  clientId: Type.Integer(),
  rateLimitPerMin: RateLimitOverride,
  ...quotaFields,
  maxConcurrentCalls: ConcurrentCallsOverride,
  effectiveRateLimitPerMin: Type.Integer({ description: 'The limit in force: the override, or the default' }),
  effectiveMaxConcurrentCalls: Type.Integer({ description: 'The concurrent calls in force: the override, or CLIENT_MAX_CALLS' }),
});

export const clientLimitsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, clientLimits, rateLimiter, settings, clock } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));

  const answer = async (clientId: number) => {
    const limits = await clientLimits.get(clientId);
    return {
      clientId,
      ...limits,
      effectiveRateLimitPerMin: limits.rateLimitPerMin ?? settings.RATE_LIMIT_PER_MIN,
      effectiveMaxConcurrentCalls: limits.maxConcurrentCalls ?? settings.CLIENT_MAX_CALLS,
    };
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
      const { rateLimitPerMin = null, maxActiveCampaigns = null, maxNumbersPerCampaign = null, maxNumbersPerDay = null, maxConcurrentCalls = null } = request.body;
      await clientLimits.set(clientId, { rateLimitPerMin, maxActiveCampaigns, maxNumbersPerCampaign, maxNumbersPerDay, maxConcurrentCalls }, clock.now());
      rateLimiter.invalidate(clientId);
      return answer(clientId);
    },
  );
};
