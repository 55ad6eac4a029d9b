// Delivery reports through a real Kannel: bearerbox binds over SMPP to the loopback SMSC (test/helpers/smsc.ts),
// whose deliver_sm receipts bearerbox matches to the messages it submitted; smsbox then fetches each text's dlr-url
// from Ringcast's API, listening on loopback. Texts are queued and handed over as the dialer does (the outbox), and
// their statuses read from the API's phonenumbers output.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeWithPeer } from '../helpers/peers.js';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { KANNEL_BINARIES, kannelEnv, listenForReports, startKannel, TEST_DLR_SECRET as SECRET, type TestKannel } from '../helpers/kannel.js';
import { startTestSmsc, type TestSmsc } from '../helpers/smsc.js';
import { KannelSmsProvider } from '../../src/sms/kannel/kannel-provider.js';
import { dlrToken, newKannelMessageId } from '../../src/sms/kannel/dlr-token.js';
import { SmsOutboxRepository } from '../../src/store/repositories/sms-outbox.js';
import { phoneNumbers } from '../../src/store/schema.js';
import { smsParts } from '../../src/domain/sms-parts.js';

const NUMBERS = ['07912000001', '07912000002', '07912000003', '07912000004', '07912000005', '07912000006'];
const e164 = (national: string) => `+44${national.slice(1)}`;

interface SmsEntry {
  text: string;
  parts: number;
  status: string;
}

