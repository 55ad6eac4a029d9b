// Pause, resume and cancel while the dialer runs, in virtual time on a real database: a paused campaign starts no
// call until resumed; a cancelled one starts none again, lets calls in progress finish, and ends every number left
// as Cancelled (including one whose call was in progress and would otherwise have been retried).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, mobileNumbers, testNumber } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { CampaignLifecycleRepository } from '../../src/store/repositories/campaign-lifecycle.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import { Dialer } from '../../src/dialer/dialer.js';
import { runInVirtualTime } from '../../src/dialer/virtual-time.js';
import { SimulatedCarrier } from '../../src/telephony/simulated/simulated-carrier.js';
import { SimulatedSmsProvider } from '../../src/sms/simulated-sms.js';

const ONE_LINE = {
  campaign: { maxConcurrentCalls: 1, maxCallsPerSecond: 1 },
  client: { maxConcurrentCalls: 5, maxCallsPerSecond: 5 },
  carrier: { maxConcurrentCalls: 5, maxCallsPerSecond: 5 },
};

describe.each(BACKENDS)('pause, resume and cancel with the dialer running on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(() => harness?.dispose());

  const dialerOn = (clock: VirtualClock, id: string) =>
    new Dialer({
      store: new DialerStore(harness.db, id),
      carrier: new SimulatedCarrier({ clock, seed: 5 }),
      sms: new SimulatedSmsProvider(),
      clock,
      config: { idlePollMs: 60_000, busyPollMs: 250, pacing: ONE_LINE },
    });

  it('starts no call while paused and carries on after resume until the campaign completes', async () => {
    const clock = new VirtualClock('2027-02-01T08:00:00Z');
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      { startDate: '2027-02-01', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(12) },
      clock.now(),
    );
    const lifecycle = new CampaignLifecycleRepository(harness.db);
    let pausedAt: Date | undefined;
    let resumedAt: Date | undefined;
    const dialer = dialerOn(clock, 'lifecycle-pause');
    await runInVirtualTime({
      clock,
      dialer,
      deadline: new Date('2027-02-02T00:00:00Z'),
      onStep: async () => {
        if (!pausedAt && (await harness.calls(campaignId)).length >= 3) {
          expect(await lifecycle.transition(tenant.clientId, campaignId, [CampaignStatus.Running], CampaignStatus.Paused, clock.now())).toBe(true);
          pausedAt = clock.now();
        } else if (pausedAt && !resumedAt && clock.now().getTime() >= pausedAt.getTime() + 30 * 60_000) {
          expect(await lifecycle.transition(tenant.clientId, campaignId, [CampaignStatus.Paused], CampaignStatus.Waiting, clock.now())).toBe(true);
          resumedAt = clock.now();
          dialer.wake();
        }
      },
      until: async () => (await harness.campaignRow(campaignId)).status === CampaignStatus.Completed,
    });
    await dialer.stop(0);

    expect(pausedAt && resumedAt).toBeTruthy();
    const calls = await harness.calls(campaignId);
    const duringPause = calls.filter((call) => call.startTime > pausedAt! && call.startTime < resumedAt!);
    expect(duringPause).toEqual([]);
    expect(calls.some((call) => call.startTime >= resumedAt!)).toBe(true);
    const numbers = await harness.numbers(campaignId);
    expect(numbers.every((n) => n.status !== NumberStatus.Pending && n.status !== NumberStatus.Dialling)).toBe(true);
  });

  it('cancels: no call starts afterwards, calls in progress finish, and every number left ends Cancelled', async () => {
    const clock = new VirtualClock('2027-02-03T08:00:00Z');
    const tenant = await harness.tenant();
    // 0002 never answers: its first call is ringing when the campaign is cancelled and would otherwise be retried.
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-02-03',
        startTime: '09:00',
        finishTime: '17:00',
        attempts: [{ interval: 0 }, { interval: 10 }, { interval: 10 }],
        phoneNumbers: [testNumber('0002'), ...mobileNumbers(8, 100)],
      },
      clock.now(),
    );
    const lifecycle = new CampaignLifecycleRepository(harness.db);
    let cancelledAt: Date | undefined;
    const dialer = dialerOn(clock, 'lifecycle-cancel');
    await runInVirtualTime({
      clock,
      dialer,
      deadline: new Date('2027-02-04T00:00:00Z'),
      onStep: async () => {
        if (cancelledAt) return;
        const ringing = (await harness.numbers(campaignId)).find((n) => n.number === '+442079460002' && n.status === NumberStatus.Dialling);
        if (ringing) {
          expect(await lifecycle.cancel(tenant.clientId, campaignId, [CampaignStatus.Running], clock.now())).toBe(true);
          cancelledAt = clock.now();
        }
      },
      until: async () => Boolean(cancelledAt) && (await harness.numbers(campaignId)).every((n) => n.status !== NumberStatus.Dialling),
    });
    await dialer.stop(0);

    const calls = await harness.calls(campaignId);
    expect(calls.filter((call) => call.startTime > cancelledAt!)).toEqual([]);
    expect(calls.every((call) => call.endTime !== null)).toBe(true);
    const numbers = await harness.numbers(campaignId);
    const neverAnswers = numbers.find((n) => n.number === '+442079460002')!;
    expect(neverAnswers.status).toBe(NumberStatus.Cancelled);
    expect(numbers.every((n) => n.status !== NumberStatus.Pending && n.status !== NumberStatus.Dialling)).toBe(true);
    expect((await harness.campaignRow(campaignId)).status).toBe(CampaignStatus.Cancelled);
  });
});
