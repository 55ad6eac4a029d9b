// The SMPP provider against a loopback SMSC built from the same library's server side (test/helpers/smsc.ts).
import { afterEach, describe, expect, it } from 'vitest';
import smpp from 'smpp';
import { SmppSmsProvider } from '../../src/sms/smpp/smpp-provider.js';
import type { Receipt } from '../../src/sms/smpp/receipt.js';
import { startTestSmsc, type TestSmsc } from '../helpers/smsc.js';

const CREDENTIALS = { systemId: 'ringcast', password: 'secret1' };
let smsc: TestSmsc | undefined;
let provider: SmppSmsProvider | undefined;

afterEach(async () => {
  await provider?.stop();
  await smsc?.close();
  provider = undefined;
  smsc = undefined;
});

async function setUp(overrides: Partial<ConstructorParameters<typeof SmppSmsProvider>[0]> = {}) {
  smsc = await startTestSmsc(CREDENTIALS);
  const receipts: Receipt[] = [];
  provider = new SmppSmsProvider({
    host: '127.0.0.1',
    port: smsc.port,
    ...CREDENTIALS,
    systemType: 'RC',
    messagesPerSecond: 500,
    window: 10,
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    onReceipt: (receipt) => {
      receipts.push(receipt);
    },
    ...overrides,
  });
  await provider.start();
  return { smsc, provider, receipts };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SmppSmsProvider with a loopback SMSC', () => {
  it('binds as transceiver with the credentials and system type, submits with receipts on, and reads the receipt', async () => {
    const { smsc, provider, receipts } = await setUp();
    const result = await provider.send({ to: '+447912000001', from: 'Ringcast', text: 'Sorry we missed you' });
    expect(result).toEqual({ status: 'sent', providerId: smsc.accepted[0]!.messageId, partIds: [smsc.accepted[0]!.messageId] });
    const bind = smsc.pdus.find((p) => p.command === 'bind_transceiver')!;
    expect(bind.fields).toMatchObject({ system_id: 'ringcast', password: 'secret1', system_type: 'RC' });
    expect(smsc.accepted[0]).toMatchObject({
      sourceAddr: 'Ringcast', sourceTon: 5, destinationAddr: '447912000001', dataCoding: 0, esmClass: 0, registeredDelivery: 1, text: 'Sorry we missed you',
    });
    await until(() => receipts.length === 1);
    expect(receipts[0]).toMatchObject({ messageId: smsc.accepted[0]!.messageId, state: 'delivered' });
  });

  it('answers a receipt only once it is written, and asks the SMSC to send it again when the write failed', async () => {
    let failNext = true;
    let release: (() => void) | undefined;
    const written: Receipt[] = [];
    const { smsc, provider } = await setUp({
      onReceipt: (receipt) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('database unreachable'));
        }
        // The second delivery: held until the test lets the write finish.
        return new Promise<void>((resolve) => {
          release = () => {
            written.push(receipt);
            resolve();
          };
        });
      },
      log: { info: () => {}, warn: () => {} },
    });
    await provider.send({ to: '+447912000001', from: 'Ringcast', text: 'Receipt, written before it is answered' });
    const messageId = smsc.accepted[0]!.messageId;
    await until(() => release !== undefined);
    // The failed write was answered ESME_RX_T_APPN; the delivery being written is not answered yet.
    expect(smsc.receiptAnswers).toEqual([{ messageId, status: smpp.ESME_RX_T_APPN }]);
    release!();
    await until(() => smsc.receiptAnswers.length === 2);
    expect(smsc.receiptAnswers[1]).toEqual({ messageId, status: 0 });
    expect(written.map((receipt) => [receipt.messageId, receipt.state])).toEqual([[messageId, 'delivered']]);
  });

  it('sends a 300-character UCS-2 text as 5 parts that reassemble, with one receipt per part id', async () => {
    const { smsc, provider, receipts } = await setUp();
    const text = 'Здравствуйте, ваш заказ готов. '.repeat(10).slice(0, 300);
    const result = await provider.send({ to: '+447912000002', from: '+447700900123', text });
    expect(result.status).toBe('sent');
    const parts = smsc.accepted;
    expect(parts).toHaveLength(5);
    expect(parts.every((p) => p.dataCoding === 8 && (p.esmClass & 0x40) !== 0 && p.sourceTon === 1 && p.sourceAddr === '447700900123')).toBe(true);
    const byIndex = [...parts].sort((a, b) => a.udh![5]! - b.udh![5]!);
    expect(new Set(parts.map((p) => p.udh![3])).size).toBe(1);
    expect(byIndex.map((p) => p.text).join('')).toBe(text);
    if (result.status === 'sent') expect(result.partIds).toEqual(parts.map((p) => p.messageId));
    await until(() => receipts.length === 5);
    expect(new Set(receipts.map((r) => r.messageId))).toEqual(new Set(parts.map((p) => p.messageId)));
  });

  it('slows down and retries on ESME_RTHROTTLED and ESME_RMSGQFUL: nothing lost, nothing twice', async () => {
    const { smsc, provider } = await setUp();
    smsc.refuseNext(3, smpp.ESME_RTHROTTLED);
    const first = await Promise.all([1, 2, 3, 4].map((n) => provider.send({ to: `+44791200010${n}`, from: 'Ringcast', text: `text ${n}` })));
    smsc.refuseNext(2, smpp.ESME_RMSGQFUL);
    const second = await Promise.all([5, 6].map((n) => provider.send({ to: `+44791200010${n}`, from: 'Ringcast', text: `text ${n}` })));
    expect([...first, ...second].every((r) => r.status === 'sent')).toBe(true);
    expect(smsc.accepted.map((p) => p.text).sort()).toEqual(['text 1', 'text 2', 'text 3', 'text 4', 'text 5', 'text 6']);
    expect(smsc.pdus.filter((p) => p.command === 'submit_sm')).toHaveLength(6 + 5);
  });

  it('ends a text failed with the SMPP status name on a permanent error', async () => {
    const { smsc, provider } = await setUp();
    smsc.refuseNext(1, smpp.ESME_RINVDSTADR);
    expect(await provider.send({ to: '+447912000009', from: 'Ringcast', text: 'x' })).toEqual({ status: 'failed', reason: 'ESME_RINVDSTADR' });
    expect(await provider.send({ to: '+447912000009', from: 'Bad-Sender!', text: 'x' })).toMatchObject({ status: 'failed' });
  });

  it('rebinds after a dropped connection mid-batch and sends the unanswered texts again, losing none', async () => {
    const { smsc, provider } = await setUp({ window: 1 });
    smsc.dropAfter(3, { takeIt: false });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => provider.send({ to: `+4479120002${String(i).padStart(2, '0')}`, from: 'Ringcast', text: `batch ${i}` })),
    );
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    expect(smsc.binds).toBe(2);
    const texts = smsc.accepted.map((p) => p.text).sort();
    expect(texts).toEqual(Array.from({ length: 10 }, (_, i) => `batch ${i}`).sort());
  });

  it('sends a part again when the SMSC took it but its answer was lost with the connection (the documented window)', async () => {
    const { smsc, provider } = await setUp({ window: 1 });
    smsc.dropAfter(0, { takeIt: true });
    const result = await provider.send({ to: '+447912000300', from: 'Ringcast', text: 'once or twice' });
    expect(result.status).toBe('sent');
    // The SMSC holds it twice: SMPP gives no way to ask whether an unanswered submit_sm was taken.
    expect(smsc.accepted.map((p) => p.text)).toEqual(['once or twice', 'once or twice']);
    if (result.status === 'sent') expect(result.providerId).toBe(smsc.accepted[1]!.messageId);
  });

  it('ends a text failed when no bind comes within bindWaitMs, so an SMSC that is down cannot hold the dialer', async () => {
    smsc = await startTestSmsc(CREDENTIALS);
    const port = smsc.port;
    await smsc.close();
    smsc = undefined;
    provider = new SmppSmsProvider({ host: '127.0.0.1', port, ...CREDENTIALS, messagesPerSecond: 10, window: 1, reconnectMinMs: 10, reconnectMaxMs: 20, bindWaitMs: 150 });
    void provider.start();
    const started = Date.now();
    expect(await provider.send({ to: '+447912000001', from: 'Ringcast', text: 'x' })).toEqual({ status: 'failed', reason: 'no bind to the SMSC' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps trying to bind with backoff while the credentials are refused, and unbinds on stop', async () => {
    smsc = await startTestSmsc(CREDENTIALS);
    provider = new SmppSmsProvider({ host: '127.0.0.1', port: smsc.port, systemId: 'ringcast', password: 'wrong', messagesPerSecond: 10, window: 1, reconnectMinMs: 10, reconnectMaxMs: 40 });
    void provider.start();
    await until(() => smsc!.pdus.filter((p) => p.command === 'bind_transceiver').length >= 3);
    expect(provider.isBound).toBe(false);
    expect(smsc.binds).toBe(0);
    await provider.stop();

    const good = await setUp();
    await good.provider.stop();
    await until(() => good.smsc.pdus.some((p) => p.command === 'unbind'));
  });
});
