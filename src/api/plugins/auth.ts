// Authentication hooks. Clients send `Authorization: Bearer <key>` or `X-API-Key: <key>`; the operator API takes
// `Authorization: Bearer <ADMIN_TOKEN>` and is switched off when ADMIN_TOKEN is unset.
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';
import { secretsEqual } from '../../domain/api-key.js';
import type { TenantRepository } from '../../store/repositories/tenants.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client (tenant); set by the client auth hook. */
    clientId: number;
    /** The API key the client authenticated with (the audit log and the rate limit name it); null for the operator. */
    apiKeyId: number | null;
  }
}

const unauthorized = (detail: string) =>
  new HttpProblem(401, 'unauthorized', detail, undefined, { 'www-authenticate': 'Bearer realm="ringcast"' });

const MALFORMED_AUTHORIZATION = 'The Authorization header must be "Bearer <key>".';

/**
 * The token of an `Authorization: Bearer <token>` header; undefined when there is no such header. A header that is
 * there but malformed (another scheme, no token, two tokens) is refused rather than ignored: falling back to
 * X-API-Key would let a request carrying two credentials be judged on the one its sender did not mean.
 */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const token = typeof header === 'string' ? /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header)?.[1] : undefined;
  if (token === undefined) throw unauthorized(MALFORMED_AUTHORIZATION);
  return token;
}

function presentedCredential(request: FastifyRequest): string | undefined {
  const bearer = bearerToken(request);
  if (bearer) return bearer;
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined;
}

export function clientAuthHook(tenants: TenantRepository) {
  return async (request: FastifyRequest): Promise<void> => {
    const key = presentedCredential(request);
    if (!key) throw unauthorized('Send your API key as "Authorization: Bearer <key>" or "X-API-Key: <key>".');
    const authenticated = await tenants.authenticate(key);
    if (authenticated === undefined) throw unauthorized('The API key is not valid or has been revoked.');
    request.clientId = authenticated.clientId;
    request.apiKeyId = authenticated.apiKeyId;
  };
}

export function adminAuthHook(adminToken: string | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!adminToken) {
      throw new HttpProblem(403, 'forbidden', 'The operator API is disabled: set ADMIN_TOKEN to enable it.');
    }
    // Bearer only: X-API-Key is where client keys go, so the operator token is not looked for there (an operator
    // token pasted into a client's X-API-Key slot must not quietly work on /api/admin).
    const token = bearerToken(request);
    if (!token || !secretsEqual(token, adminToken)) throw unauthorized('Send "Authorization: Bearer <ADMIN_TOKEN>".');
  };
}
