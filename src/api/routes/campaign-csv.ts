// CSV import and export of a campaign's numbers (issue 11). Being built: see the helper's brief.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const campaignCsvRoutes: FastifyPluginAsyncTypebox = async () => {};
