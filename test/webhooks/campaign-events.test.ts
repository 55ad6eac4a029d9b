// Events written by a real campaign run (the dialer with the simulated carrier, in virtual time) arrive at a loopback
// receiver with the documented shapes: call.completed carries the call exactly as GET .../phonenumbers shows it,
// number.completed the final status, campaign.status_changed each move; per number, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { campaigns } from '../../src/store/schema.js';
import { DialerHarness, testNumber } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { WebhookRepository } from '../../src/store/repositories/webhooks.js';
import { CampaignRepository } from '../../src/store/repositories/campaigns.js';
import { WebhookDeliverer } from '../../src/webhooks/deliverer.js';
import { toPhoneNumberResult } from '../../src/api/routes/campaign-views.js';
import { loadSettings } from '../../src/config/settings.js';
import { startReceiver, type Receiver } from './receiver.js';

describe.each(BACKENDS)('webhook events of a campaign run on $kind', ({ kind }) => {
  let harness: DialerHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.dispose();
  });

  it('sends call.completed, number.completed and campaign.status_changed with the API shapes, in order per number', async () => {
    const clock = new VirtualClock('2027-03-01T08:00:00Z');
    const tenant = await harness.tenant();
    const webhooks = new WebhookRepository(harness.db);
    const endpoint = await webhooks.create(
      tenant.clientId,
      { url: receiver.url, events: ['call.completed', 'number.completed', 'campaign.status_changed'], description: '' },
      'whsec_test',
      clock.now(),
    );
    receiver.secrets = [endpoint.secret];
    // 0011: busy, busy, then a person answers; 0001: always busy; 0005: a person answers at once.
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-03-01',
        startTime: '09:00',
        finishTime: '17:00',
        attempts: [{ interval: 1, attemptNumber: 1 }, { interval: 2, attemptNumber: 2 }, { interval: 2, attemptNumber: 3 }],
        phoneNumbers: ['0011', '0001', '0005'].map(testNumber),
      },
      clock.now(),
    );
    await harness.run({ clock, campaignIds: [campaignId] });

    const deliverer = new WebhookDeliverer({ db: harness.db, settings: loadSettings({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }), clock, random: () => 0 });
    while ((await deliverer.deliverDue()) > 0);
    expect(await webhooks.pendingCount()).toBe(0);
    expect(receiver.received.every((r) => r.verified && r.status === 200)).toBe(true);
    const events = receiver.received.map((r) => r.event);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    // The listing's view of the same numbers, built by the API's own serializer.
    const page = await new CampaignRepository(harness.db).phoneNumbersPage(tenant.clientId, campaignId, 10, 1);
    const listed = page!.numbers.map((entry) => toPhoneNumberResult(entry, page!.timeZone));
    const callEvents = events.filter((e) => e.type === 'call.completed');
    expect(callEvents).toHaveLength(listed.reduce((n, entry) => n + entry.calls.length, 0));
    for (const entry of listed) {
      const mine = events.filter((e) => e.data.numberId === entry.id);
      // Every call of the number, in attempt order, as the listing shows it, then its final status.
      expect(mine.map((e) => e.type)).toEqual([...entry.calls.map(() => 'call.completed'), 'number.completed']);
      expect(mine.slice(0, -1).map((e) => e.data)).toEqual(
        entry.calls.map((call) => ({ campaignId, numberId: entry.id, attempt: call.attemptNumber, call })),
      );
      expect(mine.at(-1)!.data).toMatchObject({ campaignId, numberId: entry.id, status: entry.status });
    }
    expect(listed.map((entry) => entry.status).sort()).toEqual([NumberStatus.Answered, NumberStatus.Answered, NumberStatus.AttemptsExhausted].sort());

    const statuses = events.filter((e) => e.type === 'campaign.status_changed').map((e) => e.data.campaignStatus);
    expect(statuses[0]).toBe(CampaignStatus.Running);
    expect(statuses.at(-1)).toBe(CampaignStatus.Completed);
  });

  it('writes no event for a client without an endpoint, while another client has one enabled for every call', async () => {
    // The result write always carries the events' tables (dialer-store.ts finishStatement): with an endpoint enabled
    // somewhere its one-time filter lets them run, and only the subscribed endpoints of the call's client get a row.
    const clock = new VirtualClock('2027-03-02T08:00:00Z');
    const webhooks = new WebhookRepository(harness.db);
    const other = await harness.tenant();
    await webhooks.create(other.clientId, { url: receiver.url, events: ['call.completed', 'number.completed', 'campaign.status_changed'], description: '' }, 'whsec_other', clock.now());
    const before = await webhooks.pendingCount();
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      { startDate: '2027-03-02', startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }], phoneNumbers: ['0005', '0001'].map(testNumber) },
      clock.now(),
    );
    await harness.run({ clock, campaignIds: [campaignId] });
    const [row] = await harness.db.select({ status: campaigns.status, calls: campaigns.callCount }).from(campaigns).where(eq(campaigns.id, campaignId));
    expect(row).toEqual({ status: CampaignStatus.Completed, calls: 2 });
    expect(await webhooks.pendingCount()).toBe(before);
  });
});
