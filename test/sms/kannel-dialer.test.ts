// SMSOnBusy with SMS_PROVIDER=kannel: the dialer in virtual time on a real database sends each busy attempt's text
// through a real Kannel (bearerbox bound over SMPP to the loopback SMSC, test/helpers/kannel.ts); the SMSC's
// receipts come back bearerbox -> smsbox -> dlr-url -> Ringcast's API (listening on loopback, same database) and
// move each text to delivered or failed. The same campaigns as the SMPP provider's test (test/helpers/sms-on-busy.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { describeWithPeer } from '../helpers/peers.js';
import { DialerHarness, testE164 } from '../helpers/dialer-harness.js';
import { expectTextsReceived, FLOW_SMS_TEXT, runFlowSmsCampaign, runSmsOnBusyCampaign, SMS_ON_BUSY_CASES, until } from '../helpers/sms-on-busy.js';
import { KANNEL_BINARIES, kannelEnv, listenForReports, startKannel, type TestKannel } from '../helpers/kannel.js';
import { startTestSmsc, type TestSmsc } from '../helpers/smsc.js';
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { smsProviderFromSettings } from '../../src/sms/from-settings.js';
import { KannelSmsProvider } from '../../src/sms/kannel/kannel-provider.js';
import { systemClock } from '../../src/domain/clock.js';

const silent = { info: () => {}, warn: () => {} };

for (const { kind } of BACKENDS) {
  describeWithPeer(KANNEL_BINARIES, `SMSOnBusy through Kannel on ${kind}`, () => {
    let harness: DialerHarness;
    let smsc: TestSmsc;
    let kannel: TestKannel;
    let app: App;
    let env: Record<string, string>;
    beforeAll(async () => {
      harness = await DialerHarness.open(kind);
      smsc = await startTestSmsc({ systemId: 'ringcast', password: 'pw', receiptDelayMs: 50 });
      kannel = await startKannel({ kind: 'smpp', port: smsc.port, systemId: 'ringcast', password: 'pw' });
      // The app needs the settings before it listens; the dialer's name the API's address, once it is known.
      env = { ...kannelEnv(kannel, 'http://127.0.0.1:1'), LOG_LEVEL: 'silent' };
      app = await buildApp({ settings: loadSettings(env), database: harness.testDb.database });
      env.KANNEL_DLR_BASE_URL = await listenForReports(app);
    }, 90_000);
    afterAll(async () => {
      await app?.close();
      await kannel?.stop();
      await smsc?.close();
      await harness?.dispose();
    });

    for (const { mode, expected, date } of SMS_ON_BUSY_CASES) {
      it(`SMSOnBusy ${mode}: the right texts reach the SMSC through Kannel on the right attempts and end delivered or failed by receipt`, async () => {
        const { provider } = smsProviderFromSettings(loadSettings(env), { clock: systemClock, log: silent });
        expect(provider).toBeInstanceOf(KannelSmsProvider);
        smsc.receiptStat = (to) => (to.endsWith('0011') ? 'UNDELIV' : 'DELIVRD');
        const before = smsc.accepted.length;
        const { campaignId, tenant, rows } = await runSmsOnBusyCampaign(harness, { mode, date, provider });
        expect(rows.map((row) => [row.number.slice(-4), row.attemptNumber])).toEqual(expected);
        // 'ë' makes Zoë's text UCS-2 in 2 parts (Kannel splits it); Ann's is one GSM-7 part.
        expectTextsReceived(smsc.accepted.slice(before), expected, rows, tenant);
        await until(async () => (await harness.sms(campaignId)).every((row) => row.status !== 'sent'), 20_000);
        for (const row of await harness.sms(campaignId)) {
          expect(row.providerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
          expect(row.status).toBe(row.number.endsWith('0011') ? 'failed: UNDELIV' : 'delivered');
        }
      }, 60_000);
    }

    it('a flow with an sms step sends its text to the person who answers, once, through Kannel, and it ends delivered', async () => {
      const { provider } = smsProviderFromSettings(loadSettings(env), { clock: systemClock, log: silent });
      smsc.receiptStat = () => 'DELIVRD';
      const before = smsc.accepted.length;
      const campaignId = await runFlowSmsCampaign(harness, provider);
      const mine = smsc.accepted.slice(before);
      expect(mine.map((p) => [p.destinationAddr, p.text, p.dataCoding])).toEqual([[testE164('0011').slice(1), FLOW_SMS_TEXT, 0]]);
      await until(async () => (await harness.sms(campaignId))[0]!.status === 'delivered', 20_000);
    }, 60_000);
  });
}
