// Builds the HTTP application (no listen here: src/server.ts does that, tests use inject()).
import { EventEmitter } from 'node:events';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Settings } from './config/settings.js';
import type { Database } from './store/database.js';
import type { Clock } from './domain/clock.js';
import { systemClock } from './domain/clock.js';
import { JSON_MEDIA_TYPE, isLargeBody, jsoncBodyParser } from './api/jsonc.js';
import { yieldToEventLoop } from './domain/stepwise.js';
import { readBodyPieces } from './api/body-text.js';
import { installErrorHandling, sendProblem, toProblem } from './api/http-errors.js';
import { swaggerOptions } from './api/openapi.js';
import { TenantRepository } from './store/repositories/tenants.js';
import { AudioRepository } from './store/repositories/audio.js';
import { audioRoutes } from './api/routes/audio.js';
import { CampaignDetailCache } from './store/campaign-detail-cache.js';
import { listenForCampaignChanges } from './store/campaign-change-listener.js';
import { CampaignRepository } from './store/repositories/campaigns.js';
import { CampaignLifecycleRepository } from './store/repositories/campaign-lifecycle.js';
import { campaignLifecycleRoutes } from './api/routes/campaign-lifecycle.js';
import { canonicalizeKeys } from './api/case-insensitive.js';
import { AJV_CUSTOM_OPTIONS } from './api/ajv-options.js';
import { strictIntegers } from './api/strict-integer.js';
import { ProblemSchema } from './api/schemas/common.js';
import { FlowSchema } from './callflow/schema.js';
import { adminRoutes } from './api/routes/admin.js';
import { discoveryRoutes } from './api/routes/discovery.js';
import { campaignRoutes } from './api/routes/campaigns.js';
import { campaignCsvRoutes } from './api/routes/campaign-csv.js';
import { campaignLiveRoutes } from './api/routes/campaign-live.js';
import { webAppRoutes } from './api/routes/web-app.js';
import { SuppressionRepository } from './store/repositories/suppression.js';
import { ComplianceRepository } from './store/repositories/compliance.js';
import { complianceAdminRoutes } from './api/routes/compliance-admin.js';
import { clientComplianceRoutes, operatorComplianceRoutes } from './api/routes/compliance.js';
import { clientSuppressionRoutes, operatorSuppressionRoutes } from './api/routes/suppression.js';
import { carrierStatusRoutes } from './api/routes/carrier-status.js';
import { CarrierStatusBoard } from './telephony/carrier-status.js';
import { speechFromSettings, type ServerSpeech } from './media/tts/server-speech.js';
import { CampaignSummaryRepository } from './store/repositories/campaign-summary.js';
import { CampaignExportRepository } from './store/repositories/campaign-export.js';
import { RingcastMetrics } from './observability/metrics.js';
import { recordHttpDurations } from './observability/http-metrics.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './observability/request-id.js';
import { withLogHygiene } from './observability/log-hygiene.js';
import { DrainState } from './observability/readiness.js';
import { healthRoutes } from './api/routes/health.js';
import { metricsRoutes } from './api/routes/metrics.js';
import { WebhookRepository } from './store/repositories/webhooks.js';
import { clientWebhookRoutes, operatorWebhookRoutes } from './api/routes/webhooks.js';
import { Idempotency } from './api/plugins/idempotency.js';
import { IdempotencyRepository } from './store/repositories/idempotency.js';
import { RateLimiter } from './api/plugins/rate-limit.js';
import { ClientLimitsRepository } from './store/repositories/client-limits.js';
import { clientLimitsRoutes } from './api/routes/client-limits.js';
import { AuditLogRepository } from './store/repositories/audit-log.js';
import { AuditLogWriter } from './api/plugins/audit-log.js';
import { auditRoutes } from './api/routes/audit.js';
import { kannelDlrRoutes } from './api/routes/kannel-dlr.js';

