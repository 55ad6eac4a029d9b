// Uploaded audio for call flows' play steps (operator API, under /api/admin). An upload is the raw file as the body
// (WAV or MP3); it is decoded, mixed to mono, resampled to 8 kHz and stored as a 16-bit PCM WAV, which is what the
// download returns. Audio that cannot be decoded is a 400 with the reason.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { adminAuthHook } from '../plugins/auth.js';
import { ClientIdParams, errorResponses } from '../schemas/common.js';
import { ClientChildParams } from '../schemas/tenants.js';
import { HttpProblem, notFound, validationProblem } from '../problem.js';
import { AUDIO_MEDIA_TYPES, uploadAudio } from '../../tenancy/audio.js';
import { requireClient as requireClientIn } from './require-client.js';

const tags = ['Operator'];
const security = [{ bearerAuth: [] }];

const Timestamp = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
export const AudioFileSchema = Type.Object({
  id: Type.Integer(),
  clientId: Type.Integer(),
  name: Type.String(),
  durationMs: Type.Integer({ description: 'Length of the audio in milliseconds' }),
  sampleRate: Type.Integer({ description: 'Always 8000: stored as 8 kHz mono 16-bit PCM' }),
  createdAt: Timestamp,
});
const UploadQuery = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, description: 'A name for the audio file' }) });

const ACCEPTED = Object.keys(AUDIO_MEDIA_TYPES);
const unsupportedMediaType = () =>
  new HttpProblem(415, 'unsupported-media-type', `Send the audio file as the body with Content-Type ${ACCEPTED.join(', ')}.`);

/** The request's media type without parameters, lower case. */
function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export const audioRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, audio } = app.services;
  app.addHook('onRequest', adminAuthHook(app.services.settings.ADMIN_TOKEN));
  // Only this plugin's routes take audio bodies; the app's body limit applies.
  app.addContentTypeParser(ACCEPTED, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const requireClient = (clientId: number) => requireClientIn(tenants, clientId);

  app.post(
    '/clients/:clientId/audio',
    {
      schema: {
        tags,
        security,
        summary: 'Upload an audio file (the raw WAV or MP3 as the body); stored as 8 kHz mono',
        params: ClientIdParams,
        querystring: UploadQuery,
        consumes: ACCEPTED,
        response: { 201: AudioFileSchema, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
      // Before the body is read: any other media type gets a 415 that names the accepted ones.
      onRequest: async (request) => {
        if (!(mediaType(request) in AUDIO_MEDIA_TYPES)) throw unsupportedMediaType();
      },
    },
    async (request, reply) => {
      const { clientId } = request.params;
      await requireClient(clientId);
      const name = request.query.name.trim();
      if (name === '') throw validationProblem({ name: ['The name field is required.'] });
      const kind = AUDIO_MEDIA_TYPES[mediaType(request)];
      if (kind === undefined || !(request.body instanceof Uint8Array)) throw unsupportedMediaType();
      const file = await uploadAudio(audio, { clientId, name, kind, bytes: request.body });
      return reply.code(201).header('location', `/api/admin/clients/${clientId}/audio/${file.id}`).send(file);
    },
  );
  app.get(
    '/clients/:clientId/audio',
    { schema: { tags, security, summary: "List a client's audio files", params: ClientIdParams, response: { 200: Type.Array(AudioFileSchema), ...errorResponses(401, 403, 404) } } },
    async (request) => {
      await requireClient(request.params.clientId);
      return audio.list(request.params.clientId);
    },
  );
  app.get(
    '/clients/:clientId/audio/:id',
    { schema: { tags, security, summary: 'Read an audio file\'s details', params: ClientChildParams, response: { 200: AudioFileSchema, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const { clientId, id } = request.params;
      const file = await audio.get(clientId, id);
      if (!file) throw notFound(`Audio file ${id} of client ${clientId} does not exist.`);
      return file;
    },
  );
  app.get(
    '/clients/:clientId/audio/:id/wav',
    {
      schema: {
        tags,
        security,
        summary: 'Download the stored audio (8 kHz mono 16-bit PCM WAV)',
        params: ClientChildParams,
        // Only the 200 is audio: errors stay problem+json, as the OpenAPI document says for every route.
        response: {
          200: { description: 'The WAV file', content: { 'audio/wav': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { clientId, id } = request.params;
      const wav = await audio.getWav(clientId, id);
      if (!wav) throw notFound(`Audio file ${id} of client ${clientId} does not exist.`);
      return reply.type('audio/wav').send(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
    },
  );
  app.delete(
    '/clients/:clientId/audio/:id',
    { schema: { tags, security, summary: 'Delete an audio file (flows still playing it skip the step)', params: ClientChildParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      const { clientId, id } = request.params;
      if (!(await audio.delete(clientId, id))) throw notFound(`Audio file ${id} of client ${clientId} does not exist.`);
      return reply.code(204).send(null);
    },
  );
};
