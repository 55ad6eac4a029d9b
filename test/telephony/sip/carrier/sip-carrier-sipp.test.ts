// The SIP carrier against real sipp far ends (Debian sip-tester) on loopback: every scenario of issue 5 that sipp
// can play. Each test starts its own sipp on free ports and checks both sides: our dial result and sipp's exit code
// (0 only when the call followed the scenario message by message).
import { expect, it } from 'vitest';
import type { SipCarrier } from '../../../../src/telephony/sip/carrier/sip-carrier.js';
import type { DialResult } from '../../../../src/telephony/carrier.js';
import { startSipp, type SippPeer } from '../../../helpers/sipp.js';
import { pcmuPcap } from '../../../helpers/rtp-pcap.js';
import { concatPcm, silence, speakWithEspeak } from '../../../helpers/audio-fixtures.js';
import { describeWithPeer } from '../../../helpers/peers.js';
import { cleanupAfterEach, sippExitCode as sippExit, startTestSipCarrier } from '../../../helpers/sip-carrier.js';

const defer = cleanupAfterEach();

function carrierFor(sipp: SippPeer, options: { transport?: 'udp' | 'tcp'; username?: string; password?: string } = {}): Promise<SipCarrier> {
  return startTestSipCarrier(defer, [
    {
      name: 'sipp',
      host: '127.0.0.1',
      port: sipp.port,
      transport: options.transport ?? 'udp',
      ...(options.username ? { username: options.username, password: options.password } : {}),
    },
  ]);
}

async function sipp(options: Parameters<typeof startSipp>[0]): Promise<SippPeer> {
  const peer = await startSipp(options);
  defer(() => peer.stop());
  return peer;
}

function dial(carrier: SipCarrier, ringTimeoutMs = 10_000): Promise<DialResult> {
  return carrier.dial({ callId: 'test-1', to: '+442079460001', from: '+441632960001', ringTimeoutMs });
}