export interface AppServices {
  /** 'changed' is emitted when a campaign is created or its numbers or status change, so an in-process dialer acts at once. */
  readonly campaignEvents: EventEmitter<{ changed: [campaignId: number] }>;
  readonly tenants: TenantRepository;
  readonly audio: AudioRepository;
  readonly campaigns: CampaignRepository;
  readonly lifecycle: CampaignLifecycleRepository;
  readonly suppression: SuppressionRepository;
  readonly compliance: ComplianceRepository;
  /** Webhook endpoints and their delivery log (the deliverer itself runs in src/server.ts). */
  readonly webhooks: WebhookRepository;
  /** Idempotency-Key handling of the create routes (src/api/plugins/idempotency.ts). */
  readonly idempotency: Idempotency;
  /** Limits the operator set per client, and the client API's rate limiter (src/api/plugins/rate-limit.ts). */
  readonly clientLimits: ClientLimitsRepository;
  readonly rateLimiter: RateLimiter;
  /** The audit log (src/api/plugins/audit-log.ts writes it, GET /api/admin/audit reads it). */
  readonly auditLog: AuditLogRepository;
  readonly audit: AuditLogWriter;
  /** Campaign details kept until the database says they changed (campaign-detail-cache.ts). */
  readonly campaignDetails: CampaignDetailCache;
  /** The carrier and its trunks' registration for the operator; src/server.ts lets it watch the carrier it starts. */
  readonly carrierStatus: CarrierStatusBoard;
  /** Text-to-speech for hearing call flows (espeak-ng where installed). */
  readonly speech: ServerSpeech;
  /** Counts kept per campaign as it runs (the live summary and /p's progress). */
  readonly campaignSummaries: CampaignSummaryRepository;
  /** A campaign's numbers and calls read a page at a time, for the CSV export. */
  readonly campaignExports: CampaignExportRepository;
  readonly clock: Clock;
  readonly settings: Settings;
  /** This process's Prometheus registry and figures (src/observability/metrics.ts). */
  readonly metrics: RingcastMetrics;
  /** Set on SIGTERM (src/server.ts stop): /readyz answers 503 from then on. */
  readonly drain: DrainState;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

export interface BuildAppOptions {
  settings: Settings;
  database: Database;
  clock?: Clock;
  /** Default: espeak-ng as the settings configure it. */
  speech?: ServerSpeech;
  /** pino options or false; defaults to the LOG_LEVEL setting. Credentials and numbers are redacted either way. */
  logger?: FastifyServerOptions['logger'];
  /** The process's metrics (src/server.ts shares them with the dialer); default: a registry of the app's own. */
  metrics?: RingcastMetrics;
}

export type App = FastifyInstance;

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { settings, database } = options;
  const app = Fastify({
    logger: withLogHygiene(options.logger, settings.LOG_LEVEL),
    bodyLimit: Math.round(settings.BODY_LIMIT_MB * 1024 * 1024),
    // An incoming X-Request-Id when it is a plausible id, else a new UUID (observability/request-id.ts): it is the
    // reqId of every log line of the request and the problem details' traceId.
    genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    requestIdHeader: false,
    // maxParamLength: ids, numbers and names in paths are short, but a long one must reach the validation that names
    // the field (a 400), not stop at the router; past this the router's 414 goes through frameworkErrors below.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // Errors the router raises before any hook (a segment past maxParamLength, bad percent-encoding) leave as
    // problem+json like every other error.
    frameworkErrors: (error, request, reply) => {
      // These skip the onRequest hooks, so the request id is echoed here.
      reply.header(REQUEST_ID_HEADER, request.id);
      sendProblem(request, reply, toProblem(error, request));
    },
    ajv: {
      customOptions: AJV_CUSTOM_OPTIONS,
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const campaigns = new CampaignRepository(database.db);
  const campaignDetails = new CampaignDetailCache(campaigns);
  const campaignChanges = await listenForCampaignChanges(database, campaignDetails);
  app.addHook('onClose', () => campaignChanges.close());
  const clientLimits = new ClientLimitsRepository(database.db);
  const auditLog = new AuditLogRepository(database.db);
  app.decorate('services', {
    campaignEvents: new EventEmitter<{ changed: [campaignId: number] }>(),
    tenants: new TenantRepository(database.db),
    audio: new AudioRepository(database.db),
    campaigns,
    campaignDetails,
    lifecycle: new CampaignLifecycleRepository(database.db),
    suppression: new SuppressionRepository(database.db),
    compliance: new ComplianceRepository(database.db),
    webhooks: new WebhookRepository(database.db),
    idempotency: new Idempotency(new IdempotencyRepository(database.db), options.clock ?? systemClock),
    clientLimits,
    rateLimiter: new RateLimiter(clientLimits, options.clock ?? systemClock, settings.RATE_LIMIT_PER_MIN),
    auditLog,
    audit: new AuditLogWriter(auditLog, options.clock ?? systemClock),
    carrierStatus: new CarrierStatusBoard(settings),
    speech: options.speech ?? speechFromSettings(settings),
    campaignSummaries: new CampaignSummaryRepository(database.db),
    campaignExports: new CampaignExportRepository(database.db),
    clock: options.clock ?? systemClock,
    settings,
    metrics: options.metrics ?? new RingcastMetrics(),
    drain: new DrainState(),
  });
  app.services.metrics.setPoolSource(() => database.poolUse());
  app.services.metrics.setWebhookBacklogSource(() => app.services.webhooks.pendingCount());
  recordHttpDurations(app, app.services.metrics);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  // Writes through this process's API (pause, resume, cancel, add numbers) evict at once, before their NOTIFY arrives.
  app.services.campaignEvents.on('changed', (campaignId) => campaignDetails.evict(campaignId));
  app.decorateRequest('clientId', 0);
  app.decorateRequest('apiKeyId', null);

  installErrorHandling(app);
  app.addSchema(ProblemSchema);
  // The call-flow language, listed in the OpenAPI document's components (validateFlow enforces it).
  app.addSchema({ ...FlowSchema, $id: 'CallFlowDocument', title: 'CallFlowDocument' });

  // JSON with comments (the document's example body has a `//` line that clients paste as is), charset or not;
  // every other media type is a 415.
  app.removeAllContentTypeParsers();
  // The body is read by readBodyPieces (decoded as it arrives, Fastify's limits and errors), then parsed as JSONC.
  app.addContentTypeParser(JSON_MEDIA_TYPE, (request, payload, done) =>
    readBodyPieces(request, payload, (error, pieces) => (error ? done(error, undefined) : jsoncBodyParser(request, pieces!, done))),
  );

  // Property and query-parameter names match case-insensitively: rewrite them to the schema's canonical names
  // before validation.
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema;
    if (schema?.body && request.body !== undefined) request.body = canonicalizeKeys(request.body, schema.body);
    if (schema?.querystring && request.query) request.query = canonicalizeKeys(request.query, schema.querystring);
    // Integers, wherever they arrive, follow one strict rule (no Infinity, hex, leading zeros...): see strict-integer.ts.
    if (schema?.params && request.params) request.params = strictIntegers(request.params, schema.params);
    if (schema?.querystring && request.query) request.query = strictIntegers(request.query, schema.querystring);
    if (schema?.body && request.body !== undefined) request.body = strictIntegers(request.body, schema.body);
    // Validating a 100,000-number body takes Ajv 20-30 ms: in a task of its own, not after the parse's last piece.
    if (isLargeBody(request.body)) await yieldToEventLoop();
  });

  await app.register(swagger, swaggerOptions);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok', database: database.kind }));
  await app.register(healthRoutes, { db: database.db });
  // With METRICS_PORT the figures are served on their own listener (src/server.ts), and not here.
  if (settings.METRICS_PORT === undefined) await app.register(metricsRoutes);

  // Root hook: runs for every route after its plugin's auth hook, so it sees the authenticated client.
  app.services.rateLimiter.install(app);
  // Before the routes: it checks each route has an audit action name as the route is registered.
  app.services.audit.install(app);
  await app.register(adminRoutes, { prefix: '/api/admin' });
  await app.register(clientLimitsRoutes, { prefix: '/api/admin' });
  await app.register(auditRoutes, { prefix: '/api/admin' });
  await app.register(audioRoutes, { prefix: '/api/admin' });
  await app.register(discoveryRoutes, { prefix: '/api' });
  await app.register(campaignRoutes, { prefix: '/api/campaigns/voice' });
  await app.register(campaignLifecycleRoutes, { prefix: '/api/campaigns/voice' });
  await app.register(campaignCsvRoutes, { prefix: '/api/campaigns/voice' });
  await app.register(campaignLiveRoutes, { prefix: '/api/campaigns/voice' });
  await app.register(clientSuppressionRoutes, { prefix: '/api/suppression' });
  await app.register(operatorSuppressionRoutes, { prefix: '/api/admin' });
  await app.register(complianceAdminRoutes, { prefix: '/api/admin' });
  await app.register(carrierStatusRoutes, { prefix: '/api/admin', db: database.db });
  await app.register(operatorComplianceRoutes, { prefix: '/api/admin' });
  await app.register(clientComplianceRoutes, { prefix: '/api' });
  await app.register(clientWebhookRoutes, { prefix: '/api/webhooks' });
  await app.register(operatorWebhookRoutes, { prefix: '/api/admin' });
  await app.register(kannelDlrRoutes, { prefix: '/api/sms/kannel', db: database.db });
  await app.register(webAppRoutes);
  return app;
}
