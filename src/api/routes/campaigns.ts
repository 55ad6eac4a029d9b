// The Voice Campaigns API, exactly as ../shared/spec/voice-campaigns.md documents it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { clientAuthHook } from '../plugins/auth.js';
import { errorResponses, IdParams } from '../schemas/common.js';
import {
  CAMPAIGN_FIELD_NAMES,
  CampaignDetailSchema,
  CampaignListItemSchema,
  CampaignPageSchema,
  CreateCampaignBody,
  CreatedCampaignSchema,
  CreateParams,
  PhoneNumberResultSchema,
  phoneNumbersParamsFor,
  PhoneNumbersQuery,
  type PhoneNumbersParams,
} from '../schemas/campaigns.js';
import { CampaignPageQuery } from '../schemas/campaign-query.js';
import { notFound, validationProblem } from '../problem.js';
import { attachedBodyErrors } from '../validation-errors.js';
import type { CampaignDetail, CampaignRow } from '../../store/repositories/campaigns.js';
import { toListQuery } from './campaign-list-query.js';
import { toPhoneNumberResult } from './campaign-views.js';
import { streamedJson } from '../streamed-json.js';
import { IdempotencyKeyHeaders } from '../schemas/idempotency.js';
import { checkCampaignCreate, storeCampaign } from '../campaign-create.js';
import { createdCampaignFields } from '../created-campaign-fields.js';
import type { AbandonedCounts } from '../../domain/compliance/abandoned-rate.js';
import { abandonedCalls24h } from '../../domain/campaign-summary.js';
import { abandonedRateSettings } from '../../config/settings.js';
import { RecentAbandonedCounts } from '../../store/repositories/recent-abandoned-counts.js';
import type { CampaignProgress } from '../../domain/campaign-summary.js';

const tags = ['Voice campaigns'];
/** What Fastify sends a serialized JSON answer as. */
const JSON_UTF8 = 'application/json; charset=utf-8';
/** The abandoned counts of a campaign that has placed no call (one object, so its detail body is reused too). */
const NO_CALLS: AbandonedCounts = Object.freeze({ live: 0, abandoned: 0, machine: 0 });
/** The progress of a campaign deleted between the page's read and its progress's. */
const NO_PROGRESS: CampaignProgress = Object.freeze({ numbersTotal: 0, numbersFinished: 0, callsAnswered: 0, cost: 0 });

export function toListItem(row: CampaignRow) {
  return {
    id: row.id,
    name: row.name,
    startDate: `${row.startDate}T${row.startTime}:00`,
    starttime: row.startTime,
    finishtime: row.finishTime,
    type: row.type,
    callFlow_Id: row.callFlowId,
    campaignStatus: row.status,
    callCount: row.callCount,
    cli_id: row.cliId,
  };
}

