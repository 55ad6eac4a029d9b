// The Kannel provider against a real Kannel (Debian's bearerbox and smsbox) with Kannel's own fake SMSC
// (kannel-extras' fakesmsc, test/helpers/kannel.ts): what reaches the SMSC, what Kannel's answers become, and a
// Kannel that is down.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPeer } from '../helpers/peers.js';
import { KANNEL_BINARIES, startKannel, TEST_DLR_SECRET as SECRET, type TestKannel } from '../helpers/kannel.js';
import { freePort } from '../helpers/free-port.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KannelSmsProvider, type KannelProviderOptions } from '../../src/sms/kannel/kannel-provider.js';
import { dlrToken } from '../../src/sms/kannel/dlr-token.js';


async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithPeer(KANNEL_BINARIES, 'KannelSmsProvider through Kannel and its fake SMSC', () => {
  let kannel: TestKannel;
  const provider = (overrides: Partial<KannelProviderOptions> = {}) =>
    new KannelSmsProvider({
      sendsmsUrl: kannel.sendsmsUrl,
      user: kannel.user,
      password: kannel.password,
      // Nothing listens there: these tests look at the send path (the receipts' path is kannel-dlr.test.ts).
      dlrBaseUrl: 'http://127.0.0.1:9',
      dlrSecret: SECRET,
      retryDelaysMs: [20, 40],
      ...overrides,
    });

  beforeAll(async () => {
    kannel = await startKannel({ kind: 'fake' });
  }, 60_000);
  afterAll(async () => {
    await kannel?.stop();
  });

  it('sends a GSM text as one message from the sender to the number, and answers sent with its id as one part', async () => {
    const result = await provider().send({ to: '+447912000001', from: 'Ringcast', text: 'Sorry we missed you, call 020 7946 0999.' });
    expect(result.status, JSON.stringify(result)).toBe('sent');
    if (result.status !== 'sent') return;
    expect(result.providerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.partIds).toEqual([result.providerId]);
    await until(() => kannel.fakeMessages().some((m) => m.to === '+447912000001'));
    const message = kannel.fakeMessages().find((m) => m.to === '+447912000001')!;
    expect(message).toMatchObject({ from: 'Ringcast', kind: 'text', udh: undefined });
    expect(message.data.toString('utf8')).toBe('Sorry we missed you, call 020 7946 0999.');
  });

  it('sends a 300-character Cyrillic text as UCS-2 in 5 concatenated parts that reassemble, under one id (Kannel reports the first part only)', async () => {
    const text = 'Здравствуйте, ваш заказ готов. '.repeat(10).slice(0, 300);
    const result = await provider().send({ to: '+447912000002', from: '+447700900123', text });
    expect(result.status, JSON.stringify(result)).toBe('sent');
    if (result.status === 'sent') expect(result.partIds).toEqual([result.providerId]);
    await until(() => kannel.fakeMessages().filter((m) => m.to === '+447912000002').length === 5);
    const parts = kannel.fakeMessages().filter((m) => m.to === '+447912000002');
    // UDH: length 5, IE 0 (8-bit reference concatenation), 3 bytes: reference, total, this part's number.
    expect(parts.every((p) => p.from === '+447700900123' && p.udh?.length === 6 && p.udh[1] === 0 && p.udh[4] === 5)).toBe(true);
    expect(new Set(parts.map((p) => p.udh![3])).size).toBe(1);
    const ordered = [...parts].sort((a, b) => a.udh![5]! - b.udh![5]!);
    expect(ordered.map((p) => p.udh![5])).toEqual([1, 2, 3, 4, 5]);
    expect(Buffer.concat(ordered.map((p) => p.data)).swap16().toString('utf16le')).toBe(text);
  });

  it('puts the per-message token for its own id in the dlr-url Kannel is given', async () => {
    const result = await provider({ dlrBaseUrl: 'http://127.0.0.1:9/base/' }).send({ to: '+447912000003', from: 'Ringcast', text: 'token check' });
    expect(result.status).toBe('sent');
    if (result.status !== 'sent') return;
    await until(() => kannel.logs().includes(result.providerId));
    // smsbox logs the dlr-url as it fetches it for the SMSC's acceptance report (type 8).
    expect(kannel.logs()).toContain(`/base/api/sms/kannel/dlr?id=${result.providerId}&token=${dlrToken(SECRET, result.providerId)}&type=`);
  });

  it("ends a text failed with Kannel's words when the sendsms user or password is wrong, without retrying", async () => {
    const started = Date.now();
    const result = await provider({ password: 'wrong', retryDelaysMs: [5000] }).send({ to: '+447912000004', from: 'Ringcast', text: 'x' });
    expect(result).toEqual({ status: 'failed', reason: 'Kannel 403: Authorization failed for sendsms' });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('ends a text failed, without throwing, when Kannel is down: tried again after each delay, then the last error', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await provider({ sendsmsUrl: `http://127.0.0.1:${port}/cgi-bin/sendsms`, retryDelaysMs: [50, 100, 150] }).send({ to: '+447912000005', from: 'Ringcast', text: 'x' });
    expect(result).toEqual({ status: 'failed', reason: 'Kannel unreachable: ECONNREFUSED (after 4 attempts)' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('does not send a text again when Kannel took the request but gave no answer in time (it may have gone out)', async () => {
    // A sendsms that reads the request and never answers: whether the text went out is unknown.
    let requests = 0;
    const silent = createServer(() => {
      requests++;
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const result = await provider({ sendsmsUrl: `http://127.0.0.1:${port}/cgi-bin/sendsms`, timeoutMs: 200, retryDelaysMs: [20, 40] }).send({
        to: '+447912000005',
        from: 'Ringcast',
        text: 'x',
      });
      expect(result).toEqual({ status: 'failed', reason: 'Kannel: no answer in 200 ms; the text may have gone out, so it is not sent again' });
      expect(requests).toBe(1);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses an empty text and a missing sender before asking Kannel', async () => {
    expect(await provider().send({ to: '+447912000006', from: 'Ringcast', text: '' })).toEqual({ status: 'failed', reason: 'empty message' });
    expect(await provider().send({ to: '+447912000006', from: '', text: 'x' })).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^no sender/) });
  });
});
