// The SIP carrier's figures against real sipp far ends on loopback: INVITE final responses by code, an answered
// call's RTP totals when its media closes, and text-to-speech cache misses then hits, through the same observer the
// server wires (RingcastMetrics.carrierObserver).
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { RingcastMetrics } from '../../src/observability/metrics.js';
import { startSipp, type SippPeer } from '../helpers/sipp.js';
import { pcmuPcap } from '../helpers/rtp-pcap.js';
import { concatPcm, silence, speakWithEspeak } from '../helpers/audio-fixtures.js';
import { describeWithPeer } from '../helpers/peers.js';
import { cleanupAfterEach, sippExitCode, startTestSipCarrier } from '../helpers/sip-carrier.js';
import { parseExposition, total } from './exposition.js';

const defer = cleanupAfterEach();

async function sipp(scenario: string, options: Omit<Parameters<typeof startSipp>[0], 'scenario'> = {}): Promise<SippPeer> {
  const peer = await startSipp({ scenario, ...options });
  defer(() => peer.stop());
  return peer;
}

describeWithPeer(['sipp', 'espeak-ng'], 'SIP carrier metrics against sipp', () => {
  it('counts INVITE answers by code, RTP packets of answered calls, and TTS cache lookups', async () => {
    const metrics = new RingcastMetrics({ defaultMetrics: false });
    const observer = metrics.carrierObserver();
    const busy = await sipp('uas-486-busy.xml');
    const answering = await sipp('uas-answer-wait-bye.xml');
    const carrier = await startTestSipCarrier(
      defer,
      [
        { name: 'busy', host: '127.0.0.1', port: busy.port, transport: 'udp' },
      ],
      { observer },
    );
    const busyResult = await carrier.dial({ callId: 'm-1', to: '+442079460001', from: '+441632960001', ringTimeoutMs: 10_000 });
    expect(busyResult).toMatchObject({ kind: 'failed', sipCode: 486 });
    expect(await sippExitCode(busy)).toBe(0);

    const answeringCarrier = await startTestSipCarrier(defer, [{ name: 'answer', host: '127.0.0.1', port: answering.port, transport: 'udp' }], { observer });
    const answered = await answeringCarrier.dial({ callId: 'm-2', to: '+442079460002', from: '+441632960001', ringTimeoutMs: 10_000 });
    expect(answered.kind).toBe('answered');
    if (answered.kind !== 'answered') return;
    await answered.call.hangup();
    await answered.call.ended;
    expect(await sippExitCode(answering)).toBe(0);

    const text = `metrics prompt ${randomUUID()}`;
    await answeringCarrier.prepare!([{ text }]);
    await answeringCarrier.prepare!([{ text }]);

    const exposition = parseExposition(await metrics.registry.metrics());
    expect(total(exposition, 'ringcast_sip_invite_responses_total', { code: '486' })).toBe(1);
    expect(total(exposition, 'ringcast_sip_invite_responses_total', { code: '200' })).toBe(1);
    expect(total(exposition, 'ringcast_rtp_sessions_total')).toBe(1);
    // sipp's scenario sends no audio: the totals are read (and counted) even when they are zero.
    expect(total(exposition, 'ringcast_rtp_packets_lost_total')).toBeGreaterThanOrEqual(0);
    expect(exposition.type.get('ringcast_rtp_packets_received_total')).toBe('counter');
    expect(total(exposition, 'ringcast_tts_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(total(exposition, 'ringcast_tts_cache_lookups_total', { result: 'hit' })).toBe(1);
  }, 60_000);

  it('reads the RTP totals and jitter of an answered call whose far end speaks', async () => {
    const metrics = new RingcastMetrics({ defaultMetrics: false });
    const hello = concatPcm(await speakWithEspeak('Hello?'), silence(300));
    const peer = await sipp('uas-answer-hello-then-dtmf.xml', { files: { 'hello.pcap': pcmuPcap(hello) }, extraArgs: ['-d', '4000'] });
    const carrier = await startTestSipCarrier(defer, [{ name: 'hello', host: '127.0.0.1', port: peer.port, transport: 'udp' }], {
      observer: metrics.carrierObserver(),
    });
    const result = await carrier.dial({ callId: 'm-3', to: '+442079460003', from: '+441632960001', ringTimeoutMs: 10_000 });
    expect(result.kind).toBe('answered');
    if (result.kind !== 'answered') return;
    // The scenario's keys follow the greeting; taking them lets sipp finish its scenario.
    expect(await result.call.gather({ prompt: 'Press one, then two.', maxDigits: 2, timeoutMs: 6000 })).toEqual({ digits: '12', hungUp: false });
    await result.call.hangup();
    await result.call.ended;
    expect(await sippExitCode(peer)).toBe(0);
    const exposition = parseExposition(await metrics.registry.metrics());
    expect(total(exposition, 'ringcast_rtp_sessions_total')).toBe(1);
    // The greeting alone is about a second of 20 ms packets.
    expect(total(exposition, 'ringcast_rtp_packets_received_total')).toBeGreaterThan(40);
    expect(total(exposition, 'ringcast_rtp_jitter_seconds_count')).toBe(1);
    // Loopback: well under the 20 ms packet spacing.
    expect(total(exposition, 'ringcast_rtp_jitter_seconds_sum')).toBeLessThan(0.02);
  }, 40_000);
});

describe('RTP figures of a closed media session', () => {
  it('adds packets and observes the call\'s jitter (only once two packets have arrived)', async () => {
    const metrics = new RingcastMetrics({ defaultMetrics: false });
    const observer = metrics.carrierObserver();
    observer.mediaSessionClosed({ packetsSent: 500, packetsReceived: 480, packetsRejected: 0, packetsLost: 20, packetsReordered: 1, jitterMs: 12 });
    observer.mediaSessionClosed({ packetsSent: 10, packetsReceived: 1, packetsRejected: 0, packetsLost: 0, packetsReordered: 0, jitterMs: 0 });
    const exposition = parseExposition(await metrics.registry.metrics());
    expect(total(exposition, 'ringcast_rtp_sessions_total')).toBe(2);
    expect(total(exposition, 'ringcast_rtp_packets_received_total')).toBe(481);
    expect(total(exposition, 'ringcast_rtp_packets_lost_total')).toBe(20);
    expect(total(exposition, 'ringcast_rtp_jitter_seconds_count')).toBe(1);
    expect(total(exposition, 'ringcast_rtp_jitter_seconds_sum')).toBeCloseTo(0.012, 9);
    expect(total(exposition, 'ringcast_rtp_jitter_seconds_bucket', { le: '0.01' })).toBe(0);
    expect(total(exposition, 'ringcast_rtp_jitter_seconds_bucket', { le: '0.02' })).toBe(1);
  });
});
