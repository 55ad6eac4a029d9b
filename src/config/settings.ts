// Settings come from environment variables only. One TypeBox schema is the source for validation, defaults,
// the typed config and the README table, so a bad value stops the process with a message naming the variable.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseRateTable } from '../domain/pricing.js';
import { parseOutcomeMix } from '../telephony/simulated/callee-plan.js';
import { trunksFromSettings } from '../telephony/sip/carrier/trunk-config.js';
import { parseAmdJson } from '../media/amd/amd-settings.js';
import { DEFAULT_ABANDONED_RATE_SETTINGS, type AbandonedRateSettings } from '../domain/compliance/abandoned-rate.js';

export const SettingsSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 for all)' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'Embedded PGlite data folder' }),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user:pass@host:5432/db switches to PostgreSQL' }),
  ),
  ADMIN_TOKEN: Type.Optional(
    Type.String({ minLength: 16, description: 'Bearer token for the operator API (off when unset); 16+ characters' }),
  ),
  METRICS_PORT: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      description: 'Serve Prometheus /metrics on HOST:METRICS_PORT without auth (then not on PORT, where it needs ADMIN_TOKEN)',
    }),
  ),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', description: 'pino log level' },
  ),
  // No fixed default: a server with an operator token is a real deployment, where a working key printed at every
  // start would be a hole, so the demo is on only for the quick start (see demoClientWanted).
  DEMO_CLIENT: Type.Optional(
    Type.Boolean({
      'x-default': 'true without ADMIN_TOKEN, else false',
      description:
        'On first start with an empty database, create a demo client, call flow and CLI; every start then prints a new key for it (nothing is written to disk)',
    }),
  ),
  CARRIER: Type.Union([Type.Literal('simulated'), Type.Literal('sip')], {
    default: 'simulated',
    description: 'Telephony: simulated (deterministic, no real calls) or sip (real calls through the SIP trunks below)',
  }),
  SIMULATED_SEED: Type.Integer({ default: 1, description: 'Seed of the simulated carrier: same seed, same outcomes' }),
  SIMULATED_MIX_JSON: Type.Optional(
    Type.String({
      description: 'Outcome weights of the simulated carrier for numbers that are not test numbers, e.g. {"busy":30}; keys human, machine, busy, noAnswer, failed, rejected',
    }),
  ),
  SIMULATED_TIME_SCALE: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    default: 1,
    description: 'Speeds up the simulated carrier: 0.01 makes a 30 s call take 0.3 s (load and failure tests)',
  }),
  RING_TIMEOUT_S: Type.Integer({ minimum: 15, maximum: 300, default: 30, description: 'How long an unanswered call rings (Ofcom: at least 15 s)' }),
  LEASE_S: Type.Integer({ minimum: 5, maximum: 3600, default: 60, description: 'Dialer lease on a number; a crashed dialer\'s numbers return after this' }),
  DRAIN_TIMEOUT_S: Type.Integer({ minimum: 0, maximum: 3600, default: 30, description: 'On SIGTERM, how long calls in progress may finish' }),
  CAMPAIGN_MAX_CALLS: Type.Integer({ minimum: 1, default: 10, description: 'Concurrent calls per campaign' }),
  CAMPAIGN_MAX_CPS: Type.Integer({ minimum: 1, default: 2, description: 'Call starts per second per campaign' }),
  CLIENT_MAX_CALLS: Type.Integer({ minimum: 1, default: 30, description: 'Concurrent calls per client' }),
  CLIENT_MAX_CPS: Type.Integer({ minimum: 1, default: 5, description: 'Call starts per second per client' }),
  CARRIER_MAX_CALLS: Type.Integer({ minimum: 1, default: 60, description: 'Concurrent calls through the carrier' }),
  CARRIER_MAX_CPS: Type.Integer({ minimum: 1, default: 10, description: 'Call starts per second through the carrier' }),
  RATES_JSON: Type.Optional(
    Type.String({ description: 'Call rates override, GBP per minute by number type, e.g. {"MOBILE":0.02}' }),
  ),
  SMS_PROVIDER: Type.Union([Type.Literal('simulated'), Type.Literal('smpp'), Type.Literal('kannel')], {
    default: 'simulated',
    description:
      'Where texts go: simulated (recorded, nothing sent), smpp (an SMSC over SMPP 3.4, settings SMPP_*) or kannel (Kannel\'s smsbox sendsms interface, settings KANNEL_*)',
  }),
  SMPP_HOST: Type.Optional(Type.String({ minLength: 1, description: 'SMS_PROVIDER=smpp: the SMSC\'s host name or IP address' })),
  SMPP_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 2775, description: 'SMSC port (2775 plain; often 3550 with SMPP_TLS)' }),
  SMPP_SYSTEM_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 15, description: 'SMS_PROVIDER=smpp: bind system_id (up to 15 characters)' })),
  SMPP_PASSWORD: Type.Optional(Type.String({ maxLength: 8, description: 'SMS_PROVIDER=smpp: bind password (up to 8 characters in SMPP 3.4)' })),
  SMPP_SYSTEM_TYPE: Type.String({ maxLength: 12, default: '', description: 'Bind system_type, when the SMSC asks for one' }),
  SMPP_TLS: Type.Boolean({ default: false, description: 'Connect to the SMSC over TLS' }),
  SMPP_MESSAGES_PER_SECOND: Type.Number({ exclusiveMinimum: 0, default: 10, description: 'submit_sm per second at most (each part counts)' }),
  SMPP_WINDOW: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'submit_sm awaiting their response at most' }),
  SMPP_ENQUIRE_LINK_S: Type.Integer({ minimum: 5, maximum: 600, default: 30, description: 'enquire_link keep-alive interval' }),
  KANNEL_SENDSMS_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'SMS_PROVIDER=kannel: smsbox\'s sendsms address, e.g. http://127.0.0.1:13013/cgi-bin/sendsms' }),
  ),
  KANNEL_USER: Type.Optional(Type.String({ minLength: 1, description: 'SMS_PROVIDER=kannel: the sendsms-user group\'s username' })),
  KANNEL_PASSWORD: Type.Optional(Type.String({ minLength: 1, description: 'SMS_PROVIDER=kannel: the sendsms-user group\'s password' })),
  KANNEL_DLR_BASE_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'SMS_PROVIDER=kannel: Ringcast\'s address as Kannel\'s smsbox reaches it (delivery reports go to its /api/sms/kannel/dlr)',
    }),
  ),
  KANNEL_DLR_SECRET: Type.Optional(
    Type.String({ minLength: 16, description: 'SMS_PROVIDER=kannel: key of the per-message token in each dlr-url (16+ characters); changing it voids pending reports' }),
  ),
  KANNEL_SMSC: Type.Optional(Type.String({ minLength: 1, description: 'Kannel smsc-id to route texts to (sendsms smsc=); unset: Kannel\'s own routing' })),
  KANNEL_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 5000, description: 'How long one sendsms request may take before it counts as failed (and is retried)' }),
  SMS_SENDER_DEFAULT: Type.Optional(
    Type.String({
      pattern: '^([A-Za-z0-9 ]{1,11}|\\+[1-9][0-9]{6,14})$',
      description: 'Sender of texts when the campaign has no CLI: an alphanumeric id (1-11 characters with a letter) or E.164',
    }),
  ),
  SMS_MAX_PARTS: Type.Integer({
    minimum: 1,
    maximum: 10,
    default: 4,
    description: 'Call flows may not hold SMS texts longer than this many parts (153 GSM-7 / 67 UCS-2 characters each)',
  }),
  SIP_TRUNK_HOST: Type.Optional(
    Type.String({ minLength: 1, description: 'CARRIER=sip: the trunk\'s IP address, host name or SRV domain (one trunk)' }),
  ),
  SIP_TRUNK_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Trunk port; unset: SRV lookup, else 5060' })),
  SIP_TRUNK_TRANSPORT: Type.Optional(Type.Union([Type.Literal('udp'), Type.Literal('tcp')], { description: 'udp (default) or tcp' })),
  SIP_TRUNK_USERNAME: Type.Optional(Type.String({ minLength: 1, description: 'Digest user name, when the trunk challenges with 401/407' })),
  SIP_TRUNK_PASSWORD: Type.Optional(Type.String({ description: 'Digest password' })),
  SIP_TRUNK_FROM_DOMAIN: Type.Optional(
    Type.String({ minLength: 1, description: 'Host part of From and P-Asserted-Identity (default: the trunk host)' }),
  ),
  SIP_TRUNK_MAX_CALLS: Type.Optional(Type.Integer({ minimum: 1, description: 'Concurrent calls on the trunk (default 30)' })),
  SIP_TRUNK_MAX_CPS: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Call starts per second on the trunk (default 5)' })),
  SIP_TRUNK_REGISTER: Type.Optional(
    Type.Boolean({ description: 'REGISTER to the trunk with SIP_TRUNK_USERNAME / SIP_TRUNK_PASSWORD and keep it refreshed (default false)' }),
  ),
  SIP_TRUNKS_JSON: Type.Optional(
    Type.String({
      description:
        'Several trunks instead of SIP_TRUNK_*: a JSON array of {name, host, port, transport, username, password, fromDomain, numberFormat, maxCalls, maxCps, register, registerExpiresS}',
    }),
  ),
  SIP_ADDRESS: Type.String({
    minLength: 1,
    default: '127.0.0.1',
    description: 'Local IP address for SIP and RTP: bound, and advertised in Via, Contact and SDP (must be reachable by the trunk)',
  }),
  SIP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 5060, description: 'Local SIP port, UDP and TCP (0: any free port)' }),
  SIP_SESSION_EXPIRES_S: Type.Integer({
    minimum: 0,
    maximum: 86400,
    default: 1800,
    description: 'RFC 4028 session timer asked for on each call (0: off); dead calls end after this',
  }),
  SIP_TRACE: Type.Boolean({
    default: false,
    description: 'Log every SIP message sent and received (info level, with the far end\'s address): for setting up a trunk',
  }),
  RTP_PORT_MIN: Type.Integer({ minimum: 1024, maximum: 65534, default: 16384, description: 'Lowest local RTP port' }),
  RTP_PORT_MAX: Type.Integer({ minimum: 1025, maximum: 65535, default: 32767, description: 'Highest local RTP port' }),
  MEDIA_WORKERS: Type.Integer({
    minimum: 0,
    maximum: 64,
    default: 0,
    description: 'Worker threads that send and receive call audio; 0: one per CPU core (at most 8)',
  }),
  MEDIA_WORKER_NICE: Type.Integer({
    minimum: -20,
    maximum: 19,
    default: -10,
    description:
      'Linux nice value of each media worker thread: below 0, call audio gets a core before the rest of the process and other processes (needs root or CAP_SYS_NICE; without, the workers keep the process\'s priority and the dialer logs why once); 0: leave it',
  }),
  TTS_VOICE: Type.String({ minLength: 1, default: 'en-gb', description: 'espeak-ng voice for say steps (a call flow step may name another)' }),
  TTS_CACHE_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Where rendered prompts are cached (default DATA_DIR/tts-cache)' })),
  AMD_JSON: Type.Optional(
    Type.String({
      description:
        'Answering-machine detection overrides, e.g. {"initialSilenceMs":3000}; keys silenceThreshold, initialSilenceMs, greetingMs, afterGreetingSilenceMs, minWordLengthMs, betweenWordsSilenceMs, maximumNumberOfWords, maximumWordLengthMs, totalAnalysisTimeMs',
    }),
  ),
  BODY_LIMIT_MB: Type.Number({ exclusiveMinimum: 0, maximum: 1024, default: 64, description: 'Largest request body' }),
  CSV_UPLOAD_LIMIT_MB: Type.Number({
    exclusiveMinimum: 0,
    maximum: 4096,
    default: 256,
    description: 'Largest CSV file a campaign import accepts (read as a stream, never held whole; 1,000,000 rows are about 50 MB)',
  }),
  ABANDONED_RATE_LIMIT_PERCENT: Type.Number({
    exclusiveMinimum: 0,
    maximum: 3,
    default: 3,
    description: "Ofcom's abandoned-call limit over 24 hours; a campaign at it is dialled at half pace (never above 3)",
  }),
  ABANDONED_RATE_PAUSE_PERCENT: Type.Number({
    exclusiveMinimum: 0,
    maximum: 100,
    default: 4.5,
    description: 'A campaign whose abandoned-call rate keeps rising to this is paused (the client resumes it)',
  }),
  RATE_LIMIT_PER_MIN: Type.Integer({
    minimum: 0,
    maximum: 1000000,
    // Off unless set: a limit on by default would refuse the load tests and benches, whose clients send far more.
    default: 0,
    description: 'Client API requests a minute per client and per process (N processes allow N x this), unless the operator set another for the client; 0 = unlimited',
  }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 10000, description: 'How long a webhook receiver has to answer before the attempt counts as a timeout (retried)' }),
  WEBHOOK_LEASE_S: Type.Integer({
    minimum: 5,
    maximum: 3600,
    default: 60,
    description: 'Lease on claimed webhook deliveries; a crashed process\'s deliveries are sent again after this (keep it above WEBHOOK_TIMEOUT_MS)',
  }),
  WEBHOOK_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Webhook deliveries one process claims and sends at once' }),
  WEBHOOK_POLL_MS: Type.Integer({ minimum: 10, maximum: 60000, default: 500, description: 'How often an idle webhook deliverer looks for due deliveries' }),
  WEBHOOK_ALLOW_PRIVATE_URLS: Type.Boolean({
    default: false,
    description: 'Accept webhook URLs on private, loopback, link-local and other internal addresses (tests, private networks): off, they are refused to keep webhooks from reaching internal services',
  }),
  WEBHOOK_SECRET_OVERLAP_S: Type.Integer({
    minimum: 0,
    maximum: 30 * 86400,
    default: 86400,
    description: 'Default overlap after a webhook secret rotation, during which the old secret signs too',
  }),
  AMD_FALSE_POSITIVE_PERCENT: Type.Number({
    minimum: 0,
    maximum: 100,
    default: 1,
    description: 'Share of answering-machine verdicts counted as people in the abandoned-call rate (your AMD\'s measured error)',
  }),
});

