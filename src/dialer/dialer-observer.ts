// What the dialer tells whoever watches it (src/observability/metrics.ts turns it into Prometheus figures). The dialer
// depends only on this interface, so it runs unobserved in tests and benchmarks, and the hot path costs a few counter
// increments: an observer must not allocate or do I/O per call.
import type { CallOutcome, CampaignStatus } from '../domain/enums.js';

export interface DialerObserver {
  /** One claim transaction took `count` numbers (0 included: a claim that found nothing still cost its round trips). */
  claimed(count: number): void;
  /** A call began, for a campaign in `campaignStatus` at its claim. */
  callStarted(campaignStatus: CampaignStatus): void;
  /** The call reached the carrier's dial `delayMs` after its claim (first-prompt rendering and scheduling). */
  dialing(delayMs: number): void;
  /** The call's result was recorded with `outcome`, `durationMs` after its claim. */
  callRecorded(outcome: CallOutcome, durationMs: number): void;
  /** A number whose lease had run out (its dialer died) was recovered by this process. */
  leaseExpiryRecovered(): void;
  /** One of this process's calls lost its lease mid-call (the loop stalled past it) and was hung up. */
  leaseLost(): void;
}

export const UNOBSERVED_DIALER: DialerObserver = {
  claimed() {},
  callStarted() {},
  dialing() {},
  callRecorded() {},
  leaseExpiryRecovered() {},
  leaseLost() {},
};
