// Numbers stored without a due time (the create and the add give every number its first one, first-due.test.ts; a
// row written some other way, or before that rule, may have none) are given their first due time by the dialer's
// loop (scheduleNewNumbers) and called at it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, expectCompletedConsistently, london, testNumber } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { phoneNumbers } from '../../src/store/schema.js';

describe.each(BACKENDS)('numbers stored without a due time, on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('are given the first due time and called at it', async () => {
    const clock = new VirtualClock('2027-05-03T12:00:00Z');
    const tenant = await harness.tenant();
    const body = { startDate: '2027-05-04', startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 5 }], phoneNumbers: ['0001', '0003'].map(testNumber) };
    const scheduled = await harness.campaign(tenant, body, clock.now());
    const unscheduled = await harness.campaign(tenant, body, clock.now());
    await harness.db.update(phoneNumbers).set({ dueAt: null }).where(eq(phoneNumbers.campaignId, unscheduled));

    const run = await harness.run({ clock, campaignIds: [scheduled, unscheduled] });
    for (const campaignId of [scheduled, unscheduled]) {
      const { calls } = await expectCompletedConsistently(harness, campaignId, run);
      // Both campaigns' first attempts at the start plus the first interval: the unscheduled numbers got that time.
      expect(calls.map((call) => call.startTime.toISOString())).toEqual(Array(2).fill(london('2027-05-04', '09:05').toISOString()));
    }
  });
});
