// Rate limits of the client API (issue 12): a token bucket per API key, kept IN MEMORY PER PROCESS, so N API processes
// allow N x the limit (README "Limits"). One key's bucket is never shared with another's, and a refused request
// costs a map lookup and no database query, so a client at its limit does not slow the others. The limit is the
// operator's override for the key's client (client_limits), applying to each of its keys, or RATE_LIMIT_PER_MIN;
// overrides are re-read at most every OVERRIDE_TTL_MS per client, so an operator's change applies within that time.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';
import type { Clock } from '../../domain/clock.js';
import { fullBucket, takeToken, type Bucket } from '../../domain/limits/token-bucket.js';
import type { ClientLimitsRepository } from '../../store/repositories/client-limits.js';
import { errorResponses } from '../schemas/common.js';
import {
  RATE_LIMIT_LIMIT_HEADER,
  RATE_LIMIT_REMAINING_HEADER,
  RATE_LIMIT_RESET_HEADER,
  RETRY_AFTER_HEADER,
  TooManyRequestsHeaders,
  withResponseHeaders,
} from '../schemas/limit-headers.js';

const OVERRIDE_TTL_MS = 5_000;

export class RateLimiter {
  /** By API key id; each bucket remembers its client so an operator's change resets that client's buckets. */
  private readonly buckets = new Map<number, { clientId: number; bucket: Bucket }>();
  private readonly limits = new Map<number, { perMin: number; readAtMs: number }>();

  constructor(
    private readonly repository: ClientLimitsRepository,
    private readonly clock: Clock,
    private readonly defaultPerMin: number,
  ) {}

  /** Forgets the cached limit of a client (the operator changed it in this process). */
  invalidate(clientId: number): void {
    this.limits.delete(clientId);
    for (const [apiKeyId, entry] of this.buckets) if (entry.clientId === clientId) this.buckets.delete(apiKeyId);
  }

  private async limitOf(clientId: number, nowMs: number): Promise<number> {
    const cached = this.limits.get(clientId);
    if (cached !== undefined && nowMs - cached.readAtMs < OVERRIDE_TTL_MS) return cached.perMin;
    const perMin = (await this.repository.get(clientId)).rateLimitPerMin ?? this.defaultPerMin;
    this.limits.set(clientId, { perMin, readAtMs: nowMs });
    return perMin;
  }

  /** Counts one request of the client's key; throws 429 when it is over its limit. A limit of 0 means unlimited. */
  async check(request: FastifyRequest, setHeader: (name: string, value: string) => void): Promise<void> {
    const { clientId, apiKeyId } = request;
    if (apiKeyId === null) return; // not a client's request: install skips those already
    const nowMs = this.clock.now().getTime();
    const perMin = await this.limitOf(clientId, nowMs);
    if (perMin === 0) return;
    let entry = this.buckets.get(apiKeyId);
    if (entry === undefined) this.buckets.set(apiKeyId, (entry = { clientId, bucket: fullBucket(perMin, nowMs) }));
    const result = takeToken(entry.bucket, perMin, nowMs);
    const headers = {
      [RATE_LIMIT_LIMIT_HEADER]: String(perMin),
      [RATE_LIMIT_REMAINING_HEADER]: String(result.remaining),
      [RATE_LIMIT_RESET_HEADER]: String(result.resetS),
    };
    if (!result.allowed) {
      throw new HttpProblem(429, 'too-many-requests', `Rate limit of ${perMin} requests a minute reached; retry in ${result.retryAfterS} s.`, undefined, {
        ...headers,
        [RETRY_AFTER_HEADER]: String(result.retryAfterS),
      });
    }
    for (const [name, value] of Object.entries(headers)) setHeader(name, value);
  }

  /**
   * Applies the limit to every authenticated client request (after the plugins' auth hooks set clientId), and
   * documents the 429 with its headers on every client API route (everything under /api but the operator's
   * /api/admin) registered after this.
   */
  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const response = route.schema?.response as Record<string, unknown> | undefined;
      if (response === undefined || !isClientApiRoute(route.url)) return;
      route.schema = { ...route.schema, response: withResponseHeaders({ ...errorResponses(429), ...response }, (status) => status === '429', TooManyRequestsHeaders) };
    });
    app.addHook('preHandler', async (request, reply) => {
      // clientId is 0 (the request decorator's default) until a client auth hook sets it: probes, the operator API
      // and the web app's files are not counted (nor do they read a client's limits from the database).
      if (!request.clientId) return;
      await this.check(request, (name, value) => void reply.header(name, value));
    });
  }
}

/** The client API: the routes a client's API key reaches (the operator's are under /api/admin). */
function isClientApiRoute(url: string): boolean {
  return (url === '/api' || url.startsWith('/api/')) && !(url === '/api/admin' || url.startsWith('/api/admin/'));
}
