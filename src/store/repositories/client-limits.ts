// The limits the operator set per client (client_limits in schema-limits.ts).
import { eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { clientLimits } from '../schema.js';

import type { ClientQuotas } from '../../domain/limits/quotas.js';

export interface ClientLimitOverrides extends ClientQuotas {
  /** Requests a minute; null = the RATE_LIMIT_PER_MIN default. */
  rateLimitPerMin: number | null;
}

export const NO_OVERRIDES: ClientLimitOverrides = Object.freeze({ rateLimitPerMin: null, maxActiveCampaigns: null, maxNumbersPerCampaign: null });

export class ClientLimitsRepository {
  constructor(private readonly db: Db) {}

  async get(clientId: number): Promise<ClientLimitOverrides> {
    const [row] = await this.db
      .select({
        rateLimitPerMin: clientLimits.rateLimitPerMin,
        maxActiveCampaigns: clientLimits.maxActiveCampaigns,
        maxNumbersPerCampaign: clientLimits.maxNumbersPerCampaign,
      })
      .from(clientLimits).where(eq(clientLimits.clientId, clientId));
    return row ?? NO_OVERRIDES;
  }

  async set(clientId: number, limits: ClientLimitOverrides, now: Date): Promise<void> {
    await this.db
      .insert(clientLimits)
      .values({ clientId, ...limits, updatedAt: now })
      .onConflictDoUpdate({ target: clientLimits.clientId, set: { ...limits, updatedAt: now } });
  }
}
