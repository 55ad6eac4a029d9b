// What never reaches a log line: credentials (client API keys in Authorization or X-API-Key, the operator token,
// SIP trunk passwords) and callees' phone numbers in request bodies. pino's redact removes them wherever a serializer
// or a log call puts those paths; phone numbers that code logs deliberately go through mask.ts instead.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { maskUrlNumbers } from './mask.js';

export const REDACTED = '[redacted]';

/** pino redact paths: headers under req (Fastify's request serializer, or a hook logging headers) and body fields. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'body.phoneNumbers',
  'body.number',
  'apiKey',
  'password',
  'token',
];

type LoggerOption = FastifyServerOptions['logger'];

/** The app's logger options with the redaction added (false and true are kept: no logger, or pino's defaults). */
export function withLogHygiene(logger: LoggerOption, level: string): LoggerOption {
  if (logger === false) return false;
  const base = logger === undefined || logger === true ? { level } : logger;
  // A caller's own serializers are kept, except the request's, which must mask URLs.
  const serializers = (base as { serializers?: Record<string, unknown> }).serializers;
  return { ...base, redact: { paths: REDACT_PATHS, censor: REDACTED }, serializers: { ...serializers, req: requestForLog } };
}

/** Fastify's request fields for "incoming request" lines, with numbers in the query string masked. */
function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: urlForLog(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Query parameters whose values are credentials: Kannel's delivery reports carry a per-text token (kannel-dlr.ts). */
const SECRET_QUERY_PARAMETER = /([?&](?:token|password)=)[^&#]*/gi;

/** A request URL as logs show it: numbers in the query masked, credentials in the query redacted. */
export function urlForLog(url: string): string {
  return maskUrlNumbers(url).replace(SECRET_QUERY_PARAMETER, `$1${REDACTED}`);
}
