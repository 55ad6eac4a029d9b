// A campaign's live summary (GET /:id/summary) and its server-sent event stream (GET /:id/live), issue 11: what the
// dashboard's campaign page shows while the campaign runs. Both read the counts kept as the campaign runs
// (store/repositories/campaign-summary.ts): a few rows whatever the campaign's size.
import type { Server } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { clientAuthHook } from '../plugins/auth.js';
import { errorResponses, IdParams } from '../schemas/common.js';
import { CampaignSummarySchema } from '../schemas/campaign-summary.js';
import { notFound } from '../problem.js';
import { SummaryStream } from '../summary-stream.js';
import { abandonedCalls24h, summarize, type CampaignSummary } from '../../domain/campaign-summary.js';
import type { AbandonedCounts } from '../../domain/compliance/abandoned-rate.js';
import { CampaignStatus } from '../../domain/enums.js';
import { abandonedRateSettings } from '../../config/settings.js';
import { RecentAbandonedCounts } from '../../store/repositories/recent-abandoned-counts.js';

const tags = ['Campaign summary'];
/** A campaign that has placed no call has no abandoned-rate counts to read (as the detail does). */
const NO_CALLS: AbandonedCounts = Object.freeze({ live: 0, abandoned: 0, machine: 0 });
const FINAL_STATUSES: ReadonlySet<number> = new Set([CampaignStatus.Completed, CampaignStatus.Cancelled]);

/** The live streams open on each server (tests check that a client going away closes its stream). */
const liveStreams = new WeakMap<Server, Set<SummaryStream<CampaignSummary>>>();

/** How many live streams this server has open. */
export function openLiveStreams(server: Server): number {
  return liveStreams.get(server)?.size ?? 0;
}

export const campaignLiveRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tenants, clock, compliance, settings, campaignSummaries: summaries } = app.services;
  const { amdFalsePositiveRate } = abandonedRateSettings(settings);
  // Its own shared counts, as the detail route has: the same query and the same one-second sharing, so the two agree.
  const recentAbandoned = new RecentAbandonedCounts(compliance, clock);
  const limits = { maxConcurrentCalls: settings.CAMPAIGN_MAX_CALLS, maxCallsPerSecond: settings.CAMPAIGN_MAX_CPS };
  const streams = new Set<SummaryStream<CampaignSummary>>();
  liveStreams.set(app.server, streams);
  app.addHook('onRequest', clientAuthHook(tenants));
  // Open streams would hold app.close() until their clients left: they end first, their timers with them.
  app.addHook('preClose', async () => {
    for (const stream of [...streams]) stream.close();
  });

  const readSummary = async (clientId: number, id: number): Promise<CampaignSummary | undefined> => {
    const counts = await summaries.counts(clientId, id);
    if (!counts) return undefined;
    const abandoned = counts.campaign.callCount === 0 ? NO_CALLS : await recentAbandoned.forCampaign(id);
    return summarize(counts, { at: clock.now(), abandoned: abandonedCalls24h(abandoned, { amdFalsePositiveRate }), limits });
  };

  app.get(
    '/:id/summary',
    {
      schema: {
        tags,
        summary: "A campaign's numbers by status, calls by outcome, calls per minute, abandoned-call rate and pacing now",
        params: IdParams,
        response: { 200: CampaignSummarySchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const summary = await readSummary(request.clientId, request.params.id);
      if (!summary) throw notFound(`Campaign ${request.params.id} does not exist.`);
      return summary;
    },
  );

  app.get(
    '/:id/live',
    {
      schema: {
        tags,
        summary: 'The summary as server-sent events, at once and every second while the campaign runs',
        description:
          'text/event-stream. `event: summary` with the summary JSON (as GET /{id}/summary answers it) as `data:`, at once and then ' +
          'each second it changed; a `: keep-alive` comment each second it did not. When the campaign is Completed or Cancelled: a ' +
          'last summary, then `event: end` (data `{"reason":"finished","campaignStatus":5}`; `{"reason":"deleted"}` if the campaign ' +
          'is deleted), and the response ends. Authenticated like every campaign route (Authorization header: use fetch streaming).',
        params: IdParams,
        response: {
          200: { description: 'The event stream', content: { 'text/event-stream': { schema: Type.String() } } },
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const { clientId } = request;
      const { id } = request.params;
      const first = await readSummary(clientId, id);
      if (!first) throw notFound(`Campaign ${id} does not exist.`);
      // From here the response is this route's own: Fastify neither serializes nor ends it.
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Proxies (nginx) would otherwise hold events back to fill their buffers.
        'x-accel-buffering': 'no',
      });
      const stream = new SummaryStream<CampaignSummary>({
        sink: {
          write: (chunk) => void response.write(chunk),
          end: () => response.end(),
          get backedUp() {
            return response.writableNeedDrain;
          },
        },
        read: () => readSummary(clientId, id),
        isFinal: (status) => FINAL_STATUSES.has(status),
        onError: (error) => request.log.warn({ err: error, campaignId: id }, 'live summary read failed; trying again'),
        onClosed: () => streams.delete(stream),
      });
      streams.add(stream);
      // The client went away (or the connection broke): the stream stops and its timer with it.
      response.on('close', () => stream.close());
      stream.start(first);
    },
  );
};
