// CSV import and export of a campaign's numbers (issue 11). The import reads the upload as a stream
// (src/api/csv/read-csv-upload.ts) into the entries of a phoneNumbers list and puts them through the JSON create's
// own schema and rules (campaign-request.ts, the do-not-call screen, the call flow, CLI and name checks), so a CSV
// row is judged exactly as that entry of a JSON body would be, and the errors keep the JSON paths with the row named
// in each message. The export streams a page of numbers at a time with the socket's backpressure.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { clientAuthHook } from '../plugins/auth.js';
import { errorResponses, IdParams } from '../schemas/common.js';
import { AddPhoneNumbersBody, AddPhoneNumbersQuery, CAMPAIGN_FIELD_NAMES, CreateCampaignBody } from '../schemas/campaigns.js';
import { CsvAddBody, CsvAddedPhoneNumbersSchema, CsvCreateBody, CsvCreatedCampaignSchema } from '../schemas/campaign-csv.js';
import { conflict, FieldErrorCollector, notFound, validationProblem, type FieldErrors } from '../problem.js';
import { schemaErrorsToFieldErrors } from '../validation-errors.js';
import { canonicalizeKeys } from '../case-insensitive.js';
import { strictIntegers } from '../strict-integer.js';
import { screenDoNotCall } from '../do-not-call-screen.js';
import { streamedJson } from '../streamed-json.js';
import { createdCampaignFields } from '../created-campaign-fields.js';
import { addNumbersWithinQuota, checkCampaignCreate, storeCampaign } from '../campaign-create.js';
import { checkPhoneNumbersRequestPausing } from '../../domain/campaign-request.js';
import { checkLifecycle } from '../../domain/campaign-lifecycle.js';
import { yieldToEventLoop } from '../../domain/stepwise.js';
import { EXPORT_HEADER, exportLines, ZoneTimes } from '../../domain/csv/export-rows.js';
import { ByteChunkWriter } from '../byte-chunk-writer.js';
import { csvErrors, leftOutRows, mergedRows, readCsvNumbers } from '../csv/csv-numbers.js';
import { readUploadParts } from '../csv/multipart-parts.js';

import { IdempotencyKeyHeaders } from '../schemas/idempotency.js';
import { Idempotency } from '../plugins/idempotency.js';

const tags = ['Campaign CSV'];
const JSON_UTF8 = 'application/json; charset=utf-8';
const CAMPAIGN_PATH = 'Campaign';

