// SMSOnBusy through the SMPP provider: the dialer in virtual time on a real database sends each busy attempt's text
// to a loopback SMSC (test/helpers/smsc.ts); the receipts the SMSC sends back move each text from sent to delivered
// (or failed), part by part. Tests run in date order: the database is shared and virtual time only moves forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, expectCompletedConsistently, london, testE164, testNumber } from '../helpers/dialer-harness.js';
import { startTestSmsc, type TestSmsc } from '../helpers/smsc.js';
import { systemClock, VirtualClock } from '../../src/domain/clock.js';
import { ReceiptApplier } from '../../src/sms/receipt-applier.js';
import { SmppSmsProvider } from '../../src/sms/smpp/smpp-provider.js';
import { SmsPartsStore } from '../../src/store/repositories/sms-parts-store.js';

const UNPACED = {
  campaign: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  client: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  carrier: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
};
const SMS = 'Hi {Name}, we tried to call about order {Parameter1} but the line was busy. Call us on 020 7946 0999.';

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(BACKENDS)('SMSOnBusy through SMPP on $kind', ({ kind }) => {
  let harness: DialerHarness;
  let smsc: TestSmsc;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
    smsc = await startTestSmsc({ systemId: 'ringcast', password: 'pw' });
  });
  afterAll(async () => {
    await smsc?.close();
    await harness?.dispose();
  });

  for (const { mode, expected, date } of [
    // 0001 is busy on every attempt; 0011 is busy on attempts 1 and 2 and answers on 3.
    { mode: 1, expected: [['0001', 1], ['0011', 1]], date: '2027-06-01' },
    { mode: 2, expected: [['0001', 3]], date: '2027-06-02' },
  ]) {
    it(`SMSOnBusy ${mode}: the right texts reach the SMSC on the right attempts and end delivered`, async () => {
      const receipts = new ReceiptApplier({ store: new SmsPartsStore(harness.db), provider: 'smpp', clock: systemClock, log: console });
      const clock = new VirtualClock(london(date, '00:00'));
      const provider = new SmppSmsProvider({
        host: '127.0.0.1',
        port: smsc.port,
        systemId: 'ringcast',
        password: 'pw',
        messagesPerSecond: 1000,
        window: 10,
        // Undeliverable to 0011: its receipt says UNDELIV.
        onReceipt: (receipt) => receipts.apply(receipt),
      });
      await provider.start();
      smsc.receiptStat = (to) => (to.endsWith('0011') ? 'UNDELIV' : 'DELIVRD');
      const before = smsc.accepted.length;
      const tenant = await harness.tenant({ smsText: SMS });
      const campaignId = await harness.campaign(
        tenant,
        {
          startDate: date,
          startTime: '09:00',
          finishTime: '12:00',
          attempts: [{ interval: 0 }, { interval: 5 }, { interval: 5 }],
          smsOnBusy: mode,
          phoneNumbers: [
            { number: testNumber('0001'), name: 'Zoë', parameters: [{ parameter: 1, value: 'A-100' }] },
            { number: testNumber('0011'), name: 'Ann', parameters: [{ parameter: 1, value: 'A-200' }] },
          ],
        },
        clock.now(),
      );
      const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED }, smsProvider: provider });
      await expectCompletedConsistently(harness, campaignId, run);

      const rows = await harness.sms(campaignId);
      expect(rows.map((row) => [row.number.slice(-4), row.attemptNumber])).toEqual(expected);
      const mine = smsc.accepted.slice(before);
      // 'ë' makes Zoë's text UCS-2 in 2 parts; Ann's is one GSM-7 part.
      const partsFor = (lastFour: string) => mine.filter((p) => `+${p.destinationAddr}` === testE164(lastFour));
      for (const [lastFour] of expected as [string, number][]) {
        const parts = partsFor(lastFour);
        expect(parts.length).toBe(lastFour === '0001' ? 2 : 1);
        expect(parts.every((p) => `+${p.sourceAddr}` === tenant.cliE164 && p.sourceTon === 1)).toBe(true);
        const text = [...parts].sort((a, b) => (a.udh?.[5] ?? 1) - (b.udh?.[5] ?? 1)).map((p) => p.text).join('');
        expect(text).toBe(rows.find((r) => r.number.slice(-4) === lastFour)!.text);
      }
      expect(mine).toHaveLength((expected as [string, number][]).reduce((n, [l]) => n + (l === '0001' ? 2 : 1), 0));
      await until(async () => (await harness.sms(campaignId)).every((row) => row.status !== 'sent'));
      for (const row of await harness.sms(campaignId)) {
        expect(row.providerId).toBe(partsFor(row.number.slice(-4))[0]!.messageId);
        expect(row.status).toBe(row.number.endsWith('0011') ? 'failed: UNDELIV' : 'delivered');
      }
      await provider.stop();
    });
  }

  it('a flow with an sms step sends its text to the person who answers, once, through SMPP', async () => {
    const receipts = new ReceiptApplier({ store: new SmsPartsStore(harness.db), provider: 'smpp', clock: systemClock, log: console });
    const clock = new VirtualClock(london('2027-06-09', '00:00'));
    const provider = new SmppSmsProvider({ host: '127.0.0.1', port: smsc.port, systemId: 'ringcast', password: 'pw', messagesPerSecond: 1000, window: 10, onReceipt: (receipt) => receipts.apply(receipt) });
    await provider.start();
    smsc.receiptStat = () => 'DELIVRD';
    const before = smsc.accepted.length;
    const tenant = await harness.tenant({
      flow: {
        version: 1,
        start: 'text',
        steps: [
          { id: 'text', type: 'sms', text: 'Hi {Name}, your code is {Parameter1}.', next: 'bye' },
          { id: 'bye', type: 'say', text: 'We have sent you a text.' },
        ],
        voicemail: { say: 'Hello {Name}, please call us back.' },
        smsOnBusy: 'Hi {Name}, we tried to call.',
      },
    });
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-06-09',
        startTime: '09:00',
        finishTime: '12:00',
        attempts: [{ interval: 0 }, { interval: 5 }, { interval: 5 }],
        smsOnBusy: 0,
        // 0011: busy, busy, then a person answers on attempt 3 (no SMS on busy: only the flow's text, on attempt 3).
        phoneNumbers: [{ number: testNumber('0011'), name: 'Ann', parameters: [{ parameter: 1, value: '4711' }] }],
      },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED }, smsProvider: provider });
    await expectCompletedConsistently(harness, campaignId, run);
    const rows = await harness.sms(campaignId);
    expect(rows.map((row) => [row.number.slice(-4), row.attemptNumber, row.text])).toEqual([['0011', 3, 'Hi Ann, your code is 4711.']]);
    const mine = smsc.accepted.slice(before);
    expect(mine.map((p) => [p.destinationAddr, p.text, p.dataCoding])).toEqual([[testE164('0011').slice(1), 'Hi Ann, your code is 4711.', 0]]);
    await until(async () => (await harness.sms(campaignId))[0]!.status === 'delivered');
    await provider.stop();
  });
});
