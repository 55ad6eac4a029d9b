// Counters over bounded label sets are exposed at 0 before their first increment, so rate() and alerts see the
// first one (Prometheus' advice on missing series).
import { describe, expect, it } from 'vitest';
import { RingcastMetrics } from '../../src/observability/metrics.js';
import { FAILED_ATTEMPT_REASONS } from '../../src/webhooks/event-types.js';
import { CallOutcome, CampaignStatus } from '../../src/domain/enums.js';
import { parseExposition } from './exposition.js';

async function samplesOf(metrics: RingcastMetrics, name: string) {
  return parseExposition((await metrics.exposition()).body).samples.filter((sample) => sample.name === name);
}

describe('series at zero', () => {
  it('has every outcome and campaign status of a dialer, the TTS lookups and the webhook failure reasons at 0', async () => {
    const metrics = new RingcastMetrics({ defaultMetrics: false });
    metrics.dialerObserver('simulated');
    metrics.carrierObserver();

    const outcomes = await samplesOf(metrics, 'ringcast_call_outcomes_total');
    expect(outcomes.map((sample) => sample.labels.outcome).sort()).toEqual(CallOutcome.members.map((member) => member.name).sort());
    expect(outcomes.every((sample) => sample.value === 0 && sample.labels.carrier === 'simulated')).toBe(true);

    const started = await samplesOf(metrics, 'ringcast_calls_started_total');
    expect(started.map((sample) => sample.labels.campaign_status).sort()).toEqual(CampaignStatus.members.map((member) => member.name).sort());

    const lookups = await samplesOf(metrics, 'ringcast_tts_cache_lookups_total');
    expect(lookups.map((sample) => [sample.labels.result, sample.value]).sort()).toEqual([
      ['hit', 0],
      ['miss', 0],
    ]);

    const failures = await samplesOf(metrics, 'ringcast_webhook_delivery_failures_total');
    expect(failures.map((sample) => sample.labels.reason).sort()).toEqual([...FAILED_ATTEMPT_REASONS].sort());
  });

  it('counts on from 0 once a call is recorded', async () => {
    const metrics = new RingcastMetrics({ defaultMetrics: false });
    const observer = metrics.dialerObserver('simulated');
    observer.callRecorded(CallOutcome.members[0]!.value, 1500);
    const outcomes = await samplesOf(metrics, 'ringcast_call_outcomes_total');
    expect(outcomes.find((sample) => sample.labels.outcome === CallOutcome.members[0]!.name)?.value).toBe(1);
    expect(outcomes.filter((sample) => sample.value === 0)).toHaveLength(CallOutcome.members.length - 1);
  });
});
