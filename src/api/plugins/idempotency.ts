// Idempotency-Key on the create routes (issue 12). A handler calls `begin` once it knows the bytes that identify its
// request (the JSON body, or the CSV parts as read): the key is claimed in its own statement before any work, so of
// concurrent requests with one key exactly one creates anything. The others get the first answer once it exists
// (replayed with Idempotent-Replayed: true), 409 with Retry-After while it is still being worked on (we answer at
// once rather than hold a connection open waiting), or 422 when the key came with another request.
// The onSend hook stores the answer (status, body) as it leaves; a streamed answer is buffered for that, which is
// the price of a key. A 5xx or an aborted request gives the key back so a retry does the work.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { HttpProblem } from '../problem.js';
import type { Clock } from '../../domain/clock.js';
import {
  IDEMPOTENCY_IN_PROGRESS_RETRY_AFTER_S,
  IDEMPOTENCY_KEY_TTL_MS,
  isValidIdempotencyKey,
  judgeExistingKey,
  requestFingerprint,
} from '../../domain/limits/idempotency-key.js';
import type { IdempotencyRepository } from '../../store/repositories/idempotency.js';
import { addRouteHook } from './route-hooks.js';
import { IDEMPOTENT_REPLAYED_HEADER, IdempotentReplayedHeaders, RETRY_AFTER_HEADER, RetryAfterHeaders, withResponseHeaders } from '../schemas/limit-headers.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Whether a route's schema names the Idempotency-Key header: the routes that may take a key. */
function namesKeyHeader(schema: { headers?: unknown } | undefined): boolean {
  const headers = schema?.headers as { properties?: Record<string, unknown> } | undefined;
  return headers?.properties?.[IDEMPOTENCY_KEY_HEADER] !== undefined;
}
/** Answers that are never a stored first answer: refused before the handler (401, 413, 415), or the 422 of a key reused. */
const NEVER_REPLAYED = new Set(['401', '413', '415', '422']);
/** Expired keys are deleted at most this often per process (and an expired key is replaced when it is reused). */
const CLEANUP_EVERY_MS = 60 * 60 * 1000;

interface Claim {
  clientId: number;
  key: string;
  settled: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request owns, once claimed. */
    idempotencyClaim?: Claim;
  }
}

async function payloadText(payload: unknown): Promise<string> {
  if (payload === null || payload === undefined) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  if (payload instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of payload) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  return String(payload);
}

