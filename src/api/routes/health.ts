// Probes for an orchestrator (Kubernetes' livenessProbe and readinessProbe), unauthenticated like any probe:
//   GET /healthz  the process is alive and its event loop turns; checks nothing else (restarting would not help).
//   GET /readyz   the process should get traffic: database, migrations, carrier and drain checks (observability/
//                 readiness.ts), 200 when all pass, 503 listing each check otherwise.
// GET /health stays as it was (an older alias that also names the database kind), for scripts and docs that use it.
// Like /health, the probes are hidden from the OpenAPI document, which describes the API under /api (the README's
// Health probes section describes them); their schemas still validate and serialise the answers.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { READINESS_CHECKS, carrierCheck, checkDatabase, checkMigrations, newestShippedMigration } from '../../observability/readiness.js';
import type { Db } from '../../store/database.js';

const ReadinessCheckSchema = Type.Object({
  name: Type.Union(READINESS_CHECKS.map((name) => Type.Literal(name)), { description: 'What was checked' }),
  ok: Type.Boolean(),
  detail: Type.String({ description: 'What was found, in words' }),
});

const ReadinessSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
    checks: Type.Array(ReadinessCheckSchema),
  },
  { description: 'Every check with its result; the status is ready only when all pass' },
);

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, options) => {
  const { carrierStatus, drain } = app.services;
  // The journal ships with the build: read once, on the first probe.
  let shipped: ReturnType<typeof newestShippedMigration> | undefined;
  const newestShipped = () => (shipped ??= newestShippedMigration());

  app.get(
    '/healthz',
    {
      schema: {
        hide: true,
        summary: 'Liveness: the process is running (no dependency is checked)',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        hide: true,
        summary: 'Readiness: database reachable, migrations current, SIP trunks registered, not draining',
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (_request, reply) => {
      const [database, migrations] = await Promise.all([checkDatabase(options.db), checkMigrations(options.db, newestShipped)]);
      const checks = [database, migrations, carrierCheck(carrierStatus.status()), drain.check()];
      const ready = checks.every((check) => check.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks });
    },
  );
};
