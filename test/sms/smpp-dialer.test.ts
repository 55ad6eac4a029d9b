// SMSOnBusy through the SMPP provider: the dialer in virtual time on a real database sends each busy attempt's text
// to a loopback SMSC (test/helpers/smsc.ts); the receipts the SMSC sends back move each text from sent to delivered
// (or failed), part by part. Tests run in date order: the database is shared and virtual time only moves forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, testE164 } from '../helpers/dialer-harness.js';
import { expectTextsReceived, FLOW_SMS_TEXT, runFlowSmsCampaign, runSmsOnBusyCampaign, SMS_ON_BUSY_CASES, until } from '../helpers/sms-on-busy.js';
import { startTestSmsc, type TestSmsc } from '../helpers/smsc.js';
import { systemClock } from '../../src/domain/clock.js';
import { ReceiptApplier } from '../../src/sms/receipt-applier.js';
import { SmppSmsProvider } from '../../src/sms/smpp/smpp-provider.js';
import { SmsPartsStore } from '../../src/store/repositories/sms-parts-store.js';

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

  for (const { mode, expected, date } of SMS_ON_BUSY_CASES) {
    it(`SMSOnBusy ${mode}: the right texts reach the SMSC on the right attempts and end delivered`, async () => {
      const receipts = new ReceiptApplier({ store: new SmsPartsStore(harness.db), provider: 'smpp', clock: systemClock });
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
      const { campaignId, tenant, rows } = await runSmsOnBusyCampaign(harness, { mode, date, provider });
      expect(rows.map((row) => [row.number.slice(-4), row.attemptNumber])).toEqual(expected);
      // 'ë' makes Zoë's text UCS-2 in 2 parts; Ann's is one GSM-7 part.
      const partsFor = expectTextsReceived(smsc.accepted.slice(before), expected, rows, tenant);
      await until(async () => (await harness.sms(campaignId)).every((row) => row.status !== 'sent'));
      for (const row of await harness.sms(campaignId)) {
        expect(row.providerId).toBe(partsFor(row.number.slice(-4))[0]!.messageId);
        expect(row.status).toBe(row.number.endsWith('0011') ? 'failed: UNDELIV' : 'delivered');
      }
      await provider.stop();
    });
  }

  it('a flow with an sms step sends its text to the person who answers, once, through SMPP', async () => {
    const receipts = new ReceiptApplier({ store: new SmsPartsStore(harness.db), provider: 'smpp', clock: systemClock });
    const provider = new SmppSmsProvider({ host: '127.0.0.1', port: smsc.port, systemId: 'ringcast', password: 'pw', messagesPerSecond: 1000, window: 10, onReceipt: (receipt) => receipts.apply(receipt) });
    await provider.start();
    smsc.receiptStat = () => 'DELIVRD';
    const before = smsc.accepted.length;
    const campaignId = await runFlowSmsCampaign(harness, provider);
    const mine = smsc.accepted.slice(before);
    expect(mine.map((p) => [p.destinationAddr, p.text, p.dataCoding])).toEqual([[testE164('0011').slice(1), FLOW_SMS_TEXT, 0]]);
    await until(async () => (await harness.sms(campaignId))[0]!.status === 'delivered');
    await provider.stop();
  });
});