export const campaignCsvRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, campaigns, clock, suppression, settings, campaignEvents, campaignExports: exports } = app.services;
  app.addHook('onRequest', clientAuthHook(tenants));
  app.services.idempotency.install(app);
  // Multipart for these routes only: the app accepts JSON everywhere else. Files stream; nothing here buffers one.
  await app.register(multipart, { limits: { fileSize: Math.round(settings.CSV_UPLOAD_LIMIT_MB * 1024 * 1024), files: 3, fields: 2, parts: 4 } });

  // The body is a multipart stream the handler reads itself: its schema is for the OpenAPI document, not checked by
  // Fastify (there is no parsed body to check). Params and query are checked as on every route.
  const documentedBodyOnly: FastifySchemaCompiler<unknown> = (route) =>
    route.httpPart === 'body' ? () => true : app.validatorCompiler!(route);
  let validators: { create: Validate; add: Validate } | undefined;
  const validatorsOf = () =>
    (validators ??= {
      create: app.validatorCompiler!({ schema: CreateCampaignBody, method: 'POST', url: '/csv', httpPart: 'body' }) as Validate,
      add: app.validatorCompiler!({ schema: AddPhoneNumbersBody, method: 'POST', url: '/:id/phonenumbers/csv', httpPart: 'body' }) as Validate,
    });

  // First: its compile sets up this scope's validator compiler, which the two uploads' params and query use.
  app.get(
    '/:id/export',
    {
      schema: {
        tags,
        summary: "A campaign's numbers with every call, as CSV (one row per call, plus one per number never called)",
        description:
          'Columns: number_id, number, name, parameter1..parameter9, status, status_reason, attempt, start_time, end_time, duration_s, outcome, stage, keys, answered_by, voicemail_left, sip_code, end_reason, price. Rows in number id then attempt order; times ISO 8601 with the campaign zone\'s offset; status and outcome by name. Text fields that a spreadsheet would read as a formula (leading = + - @) start with an apostrophe.',
        params: IdParams,
        response: {
          200: { description: 'The CSV, as an attachment campaign-<id>.csv', content: { 'text/csv': { schema: Type.String() } } },
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const zone = await exports.timeZoneOf(request.clientId, id);
      if (zone === undefined) throw notFound(`Campaign ${id} does not exist.`);
      async function* lines(): AsyncGenerator<string | Buffer> {
        const times = new ZoneTimes(zone!);
        const writer = new ByteChunkWriter();
        yield EXPORT_HEADER;
        for await (const page of exports.pages(id)) {
          for (const entry of page) writer.write(exportLines(entry, times));
          yield writer.take();
        }
      }
      // Not object mode: the stream holds 16 KiB before it stops pulling pages, so memory stays one page deep.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="campaign-${id}.csv"`)
        .send(Readable.from(lines(), { objectMode: false }) as never);
    },
  );

  app.post(
    '/csv',
    {
      validatorCompiler: documentedBodyOnly,
      schema: {
        tags,
        summary: 'Create a campaign from its fields and a CSV of numbers (multipart: campaign, columns, file)',
        description:
          'The campaign part is the JSON create body without phoneNumbers; the file\'s rows are its phoneNumbers, judged by the same rules. Errors keep the JSON paths (PhoneNumbers[i].Number, i counting data rows from 0) and name the CSV row in each message; problems with the parts themselves are under Campaign, Columns and File. Nothing is created on any error.',
        consumes: ['multipart/form-data'],
        querystring: AddPhoneNumbersQuery,
        body: CsvCreateBody,
        headers: IdempotencyKeyHeaders,
        response: { 201: CsvCreatedCampaignSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { clientId } = request;
      const ignoreInvalid = request.query.ignoreInvalidPhoneNumbers?.toLowerCase() === 'true';
      const { campaignBody, numbers } = await withUnreadBodyClosed(reply, async () => {
        const parts = await readUploadParts(request, ['campaign', 'columns'], new Set(['columns']));
        const campaignBody = parseCampaignPart(parts.texts.get('campaign')!);
        return { campaignBody, numbers: await readCsvNumbers(parts.file, parts.texts.get('columns')) };
      });
      const body: Record<string, unknown> = { ...campaignBody, phoneNumbers: numbers.entries };
      // The key is claimed once the parts are read (they stream; the upload is not kept): the request is identified
      // by the campaign part and the numbers the file and columns gave, so the same upload again is a replay.
      const replayed = await app.services.idempotency.begin(request, reply, () => JSON.stringify({ body, fileErrors: numbers.fileErrors }));
      if (replayed) return replayed;
      const schemaErrors = schemaCheck(validatorsOf().create, body);
      const { check, errors, nameTaken } = await checkCampaignCreate(app.services, { clientId, body, schemaErrors, ignoreInvalid });
      const fileErrors = Object.keys(numbers.fileErrors).length > 0;
      if (!errors.isEmpty || !check.ok || fileErrors) throw validationProblem(csvErrors(numbers, errors.errors));
      const id = await storeCampaign(campaigns, clientId, { check, nameTaken }, await app.services.clientLimits.get(clientId), clock.now());
      campaignEvents.emit('changed', id);
      const { plan } = check;
      reply.code(201).header('location', `/api/campaigns/voice/${id}`);
      const answer = streamedJson(reply, CsvCreatedCampaignSchema, ['invalidPhoneNumbers', 'duplicatePhoneNumbers'], {
        ...createdCampaignFields(id, plan, check.compliance),
        rows: numbers.rows,
        numbersAdded: plan.numbers.length,
        columns: numbers.mapping.names,
        invalidPhoneNumbers: leftOutRows(numbers, check.leftOut),
        duplicatePhoneNumbers: mergedRows(numbers, check.merged),
      });
      return reply.type(JSON_UTF8).send(answer as never);
    },
  );

  app.post(
    '/:id/phonenumbers/csv',
    {
      validatorCompiler: documentedBodyOnly,
      schema: {
        tags,
        summary: 'Add the numbers of a CSV to a campaign that has not finished (multipart: columns, file; numbers it has are skipped)',
        consumes: ['multipart/form-data'],
        params: IdParams,
        querystring: AddPhoneNumbersQuery,
        body: CsvAddBody,
        headers: IdempotencyKeyHeaders,
        response: { 201: CsvAddedPhoneNumbersSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { clientId } = request;
      const id = request.params.id;
      const ignoreInvalid = request.query.ignoreInvalidPhoneNumbers?.toLowerCase() === 'true';
      const guard = async () => {
        const detail = await campaigns.get(clientId, id);
        if (!detail) throw notFound(`Campaign ${id} does not exist.`);
        const verdict = checkLifecycle('addNumbers', detail.campaign, clock.now());
        if (!verdict.ok) throw conflict(verdict.reason);
        return detail.campaign;
      };
      // The campaign is judged before the file is read: a finished campaign's upload is refused unread, unless its
      // Idempotency-Key was seen before: a retried add that succeeded gets its first answer, whatever the campaign did
      // since (as the JSON add), once the upload is read and matched against the first.
      const campaignFound = await refusedBeforeReading(request, reply, async () => {
        Idempotency.keyOf(request); // a malformed key is refused unread too (400)
        try {
          return await guard();
        } catch (error) {
          if (await app.services.idempotency.seenBefore(request)) return undefined;
          throw error;
        }
      });
      const numbers = await withUnreadBodyClosed(reply, async () => {
        const parts = await readUploadParts(request, ['columns'], new Set(['columns']));
        return readCsvNumbers(parts.file, parts.texts.get('columns'));
      });
      const body = { phoneNumbers: numbers.entries };
      // Identified, as the CSV create, by the numbers the file and columns gave (with the file's own errors).
      const replayed = await app.services.idempotency.begin(request, reply, () => JSON.stringify({ body, fileErrors: numbers.fileErrors }));
      if (replayed) return replayed;
      const campaign = campaignFound ?? (await guard());
      const allowedCountries = (await tenants.getClient(clientId))?.allowedCountries ?? [];
      const check = await checkPhoneNumbersRequestPausing(
        { body, schemaErrors: schemaCheck(validatorsOf().add, body), ignoreInvalidPhoneNumbers: ignoreInvalid, allowedCountries },
        yieldToEventLoop,
      );
      if (!check.ok) throw validationProblem(csvErrors(numbers, check.errors));
      const errors = new FieldErrorCollector();
      const screened = await screenDoNotCall(
        suppression,
        { clientId, marketing: campaign.marketing, numbers: check.numbers, leftOut: check.leftOut, sent: numbers.entries, ignoreInvalid },
        errors,
      );
      if (!errors.isEmpty || Object.keys(numbers.fileErrors).length > 0) throw validationProblem(csvErrors(numbers, errors.errors));
      const added = await addNumbersWithinQuota(app.services, clientId, campaign.id, screened.numbers);
      campaignEvents.emit('changed', campaign.id);
      reply.code(201);
      const answer = streamedJson(reply, CsvAddedPhoneNumbersSchema, ['alreadyInCampaign', 'invalidPhoneNumbers', 'duplicatePhoneNumbers'], {
        added: added.size,
        alreadyInCampaign: screened.numbers.filter((n) => !added.has(n.e164)).map((n) => n.e164),
        rows: numbers.rows,
        columns: numbers.mapping.names,
        invalidPhoneNumbers: leftOutRows(numbers, screened.leftOut),
        duplicatePhoneNumbers: mergedRows(numbers, check.merged),
      });
      return reply.type(JSON_UTF8).send(answer as never);
    },
  );

};

type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/** The route schema's check of a body built from the upload, with the JSON create's messages and paths. */
function schemaCheck(validate: Validate, body: unknown): FieldErrors {
  return validate(body) ? {} : schemaErrorsToFieldErrors(validate.errors ?? [], 'body', CAMPAIGN_FIELD_NAMES);
}

/**
 * The campaign part: a JSON object with the create's fields (names canonicalised and integers checked as the JSON
 * create's hooks do); phoneNumbers come from the file only.
 */
function parseCampaignPart(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw validationProblem({ [CAMPAIGN_PATH]: [`The campaign part is not valid JSON: ${(error as Error).message}`] });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationProblem({ [CAMPAIGN_PATH]: ['The campaign part must be a JSON object with the fields of the create body.'] });
  }
  const body = strictIntegers(canonicalizeKeys(value, CreateCampaignBody), CreateCampaignBody) as Record<string, unknown>;
  if ('phoneNumbers' in body) {
    throw validationProblem({ [CAMPAIGN_PATH]: ['Leave phoneNumbers out of the campaign part: the numbers are the rows of the file part.'] });
  }
  return body;
}

/**
 * Runs a step that may answer before the upload has been read to its end (a bad part, a row past the limit, a
 * finished campaign): such an answer closes the connection, so the client stops sending and the server does not
 * read (even to discard) the rest of a large file.
 */
/**
 * An upload refused before any of it was read (404, 409). Closing a connection whose unread upload is still arriving
 * makes the kernel answer the client with a reset, which can reach it before the refusal does (the CLI then saw EPIPE
 * instead of the 409). An upload up to LINGER_MAX_BYTES is therefore read to its end and thrown away first (a
 * "lingering close"), so the refusal always arrives; a bigger one is refused at once, as withUnreadBodyClosed does.
 */
async function refusedBeforeReading<T>(request: FastifyRequest, reply: FastifyReply, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const declaredBytes = Number(request.headers['content-length']);
    if (Number.isFinite(declaredBytes) && declaredBytes <= LINGER_MAX_BYTES) await discardUpload(request.raw);
    reply.header('connection', 'close');
    throw error;
  }
}

/** The largest unread upload a refusal reads to its end first (refusedBeforeReading). */
const LINGER_MAX_BYTES = 16 * 1024 * 1024;
/** How long a refusal waits for that upload's end before answering anyway. */
const LINGER_MAX_MS = 10_000;

function discardUpload(raw: NodeJS.ReadableStream & { readableEnded?: boolean }): Promise<void> {
  if (raw.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, LINGER_MAX_MS);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}

async function withUnreadBodyClosed<T>(reply: FastifyReply, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    reply.header('connection', 'close');
    throw error;
  }
}
