// A number is stored with its first due time (src/store/repositories/campaigns.ts firstDueAt): the campaign's start
// plus its first attempt's interval, whether it came with the create or was added later. The dialer used to give new
// numbers their due time in an update of its own when the campaign was first callable, a second write of every row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, london, mobileNumbers } from '../helpers/dialer-harness.js';
import { CampaignRepository } from '../../src/store/repositories/campaigns.js';
import { phoneNumbers } from '../../src/store/schema.js';

describe.each(BACKENDS)('first due time of stored numbers, on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  const dueTimes = async (campaignId: number) =>
    new Map(
      (await harness.db.select({ number: phoneNumbers.number, dueAt: phoneNumbers.dueAt }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId))).map(
        (row) => [row.number, row.dueAt?.toISOString() ?? null],
      ),
    );

  it('is the start plus the first interval, for the numbers of the create and for numbers added later', async () => {
    const date = '2027-08-02';
    const tenant = await harness.tenant();
    const body = { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 30 }, { interval: 60 }], phoneNumbers: mobileNumbers(3, 80_000) };
    const campaignId = await harness.campaign(tenant, body, london(date, '08:00'));
    const due = london(date, '09:30').toISOString();
    expect([...(await dueTimes(campaignId)).values()]).toEqual([due, due, due]);

    const [existing] = mobileNumbers(1, 80_000).map((national) => `+44${national.slice(1)}`);
    const added = await new CampaignRepository(harness.db).addNumbers(campaignId, [
      { index: 0, e164: existing!, name: 'again', parameters: [] },
      { index: 1, e164: '+447722999001', name: 'New', parameters: [] },
    ]);
    expect([...added]).toEqual(['+447722999001']);
    const after = await dueTimes(campaignId);
    expect(after.size).toBe(4);
    expect(after.get('+447722999001')).toBe(due);
  });
});
