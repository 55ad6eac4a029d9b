// A hook added to the routes that need it, from an onRoute hook, instead of to every route of an instance.
//
// Fastify runs an instance's hooks on every request of its routes, and a hook costs its promise and the hook runner's
// steps even when it returns at once: the audit log's and the idempotency keys' four hooks ran on every GET, which
// needs none of them (issue 10: the GET /api/campaigns/voice/:id figure, where the hook runner's steps were a visible
// share of each request's CPU beside the bare Fastify baseline). A route with no hook of a kind skips that step.
import type { RouteOptions } from 'fastify';

/** The lifecycle hooks a plugin adds per route here. */
type RouteHookName = 'preSerialization' | 'onSend' | 'onResponse' | 'onRequestAbort';

/** One hook of the kind (route options take a hook or a list of them). */
type OneHook<K extends RouteHookName> = Exclude<NonNullable<RouteOptions[K]>, readonly unknown[]>;

/** Appends `hook` to the route's own hooks of that kind (they run after the instance's, in the order added). */
export function addRouteHook<K extends RouteHookName>(route: RouteOptions, name: K, hook: OneHook<K>): void {
  const existing = route[name] as OneHook<K> | OneHook<K>[] | undefined;
  const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  (route as unknown as Record<K, OneHook<K>[]>)[name] = [...hooks, hook];
}
