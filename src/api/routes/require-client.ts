// Operator routes under /clients/:clientId answer 404 problem+json for a client that does not exist, before anything
// of that client is read or written. One function for every route file that needs the check.
import type { TenantRepository } from '../../store/repositories/tenants.js';
import { notFound } from '../problem.js';

export async function requireClient(tenants: Pick<TenantRepository, 'getClient'>, clientId: number): Promise<void> {
  if (!(await tenants.getClient(clientId))) throw notFound(`Client ${clientId} does not exist.`);
}
