// A campaign's live summary and its server-sent event stream (issue 11). Being built: see the helper's brief.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const campaignLiveRoutes: FastifyPluginAsyncTypebox = async () => {};
