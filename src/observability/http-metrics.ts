// The HTTP request duration histogram, labelled by the route pattern Fastify matched (/api/campaigns/voice/:id),
// never the raw URL: ids and query strings would make a label value per request. Requests no route matched share
// the value "unmatched".
import type { FastifyInstance } from 'fastify';
import { httpMethodLabel, statusClassLabel, type RingcastMetrics } from './metrics.js';

export function recordHttpDurations(app: FastifyInstance, metrics: RingcastMetrics): void {
  const histogram = metrics.httpRequestDuration;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.labels(httpMethodLabel(request.method), route, statusClassLabel(reply.statusCode)).observe(reply.elapsedTime / 1000);
  });
}