export type Settings = Static<typeof SettingsSchema>;

/** Whether this start makes (or shows) the demo client: as set, else only when no operator token is configured. */
export function demoClientWanted(settings: Pick<Settings, 'DEMO_CLIENT' | 'ADMIN_TOKEN'>): boolean {
  return settings.DEMO_CLIENT ?? settings.ADMIN_TOKEN === undefined;
}

/** Most media workers MEDIA_WORKERS=0 starts, however many cores there are. */
const MAX_AUTO_MEDIA_WORKERS = 8;

/**
 * The media worker threads to start. 0 (the default) means one per core: a single worker pacing 1,000 calls' RTP
 * (50,000 packets a second each way) ran 78% busy and its send timers were up to 7.7 ms late at p99, where two on a
 * 2-core machine were 3.5 ms (bench/media.ts; issue 10's limit is 5 ms).
 */
export function mediaWorkerCount(settings: Pick<Settings, 'MEDIA_WORKERS'>, cores = availableParallelism()): number {
  return settings.MEDIA_WORKERS > 0 ? settings.MEDIA_WORKERS : Math.max(1, Math.min(MAX_AUTO_MEDIA_WORKERS, cores));
}

/** The abandoned-call guard's settings, as fractions. */
export function abandonedRateSettings(settings: Settings): AbandonedRateSettings {
  return {
    ...DEFAULT_ABANDONED_RATE_SETTINGS,
    limit: settings.ABANDONED_RATE_LIMIT_PERCENT / 100,
    pauseAt: settings.ABANDONED_RATE_PAUSE_PERCENT / 100,
    amdFalsePositiveRate: settings.AMD_FALSE_POSITIVE_PERCENT / 100,
  };
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * What a bad value should have been: the choices of a setting that is one of a few words (TypeBox says only
 * "Expected union value" for CARRIER=foo), else TypeBox's own message ("Expected integer").
 */
function settingMessage(schema: TSchema, message: string): string {
  const choices = (schema as { anyOf?: { const?: unknown }[] }).anyOf?.map((branch) => branch.const);
  if (choices && choices.length > 0 && choices.every((choice) => typeof choice === 'string')) return `must be one of ${choices.join(', ')}`;
  return message;
}

/** Reads the known variables from `env`, applies defaults and validates; throws SettingsError listing every bad one. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(SettingsSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Default(SettingsSchema, Value.Convert(SettingsSchema, raw));
  const problems = [...Value.Errors(SettingsSchema, converted)].map(
    (error) => `${error.path.slice(1)}=${JSON.stringify(raw[error.path.slice(1)])}: ${settingMessage(error.schema, error.message)}`,
  );
  const settings = converted as Settings;
  if (settings.RATES_JSON !== undefined) {
    try {
      parseRateTable(settings.RATES_JSON);
    } catch (error) {
      problems.push(`RATES_JSON: ${(error as Error).message}`);
    }
  }
  if (settings.SIMULATED_MIX_JSON !== undefined) {
    try {
      parseOutcomeMix(settings.SIMULATED_MIX_JSON);
    } catch (error) {
      problems.push(`SIMULATED_MIX_JSON: ${(error as Error).message}`);
    }
  }
  if (settings.CARRIER === 'sip') {
    try {
      trunksFromSettings(settings);
    } catch (error) {
      problems.push(`SIP trunks: ${(error as Error).message}`);
    }
    // It goes into Via, Contact and the SDP, where the far end reads where to send: a wildcard or a name would
    // leave every answered call silent.
    if (isIP(settings.SIP_ADDRESS) === 0 || settings.SIP_ADDRESS === '0.0.0.0' || settings.SIP_ADDRESS === '::') {
      problems.push(`SIP_ADDRESS=${JSON.stringify(settings.SIP_ADDRESS)}: must be this host's IP address as the trunk reaches it (not a name, not 0.0.0.0)`);
    }
  }
  if (settings.SMS_PROVIDER === 'smpp') {
    if (settings.SMPP_HOST === undefined) problems.push('SMPP_HOST: needed with SMS_PROVIDER=smpp (the SMSC\'s host)');
    if (settings.SMPP_SYSTEM_ID === undefined) problems.push('SMPP_SYSTEM_ID: needed with SMS_PROVIDER=smpp (the bind system_id)');
    if (settings.SMPP_PASSWORD === undefined) problems.push('SMPP_PASSWORD: needed with SMS_PROVIDER=smpp (the bind password)');
  }
  if (settings.SMS_PROVIDER === 'kannel') {
    if (settings.KANNEL_SENDSMS_URL === undefined) problems.push('KANNEL_SENDSMS_URL: needed with SMS_PROVIDER=kannel (smsbox\'s sendsms address)');
    if (settings.KANNEL_USER === undefined) problems.push('KANNEL_USER: needed with SMS_PROVIDER=kannel (the sendsms-user username)');
    if (settings.KANNEL_PASSWORD === undefined) problems.push('KANNEL_PASSWORD: needed with SMS_PROVIDER=kannel (the sendsms-user password)');
    if (settings.KANNEL_DLR_BASE_URL === undefined) problems.push('KANNEL_DLR_BASE_URL: needed with SMS_PROVIDER=kannel (where Kannel sends delivery reports)');
    if (settings.KANNEL_DLR_SECRET === undefined) problems.push('KANNEL_DLR_SECRET: needed with SMS_PROVIDER=kannel (16+ characters; it keys the delivery reports\' tokens)');
    for (const name of ['KANNEL_SENDSMS_URL', 'KANNEL_DLR_BASE_URL'] as const) {
      const value = settings[name];
      if (value !== undefined && !URL.canParse(value)) problems.push(`${name}=${JSON.stringify(value)}: not a URL`);
    }
  }
  if (settings.SMS_SENDER_DEFAULT !== undefined && !/[A-Za-z]/.test(settings.SMS_SENDER_DEFAULT) && !settings.SMS_SENDER_DEFAULT.startsWith('+')) {
    problems.push('SMS_SENDER_DEFAULT: an alphanumeric sender id needs at least one letter');
  }
  if (settings.AMD_JSON !== undefined) {
    try {
      parseAmdJson(settings.AMD_JSON);
    } catch (error) {
      problems.push(`AMD_JSON: ${(error as Error).message}`);
    }
  }
  if (settings.RTP_PORT_MIN >= settings.RTP_PORT_MAX) problems.push('RTP_PORT_MIN: must be below RTP_PORT_MAX');
  if (settings.ABANDONED_RATE_PAUSE_PERCENT < settings.ABANDONED_RATE_LIMIT_PERCENT) {
    problems.push('ABANDONED_RATE_PAUSE_PERCENT: must be at least ABANDONED_RATE_LIMIT_PERCENT (a campaign is slowed before it is paused)');
  }
  if (problems.length > 0) throw new SettingsError(`Invalid settings:\n  ${problems.join('\n  ')}`);
  return settings;
}
