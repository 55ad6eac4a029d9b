// What the compliance guards see (issue 9): the 24-hour abandoned-call rate per campaign and for the client, the
// do-not-call lists that apply, and the guards in force. GET /api/compliance for a client; the operator reads any
// client's at /api/admin/clients/:clientId/compliance/report, and the whole service's at /api/admin/compliance.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminAuthHook, clientAuthHook } from '../plugins/auth.js';
import { ClientIdParams, errorResponses } from '../schemas/common.js';
import { notFound } from '../problem.js';
import type { ListRef } from '../../store/repositories/suppression.js';
import { abandonedRateSettings } from '../../config/settings.js';
import { abandonedRate, abandonedRateAction, sumAbandonedCounts, type AbandonedCounts, type AbandonedRateScope } from '../../domain/compliance/abandoned-rate.js';
import { ABANDONED_REPEAT_HOURS, MACHINE_REPEAT_HOURS } from '../../domain/compliance/repeat-calls.js';
import { TPS_SCREENING_MAX_AGE_DAYS } from '../../domain/compliance/suppression.js';
import { CallingHoursSchema } from './compliance-admin.js';

const DAY_MS = 86_400_000;

const RateSchema = Type.Object({
  live: Type.Integer({ description: 'Answered by a person who heard the message in time' }),
  abandoned: Type.Integer(),
  machine: Type.Integer({ description: 'Answering-machine verdicts' }),
  estimatedFalsePositives: Type.Number({ description: 'machine x AMD false-positive rate' }),
  ratePercent: Type.Number({ description: '(abandoned + false positives) / (live + abandoned + false positives), in %' }),
  action: Type.Union([Type.Literal('normal'), Type.Literal('slow'), Type.Literal('pause')], { description: 'What the guard does at this rate' }),
});

const ListSchema = Type.Object({ numberCount: Type.Integer(), downloadedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) });

export const ComplianceReportSchema = Type.Object({
  from: Type.String({ format: 'date-time', description: 'Start of the rolling 24 hours' }),
  to: Type.String({ format: 'date-time' }),
  client: RateSchema,
  campaigns: Type.Array(Type.Intersect([Type.Object({ id: Type.Integer(), name: Type.String(), complianceNote: Type.Union([Type.String(), Type.Null()]) }), RateSchema])),
  suppression: Type.Object({ client: ListSchema, operator: ListSchema, tps: ListSchema, ctps: ListSchema }),
  guards: Type.Object({
    callingHours: CallingHoursSchema,
    abandonedRateLimitPercent: Type.Number(),
    abandonedRatePausePercent: Type.Number(),
    amdFalsePositivePercent: Type.Number(),
    repeatAfterAbandonedHours: Type.Integer(),
    repeatAfterMachineHours: Type.Union([Type.Integer(), Type.Null()], { description: 'null: switched off by the operator (see machineRuleOffReason)' }),
    machineRuleOffReason: Type.Union([Type.String(), Type.Null()]),
    tpsScreeningMaxAgeDays: Type.Integer(),
  }),
});

/** The counts and what they come to: Ofcom's rate and what the guard does at it for a campaign or a client. */
function rateView(app: FastifyInstance, counts: AbandonedCounts, scope: AbandonedRateScope) {
  const guard = abandonedRateSettings(app.services.settings);
  const rate = abandonedRate(counts, guard);
  return {
    live: counts.live,
    abandoned: counts.abandoned,
    machine: counts.machine,
    estimatedFalsePositives: rate.estimatedFalsePositives,
    ratePercent: Math.round(rate.rate * 10_000) / 100,
    action: abandonedRateAction(rate, guard, scope).kind,
  };
}

async function listView(app: FastifyInstance, ref: ListRef) {
  const info = await app.services.suppression.info(ref);
  return { numberCount: info.numberCount, downloadedAt: info.downloadedAt?.toISOString() ?? null };
}

