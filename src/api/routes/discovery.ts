// A client's read-only view of its own call flows and caller IDs: the ids it needs to create campaigns.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { clientAuthHook } from '../plugins/auth.js';
import { errorResponses } from '../schemas/common.js';
import { CallFlowSchema, CliSchema, CreateCallFlowBody } from '../schemas/tenants.js';
import { toCallFlowView } from './call-flow-views.js';
import { IdParams } from '../schemas/common.js';
import { IntegerSchema } from '../strict-integer.js';
import { MAX_PARAMETER } from '../../domain/campaign-request.js';
import { notFound } from '../problem.js';
import { previewFlow } from '../../callflow/preview.js';
import { updateCallFlow } from '../../tenancy/operator.js';

const PreviewBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200, description: 'Fills {Name}' })),
  parameters: Type.Optional(
    Type.Array(Type.Object({ parameter: IntegerSchema({ minimum: 1, maximum: MAX_PARAMETER }), value: Type.String({ maxLength: 500 }) }), { maxItems: 9 }),
  ),
});
const PreviewSchema = Type.Object({
  id: Type.Integer(),
  version: Type.Integer(),
  texts: Type.Array(
    Type.Object({
      stepNumber: Type.Integer({ description: '1-based step number (the stage when reached); 0 for flow-level texts' }),
      stepId: Type.String(),
      field: Type.String(),
      kind: Type.Union([Type.Literal('speech'), Type.Literal('sms')]),
      text: Type.String(),
      smsParts: Type.Optional(Type.Integer()),
      smsEncoding: Type.Optional(Type.String()),
    }),
  ),
});

const tags = ['Discovery'];

export const discoveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, audio, settings } = app.services;
  app.addHook('onRequest', clientAuthHook(tenants));

  app.get('/callflows', { schema: { tags, summary: 'Your call flows (ids for callflow_Id)', response: { 200: Type.Array(CallFlowSchema), ...errorResponses(401) } } }, async (request) =>
    (await tenants.listCallFlows(request.clientId)).map(toCallFlowView),
  );
  app.get(
    '/callflows/:id',
    { schema: { tags, summary: 'One of your call flows, its current version', params: IdParams, response: { 200: CallFlowSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const flow = await tenants.getCallFlow(request.clientId, request.params.id);
      if (!flow) throw notFound(`Call flow ${request.params.id} does not exist.`);
      return toCallFlowView(flow);
    },
  );
  app.put(
    '/callflows/:id',
    {
      schema: {
        tags,
        summary: 'Edit one of your call flows: saved as a new version; campaigns already created keep theirs',
        params: IdParams,
        body: CreateCallFlowBody,
        response: { 200: CallFlowSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      // The operator's update (admin.ts), scoped to the caller's own client: another client's flow is not found.
      const flow = await updateCallFlow(tenants, audio, request.clientId, request.params.id, { ...request.body, maxSmsParts: settings.SMS_MAX_PARTS });
      if (!flow) throw notFound(`Call flow ${request.params.id} does not exist.`);
      return toCallFlowView(flow);
    },
  );
  app.post(
    '/callflows/:id/preview',
    {
      schema: {
        tags,
        summary: 'What a call flow says and texts for a name and parameters, without calling anyone',
        params: IdParams,
        body: PreviewBody,
        response: { 200: PreviewSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const flow = await tenants.getCallFlow(request.clientId, request.params.id);
      if (!flow) throw notFound(`Call flow ${request.params.id} does not exist.`);
      const parameters = new Map((request.body.parameters ?? []).map((p) => [p.parameter, p.value]));
      return { id: flow.id, version: flow.version, texts: previewFlow(flow.flow, { name: request.body.name ?? '', parameters }) };
    },
  );
  app.get('/clis', { schema: { tags, summary: 'Your caller IDs (ids for defaultCli_Id)', response: { 200: Type.Array(CliSchema), ...errorResponses(401) } } }, async (request) =>
    tenants.listClis(request.clientId),
  );
};
