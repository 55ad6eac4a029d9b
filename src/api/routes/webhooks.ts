// Webhook endpoints: the client's own at /api/webhooks (register, list, show, update, delete, rotate the secret,
// delivery log, redeliver), and the operator's view of every client's at /api/admin/webhooks (list, disable, enable).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook, clientAuthHook } from '../plugins/auth.js';
import { errorResponses } from '../schemas/common.js';
import { notFound, validationProblem } from '../problem.js';
import {
  DeliveryLogQuery,
  DeliveryLogSchema,
  DisableBody,
  EndpointCreateBody,
  EndpointListSchema,
  EndpointParams,
  EndpointSchema,
  EndpointUpdateBody,
  EndpointWithSecretSchema,
  RedeliverParams,
  RotateQuery,
} from '../schemas/webhooks.js';
import { checkEndpointUrl } from '../../webhooks/url-guard.js';
import { DELIVERY_STATE_NAMES, DeliveryState } from '../../webhooks/event-types.js';
import type { EndpointRow } from '../../store/repositories/webhooks.js';

const tags = ['Webhooks'];

/** whsec_ and 32 random bytes: the prefix tells a leaked secret apart in logs and scanners. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function toEndpoint(row: EndpointRow) {
  return {
    id: row.id,
    clientId: row.clientId,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    consecutiveFailures: row.consecutiveFailures,
    previousSecretUntil: row.previousSecretUntil?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export const clientWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, webhooks, clock, settings } = app.services;
  app.addHook('onRequest', clientAuthHook(tenants));

  const checkedUrl = (url: string) => {
    const check = checkEndpointUrl(url, settings.WEBHOOK_ALLOW_PRIVATE_URLS);
    if (!check.ok) throw validationProblem({ url: [check.message] });
    return check.url.toString();
  };
  const owned = async (id: number, clientId: number) => {
    const row = await webhooks.get(id, clientId);
    if (!row) throw notFound(`Webhook endpoint ${id} does not exist.`);
    return row;
  };

  app.post(
    '/',
    { schema: { tags, summary: 'Register an endpoint (its signing secret is in this answer only)', body: EndpointCreateBody, response: { 201: EndpointWithSecretSchema, ...errorResponses(400, 401, 403) } } },
    async (request, reply) => {
      const body = request.body;
      const secret = newSecret();
      const row = await webhooks.create(request.clientId, { url: checkedUrl(body.url), events: body.events, description: body.description ?? '' }, secret, clock.now());
      return reply.code(201).send({ ...toEndpoint(row), secret });
    },
  );

  app.get('/', { schema: { tags, summary: "The client's endpoints", response: { 200: EndpointListSchema, ...errorResponses(401, 403) } } }, async (request) => ({
    items: (await webhooks.list(request.clientId)).map(toEndpoint),
  }));

  app.get(
    '/:id',
    { schema: { tags, summary: 'One endpoint', params: EndpointParams, response: { 200: EndpointSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => toEndpoint(await owned(request.params.id, request.clientId)),
  );

  app.patch(
    '/:id',
    { schema: { tags, summary: 'Change the URL, events or description', params: EndpointParams, body: EndpointUpdateBody, response: { 200: EndpointSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const { url, events, description } = request.body;
      const row = await webhooks.update(request.params.id, request.clientId, {
        ...(url !== undefined ? { url: checkedUrl(url) } : {}),
        ...(events !== undefined ? { events } : {}),
        ...(description !== undefined ? { description } : {}),
      });
      if (!row) throw notFound(`Webhook endpoint ${request.params.id} does not exist.`);
      return toEndpoint(row);
    },
  );

  app.delete(
    '/:id',
    { schema: { tags, summary: 'Delete an endpoint and its delivery log', params: EndpointParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      if (!(await webhooks.delete(request.params.id, request.clientId))) throw notFound(`Webhook endpoint ${request.params.id} does not exist.`);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'A new signing secret (in this answer only); the old one keeps signing beside it for the overlap',
        params: EndpointParams,
        querystring: RotateQuery,
        response: { 200: EndpointWithSecretSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const overlapS = request.query.overlapSeconds ?? settings.WEBHOOK_SECRET_OVERLAP_S;
      const secret = newSecret();
      const row = await webhooks.rotate(request.params.id, request.clientId, secret, new Date(clock.now().getTime() + overlapS * 1000));
      if (!row) throw notFound(`Webhook endpoint ${request.params.id} does not exist.`);
      return { ...toEndpoint(row), secret };
    },
  );

  app.get(
    '/:id/deliveries',
    {
      schema: {
        tags,
        summary: "The endpoint's delivery log: each event with its attempts (status code, latency, error) and next retry",
        params: EndpointParams,
        querystring: DeliveryLogQuery,
        response: { 200: DeliveryLogSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await owned(request.params.id, request.clientId);
      const rows = await webhooks.deliveries(request.params.id, request.query.limit, request.query.before);
      return {
        items: rows.map((row) => ({
          id: row.id,
          eventId: row.eventId,
          type: row.type,
          createdAt: row.createdAt.toISOString(),
          state: DELIVERY_STATE_NAMES[row.state as DeliveryState],
          attempts: row.attempts,
          nextRetryAt: row.state === DeliveryState.Pending ? row.nextAttemptAt.toISOString() : null,
          deliveredAt: row.deliveredAt?.toISOString() ?? null,
          attemptLog: row.attemptLog.map((attempt) => ({
            attemptedAt: attempt.attemptedAt.toISOString(),
            statusCode: attempt.statusCode,
            latencyMs: attempt.latencyMs,
            error: attempt.error,
            nextRetryAt: attempt.nextRetryAt?.toISOString() ?? null,
          })),
        })),
      };
    },
  );

  app.post(
    '/:id/deliveries/:eventId/redeliver',
    {
      schema: {
        tags,
        summary: 'Send an event again (same id and body), now',
        params: RedeliverParams,
        response: { 202: Type.Object({ eventId: Type.String({ format: 'uuid' }) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await owned(request.params.id, request.clientId);
      if (!(await webhooks.redeliver(request.params.id, request.params.eventId, clock.now()))) throw notFound(`Event ${request.params.eventId} was not sent to this endpoint.`);
      return reply.code(202).send({ eventId: request.params.eventId });
    },
  );
};

export const operatorWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { webhooks, clock, settings } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));
  const operatorTags = ['Operator'];
  const security = [{ bearerAuth: [] }];

  app.get('/webhooks', { schema: { tags: operatorTags, security, summary: "Every client's webhook endpoints", response: { 200: EndpointListSchema, ...errorResponses(401, 403) } } }, async () => ({
    items: (await webhooks.list(null)).map(toEndpoint),
  }));

  app.post(
    '/webhooks/:id/disable',
    { schema: { tags: operatorTags, security, summary: 'Stop deliveries to an endpoint, with a reason the client sees', params: EndpointParams, body: DisableBody, response: { 200: EndpointSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const row = await webhooks.setEnabled(request.params.id, false, request.body.reason, clock.now());
      if (!row) throw notFound(`Webhook endpoint ${request.params.id} does not exist.`);
      return toEndpoint(row);
    },
  );

  app.post(
    '/webhooks/:id/enable',
    { schema: { tags: operatorTags, security, summary: 'Resume deliveries to an endpoint (its failure count starts again)', params: EndpointParams, response: { 200: EndpointSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const row = await webhooks.setEnabled(request.params.id, true, null, clock.now());
      if (!row) throw notFound(`Webhook endpoint ${request.params.id} does not exist.`);
      return toEndpoint(row);
    },
  );
};
