// Writes the audit log (issue 12): an onResponse hook records each successful (2xx) request that changes state under
// /api, with who made it (the operator, or a client and its API key), the action's name (src/audit/actions.ts), the
// ids it touched, the status and the request id. Failed requests and idempotent replays (which change nothing) are
// not recorded.
//
// The entry is written right after a successful change, not in its transaction: a crash between the change's commit
// and the audit insert can lose that one entry (README "Audit log"). Writing it inside every route's transaction
// would couple each route to the log; the loss window is one insert long.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditActionOf, auditRouteKey, auditTargets, isAuditedRoute } from '../../audit/actions.js';
import type { Clock } from '../../domain/clock.js';
import type { AuditLogRepository } from '../../store/repositories/audit-log.js';
import { addRouteHook } from './route-hooks.js';

/** The last path segment of a Location header when it is an id (`/api/campaigns/voice/42` -> 42). */
function idFromLocation(location: unknown): number | undefined {
  if (typeof location !== 'string') return undefined;
  const match = /\/(\d+)$/.exec(location);
  return match ? Number(match[1]) : undefined;
}

export class AuditLogWriter {
  /** Inserts not yet finished: close waits for them, and tests read the log after flush. */
  private readonly pending = new Set<Promise<void>>();
  /** The created resource's id, taken from a 201 answer's object before it is serialised. */
  private readonly createdIds = new WeakMap<FastifyRequest, number>();
  /** Every audited route key seen at registration (the route-coverage test compares it with the table). */
  readonly routeKeys = new Set<string>();

  constructor(
    private readonly repository: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  /** Resolves when every entry begun so far is written (or has failed and been logged). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Installs the hooks on the root instance, before the routes are registered. The entry's hooks go on the audited
   * routes only (route-hooks.ts): a GET runs none of them.
   */
  install(app: FastifyInstance): void {
    // A route the table does not name stops the app from starting: a new route cannot be forgotten.
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      let audited = false;
      for (const method of methods) {
        if (!isAuditedRoute(method, route.url)) continue;
        if (auditActionOf(method, route.url) === undefined) {
          throw new Error(`${auditRouteKey(method, route.url)} has no audit action: name it in src/audit/actions.ts`);
        }
        this.routeKeys.add(auditRouteKey(method, route.url));
        audited = true;
      }
      if (!audited) return;
      addRouteHook(route, 'preSerialization', async (request, reply, payload) => {
        if (reply.statusCode === 201 && typeof payload === 'object' && payload !== null) {
          const id = (payload as { id?: unknown }).id;
          if (typeof id === 'number') this.createdIds.set(request, id);
        }
        return payload;
      });
      addRouteHook(route, 'onResponse', async (request, reply) => {
        const written = this.record(request, reply.statusCode, reply.getHeader('location'), reply.getHeader('idempotent-replayed'));
        if (written === undefined) return;
        this.pending.add(written);
        void written.finally(() => this.pending.delete(written));
      });
    });
    app.addHook('onClose', async () => this.flush());
  }

  private record(request: FastifyRequest, statusCode: number, location: unknown, replayed: unknown): Promise<void> | undefined {
    const url = request.routeOptions.url;
    if (url === undefined || statusCode < 200 || statusCode > 299 || replayed === 'true') return undefined;
    if (!isAuditedRoute(request.method, url)) return undefined;
    const action = auditActionOf(request.method, url);
    if (!action) return undefined;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const isClient = request.apiKeyId !== null;
    const operatorClientId = typeof params.clientId === 'number' ? params.clientId : null;
    return this.repository
      .insert({
        at: this.clock.now(),
        actorKind: isClient ? 'client' : 'operator',
        clientId: isClient ? request.clientId : operatorClientId,
        apiKeyId: request.apiKeyId,
        action,
        targets: auditTargets(params, statusCode === 201 ? (this.createdIds.get(request) ?? idFromLocation(location)) : undefined),
        statusCode,
        requestId: request.id,
      })
      .catch((error: unknown) => request.log.error({ err: error, action }, 'audit log entry not written'));
  }
}
