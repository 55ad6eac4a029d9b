// The campaign detail's last-24-hours abandoned-call counts, computed at most once a second per campaign.
//
// Counting them is an aggregate over every call the campaign started in the last 24 hours: about 60 ms for a campaign
// dialling 30,000 calls a day on PostgreSQL (EXPLAIN: a bitmap scan of calls_start_time_idx joined to the campaign's
// numbers), so 50 clients polling one running campaign's detail queued behind it (12-41 requests/s, issue 10). The
// calls table has no campaign column to index and the dialer's write path is not the place for a kept counter, so
// the figure is shared instead: a read within FIGURE_REUSE_MS (real time, and of the app's clock) of the last count
// gets that count, and reads arriving while a count runs wait for it rather than starting their own. The figure is
// exact as of at most FIGURE_REUSE_MS before the read, which is below the resolution anyone reads a rolling
// 24-hour rate at; the dialer's own guards (dialer-compliance.ts) count for themselves and do not use this.
import type { AbandonedCounts } from '../../domain/compliance/abandoned-rate.js';
import type { Clock } from '../../domain/clock.js';
import type { ComplianceRepository } from './compliance.js';

/** How old a shared count may be, in real time and in the app clock's time. */
export const FIGURE_REUSE_MS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Campaigns remembered at most; past this the cache starts again empty. */
const MAX_CAMPAIGNS = 10_000;

interface Entry {
  counts: Promise<AbandonedCounts>;
  wallMs: number;
  clockMs: number;
}

export class RecentAbandonedCounts {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly compliance: ComplianceRepository,
    private readonly clock: Clock,
    private readonly wallMs: () => number = () => performance.now(),
  ) {}

  /** Live, abandoned and machine calls the campaign started in the 24 hours before now (the app clock's). */
  forCampaign(campaignId: number): Promise<AbandonedCounts> {
    const clockMs = this.clock.now().getTime();
    const wallMs = this.wallMs();
    const entry = this.entries.get(campaignId);
    if (entry && wallMs - entry.wallMs < FIGURE_REUSE_MS && Math.abs(clockMs - entry.clockMs) < FIGURE_REUSE_MS) return entry.counts;
    if (this.entries.size >= MAX_CAMPAIGNS) this.entries.clear();
    const counts = this.count(campaignId, clockMs);
    this.entries.set(campaignId, { counts, wallMs, clockMs });
    // A failed count is not shared: the next read tries again.
    counts.catch(() => {
      if (this.entries.get(campaignId)?.counts === counts) this.entries.delete(campaignId);
    });
    return counts;
  }

  private async count(campaignId: number, clockMs: number): Promise<AbandonedCounts> {
    const [counts] = await this.compliance.abandonedCounts({ campaignId }, new Date(clockMs - DAY_MS));
    return { live: counts?.live ?? 0, abandoned: counts?.abandoned ?? 0, machine: counts?.machine ?? 0 };
  }
}
