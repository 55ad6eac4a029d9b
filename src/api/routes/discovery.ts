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
import { HttpProblem, notFound, validationProblem } from '../problem.js';
import { encodeWav8kMono } from '../../media/audio/encode-wav.js';
import { TtsError } from '../../media/tts/types.js';
import type { ServerSpeech } from '../../media/tts/server-speech.js';
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

/** Longest text heard at once: a preview text is one step's words, far below this. */
export const MAX_SPEECH_TEXT_CHARS = 2000;
const SpeechBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: MAX_SPEECH_TEXT_CHARS, description: 'One of the texts the preview answered' }),
});
const WavResponse = { description: '8 kHz mono 16-bit PCM WAV', content: { 'audio/wav': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } };

const tags = ['Discovery'];

export const discoveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, audio, settings, speech } = app.services;
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
  app.post(
    '/callflows/:id/speech',
    {
      schema: {
        tags,
        summary: "A preview text spoken by this server's text-to-speech, as the call would say it (503 where the server has none)",
        params: IdParams,
        body: SpeechBody,
        response: { 200: WavResponse, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      if (!(await tenants.getCallFlow(request.clientId, request.params.id))) throw notFound(`Call flow ${request.params.id} does not exist.`);
      const wav = encodeWav8kMono(await spokenOr503(speech, request.body.text));
      return reply.type('audio/wav').send(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
    },
  );
  app.get('/clis', { schema: { tags, summary: 'Your caller IDs (ids for defaultCli_Id)', response: { 200: Type.Array(CliSchema), ...errorResponses(401) } } }, async (request) =>
    tenants.listClis(request.clientId),
  );
};

/** The text's speech; no engine here, or one that fails, is a 503 (the page then shows the text only). */
async function spokenOr503(speech: ServerSpeech, text: string): Promise<Int16Array> {
  const unavailable = await speech.unavailable();
  if (unavailable !== undefined) throw new HttpProblem(503, 'unavailable', unavailable);
  try {
    return await speech.render(text);
  } catch (error) {
    if (!(error instanceof TtsError)) throw error;
    if (error.code === 'BAD_TEXT') throw validationProblem({ Text: [`Nothing can be spoken: ${error.message}.`] });
    throw new HttpProblem(503, 'unavailable', `Text-to-speech failed on this server: ${error.message}`);
  }
}
