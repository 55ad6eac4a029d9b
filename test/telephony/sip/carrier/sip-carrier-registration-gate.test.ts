// A trunk that registers takes calls only while registered: a call waits a bounded time for the first REGISTER to
// succeed, then fails with the registrar's last word instead of being sent to a trunk that will refuse it.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../src/domain/clock.js';
import { REGISTRATION_WAIT_MS, SipCarrier, type SipCarrierOptions } from '../../../../src/telephony/sip/carrier/sip-carrier.js';
import { parseTrunk } from '../../../../src/telephony/sip/carrier/trunk-config.js';
import type { TrunkRegistration } from '../../../../src/telephony/sip/ua/registration.js';
import type { DialResult } from '../../../../src/telephony/carrier.js';

type FakeRegistration = { state: string; detail: { reason: string } };

function carrierWith(clock: VirtualClock, trunks: Array<Record<string, unknown>>, registrations: Record<string, FakeRegistration>) {
  const resolved: string[] = [];
  const options: SipCarrierOptions = {
    trunks: trunks.map((t, i) => parseTrunk(t, `t${i}`)),
    // Dialling stops at resolution (nothing resolves), so the user agent, media and TTS are never reached.
    ua: {} as SipCarrierOptions['ua'],
    media: {} as SipCarrierOptions['media'],
    tts: {} as SipCarrierOptions['tts'],
    clock,
    mediaAddress: '127.0.0.1',
    resolveTrunk: async (trunk) => {
      resolved.push(trunk.name);
      return [];
    },
    registrations: Object.entries(registrations).map(([trunk, registration]) => ({
      trunk,
      registration: registration as unknown as TrunkRegistration,
    })),
  };
  return { carrier: new SipCarrier(options), resolved };
}

async function settle(clock: VirtualClock, pending: Promise<DialResult>, stepMs: number, steps: number): Promise<DialResult | undefined> {
  let result: DialResult | undefined;
  void pending.then((r) => (result = r));
  for (let i = 0; i < steps && result === undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advanceMs(stepMs);
  }
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

const request = { callId: 'c', to: '+442079460001', from: '+441632960001', ringTimeoutMs: 30_000 };

describe('SIP carrier and trunk registration', () => {
  it('does not send a call to a trunk that is not registered; gives up after the wait with the reason', async () => {
    const clock = new VirtualClock('2026-11-26T10:00:00Z');
    const { carrier, resolved } = carrierWith(clock, [{ name: 'reg', host: '192.0.2.1', username: 'u', password: 'p', register: true }], {
      reg: { state: 'retrying', detail: { reason: 'credentials refused' } },
    });
    const result = await settle(clock, carrier.dial(request), 250, 100);
    expect(result).toEqual({ kind: 'failed', failure: 'failed', reason: 'trunk reg is not registered (retrying: credentials refused)' });
    expect(resolved).toEqual([]);
    expect(clock.now().getTime() - Date.parse('2026-11-26T10:00:00Z')).toBeGreaterThanOrEqual(REGISTRATION_WAIT_MS);
  });

  it('waits for the first registration to succeed, then dials through the trunk', async () => {
    const clock = new VirtualClock('2026-11-26T10:00:00Z');
    const registration: FakeRegistration = { state: 'registering', detail: { reason: 'REGISTER sent' } };
    const { carrier, resolved } = carrierWith(clock, [{ name: 'reg', host: '192.0.2.1', username: 'u', password: 'p', register: true }], {
      reg: registration,
    });
    const pending = carrier.dial(request);
    expect(await settle(clock, pending, 250, 4)).toBeUndefined();
    registration.state = 'registered';
    const result = await settle(clock, pending, 250, 10);
    expect(resolved).toEqual(['reg']);
    expect(result).toMatchObject({ kind: 'failed', reason: 'trunk reg: 192.0.2.1 did not resolve' });
  });

  it('prefers a usable trunk at once over waiting for one that is registering', async () => {
    const clock = new VirtualClock('2026-11-26T10:00:00Z');
    const { carrier, resolved } = carrierWith(
      clock,
      [
        { name: 'reg', host: '192.0.2.1', username: 'u', password: 'p', register: true },
        { name: 'ip', host: '192.0.2.2' },
      ],
      { reg: { state: 'registering', detail: { reason: 'REGISTER sent' } } },
    );
    // Dialled through 'ip' before any time passed; its failure (nothing resolves here) then waits for 'reg'.
    const started = clock.now().getTime();
    await settle(clock, carrier.dial(request), 250, 1);
    expect(resolved).toEqual(['ip']);
    expect(clock.now().getTime() - started).toBeLessThanOrEqual(250);
  });
});
