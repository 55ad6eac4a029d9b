// Numbers stored without a due time (the create and the add give every number its first one, first-due.test.ts; a
// row written some other way, or before that rule, may have none) are found by the loop's live-campaigns statement
// (`unscheduled`) and given their first due time by scheduleNewNumbers, then called. The loop asks that statement on
// every pass instead of running scheduleNewNumbers' transaction for every live campaign every idlePollMs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, expectCompletedConsistently, london, testNumber } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import { phoneNumbers } from '../../src/store/schema.js';

describe.each(BACKENDS)('numbers stored without a due time, on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('are reported as unscheduled, given the first due time and called at it', async () => {
    const clock = new VirtualClock('2027-05-03T12:00:00Z');
    const tenant = await harness.tenant();
    const body = { startDate: '2027-05-04', startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 5 }], phoneNumbers: ['0001', '0003'].map(testNumber) };
    const scheduled = await harness.campaign(tenant, body, clock.now());
    const unscheduled = await harness.campaign(tenant, body, clock.now());
    await harness.db.update(phoneNumbers).set({ dueAt: null }).where(eq(phoneNumbers.campaignId, unscheduled));

    const store = new DialerStore(harness.db, 'unscheduled-test');
    const live = new Map((await store.liveCampaignIds()).map((campaign) => [campaign.id, campaign.unscheduled]));
    expect(live.get(scheduled)).toBe(false);
    expect(live.get(unscheduled)).toBe(true);

    const run = await harness.run({ clock, campaignIds: [scheduled, unscheduled] });
    for (const campaignId of [scheduled, unscheduled]) {
      const { calls } = await expectCompletedConsistently(harness, campaignId, run);
      // Both campaigns' first attempts at the start plus the first interval: the unscheduled numbers got that time.
      expect(calls.map((call) => call.startTime.toISOString())).toEqual(Array(2).fill(london('2027-05-04', '09:05').toISOString()));
    }
    expect((await store.liveCampaignIds()).some((campaign) => campaign.id === unscheduled)).toBe(false);
  });
});
