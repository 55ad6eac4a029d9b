// The limits the operator set per client (client_limits in schema-limits.ts).
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../database.js';
import { clientLimits } from '../schema.js';

import { NO_QUOTAS, type ClientQuotas } from '../../domain/limits/quotas.js';

export interface ClientLimitOverrides extends ClientQuotas {
  /** Requests a minute; null = the RATE_LIMIT_PER_MIN default. */
  rateLimitPerMin: number | null;
  /** Calls in flight at once across every dialer process; null = the CLIENT_MAX_CALLS default. */
  maxConcurrentCalls: number | null;
}

export const NO_OVERRIDES: ClientLimitOverrides = Object.freeze({ rateLimitPerMin: null, maxConcurrentCalls: null, ...NO_QUOTAS });

export class ClientLimitsRepository {
  constructor(private readonly db: Db) {}

  async get(clientId: number): Promise<ClientLimitOverrides> {
    const [row] = await this.db
      .select({
        rateLimitPerMin: clientLimits.rateLimitPerMin,
        maxActiveCampaigns: clientLimits.maxActiveCampaigns,
        maxNumbersPerCampaign: clientLimits.maxNumbersPerCampaign,
        maxNumbersPerDay: clientLimits.maxNumbersPerDay,
        maxConcurrentCalls: clientLimits.maxConcurrentCalls,
      })
      .from(clientLimits).where(eq(clientLimits.clientId, clientId));
    return row ?? NO_OVERRIDES;
  }

  /**
   * The maxConcurrentCalls overrides of some clients, in one statement (the dialer's refresh); a client without one
   * is absent.
   */
  async concurrentCallQuotas(clientIds: readonly number[]): Promise<Map<number, number>> {
    if (clientIds.length === 0) return new Map();
    const rows = await this.db
      .select({ clientId: clientLimits.clientId, maxConcurrentCalls: clientLimits.maxConcurrentCalls })
      .from(clientLimits)
      .where(and(inArray(clientLimits.clientId, [...clientIds]), isNotNull(clientLimits.maxConcurrentCalls)));
    return new Map(rows.map((row) => [row.clientId, row.maxConcurrentCalls!]));
  }

  async set(clientId: number, limits: ClientLimitOverrides, now: Date): Promise<void> {
    await this.db
      .insert(clientLimits)
      .values({ clientId, ...limits, updatedAt: now })
      .onConflictDoUpdate({ target: clientLimits.clientId, set: { ...limits, updatedAt: now } });
  }
}
