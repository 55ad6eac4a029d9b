// The figures after a real campaign: the real dialer with the simulated carrier runs a campaign to completion in
// virtual time on a real database, observed by the process's RingcastMetrics, and GET /metrics on the real app
// (sharing that registry) shows the calls started, their outcomes, claims, attempt durations, and calls in flight
// during the run. The numbers are not in the exposition: labels are bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, HARNESS_DIALER_CONFIG, london, mobileNumbers, testNumber } from '../helpers/dialer-harness.js';
import { ADMIN_TOKEN } from '../helpers/app.js';
import { RingcastMetrics } from '../../src/observability/metrics.js';
import { buildApp } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CampaignStatus } from '../../src/domain/enums.js';
import { Dialer } from '../../src/dialer/dialer.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import { SimulatedCarrier } from '../../src/telephony/simulated/simulated-carrier.js';
import { SimulatedSmsProvider } from '../../src/sms/simulated-sms.js';
import { runInVirtualTime } from '../../src/dialer/virtual-time.js';
import { DEFAULT_PACING } from '../../src/dialer/pacing.js';
import { campaigns, calls } from '../../src/store/schema.js';
import { parseExposition, total } from './exposition.js';

describe.each(BACKENDS)('metrics of a campaign run ($kind)', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(() => harness.dispose());

  /** The real dialer with the simulated carrier on `clock`, observed by `metrics`. */
  const observedDialer = (clock: VirtualClock, metrics: RingcastMetrics, owner: string, leaseMs?: number) => {
    const carrier = new SimulatedCarrier({ seed: 3, clock });
    const dialer = new Dialer({
      store: new DialerStore(harness.db, owner),
      carrier,
      sms: new SimulatedSmsProvider({ clock }),
      clock,
      config: { ...HARNESS_DIALER_CONFIG, ...(leaseMs !== undefined ? { leaseMs } : {}) },
      observer: metrics.dialerObserver(carrier.name),
    });
    return { dialer, carrier };
  };
  const completed = (campaignId: number) => async () => {
    const [row] = await harness.db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId));
    return row?.status === CampaignStatus.Completed;
  };

  it('counts the calls started, their outcomes, the claims and the attempt durations, and shows calls in flight', async () => {
    const tenant = await harness.tenant();
    const start = london('2027-03-01', '08:59');
    const clock = new VirtualClock(start);
    const numbers = [...mobileNumbers(12), testNumber('0001')];
    const campaignId = await harness.campaign(tenant, { startDate: '2027-03-01', startTime: '09:00', finishTime: '17:00', phoneNumbers: numbers }, start);

    const metrics = new RingcastMetrics();
    const { dialer, carrier } = observedDialer(clock, metrics, 'metrics-dialer');
    metrics.setInFlightSource(carrier.name, () => dialer.callsInFlightByCampaignStatus());
    let mostInFlight = 0;
    await runInVirtualTime({
      clock,
      dialer,
      deadline: london('2027-03-02', '09:00'),
      onStep: async () => {
        const gauge = parseExposition(await metrics.registry.getSingleMetricAsString('ringcast_calls_in_flight'));
        mostInFlight = Math.max(mostInFlight, total(gauge, 'ringcast_calls_in_flight', { carrier: carrier.name, campaign_status: 'Running' }));
      },
      until: completed(campaignId),
    });
    await dialer.stop(0);

    const app = await buildApp({ settings: loadSettings({ ADMIN_TOKEN, LOG_LEVEL: 'silent' }), database: harness.testDb.database, clock, metrics, logger: false });
    try {
      const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.statusCode).toBe(200);
      const exposition = parseExposition(response.body);
      const recorded = await harness.db.select({ outcome: calls.outcome }).from(calls);
      const callCount = recorded.length;
      expect(callCount).toBeGreaterThanOrEqual(numbers.length);

      expect(total(exposition, 'ringcast_calls_started_total', { carrier: carrier.name, campaign_status: 'Running' })).toBe(callCount);
      expect(total(exposition, 'ringcast_call_outcomes_total', { carrier: carrier.name })).toBe(callCount);
      // The always-busy test number's call is counted under its outcome name.
      expect(total(exposition, 'ringcast_call_outcomes_total', { outcome: 'Busy' })).toBeGreaterThanOrEqual(1);
      expect(total(exposition, 'ringcast_call_attempt_duration_seconds_count')).toBe(callCount);
      expect(total(exposition, 'ringcast_call_attempt_duration_seconds_sum')).toBeGreaterThan(0);
      expect(total(exposition, 'ringcast_call_dial_delay_seconds_count')).toBe(callCount);
      expect(total(exposition, 'ringcast_dialer_numbers_claimed_total')).toBe(callCount);
      expect(total(exposition, 'ringcast_dialer_claims_total')).toBeGreaterThanOrEqual(1);
      expect(mostInFlight).toBeGreaterThan(0);
      // Every call ended: nothing left in flight.
      expect(total(exposition, 'ringcast_calls_in_flight')).toBe(0);
      // Bounded labels: no number, in any form, in the exposition.
      for (const number of numbers) expect(response.body).not.toContain(number.replace(/\s/g, '').slice(1));
    } finally {
      await app.close();
    }
  });

  it('counts the numbers recovered from a dead dialer\'s expired leases', async () => {
    const tenant = await harness.tenant();
    const start = london('2027-04-01', '08:59');
    const clock = new VirtualClock(start);
    const campaignId = await harness.campaign(
      tenant,
      { startDate: '2027-04-01', startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }, { interval: 5 }], phoneNumbers: mobileNumbers(2, 500) },
      start,
    );
    // A dialer that claimed the numbers and died at once: its leases are never renewed.
    const leaseMs = 60_000;
    const crashed = new DialerStore(harness.db, 'crashed-dialer');
    await crashed.scheduleNewNumbers(campaignId, london('2027-04-01', '09:00'));
    clock.advanceTo(london('2027-04-01', '09:00').getTime());
    const claim = await crashed.claim({
      clock,
      leaseMs,
      carrier: 'simulated',
      limits: DEFAULT_PACING,
      callable: [{ campaignId, clientId: tenant.clientId, suppressionListIds: [] }],
      maxBatch: 10,
    });
    // Two: the default pacing starts at most 2 calls a second per campaign.
    expect(claim.numbers).toHaveLength(2);

    const metrics = new RingcastMetrics({ defaultMetrics: false });
    const { dialer: survivor } = observedDialer(clock, metrics, 'survivor', leaseMs);
    await runInVirtualTime({ clock, dialer: survivor, deadline: london('2027-04-02', '09:00'), until: completed(campaignId) });
    await survivor.stop(0);
    const exposition = parseExposition(await metrics.registry.metrics());
    expect(total(exposition, 'ringcast_dialer_lease_expiries_total')).toBe(2);
    // Each recovered attempt is Interrupted (recorded by the recovery, not a call of this dialer); the second attempts
    // are this dialer's calls.
    expect(total(exposition, 'ringcast_calls_started_total')).toBe(2);
    expect(total(exposition, 'ringcast_call_outcomes_total', { outcome: 'Interrupted' })).toBe(0);
  });
});
