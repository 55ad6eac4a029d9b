// GET /metrics on the API port: the Prometheus text exposition, behind the operator token (ADMIN_TOKEN as a bearer
// token; Prometheus sends it with `authorization: {credentials: ...}`). When METRICS_PORT is set the figures are
// served there instead, without auth (observability/metrics-server.ts), and this route is not registered: one place
// to scrape, and no figures on the public port.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { errorResponses } from '../schemas/common.js';

export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { metrics, settings } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));
  app.get(
    '/metrics',
    {
      schema: {
        // Outside /api and not JSON: hidden from the OpenAPI document like the probes (README: Metrics).
        hide: true,
        summary: 'Prometheus metrics (text format 0.0.4); see the README\'s Metrics section for the list',
        response: {
          200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: Type.String() } } },
          ...errorResponses(401, 403),
        },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.exposition();
      return reply.type(contentType).send(body);
    },
  );
};
