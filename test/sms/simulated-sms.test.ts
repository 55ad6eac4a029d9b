import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../src/domain/clock.js';
import { SimulatedSmsProvider } from '../../src/sms/simulated-sms.js';
import type { SmsRequest } from '../../src/sms/sms-port.js';

const START = '2025-03-03T10:00:00Z';

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const message = (to: string, text = 'Your appointment is confirmed.'): SmsRequest => ({ to, from: 'Ringcast', text });

describe('SimulatedSmsProvider', () => {
  it('records each sent message and answers with sequential provider ids', async () => {
    const sms = new SimulatedSmsProvider();
    expect(await sms.send(message('+447912000001', 'Hello Ann'))).toEqual({ status: 'sent', providerId: 'simsms-000001' });
    expect(await sms.send(message('+447912000002', 'Hello Bob'))).toEqual({ status: 'sent', providerId: 'simsms-000002' });
    expect(sms.sent).toEqual([
      { providerId: 'simsms-000001', to: '+447912000001', from: 'Ringcast', text: 'Hello Ann', sentAt: undefined },
      { providerId: 'simsms-000002', to: '+447912000002', from: 'Ringcast', text: 'Hello Bob', sentAt: undefined },
    ]);
    expect(sms.failed).toEqual([]);
    expect(sms.name).toBe('simulated-sms');
  });

  it('gives the same ids in every run (deterministic), with a configurable prefix and name', async () => {
    const run = async () => {
      const sms = new SimulatedSmsProvider({ idPrefix: 'demo', name: 'demo-sms' });
      const ids: string[] = [];
      for (const to of ['+447912000001', '+447912000002', '+447912000003']) {
        const result = await sms.send(message(to));
        if (result.status === 'sent') ids.push(result.providerId);
      }
      return ids;
    };
    const first = await run();
    expect(first).toEqual(['demo-000001', 'demo-000002', 'demo-000003']);
    expect(await run()).toEqual(first);
  });

  it('fails for the configured numbers, records the failure and sends the rest', async () => {
    const sms = new SimulatedSmsProvider({ failFor: ['+447912000666'] });
    const failed = await sms.send(message('+447912000666'));
    expect(failed).toEqual({ status: 'failed', reason: 'simulated delivery failure to +447912000666' });
    expect(await sms.send(message('+447912000001'))).toEqual({ status: 'sent', providerId: 'simsms-000002' });
    expect(sms.sent.map((m) => m.to)).toEqual(['+447912000001']);
    expect(sms.failed).toEqual([{ request: message('+447912000666'), reason: 'simulated delivery failure to +447912000666' }]);
  });

  it('answers bad requests with a failure instead of throwing', async () => {
    const sms = new SimulatedSmsProvider();
    expect(await sms.send({ to: ' ', from: 'Ringcast', text: 'x' })).toEqual({ status: 'failed', reason: 'no recipient number' });
    expect(await sms.send({ to: '+447912000001', from: '', text: 'x' })).toEqual({ status: 'failed', reason: 'no sender' });
    expect(await sms.send({ to: '+447912000001', from: 'Ringcast', text: '' })).toEqual({ status: 'failed', reason: 'empty message' });
    expect(sms.sent).toEqual([]);
    expect(sms.failed).toHaveLength(3);
  });

  it('waits its latency on the clock and stamps the clock time', async () => {
    const clock = new VirtualClock(START);
    const sms = new SimulatedSmsProvider({ clock, latencyMs: 1_500 });
    let result: unknown;
    void sms.send(message('+447912000001')).then((r) => (result = r));
    await settle();
    expect(result).toBeUndefined();
    expect(sms.sent).toEqual([]);
    await clock.runTo(new Date(START).getTime() + 1_499, settle);
    expect(result).toBeUndefined();
    await clock.runTo(new Date(START).getTime() + 1_500, settle);
    expect(result).toEqual({ status: 'sent', providerId: 'simsms-000001' });
    expect(sms.sent[0]?.sentAt).toEqual(new Date('2025-03-03T10:00:01.500Z'));
  });

  it('exposes its records read-only: copies of frozen entries, unaffected by the caller', async () => {
    const sms = new SimulatedSmsProvider();
    const request = message('+447912000001', 'original');
    await sms.send(request);
    request.text = 'changed afterwards';
    const view = sms.sent as unknown[];
    view.length = 0;
    expect(sms.sent.map((m) => m.text)).toEqual(['original']);
    expect(Object.isFrozen(sms.sent[0])).toBe(true);
  });

  it('keeps only the last historyLimit messages', async () => {
    const sms = new SimulatedSmsProvider({ historyLimit: 2 });
    for (const n of [1, 2, 3]) await sms.send(message(`+44791200000${n}`));
    expect(sms.sent.map((m) => m.providerId)).toEqual(['simsms-000002', 'simsms-000003']);
  });

  it('refuses settings that cannot work', () => {
    expect(() => new SimulatedSmsProvider({ latencyMs: 10 })).toThrow(RangeError);
    expect(() => new SimulatedSmsProvider({ latencyMs: -1, clock: new VirtualClock(START) })).toThrow(RangeError);
    expect(() => new SimulatedSmsProvider({ historyLimit: 1.5 })).toThrow(RangeError);
  });
});
