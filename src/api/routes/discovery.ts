// A client's read-only view of its own call flows and caller IDs: the ids it needs to create campaigns.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { clientAuthHook } from '../plugins/auth.js';
import { errorResponses } from '../schemas/common.js';
import { CallFlowSchema, CliSchema } from '../schemas/tenants.js';

const tags = ['Discovery'];

export const discoveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants } = app.services;
  app.addHook('onRequest', clientAuthHook(tenants));

  app.get('/callflows', { schema: { tags, summary: 'Your call flows (ids for callflow_Id)', response: { 200: Type.Array(CallFlowSchema), ...errorResponses(401) } } }, async (request) =>
    tenants.listCallFlows(request.clientId),
  );
  app.get('/clis', { schema: { tags, summary: 'Your caller IDs (ids for defaultCli_Id)', response: { 200: Type.Array(CliSchema), ...errorResponses(401) } } }, async (request) =>
    tenants.listClis(request.clientId),
  );
};