export const OperatorComplianceReportSchema = Type.Object({
  from: Type.String({ format: 'date-time', description: 'Start of the rolling 24 hours' }),
  to: Type.String({ format: 'date-time' }),
  operator: Type.Omit(RateSchema, ['action'], { description: "Every client's calls together: the call centre's figure (reported; the guards act per campaign and per client)" }),
  clients: Type.Array(
    Type.Intersect([
      Type.Object({
        id: Type.Integer(),
        name: Type.String(),
        campaignsWithNotes: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), complianceNote: Type.String() }), {
          description: 'Campaigns a guard slowed, paused or held, and why',
        }),
      }),
      RateSchema,
    ]),
    { description: 'Clients with calls in the last 24 hours or a campaign a guard acted on, highest rate first' },
  ),
  suppression: Type.Object({ operator: ListSchema, tps: ListSchema, ctps: ListSchema }),
});

async function operatorReport(app: FastifyInstance) {
  const to = app.services.clock.now();
  const from = new Date(to.getTime() - DAY_MS);
  const perClient = await app.services.compliance.abandonedCountsByClient(from);
  const { action: _action, ...operator } = rateView(app, sumAbandonedCounts(perClient), 'client');
  const clients = perClient
    .map((c) => ({
      id: c.clientId,
      name: c.name,
      campaignsWithNotes: c.campaignsWithNotes.map((n) => ({ id: n.campaignId, name: n.name, complianceNote: n.complianceNote })),
      ...rateView(app, c, 'client'),
    }))
    .sort((a, b) => b.ratePercent - a.ratePercent || a.id - b.id);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    operator,
    clients,
    suppression: {
      operator: await listView(app, { kind: 'operator' }),
      tps: await listView(app, { kind: 'tps' }),
      ctps: await listView(app, { kind: 'ctps' }),
    },
  };
}

async function complianceReport(app: FastifyInstance, clientId: number) {
  const { compliance, clock, settings } = app.services;
  const client = await compliance.clientSettings(clientId);
  if (!client) throw notFound(`Client ${clientId} does not exist.`);
  const to = clock.now();
  const from = new Date(to.getTime() - DAY_MS);
  const perCampaign = await compliance.abandonedCounts({ clientId }, from);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    client: rateView(app, sumAbandonedCounts(perCampaign), 'client'),
    campaigns: perCampaign.map((c) => ({ id: c.campaignId, name: c.name, complianceNote: c.complianceNote, ...rateView(app, c, 'campaign') })),
    suppression: {
      client: await listView(app, { kind: 'client', clientId }),
      operator: await listView(app, { kind: 'operator' }),
      tps: await listView(app, { kind: 'tps' }),
      ctps: await listView(app, { kind: 'ctps' }),
    },
    guards: {
      callingHours: client.callingHours,
      abandonedRateLimitPercent: settings.ABANDONED_RATE_LIMIT_PERCENT,
      abandonedRatePausePercent: settings.ABANDONED_RATE_PAUSE_PERCENT,
      amdFalsePositivePercent: settings.AMD_FALSE_POSITIVE_PERCENT,
      repeatAfterAbandonedHours: ABANDONED_REPEAT_HOURS,
      repeatAfterMachineHours: client.machineRuleOffReason === null ? MACHINE_REPEAT_HOURS : null,
      machineRuleOffReason: client.machineRuleOffReason,
      tpsScreeningMaxAgeDays: TPS_SCREENING_MAX_AGE_DAYS,
    },
  };
}

export const clientComplianceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', clientAuthHook(app.services.tenants));
  app.get(
    '/compliance',
    {
      schema: {
        tags: ['Compliance'],
        summary: 'Abandoned-call rates over the last 24 hours, do-not-call lists and the guards in force',
        response: { 200: ComplianceReportSchema, ...errorResponses(401) },
      },
    },
    async (request) => complianceReport(app, request.clientId),
  );
};

export const operatorComplianceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', adminAuthHook(app.services.settings.ADMIN_TOKEN));
  app.get(
    '/compliance',
    {
      schema: {
        tags: ['Operator'],
        security: [{ bearerAuth: [] }],
        summary: 'Abandoned-call rates over the last 24 hours for the whole service and each client, and what the guards did',
        response: { 200: OperatorComplianceReportSchema, ...errorResponses(401, 403) },
      },
    },
    async () => operatorReport(app),
  );
  app.get(
    '/clients/:clientId/compliance/report',
    {
      schema: {
        tags: ['Operator'],
        security: [{ bearerAuth: [] }],
        summary: "A client's compliance report (as GET /api/compliance shows it to the client)",
        params: ClientIdParams,
        response: { 200: ComplianceReportSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => complianceReport(app, request.params.clientId),
  );
};
