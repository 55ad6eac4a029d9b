// GET /api/admin/carrier: the operator's carrier page (issue 11): trunks and their registration, calls in flight,
// the last hour's SIP failures. Authorised by ADMIN_TOKEN like the rest of /api/admin.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { errorResponses } from '../schemas/common.js';
import { CarrierStatusSchema } from '../schemas/carrier-status.js';
import { CarrierStatusRepository } from '../../store/repositories/carrier-status.js';
import type { Db } from '../../store/database.js';

/** How far back recentFailures looks. */
export const RECENT_FAILURES_WINDOW_MS = 60 * 60 * 1000;

export const carrierStatusRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, options) => {
  const { carrierStatus, clock, settings } = app.services;
  const figures = new CarrierStatusRepository(options.db);
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));

  app.get(
    '/carrier',
    {
      schema: {
        tags: ['Operator'],
        security: [{ bearerAuth: [] }],
        summary: 'The carrier: trunks and their registration, calls in flight, SIP failures of the last hour',
        response: { 200: CarrierStatusSchema, ...errorResponses(401, 403) },
      },
    },
    async () => {
      const since = new Date(clock.now().getTime() - RECENT_FAILURES_WINDOW_MS);
      const [callsInFlight, recentFailures] = await Promise.all([figures.callsInFlight(), figures.sipFailuresSince(since)]);
      return { ...carrierStatus.status(), callsInFlight, recentFailures };
    },
  );
};