for (const { kind } of BACKENDS) {
  describeWithPeer(KANNEL_BINARIES, `Kannel delivery reports to the API on ${kind}`, () => {
    let smsc: TestSmsc;
    let kannel: TestKannel;
    let t: TestApp;
    let tenant: Tenant;
    let campaignId: number;
    let provider: KannelSmsProvider;
    let baseUrl: string;
    const numberIds = new Map<string, number>();

    beforeAll(async () => {
      // The receipt comes a little after the submit, as from a real network.
      smsc = await startTestSmsc({ systemId: 'ringcast', password: 'pw', receiptDelayMs: 50 });
      kannel = await startKannel({ kind: 'smpp', port: smsc.port, systemId: 'ringcast', password: 'pw' });
      // The app's own address is known only once it listens; the provider below is given it.
      t = await createTestApp(kind, kannelEnv(kannel, 'http://127.0.0.1:1'));
      baseUrl = await listenForReports(t.app);
      provider = new KannelSmsProvider({ sendsmsUrl: kannel.sendsmsUrl, user: kannel.user, password: kannel.password, dlrBaseUrl: baseUrl, dlrSecret: SECRET });
      tenant = await t.createTenant('Kannel');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/campaigns/voice',
        headers: tenant.headers,
        payload: validCampaign(tenant, { phoneNumbers: NUMBERS.map((number) => ({ number })) }),
      });
      expect(created.statusCode, created.body).toBe(201);
      campaignId = created.json().id as number;
      const rows = await t.db.database.db.select({ id: phoneNumbers.id, number: phoneNumbers.number }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId));
      for (const row of rows) numberIds.set(row.number, row.id);
    }, 90_000);
    afterAll(async () => {
      await t?.close();
      await kannel?.stop();
      await smsc?.close();
    });

    /** Queues a text for the number and hands it to the provider, as the dialer does; answers the provider's result. */
    const send = async (national: string, text: string) => {
      const outbox = new SmsOutboxRepository(t.db.database.db);
      const now = new Date();
      const { encoding, parts } = smsParts(text);
      const to = e164(national);
      const id = await outbox.queue({ phoneNumberId: numberIds.get(to)!, attemptNumber: 1, sentAt: now, text, parts, encoding, to, from: 'Ringcast', owner: 'test', leaseUntil: new Date(now.getTime() + 60_000) });
      const result = await provider.send({ to, from: 'Ringcast', text });
      await outbox.handOver(id, result, provider.name, new Date());
      return result;
    };
    const smsOf = async (national: string): Promise<SmsEntry[]> => {
      const response = await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${campaignId}/phonenumbers`, headers: tenant.headers });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json() as { number: string; sms: SmsEntry[] }[]).find((entry) => entry.number === e164(national))!.sms;
    };
    const settled = async (national: string, timeoutMs = 20_000): Promise<SmsEntry[]> => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const sms = await smsOf(national);
        if (sms.length > 0 && sms.every((entry) => entry.status !== 'sent' && entry.status !== 'queued')) return sms;
        if (Date.now() > end) throw new Error(`still ${JSON.stringify(sms)}\n${kannel.logs().slice(-6000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const dlr = (query: Record<string, string>) => t.app.inject({ method: 'GET', url: `/api/sms/kannel/dlr?${new URLSearchParams(query)}` });

    it('a GSM text reaches the SMSC through Kannel as one GSM-7 part and ends delivered in the API', async () => {
      const before = smsc.accepted.length;
      const text = 'Sorry we missed you, call 020 7946 0999.';
      expect((await send(NUMBERS[0]!, text)).status).toBe('sent');
      const [entry] = await settled(NUMBERS[0]!);
      expect(entry).toMatchObject({ text, parts: 1, status: 'delivered' });
      const mine = smsc.accepted.slice(before);
      expect(mine.map((p) => [p.sourceAddr, p.destinationAddr, p.dataCoding, p.registeredDelivery, p.text])).toEqual([['Ringcast', '447912000001', 0, 1, text]]);
    }, 30_000);

    it('a 300-character UCS-2 text reaches the SMSC as 5 parts that reassemble, and ends delivered by its one report (Kannel asks for the first part\'s)', async () => {
      const before = smsc.accepted.length;
      const text = 'Здравствуйте, ваш заказ готов. '.repeat(10).slice(0, 300);
      expect((await send(NUMBERS[1]!, text)).status).toBe('sent');
      const [entry] = await settled(NUMBERS[1]!);
      expect(entry).toMatchObject({ parts: 5, status: 'delivered' });
      const mine = smsc.accepted.slice(before);
      expect(mine).toHaveLength(5);
      expect(mine.every((p) => p.dataCoding === 8 && (p.esmClass & 0x40) !== 0 && p.udh !== undefined)).toBe(true);
      const ordered = [...mine].sort((a, b) => a.udh![a.udh!.length - 1]! - b.udh![b.udh!.length - 1]!);
      expect(ordered.map((p) => p.text).join('')).toBe(text);
      // Kannel asks the SMSC for a receipt on the first part only: that one report is the text's.
      expect(ordered.map((p) => p.registeredDelivery)).toEqual([1, 0, 0, 0, 0]);
    }, 30_000);

    it("a text the SMSC reports undeliverable ends failed with the receipt's stat", async () => {
      smsc.receiptStat = (to) => (to.endsWith('0003') ? 'UNDELIV' : 'DELIVRD');
      try {
        expect((await send(NUMBERS[2]!, 'This one will not arrive.')).status).toBe('sent');
        const [entry] = await settled(NUMBERS[2]!);
        expect(entry).toMatchObject({ status: 'failed: UNDELIV' });
      } finally {
        smsc.receiptStat = () => 'DELIVRD';
      }
    }, 30_000);

    it('refuses a report with a forged or wrong token (403 problem) and changes nothing', async () => {
      // No receipt from the SMSC for this one: only forged reports could change it.
      smsc.receiptStat = () => undefined;
      let result;
      try {
        result = await send(NUMBERS[3]!, 'Forge me if you can.');
      } finally {
        smsc.receiptStat = () => 'DELIVRD';
      }
      expect(result.status).toBe('sent');
      if (result.status !== 'sent') return;
      const id = result.providerId;
      const other = newKannelMessageId();
      for (const token of ['forged', dlrToken(SECRET, other), dlrToken('another-secret-0123456789', id), `${dlrToken(SECRET, id)}x`]) {
        const response = await dlr({ id, token, type: '2', status: 'stat:UNDELIV' });
        expect(response.statusCode, token).toBe(403);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect((await smsOf(NUMBERS[3]!))[0]).toMatchObject({ status: 'sent' });
      // An SMSC acceptance report (8): nothing to change.
      const accepted = await dlr({ id, token: dlrToken(SECRET, id), type: '8', status: 'ACK/', at: '1796422321' });
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json()).toEqual({ result: 'no-change' });
      expect((await dlr({ id: 'not-a-uuid', token: 'x', type: '1' })).statusCode).toBe(400);
      expect((await smsOf(NUMBERS[3]!))[0]).toMatchObject({ status: 'sent' });
      // With the right token the report is taken.
      const right = await dlr({ id, token: dlrToken(SECRET, id), type: '1', status: '', at: '' });
      expect(right.json()).toEqual({ result: 'recorded', textStatus: 'delivered' });
      expect((await smsOf(NUMBERS[3]!))[0]).toMatchObject({ status: 'delivered' });
    }, 30_000);

    it('keeps a report that overtakes its text\'s hand-over (202) and applies it when the hand-over writes the text', async () => {
      const outbox = new SmsOutboxRepository(t.db.database.db);
      const now = new Date();
      const text = 'Reported before its hand-over.';
      const { encoding, parts } = smsParts(text);
      const to = e164(NUMBERS[5]!);
      const smsId = await outbox.queue({ phoneNumberId: numberIds.get(to)!, attemptNumber: 1, sentAt: now, text, parts, encoding, to, from: 'Ringcast', owner: 'test', leaseUntil: new Date(now.getTime() + 60_000) });
      // Kannel took the text and its report came back before Ringcast wrote Kannel's answer.
      const id = newKannelMessageId();
      const early = await dlr({ id, token: dlrToken(SECRET, id), type: '1', status: 'id:9 stat:DELIVRD err:000', at: '' });
      expect(early.statusCode, early.body).toBe(202);
      expect(early.json()).toEqual({ result: 'kept' });
      expect((await smsOf(NUMBERS[5]!)).find((entry) => entry.text === text)).toMatchObject({ status: 'queued' });
      expect(await outbox.handOver(smsId, { status: 'sent', providerId: id, partIds: [id] }, provider.name, new Date())).toBe(true);
      expect((await smsOf(NUMBERS[5]!)).find((entry) => entry.text === text)).toMatchObject({ status: 'delivered' });
    }, 30_000);

    it("keeps a text failed by the SMSC's refusal (16) when a delivered report (1) for its first part comes after", async () => {
      smsc.receiptStat = () => undefined;
      let result;
      try {
        result = await send(NUMBERS[4]!, 'Refused, then reported delivered.');
      } finally {
        smsc.receiptStat = () => 'DELIVRD';
      }
      if (result.status !== 'sent') throw new Error(JSON.stringify(result));
      const id = result.providerId;
      const refused = await dlr({ id, token: dlrToken(SECRET, id), type: '16', status: 'NACK/0x0000000b/Invalid Destination Address' });
      expect(refused.json()).toEqual({ result: 'recorded', textStatus: 'failed: NACK/0x0000000b/Invalid Destination Address' });
      const late = await dlr({ id, token: dlrToken(SECRET, id), type: '1', status: 'id:1 stat:DELIVRD err:000' });
      expect(late.json()).toEqual({ result: 'no-change' });
      expect((await smsOf(NUMBERS[4]!))[0]).toMatchObject({ status: 'failed: NACK/0x0000000b/Invalid Destination Address' });
    }, 30_000);
  });
}
