// The audit log's action names (issue 12): every route under /api that is not a GET is named here, in ONE table, so
// an audit entry says what was done in words that outlive a route's URL. A route missing from this table stops the
// app from starting (src/api/plugins/audit-log.ts checks each route as it is registered), so a new route cannot be
// forgotten. A null name marks a POST that changes nothing (a preview), which is therefore not logged.

/** Who acted: the operator (ADMIN_TOKEN) or a client through one of its API keys. */
export const AUDIT_ACTOR_KINDS = ['operator', 'client'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** Methods that change state; GET, HEAD and OPTIONS only read and are never logged. */
const CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `METHOD /route/pattern` (the pattern without regex constraints or a trailing slash) -> action name. */
export const AUDIT_ACTIONS: Readonly<Record<string, string | null>> = {
  // Operator: clients, keys, call flows, caller ids, audio.
  'POST /api/admin/clients': 'client.create',
  'PATCH /api/admin/clients/:clientId': 'client.update',
  'DELETE /api/admin/clients/:clientId': 'client.delete',
  'POST /api/admin/clients/:clientId/apikeys': 'api_key.create',
  'DELETE /api/admin/apikeys/:keyId': 'api_key.revoke',
  'POST /api/admin/clients/:clientId/callflows': 'call_flow.create',
  'PUT /api/admin/clients/:clientId/callflows/:id': 'call_flow.update',
  'DELETE /api/admin/clients/:clientId/callflows/:id': 'call_flow.delete',
  'POST /api/admin/clients/:clientId/clis': 'cli.create',
  'DELETE /api/admin/clients/:clientId/clis/:id': 'cli.delete',
  'POST /api/admin/clients/:clientId/audio': 'audio.create',
  'DELETE /api/admin/clients/:clientId/audio/:id': 'audio.delete',
  // Operator: limits and compliance settings.
  'PUT /api/admin/clients/:clientId/limits': 'client.limits.update',
  'PUT /api/admin/clients/:clientId/calling-hours': 'client.calling_hours.update',
  'PUT /api/admin/clients/:clientId/machine-rule': 'client.machine_rule.update',
  // Operator: do-not-call lists (a client's, the service's own, TPS and CTPS).
  'POST /api/admin/clients/:clientId/suppression': 'client_suppression.add',
  'POST /api/admin/clients/:clientId/suppression/remove': 'client_suppression.remove',
  'DELETE /api/admin/clients/:clientId/suppression/:number': 'client_suppression.remove',
  'POST /api/admin/suppression': 'service_suppression.add',
  'POST /api/admin/suppression/remove': 'service_suppression.remove',
  'DELETE /api/admin/suppression/:number': 'service_suppression.remove',
  'POST /api/admin/tps': 'tps.add',
  'POST /api/admin/tps/remove': 'tps.remove',
  'DELETE /api/admin/tps/:number': 'tps.remove',
  'POST /api/admin/ctps': 'ctps.add',
  'POST /api/admin/ctps/remove': 'ctps.remove',
  'DELETE /api/admin/ctps/:number': 'ctps.remove',
  // Operator: webhook endpoints.
  'POST /api/admin/webhooks/:id/disable': 'webhook_endpoint.disable',
  'POST /api/admin/webhooks/:id/enable': 'webhook_endpoint.enable',
  // Client: campaigns.
  'POST /api/campaigns/voice': 'campaign.create',
  'POST /api/campaigns/voice/:ignoreInvalidPhoneNumbers': 'campaign.create',
  'POST /api/campaigns/voice/csv': 'campaign.create_csv',
  'POST /api/campaigns/voice/:id/phonenumbers': 'campaign.add_numbers',
  'POST /api/campaigns/voice/:id/phonenumbers/csv': 'campaign.add_numbers_csv',
  'POST /api/campaigns/voice/:id/pause': 'campaign.pause',
  'POST /api/campaigns/voice/:id/resume': 'campaign.resume',
  'POST /api/campaigns/voice/:id/cancel': 'campaign.cancel',
  'DELETE /api/campaigns/voice/:id': 'campaign.delete',
  // Client: call flows (previews change nothing).
  'PUT /api/callflows/:id': 'call_flow.update',
  'POST /api/callflows/:id/preview': null,
  'POST /api/callflows/:id/speech': null,
  // Client: its do-not-call list.
  'POST /api/suppression': 'suppression.add',
  'POST /api/suppression/remove': 'suppression.remove',
  'DELETE /api/suppression/:number': 'suppression.remove',
  // Client: webhook endpoints.
  'POST /api/webhooks': 'webhook_endpoint.create',
  'PATCH /api/webhooks/:id': 'webhook_endpoint.update',
  'DELETE /api/webhooks/:id': 'webhook_endpoint.delete',
  'POST /api/webhooks/:id/rotate-secret': 'webhook_endpoint.rotate_secret',
  'POST /api/webhooks/:id/deliveries/:eventId/redeliver': 'webhook_event.redeliver',
};

/** Whether a route is one the audit log covers: a changing method under /api. */
export function isAuditedRoute(method: string, url: string): boolean {
  return CHANGING_METHODS.has(method.toUpperCase()) && (url === '/api' || url.startsWith('/api/'));
}

/** The table's key of a route: `:id(^\d+$)` loses its constraint and `/voice/` its trailing slash. */
export function auditRouteKey(method: string, url: string): string {
  const pattern = url.replace(/(:\w+)\([^/]*\)/g, '$1').replace(/(.)\/$/, '$1');
  return `${method.toUpperCase()} ${pattern}`;
}

/** The action of a route: its name, null when the table says it changes nothing, undefined when it is not in the table. */
export function auditActionOf(method: string, url: string): string | null | undefined {
  return AUDIT_ACTIONS[auditRouteKey(method, url)];
}

/**
 * The ids an entry names: the route's id parameters (`id`, `clientId`, `keyId`, `eventId`...) and the id of what the
 * request created. Other parameters are left out on purpose: `:number` is a phone number, which the log never holds.
 */
export function auditTargets(params: Record<string, unknown>, createdId: number | undefined): Record<string, string | number> {
  const targets: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    if ((name === 'id' || name.endsWith('Id')) && (typeof value === 'number' || typeof value === 'string')) targets[name] = value;
  }
  if (createdId !== undefined) targets.createdId = createdId;
  return targets;
}