export class Idempotency {
  private lastCleanupMs = -Infinity;

  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly clock: Clock,
  ) {}

  /** The request's key, validated; undefined when it has none. */
  static keyOf(request: FastifyRequest): string | undefined {
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return undefined;
    const key = Array.isArray(header) ? undefined : header;
    if (key === undefined || !isValidIdempotencyKey(key)) {
      throw new HttpProblem(400, 'validation', 'Idempotency-Key must be one header of 1-255 printable ASCII characters.');
    }
    return key;
  }

  /**
   * Whether the request has a key this client used before (a first answer to replay, or one still being worked on):
   * a route that refuses a request before reading its body (the CSV add) reads it anyway then, so a retry gets the
   * first answer whatever happened since. Checks the key's syntax (400) as `begin` does.
   */
  async seenBefore(request: FastifyRequest): Promise<boolean> {
    const key = Idempotency.keyOf(request);
    return key !== undefined && (await this.repository.find(request.clientId, key)) !== undefined;
  }

  /**
   * Claims the request's key, if it has one. Answers undefined when the handler should do the work, or the reply
   * already sent (the first answer replayed) which the handler returns. Throws 409 or 422 problems.
   */
  /**
   * `body` gives the request's content to fingerprint; it is called only when the request has a key (a create's body
   * can be 100,000 numbers: serializing it for every request cost the creates without a key as much). A body that
   * cannot be serialized (nested past the stack's depth) cannot be a valid request: it goes on without the key, to the
   * checks that answer it with a 400.
   */
  async begin(request: FastifyRequest, reply: FastifyReply, body: () => string | Buffer): Promise<FastifyReply | undefined> {
    // The hooks that store the answer or give the key back are on the routes whose schema names the header (install):
    // a key claimed on any other route would stay "in progress" for a day.
    if (!namesKeyHeader(request.routeOptions.schema)) {
      throw new Error(`${request.method} ${request.routeOptions.url} calls Idempotency.begin but its headers schema does not name ${IDEMPOTENCY_KEY_HEADER}`);
    }
    const key = Idempotency.keyOf(request);
    if (key === undefined) return undefined;
    let content: string | Buffer;
    try {
      content = body();
    } catch (error) {
      if (error instanceof RangeError) return undefined;
      throw error;
    }
    const { clientId } = request;
    const now = this.clock.now();
    await this.cleanUp(now);
    // The URL with its query: ?ignoreInvalidPhoneNumbers=true is a different request.
    const hash = requestFingerprint(request.method, request.url, content);
    if (await this.repository.claim(clientId, key, hash, now, new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS))) {
      request.idempotencyClaim = { clientId, key, settled: false };
      return undefined;
    }
    const stored = await this.repository.find(clientId, key);
    // Gone between the claim and the read: its first request failed and gave it back. Ask for a retry.
    const verdict = stored === undefined ? 'in-progress' : judgeExistingKey(stored, hash);
    if (verdict === 'mismatch') {
      throw new HttpProblem(422, 'validation', 'This Idempotency-Key was used with a different request (method, path or body) in the last 24 hours.');
    }
    if (verdict === 'in-progress') {
      throw new HttpProblem(409, 'conflict', 'A request with this Idempotency-Key is still being processed; retry after it finishes.', undefined, {
        [RETRY_AFTER_HEADER]: String(IDEMPOTENCY_IN_PROGRESS_RETRY_AFTER_S),
      });
    }
    reply.code(stored!.responseStatus!).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    if (stored!.responseContentType) reply.type(stored!.responseContentType);
    return reply.send(stored!.responseBody ?? '');
  }

  /**
   * Stores answers as they leave and gives keys back on failure; register on the plugin that owns the routes, before
   * them. Routes that take the key (their headers schema names it) get Idempotent-Replayed on their responses in the
   * OpenAPI document.
   */
  install(app: FastifyInstance): void {
    const complete = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const claim = request.idempotencyClaim;
      if (claim === undefined || claim.settled) return payload;
      claim.settled = true;
      if (reply.statusCode >= 500) {
        await this.repository.release(claim.clientId, claim.key);
        return payload;
      }
      const text = await payloadText(payload);
      const contentType = reply.getHeader('content-type');
      await this.repository.complete(claim.clientId, claim.key, reply.statusCode, text, typeof contentType === 'string' ? contentType : undefined);
      return text;
    };
    const giveBack = async (request: FastifyRequest) => {
      const claim = request.idempotencyClaim;
      if (claim === undefined || claim.settled) return;
      claim.settled = true;
      await this.repository.release(claim.clientId, claim.key);
    };
    // Only the routes that take the key claim one (begin), so only they get the hooks that store or give it back
    // (route-hooks.ts): the plugin's other routes, its GETs among them, run none.
    app.addHook('onRoute', (route) => {
      if (!namesKeyHeader(route.schema)) return;
      const response = route.schema?.response as Record<string, unknown> | undefined;
      if (response !== undefined) {
        const replayable = withResponseHeaders(response, (status) => !NEVER_REPLAYED.has(status), IdempotentReplayedHeaders);
        route.schema = { ...route.schema, response: withResponseHeaders(replayable, (status) => status === '409', RetryAfterHeaders) };
      }
      addRouteHook(route, 'onSend', complete);
      addRouteHook(route, 'onResponse', giveBack);
      addRouteHook(route, 'onRequestAbort', giveBack);
    });
  }

  private async cleanUp(now: Date): Promise<void> {
    if (now.getTime() - this.lastCleanupMs < CLEANUP_EVERY_MS) return;
    this.lastCleanupMs = now.getTime();
    await this.repository.deleteExpired(now);
  }
}