describeWithPeer(['sipp', 'espeak-ng'], 'SIP carrier against sipp', () => {
  it('an answered call with a silent far end: AMD says machine (initial silence), our BYE ends it', async () => {
    const peer = await sipp({ scenario: 'uas-answer-wait-bye.xml' });
    const carrier = await carrierFor(peer);
    const result = await dial(carrier);
    expect(result.kind).toBe('answered');
    if (result.kind !== 'answered') return;
    expect(result.call.answeredBy).toBe('machine');
    expect(result.call.detection).toMatch(/silence/);
    await result.call.hangup();
    expect((await result.call.ended).by).toBe('us');
    expect(await sippExit(peer)).toBe(0);
    // The campaign's CLI is presented in From and P-Asserted-Identity; the callee is in the Request-URI and To.
    const invite = peer.messages().split(/-{20,}/).find((m) => m.includes('INVITE sip:'))!;
    expect(invite).toMatch(/^INVITE sip:\+442079460001@127\.0\.0\.1:\d+ SIP\/2\.0/m);
    expect(invite).toMatch(/^From: <sip:\+441632960001@127\.0\.0\.1>;tag=/m);
    expect(invite).toMatch(/^P-Asserted-Identity: <sip:\+441632960001@127\.0\.0\.1>/m);
    expect(invite).toMatch(/^To: <sip:\+442079460001@127\.0\.0\.1:\d+>/m);
    expect(invite).toMatch(/m=audio \d+ RTP\/AVP 0 8 101/);
  }, 30_000);

  it('486 Busy Here is busy, and the ACK satisfies sipp', async () => {
    const peer = await sipp({ scenario: 'uas-486-busy.xml' });
    const result = await dial(await carrierFor(peer));
    expect(result).toMatchObject({ kind: 'failed', failure: 'busy', sipCode: 486 });
    expect(await sippExit(peer)).toBe(0);
  }, 30_000);

  it('rings until our CANCEL at the ring timeout: no answer; 487 ACKed', async () => {
    const peer = await sipp({ scenario: 'uas-ring-until-cancel.xml' });
    const started = Date.now();
    const result = await dial(await carrierFor(peer), 2000);
    expect(result).toMatchObject({ kind: 'failed', failure: 'no_answer' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(await sippExit(peer)).toBe(0);
  }, 30_000);

  it('answers a 401 digest challenge that sipp verifies', async () => {
    const peer = await sipp({ scenario: 'uas-401-then-answer.xml' });
    const result = await dial(await carrierFor(peer, { username: 'ringcast', password: 's3cret' }));
    expect(result.kind).toBe('answered');
    if (result.kind !== 'answered') return;
    await result.call.hangup();
    expect(await sippExit(peer)).toBe(0);
  }, 30_000);

  it('a wrong password is refused by sipp (403) and reported as failed', async () => {
    const peer = await sipp({ scenario: 'uas-401-then-answer.xml' });
    const result = await dial(await carrierFor(peer, { username: 'ringcast', password: 'wrong' }));
    expect(result).toMatchObject({ kind: 'failed', failure: 'failed', sipCode: 403 });
  }, 30_000);

  it('a person says hello, AMD says human, and RFC 4733 keys from the sip-tester pcaps reach gather', async () => {
    const hello = concatPcm(await speakWithEspeak('Hello?'), silence(300));
    const peer = await sipp({ scenario: 'uas-answer-hello-then-dtmf.xml', files: { 'hello.pcap': pcmuPcap(hello) }, extraArgs: ['-d', '4000'] });
    const carrier = await carrierFor(peer);
    const result = await dial(carrier);
    expect(result.kind).toBe('answered');
    if (result.kind !== 'answered') return;
    expect(result.call.answeredBy).toBe('human');
    const gathered = await result.call.gather({ prompt: 'Press one, then two.', maxDigits: 2, timeoutMs: 6000 });
    expect(gathered).toEqual({ digits: '12', hungUp: false });
    await result.call.hangup();
    expect(await sippExit(peer)).toBe(0);
  }, 40_000);

  it('the same answered call over TCP', async () => {
    const peer = await sipp({ scenario: 'uas-answer-wait-bye.xml', transport: 'tcp' });
    const carrier = await carrierFor(peer, { transport: 'tcp' });
    const result = await dial(carrier);
    expect(result.kind).toBe('answered');
    if (result.kind !== 'answered') return;
    await result.call.hangup();
    expect(await sippExit(peer)).toBe(0);
  }, 30_000);

  it('the far end works the dialog: OPTIONS answered, re-INVITE answered with our SDP, its BYE ends the call', async () => {
    const peer = await sipp({ scenario: 'uas-answer-options-reinvite-then-bye.xml' });
    const result = await dial(await carrierFor(peer));
    expect(result.kind).toBe('answered');
    if (result.kind !== 'answered') return;
    expect(await result.call.ended).toMatchObject({ by: 'callee', q850Cause: 16 });
    expect(await sippExit(peer)).toBe(0);
  }, 30_000);

  it('480 with a Q.850 Reason is no answer, and the cause is kept', async () => {
    const peer = await sipp({ scenario: 'uas-480-with-reason.xml' });
    const result = await dial(await carrierFor(peer));
    expect(result).toMatchObject({ kind: 'failed', failure: 'no_answer', sipCode: 480, q850Cause: 18 });
    expect(await sippExit(peer)).toBe(0);
  }, 30_000);

  it('a trunk answering 503 is skipped for the next trunk, which takes the call', async () => {
    const down = await sipp({ scenario: 'uas-503-unavailable.xml' });
    const up = await sipp({ scenario: 'uas-answer-wait-bye.xml' });
    const carrier = await startTestSipCarrier(
      defer,
      [
        { name: 'down', host: '127.0.0.1', port: down.port },
        { name: 'up', host: '127.0.0.1', port: up.port },
      ],
      { sessionExpiresS: 0 },
    );
    const result = await dial(carrier);
    expect(result.kind).toBe('answered');
    if (result.kind !== 'answered') return;
    await result.call.hangup();
    expect(await sippExit(down)).toBe(0);
    expect(await sippExit(up)).toBe(0);
  }, 30_000);

  it('a trunk that does not answer at all fails with no response, not a hang', async () => {
    const carrier = await startTestSipCarrier(defer, [{ name: 'dead', host: '127.0.0.1', port: 9 }], { sessionExpiresS: 0 });
    const result = await carrier.dial({ callId: 't', to: '+442079460001', from: '+441632960001', ringTimeoutMs: 60_000 });
    expect(result.kind).toBe('failed');
  }, 60_000);
});