export const campaignRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, campaigns, campaignDetails, clock, compliance, settings } = app.services;
  const { amdFalsePositiveRate } = abandonedRateSettings(settings);
  const recentAbandoned = new RecentAbandonedCounts(compliance, clock);
  const summaries = app.services.campaignSummaries;
  app.addHook('onRequest', clientAuthHook(tenants));
  app.services.idempotency.install(app);


  app.get(
    '/',
    { schema: { tags, summary: 'List of campaigns', response: { 200: Type.Array(CampaignListItemSchema), ...errorResponses(401) } } },
    async (request) => (await campaigns.list(request.clientId)).map(toListItem),
  );

  app.get(
    '/p',
    {
      schema: {
        tags,
        summary: 'List of campaigns with pagination, filtering and sorting',
        querystring: CampaignPageQuery,
        response: { 200: CampaignPageSchema, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const query = toListQuery(request.query);
      const { rows, totalRecords } = await campaigns.page(request.clientId, query);
      // The page's progress (Ringcast extension) from the counts kept per campaign: one statement for the page.
      const progress = await summaries.progress(rows.map((row) => row.id));
      return {
        pageIndex: query.pageIndex,
        totalPages: Math.ceil(totalRecords / query.pageSize),
        totalRecords,
        items: rows.map((row) => ({ ...toListItem(row), progress: progress.get(row.id) ?? NO_PROGRESS })),
      };
    },
  );

  // The detail's JSON as last sent, per cached detail: a poll that finds the same detail object (the cache keeps it
  // until the campaign changes) and the same shared abandoned counts (one object per second) sends the same bytes, so
  // they are built and serialized once rather than per request (issue 10: building and serializing the answer and
  // the garbage it left were a third of a hit's CPU). Keyed weakly: an evicted detail takes its body with it.
  const detailBodies = new WeakMap<CampaignDetail, { counts: AbandonedCounts; body: string }>();

  app.get(
    '/:id',
    { schema: { tags, summary: 'Campaign by id', params: IdParams, response: { 200: CampaignDetailSchema, ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      // Kept until the database says the campaign changed (campaign-detail-cache.ts): a hit does no query.
      const detail = await campaignDetails.get(request.clientId, request.params.id);
      if (!detail) throw notFound(`Campaign ${request.params.id} does not exist.`);
      const { campaign } = detail;
      // Ofcom's abandoned-call rate over the last 24 hours. A campaign that has placed no call (callCount counts the
      // calls the dialer claimed) has none to count, and most reads are of those: no query. Otherwise the count is
      // shared between reads less than a second apart (recent-abandoned-counts.ts).
      const counts = campaign.callCount === 0 ? NO_CALLS : await recentAbandoned.forCampaign(campaign.id);
      let kept = detailBodies.get(detail);
      if (kept === undefined || kept.counts !== counts) {
        // The detail spells the CLI's id cli_Id, where the list says cli_id.
        const { cli_id: _listSpelling, ...listItem } = toListItem(campaign);
        const answer: Static<typeof CampaignDetailSchema> = {
          ...listItem,
          cli_Id: campaign.cliId,
          timeZone: campaign.timeZone,
          attempts: detail.attempts.map((attempt) => ({ interval: attempt.intervalMinutes, attemptNumber: attempt.attemptNumber })),
          runOverDays: detail.runoverDays,
          marketing: campaign.marketing,
          complianceNote: campaign.complianceNote,
          abandonedCalls24h: abandonedCalls24h(counts, { amdFalsePositiveRate }),
        };
        // The route's own response serializer, so the bytes are what returning `answer` would have sent (a JSON
        // serializer answers a string).
        kept = { counts, body: reply.serialize(answer) as string };
        detailBodies.set(detail, kept);
      }
      // A string with a JSON content type is sent as it is, not serialized again; the type provider only knows the
      // object form of the schema.
      return reply.type(JSON_UTF8).send(kept.body as never);
    },
  );

  // The three documented spellings of the phone-number listing share one handler.
  for (const path of ['/:id/phonenumbers', '/:id/phonenumbers/:pageNumber', '/:id/phonenumbers/:pageSize/:pageNumber']) {
    app.get(
      path,
      {
        schema: {
          tags,
          summary: 'Phone numbers with call and SMS outcomes',
          params: phoneNumbersParamsFor(path),
          querystring: PhoneNumbersQuery,
          response: { 200: Type.Array(PhoneNumberResultSchema), ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => {
        const { id, pageNumber = 1, pageSize = 10 } = request.params as PhoneNumbersParams;
        const page = await campaigns.phoneNumbersPage(request.clientId, id, pageSize, pageNumber, request.query.search);
        if (!page) throw notFound(`Campaign ${id} does not exist.`);
        return page.numbers.map((entry) => toPhoneNumberResult(entry, page.timeZone));
      },
    );
  }

  for (const path of ['/', '/:ignoreInvalidPhoneNumbers']) {
    app.post(
      path,
      {
        // Schema errors are attached rather than answered at once, so the handler can add the rules the schema
        // cannot express and report every failing field in one response.
        attachValidation: true,
        schema: {
          tags,
          summary: 'Create a campaign',
          ...(path === '/' ? {} : { params: CreateParams }),
          body: CreateCampaignBody,
          headers: IdempotencyKeyHeaders,
          response: { 201: CreatedCampaignSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const schemaErrors = attachedBodyErrors(request, CAMPAIGN_FIELD_NAMES);
        const ignoreInvalidPhoneNumbers =
          String((request.params as { ignoreInvalidPhoneNumbers?: string }).ignoreInvalidPhoneNumbers).toLowerCase() === 'true';
        const clientId = request.clientId;
        // Claimed before the checks: a retry of a create that succeeded is answered from the first answer.
        const replayed = await app.services.idempotency.begin(request, reply, () => JSON.stringify(request.body ?? null));
        if (replayed) return replayed;
        const { check, errors, nameTaken } = await checkCampaignCreate(app.services, { clientId, body: request.body, schemaErrors, ignoreInvalid: ignoreInvalidPhoneNumbers });
        if (!errors.isEmpty || !check.ok) throw validationProblem(errors.errors);
        const id = await storeCampaign(campaigns, clientId, { check, nameTaken }, await app.services.clientLimits.get(clientId), clock.now());
        // An in-process dialer starts on it at once instead of at its next idle poll.
        app.services.campaignEvents.emit('changed', id);
        const { plan } = check;
        // A body that passed the checks is an object with its phoneNumbers as sent: the answer echoes them.
        const sent = (request.body as { phoneNumbers: Record<string, unknown>[] }).phoneNumbers;
        reply.code(201).header('location', `/api/campaigns/voice/${id}`);
        const answer = streamedJson(reply, CreatedCampaignSchema, ECHOED_LISTS, {
          ...createdCampaignFields(id, plan, check.compliance),
          phoneNumbers: plan.numbers.map((n) => sent[n.index] as { number: string }),
          invalidPhoneNumbers: check.leftOut,
          duplicatePhoneNumbers: check.merged,
        });
        // JSON text as a stream: the content type makes Fastify send it as it is.
        return reply.type(JSON_UTF8).send(answer as never);
      },
    );
  }
};

/** The lists of the create answer that can be 100,000 entries long. */
const ECHOED_LISTS = ['phoneNumbers', 'invalidPhoneNumbers', 'duplicatePhoneNumbers'] as const;
