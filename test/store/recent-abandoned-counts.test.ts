// The detail's 24-hour abandoned counts are shared between reads less than FIGURE_REUSE_MS apart (in real time and on
// the app's clock), reads during a count wait for it, and a failed count is not shared.
import { describe, expect, it } from 'vitest';
import { FIGURE_REUSE_MS, RecentAbandonedCounts } from '../../src/store/repositories/recent-abandoned-counts.js';
import { VirtualClock } from '../../src/domain/clock.js';
import type { ComplianceRepository } from '../../src/store/repositories/compliance.js';

function fakeCompliance() {
  const calls: { campaignId: number; since: Date }[] = [];
  let fail = false;
  const repository = {
    async abandonedCounts(filter: { campaignId: number }, since: Date) {
      calls.push({ campaignId: filter.campaignId, since });
      if (fail) throw new Error('database gone');
      return [{ campaignId: filter.campaignId, name: 'x', complianceNote: null, live: calls.length, abandoned: 1, machine: 2 }];
    },
  } as unknown as ComplianceRepository;
  return { repository, calls, failNext: (value: boolean) => (fail = value) };
}

describe('RecentAbandonedCounts', () => {
  it('counts the 24 hours before the app clock, and shares a count for FIGURE_REUSE_MS of real time', async () => {
    let wallMs = 0;
    const clock = new VirtualClock('2026-11-26T10:00:00Z');
    const compliance = fakeCompliance();
    const recent = new RecentAbandonedCounts(compliance.repository, clock, () => wallMs);
    const [first, second] = await Promise.all([recent.forCampaign(5), recent.forCampaign(5)]);
    expect(first).toEqual({ live: 1, abandoned: 1, machine: 2 });
    expect(second).toEqual(first);
    expect(compliance.calls).toEqual([{ campaignId: 5, since: new Date('2026-11-25T10:00:00Z') }]);
    wallMs += FIGURE_REUSE_MS - 1;
    expect(await recent.forCampaign(5)).toEqual(first);
    expect((await recent.forCampaign(6)).live).toBe(2);
    wallMs += 1;
    expect((await recent.forCampaign(5)).live).toBe(3);
  });

  it('counts again when the app clock has moved on (virtual time), and after a failure', async () => {
    const clock = new VirtualClock('2026-11-26T10:00:00Z');
    const compliance = fakeCompliance();
    const recent = new RecentAbandonedCounts(compliance.repository, clock, () => 0);
    await recent.forCampaign(5);
    clock.advanceMs(FIGURE_REUSE_MS);
    await recent.forCampaign(5);
    expect(compliance.calls).toHaveLength(2);
    compliance.failNext(true);
    const failing = new RecentAbandonedCounts(compliance.repository, clock, () => 0);
    await expect(failing.forCampaign(9)).rejects.toThrow('database gone');
    compliance.failNext(false);
    expect((await failing.forCampaign(9)).abandoned).toBe(1);
  });
});
