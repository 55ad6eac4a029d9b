// Quotas per client (issue 12), pure: which statuses count as active, and the error that names an exceeded quota.
// The dialer's quota, maxConcurrentCalls, is a pacing limit (src/dialer/pacing.ts), not checked here.
import { CampaignStatus } from '../enums.js';

/** The quotas the operator can set; null = no quota. */
export interface ClientQuotas {
  maxActiveCampaigns: number | null;
  maxNumbersPerCampaign: number | null;
  /** Numbers added to the client's campaigns per UTC day (numbers-per-day.ts). */
  maxNumbersPerDay: number | null;
}

export const NO_QUOTAS: ClientQuotas = Object.freeze({ maxActiveCampaigns: null, maxNumbersPerCampaign: null, maxNumbersPerDay: null });

/** A campaign that can still place calls counts against maxActiveCampaigns. */
export const ACTIVE_CAMPAIGN_STATUSES: readonly CampaignStatus[] = [CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Waiting, CampaignStatus.Paused];

export type QuotaName = keyof ClientQuotas;

/**
 * Thrown where a quota is checked (inside the create transaction). The API answers 403 naming the quota, or, for a
 * quota that refills (`retryAfterS` set), 429 with Retry-After.
 */
export class QuotaExceeded extends Error {
  constructor(
    readonly quota: QuotaName,
    readonly limit: number,
    /** Seconds until the quota has room again; undefined for a quota that does not refill. */
    readonly retryAfterS?: number,
    message = `Quota ${quota} of ${limit} reached; ask the operator to raise it.`,
  ) {
    super(message);
  }
}

/** Throws when a campaign of `numberCount` numbers would pass maxNumbersPerCampaign. */
export function checkNumbersPerCampaign(quotas: ClientQuotas, numberCount: number): void {
  if (quotas.maxNumbersPerCampaign !== null && numberCount > quotas.maxNumbersPerCampaign) {
    throw new QuotaExceeded('maxNumbersPerCampaign', quotas.maxNumbersPerCampaign);
  }
}

/** Throws when one more active campaign would pass maxActiveCampaigns. */
export function checkActiveCampaigns(quotas: ClientQuotas, activeNow: number): void {
  if (quotas.maxActiveCampaigns !== null && activeNow >= quotas.maxActiveCampaigns) {
    throw new QuotaExceeded('maxActiveCampaigns', quotas.maxActiveCampaigns);
  }
}
