// The campaign details this process has read, kept until the database says the campaign changed.
//
// On PGlite every query runs on the event loop, so the detail's one query was most of the cost of
// GET /api/campaigns/voice/:id (issue 10: 68% of the CPU under load was PGlite). The cache is exact rather than
// time-based: triggers NOTIFY "campaign_changed" at commit (migrations/0013), campaign-change-listener.ts evicts the
// entry, and writes made through this process's API evict it synchronously too (evict()), so a client that writes then
// reads through one process reads its write. Across processes an entry is stale for at most the NOTIFY delivery delay
// after the other process's commit (PGlite is one process). While the listener is not listening (PostgreSQL connection
// lost) the cache is empty and bypassed. A read that raced a change is not kept: each load holds a token that
// a change to its campaign revokes, and only a load whose token survived is stored.
import type { CampaignDetail, CampaignRepository } from './repositories/campaigns.js';
import type { CampaignChangeHandler } from './campaign-change-listener.js';

/** Campaigns kept at most; past this the oldest entry goes. */
export const MAX_CACHED_CAMPAIGNS = 10_000;

interface Entry {
  clientId: number;
  detail: CampaignDetail;
}

export class CampaignDetailCache implements CampaignChangeHandler {
  private readonly entries = new Map<number, Entry>();
  /** The loads running, by campaign: a change deletes the campaign's token, so the load's answer is not kept. */
  private readonly loads = new Map<number, object>();
  private active = false;

  constructor(
    private readonly campaigns: Pick<CampaignRepository, 'get'>,
    private readonly maxEntries = MAX_CACHED_CAMPAIGNS,
  ) {}

  /** The client's campaign, as CampaignRepository.get answers it (undefined: not this client's, or none). */
  async get(clientId: number, campaignId: number): Promise<CampaignDetail | undefined> {
    const entry = this.entries.get(campaignId);
    // A campaign belongs to one client: another client's key reads nothing, as the query would answer.
    if (entry) return entry.clientId === clientId ? entry.detail : undefined;
    if (!this.active) return this.campaigns.get(clientId, campaignId);
    const token = {};
    this.loads.set(campaignId, token);
    try {
      const detail = await this.campaigns.get(clientId, campaignId);
      if (detail && this.active && this.loads.get(campaignId) === token) this.store(campaignId, { clientId, detail });
      return detail;
    } finally {
      if (this.loads.get(campaignId) === token) this.loads.delete(campaignId);
    }
  }

  /** This process changed the campaign: forget it now, before the notification arrives. */
  evict(campaignId: number): void {
    this.entries.delete(campaignId);
    this.loads.delete(campaignId);
  }

  changed(campaignId: number): void {
    this.evict(campaignId);
  }

  listening(listening: boolean): void {
    this.active = listening;
    if (!listening) {
      this.entries.clear();
      this.loads.clear();
    }
  }

  /** Whether the campaign's detail is kept (for tests and metrics). */
  has(campaignId: number): boolean {
    return this.entries.has(campaignId);
  }

  get size(): number {
    return this.entries.size;
  }

  private store(campaignId: number, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(campaignId, entry);
  }
}
