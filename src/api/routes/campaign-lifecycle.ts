// Beyond the document: pause, resume, cancel and delete a campaign. An action the campaign's status does not allow
// is a 409 problem that names the status.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { clientAuthHook } from '../plugins/auth.js';
import { errorResponses, IdParams } from '../schemas/common.js';
import {
  AddedPhoneNumbersSchema,
  AddPhoneNumbersBody,
  AddPhoneNumbersQuery,
  CAMPAIGN_FIELD_NAMES,
  CampaignListItemSchema,
} from '../schemas/campaigns.js';
import { attachedBodyErrors } from '../validation-errors.js';
import { checkPhoneNumbersRequestPausing } from '../../domain/campaign-request.js';
import { yieldToEventLoop } from '../../domain/stepwise.js';
import { validationProblem } from '../problem.js';
import { conflict, notFound } from '../problem.js';
import { checkLifecycle, statusAfterResume, type LifecycleAction } from '../../domain/campaign-lifecycle.js';
import { CampaignStatus } from '../../domain/enums.js';
import { toListItem } from './campaigns.js';
import { screenDoNotCall } from '../do-not-call-screen.js';
import { addNumbersWithinQuota } from '../campaign-create.js';
import { FieldErrorCollector } from '../../domain/field-errors.js';

import { IdempotencyKeyHeaders } from '../schemas/idempotency.js';

const tags = ['Campaign lifecycle'];

export const campaignLifecycleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, campaigns, campaignDetails, clock, campaignEvents, lifecycle, suppression } = app.services;
  app.addHook('onRequest', clientAuthHook(tenants));
  app.services.idempotency.install(app);

  /** Loads the caller's campaign and checks the action against its status (404 / 409). */
  const guard = async (clientId: number, id: number, action: LifecycleAction) => {
    const detail = await campaigns.get(clientId, id);
    if (!detail) throw notFound(`Campaign ${id} does not exist.`);
    const verdict = checkLifecycle(action, detail.campaign, clock.now());
    if (!verdict.ok) throw conflict(verdict.reason);
    return detail.campaign;
  };
  const reread = async (clientId: number, id: number) => toListItem((await campaigns.get(clientId, id))!.campaign);
  const raced = (id: number) => conflict(`Campaign ${id} changed status while this request ran; read it and try again.`);
  const response = { 200: CampaignListItemSchema, ...errorResponses(400, 401, 404, 409) };

  app.post(
    '/:id/pause',
    { schema: { tags, summary: 'Pause: no new calls start until resumed; calls in progress finish', params: IdParams, response } },
    async (request) => {
      const { clientId } = request;
      const campaign = await guard(clientId, request.params.id, 'pause');
      if (!(await lifecycle.transition(clientId, campaign.id, [campaign.status], CampaignStatus.Paused, clock.now()))) throw raced(campaign.id);
      campaignEvents.emit('changed', campaign.id);
      return reread(clientId, campaign.id);
    },
  );

  app.post(
    '/:id/resume',
    { schema: { tags, summary: 'Resume a paused campaign; due numbers are called in its next open window', params: IdParams, response } },
    async (request) => {
      const { clientId } = request;
      const campaign = await guard(clientId, request.params.id, 'resume');
      const to = statusAfterResume(campaign.startsAt, clock.now());
      if (!(await lifecycle.transition(clientId, campaign.id, [CampaignStatus.Paused], to, clock.now()))) throw raced(campaign.id);
      campaignEvents.emit('changed', campaign.id);
      return reread(clientId, campaign.id);
    },
  );

  app.post(
    '/:id/cancel',
    { schema: { tags, summary: 'Cancel: no further calls; waiting numbers end as Cancelled; calls in progress finish', params: IdParams, response } },
    async (request) => {
      const { clientId } = request;
      const campaign = await guard(clientId, request.params.id, 'cancel');
      if (!(await lifecycle.cancel(clientId, campaign.id, [campaign.status], clock.now()))) throw raced(campaign.id);
      campaignEvents.emit('changed', campaign.id);
      return reread(clientId, campaign.id);
    },
  );

  app.post(
    '/:id/phonenumbers',
    {
      // Like creation: schema errors are gathered with the phone-number rules into one answer.
      attachValidation: true,
      schema: {
        tags,
        summary: 'Add numbers to a campaign that has not finished (same rules as creation; numbers it has are skipped)',
        params: IdParams,
        querystring: AddPhoneNumbersQuery,
        body: AddPhoneNumbersBody,
        headers: IdempotencyKeyHeaders,
        response: { 201: AddedPhoneNumbersSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const schemaErrors = attachedBodyErrors(request, CAMPAIGN_FIELD_NAMES);
      const { clientId } = request;
      const id = request.params.id;
      // Before the status guard: a retried add that succeeded gets its first answer, whatever the campaign did since.
      const replayed = await app.services.idempotency.begin(request, reply, () => JSON.stringify(request.body ?? null));
      if (replayed) return replayed;
      const campaign = await guard(clientId, id, 'addNumbers');
      const allowedCountries = (await tenants.getClient(clientId))?.allowedCountries ?? [];
      const ignoreInvalid = request.query.ignoreInvalidPhoneNumbers?.toLowerCase() === 'true';
      const check = await checkPhoneNumbersRequestPausing(
        { body: request.body, schemaErrors, ignoreInvalidPhoneNumbers: ignoreInvalid, allowedCountries },
        yieldToEventLoop,
      );
      if (!check.ok) throw validationProblem(check.errors);
      // The do-not-call lists, as at create; the campaign's marketing flag decides whether TPS/CTPS apply.
      const errors = new FieldErrorCollector();
      const sent = (request.body as { phoneNumbers?: unknown }).phoneNumbers;
      const screened = await screenDoNotCall(
        suppression,
        { clientId, marketing: campaign.marketing, numbers: check.numbers, leftOut: check.leftOut, sent, ignoreInvalid },
        errors,
      );
      if (!errors.isEmpty) throw validationProblem(errors.errors);
      const added = await addNumbersWithinQuota(app.services, clientId, campaign.id, screened.numbers);
      campaignEvents.emit('changed', campaign.id);
      return reply.code(201).send({
        added: added.size,
        alreadyInCampaign: screened.numbers.filter((n) => !added.has(n.e164)).map((n) => n.e164),
        invalidPhoneNumbers: screened.leftOut,
        duplicatePhoneNumbers: check.merged,
      });
    },
  );

  app.delete(
    // Digits only, so that DELETE on the /p listing is a 405 rather than a bad id.
    '/:id(^\\d+$)',
    {
      schema: {
        tags,
        summary: 'Delete a campaign that has not started (409 once it has: cancel it instead)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { clientId } = request;
      const campaign = await guard(clientId, request.params.id, 'delete');
      if (!(await lifecycle.delete(clientId, campaign.id))) throw raced(campaign.id);
      // Not a 'changed' event (that wakes the dialer for new numbers): the deleted campaign only leaves the cache.
      campaignDetails.evict(campaign.id);
      return reply.code(204).send(null);
    },
  );
};
