// The operator API: the document's "ask us for the relevant ids" workflow. Authorised by ADMIN_TOKEN.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook } from '../plugins/auth.js';
import { ClientIdParams, errorResponses } from '../schemas/common.js';
import { INT4_MAX, IntegerSchema } from '../strict-integer.js';
import {
  ApiKeySchema,
  CallFlowSchema,
  CallFlowVersionSchema,
  ClientChildParams,
  ClientSchema,
  CliSchema,
  CreateCallFlowBody,
  CreateClientBody,
  CreateCliBody,
  CreatedApiKeySchema,
  CreatedClientSchema,
  KeyIdParams,
  UpdateClientBody,
} from '../schemas/tenants.js';
import { conflict, notFound } from '../problem.js';
import { toCallFlowView } from './call-flow-views.js';
import { requireClient } from './require-client.js';
import { createCallFlow, updateCallFlow, createCli, createClient, updateClient } from '../../tenancy/operator.js';
import { isForeignKeyViolation } from '../../store/errors.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, audio, clock, settings } = app.services;
  app.addHook('onRequest', adminAuthHook(settings.ADMIN_TOKEN));

  /** Deleting something a campaign still uses is a conflict, not a server error. */
  const deleteOrConflict = async (what: string, remove: () => Promise<boolean>) => {
    try {
      if (!(await remove())) throw notFound(`${what} does not exist.`);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw conflict(`${what} is used by a campaign and cannot be deleted.`);
      throw error;
    }
  };

  // --- clients ---
  app.post(
    '/clients',
    { schema: { tags, security, summary: 'Create a client and its first API key', body: CreateClientBody, response: { 201: CreatedClientSchema, ...errorResponses(400, 401, 403) } } },
    async (request, reply) => {
      const { client, apiKey } = await createClient(tenants, request.body);
      return reply
        .code(201)
        .header('location', `/api/admin/clients/${client.id}`)
        .send({ id: client.id, name: client.name, allowedCountries: client.allowedCountries, apiKey });
    },
  );
  app.get('/clients', { schema: { tags, security, summary: 'List clients', response: { 200: Type.Array(ClientSchema), ...errorResponses(401, 403) } } }, async () =>
    tenants.listClients(),
  );
  app.get(
    '/clients/:clientId',
    { schema: { tags, security, summary: 'Read a client', params: ClientIdParams, response: { 200: ClientSchema, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const client = await tenants.getClient(request.params.clientId);
      if (!client) throw notFound(`Client ${request.params.clientId} does not exist.`);
      return client;
    },
  );
  app.patch(
    '/clients/:clientId',
    {
      schema: {
        tags,
        security,
        summary: 'Rename a client or replace the countries beyond the UK its campaigns may call',
        params: ClientIdParams,
        body: UpdateClientBody,
        response: { 200: ClientSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const client = await updateClient(tenants, request.params.clientId, request.body);
      if (!client) throw notFound(`Client ${request.params.clientId} does not exist.`);
      return client;
    },
  );
  app.delete(
    '/clients/:clientId',
    { schema: { tags, security, summary: 'Delete a client and everything it owns', params: ClientIdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      if (!(await tenants.deleteClient(request.params.clientId))) throw notFound(`Client ${request.params.clientId} does not exist.`);
      return reply.code(204).send(null);
    },
  );

  // --- API keys ---
  app.post(
    '/clients/:clientId/apikeys',
    { schema: { tags, security, summary: 'Issue another API key (shown once)', params: ClientIdParams, response: { 201: CreatedApiKeySchema, ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      await requireClient(tenants, request.params.clientId);
      return reply.code(201).send(await tenants.createApiKey(request.params.clientId));
    },
  );
  app.get(
    '/clients/:clientId/apikeys',
    { schema: { tags, security, summary: "List a client's API keys (prefixes only)", params: ClientIdParams, response: { 200: Type.Array(ApiKeySchema), ...errorResponses(401, 403, 404) } } },
    async (request) => {
      await requireClient(tenants, request.params.clientId);
      return tenants.listApiKeys(request.params.clientId);
    },
  );
  app.delete(
    '/apikeys/:keyId',
    { schema: { tags, security, summary: 'Revoke an API key at once', params: KeyIdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      if (!(await tenants.revokeApiKey(request.params.keyId, clock.now()))) {
        throw notFound(`API key ${request.params.keyId} does not exist or is already revoked.`);
      }
      return reply.code(204).send(null);
    },
  );

  // --- call flows ---
  app.post(
    '/clients/:clientId/callflows',
    { schema: { tags, security, summary: 'Create a call flow', params: ClientIdParams, body: CreateCallFlowBody, response: { 201: CallFlowSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await requireClient(tenants, request.params.clientId);
      const flow = await createCallFlow(tenants, audio, request.params.clientId, { ...request.body, maxSmsParts: settings.SMS_MAX_PARTS });
      return reply.code(201).header('location', `/api/admin/clients/${flow.clientId}/callflows/${flow.id}`).send(toCallFlowView(flow));
    },
  );
  app.put(
    '/clients/:clientId/callflows/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Update a call flow: saved as a new version; campaigns already created keep theirs',
        params: ClientChildParams,
        body: CreateCallFlowBody,
        response: { 200: CallFlowSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { clientId, id } = request.params;
      const flow = await updateCallFlow(tenants, audio, clientId, id, { ...request.body, maxSmsParts: settings.SMS_MAX_PARTS });
      if (!flow) throw notFound(`Call flow ${id} of client ${clientId} does not exist.`);
      return toCallFlowView(flow);
    },
  );
  app.get(
    '/clients/:clientId/callflows/:id/versions',
    {
      schema: {
        tags,
        security,
        summary: "A call flow's versions",
        params: ClientChildParams,
        response: { 200: Type.Array(CallFlowVersionSchema), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { clientId, id } = request.params;
      if (!(await tenants.getCallFlow(clientId, id))) throw notFound(`Call flow ${id} of client ${clientId} does not exist.`);
      return tenants.listCallFlowVersions(id);
    },
  );
  app.get(
    '/clients/:clientId/callflows/:id/versions/:version',
    {
      schema: {
        tags,
        security,
        summary: 'One version of a call flow',
        params: Type.Object({ ...ClientChildParams.properties, version: IntegerSchema({ minimum: 1, maximum: INT4_MAX, description: 'Version, from 1' }) }),
        response: { 200: CallFlowSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { clientId, id, version } = request.params;
      const flow = await tenants.getCallFlowVersion(clientId, id, version);
      if (!flow) throw notFound(`Call flow ${id} of client ${clientId} has no version ${version}.`);
      return toCallFlowView(flow);
    },
  );
  app.get(
    '/clients/:clientId/callflows',
    { schema: { tags, security, summary: "List a client's call flows", params: ClientIdParams, response: { 200: Type.Array(CallFlowSchema), ...errorResponses(401, 403, 404) } } },
    async (request) => {
      await requireClient(tenants, request.params.clientId);
      return (await tenants.listCallFlows(request.params.clientId)).map(toCallFlowView);
    },
  );
  app.get(
    '/clients/:clientId/callflows/:id',
    { schema: { tags, security, summary: 'Read a call flow', params: ClientChildParams, response: { 200: CallFlowSchema, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const flow = await tenants.getCallFlow(request.params.clientId, request.params.id);
      if (!flow) throw notFound(`Call flow ${request.params.id} of client ${request.params.clientId} does not exist.`);
      return toCallFlowView(flow);
    },
  );
  app.delete(
    '/clients/:clientId/callflows/:id',
    { schema: { tags, security, summary: 'Delete a call flow no campaign uses', params: ClientChildParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) } } },
    async (request, reply) => {
      const { clientId, id } = request.params;
      await deleteOrConflict(`Call flow ${id} of client ${clientId}`, () => tenants.deleteCallFlow(clientId, id));
      return reply.code(204).send(null);
    },
  );

  // --- caller IDs ---
  app.post(
    '/clients/:clientId/clis',
    { schema: { tags, security, summary: 'Add a caller ID (CLI)', params: ClientIdParams, body: CreateCliBody, response: { 201: CliSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await requireClient(tenants, request.params.clientId);
      const cli = await createCli(tenants, request.params.clientId, request.body);
      return reply.code(201).header('location', `/api/admin/clients/${cli.clientId}/clis/${cli.id}`).send(cli);
    },
  );
  app.get(
    '/clients/:clientId/clis',
    { schema: { tags, security, summary: "List a client's caller IDs", params: ClientIdParams, response: { 200: Type.Array(CliSchema), ...errorResponses(401, 403, 404) } } },
    async (request) => {
      await requireClient(tenants, request.params.clientId);
      return tenants.listClis(request.params.clientId);
    },
  );
  app.get(
    '/clients/:clientId/clis/:id',
    { schema: { tags, security, summary: 'Read a caller ID', params: ClientChildParams, response: { 200: CliSchema, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const cli = await tenants.getCli(request.params.clientId, request.params.id);
      if (!cli) throw notFound(`CLI ${request.params.id} of client ${request.params.clientId} does not exist.`);
      return cli;
    },
  );
  app.delete(
    '/clients/:clientId/clis/:id',
    { schema: { tags, security, summary: 'Delete a caller ID no campaign uses', params: ClientChildParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) } } },
    async (request, reply) => {
      const { clientId, id } = request.params;
      await deleteOrConflict(`CLI ${id} of client ${clientId}`, () => tenants.deleteCli(clientId, id));
      return reply.code(204).send(null);
    },
  );
};
