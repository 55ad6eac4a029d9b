// sms.sent, sms.delivered and sms.failed (issue 12) written with the status change they report, delivered to a
// loopback receiver with the text exactly as GET .../phonenumbers shows it (which now carries statusAt and error);
// receipts that come before their parts are kept in the database and applied by the hand-over (issue 13).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, testNumber } from '../helpers/dialer-harness.js';
import { startTestSmsc } from '../helpers/smsc.js';
import { startReceiver, type Receiver, type Received } from './receiver.js';
import { ManualClock, systemClock } from '../../src/domain/clock.js';
import { loadSettings } from '../../src/config/settings.js';
import { buildApp } from '../../src/app.js';
import { WebhookRepository } from '../../src/store/repositories/webhooks.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { WebhookDeliverer } from '../../src/webhooks/deliverer.js';
import { SmsOutboxRepository } from '../../src/store/repositories/sms-outbox.js';
import { SmsPartsStore, SMS_EARLY_RECEIPT_MAX_AGE_MS } from '../../src/store/repositories/sms-parts-store.js';
import { ReceiptApplier } from '../../src/sms/receipt-applier.js';
import { SmppSmsProvider } from '../../src/sms/smpp/smpp-provider.js';
import { smsParts } from '../../src/domain/sms-parts.js';
import { phoneNumbers, smsMessages, smsReceiptsEarly, webhookDeliveries } from '../../src/store/schema.js';
import { SMS_FAILURES, WEBHOOK_EVENT_TYPE_NAMES } from '../../src/webhooks/event-types.js';
import { readFileSync } from 'node:fs';

const SMS_EVENTS = ['sms.sent', 'sms.delivered', 'sms.failed'] as const;

describe.each(BACKENDS)('sms.* webhook events on $kind', ({ kind }) => {
  let harness: DialerHarness;
  let receiver: Receiver;
  let campaignId: number;
  let apiKey: string;
  /** Phone number ids by their last four digits; each test texts numbers of its own. */
  const numberIds = new Map<string, number>();
  const clock = new ManualClock('2027-07-01T09:00:00Z');
  const LAST_FOURS = ['0101', '0102', '0103', '0104', '0105', '0106', '0107', '0108', '0109'];

  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
    receiver = await startReceiver();
    const tenant = await harness.tenant();
    apiKey = (await new TenantRepository(harness.db).createApiKey(tenant.clientId)).apiKey;
    const endpoint = await new WebhookRepository(harness.db).create(tenant.clientId, { url: receiver.url, events: [...SMS_EVENTS], description: '' }, 'whsec_sms', clock.now());
    receiver.secrets = [endpoint.secret];
    campaignId = await harness.campaign(
      tenant,
      { startDate: '2027-07-02', startTime: '09:00', finishTime: '12:00', attempts: [{ interval: 0 }], phoneNumbers: LAST_FOURS.map(testNumber) },
      clock.now(),
    );
    const rows = await harness.db.select({ id: phoneNumbers.id, number: phoneNumbers.number }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId));
    for (const row of rows) numberIds.set(row.number.slice(-4), row.id);
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.dispose();
  });

  const outbox = () => new SmsOutboxRepository(harness.db);
  const queue = (lastFour: string, text: string) => {
    const { parts, encoding } = smsParts(text);
    return outbox().queue({
      phoneNumberId: numberIds.get(lastFour)!,
      attemptNumber: 1,
      sentAt: clock.now(),
      text,
      parts,
      encoding,
      to: `+44207946${lastFour}`,
      from: '+442079460999',
      owner: 'sms-events-test',
      leaseUntil: new Date(clock.now().getTime() + 60_000),
    });
  };
  /** Delivers every due event to the receiver and answers what arrived (signature checked), emptying its log. */
  const delivered = async (): Promise<Received['event'][]> => {
    const deliverer = new WebhookDeliverer({ db: harness.db, settings: loadSettings({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }), clock, random: () => 0 });
    while ((await deliverer.deliverDue()) > 0);
    const received = receiver.received.splice(0);
    expect(received.every((r) => r.verified && r.status === 200)).toBe(true);
    return received.map((r) => r.event);
  };
  /** The number's sms array as the API answers it (the route, its response schema and serializer). */
  const listed = async (lastFour: string) => {
    const app = await buildApp({ settings: loadSettings({ ADMIN_TOKEN: 'sms-events-admin-token-0123', LOG_LEVEL: 'silent' }), database: harness.testDb.database, clock });
    try {
      const response = await app.inject({ method: 'GET', url: `/api/campaigns/voice/${campaignId}/phonenumbers/1000/1`, headers: { authorization: `Bearer ${apiKey}` } });
      expect(response.statusCode, response.body).toBe(200);
      const entry = (response.json() as { id: number; sms: Record<string, unknown>[] }[]).find((number) => number.id === numberIds.get(lastFour));
      return entry!.sms;
    } finally {
      await app.close();
    }
  };

  it('sms.sent when the provider takes a text, with the text as the phonenumbers output shows it', async () => {
    const smsId = await queue('0101', 'Hello Ann');
    clock.advanceMs(1500);
    expect(await outbox().handOver(smsId, { status: 'sent', providerId: 'sent-1', partIds: ['sent-1'] }, 'smpp', clock.now())).toBe(true);
    const events = await delivered();
    expect(events.map((e) => e.type)).toEqual(['sms.sent']);
    const [shown] = await listed('0101');
    // 08:00:01.500 UTC on 1 July is 10:00:01.500 in London (BST), the campaign's zone.
    expect(shown).toEqual({ sentAt: '2027-07-01T10:00:00.000', attemptNumber: 1, text: 'Hello Ann', parts: 1, status: 'sent', statusAt: '2027-07-01T10:00:01.500', error: null });
    expect(events[0]!.data).toEqual({ smsId, numberId: numberIds.get('0101'), campaignId, ...shown });
  });

  it('one sms.delivered for a text of two parts, when the receipt of the second comes; a repeated receipt adds none', async () => {
    const smsId = await queue('0102', 'x'.repeat(200));
    expect(await outbox().handOver(smsId, { status: 'sent', providerId: 'two-a', partIds: ['two-a', 'two-b'] }, 'smpp', clock.now())).toBe(true);
    expect((await delivered()).map((e) => e.type)).toEqual(['sms.sent']);
    const parts = new SmsPartsStore(harness.db);
    clock.advanceMs(2000);
    expect(await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'two-b', state: 'delivered', error: undefined, at: clock.now() })).toEqual({ changed: true, textStatus: 'sent' });
    expect(await delivered()).toEqual([]);
    clock.advanceMs(2000);
    expect(await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'two-a', state: 'delivered', error: undefined, at: clock.now() })).toEqual({ changed: true, textStatus: 'delivered' });
    const events = await delivered();
    expect(events.map((e) => e.type)).toEqual(['sms.delivered']);
    expect(events[0]!.data).toMatchObject({ smsId, status: 'delivered', parts: 2, statusAt: '2027-07-01T10:00:05.500', error: null });
    expect(await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'two-a', state: 'delivered', error: undefined, at: clock.now() })).toEqual({ changed: true, textStatus: 'delivered' });
    expect(await delivered()).toEqual([]);
  });

  it('a delivered receipt does not undo a failed part, whichever provider sends it, even when both arrive at once', async () => {
    const smsId = await queue('0109', 'y'.repeat(200));
    expect(await outbox().handOver(smsId, { status: 'sent', providerId: 'undo-a', partIds: ['undo-a', 'undo-b'] }, 'smpp', clock.now())).toBe(true);
    await delivered();
    const parts = new SmsPartsStore(harness.db);
    clock.advanceMs(1000);
    const [failed, late] = await Promise.all([
      parts.applyReceipt({ provider: 'smpp', providerMessageId: 'undo-b', state: 'failed', error: 'UNDELIV err:001', at: clock.now() }),
      parts.applyReceipt({ provider: 'smpp', providerMessageId: 'undo-b', state: 'delivered', error: undefined, at: clock.now() }),
    ]);
    // Whichever ran first, the part ends failed: a delivered after the failure changes nothing, a failure after a
    // delivered replaces it.
    expect(failed).toEqual({ changed: true, textStatus: 'failed: UNDELIV err:001' });
    expect(late!.textStatus === 'sent' ? late!.changed : !late!.changed).toBe(true);
    expect(await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'undo-b', state: 'delivered', error: undefined, at: clock.now() })).toEqual({
      changed: false,
      textStatus: 'failed: UNDELIV err:001',
    });
    expect(await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'undo-a', state: 'delivered', error: undefined, at: clock.now() })).toEqual({
      changed: true,
      textStatus: 'failed: UNDELIV err:001',
    });
    expect((await delivered()).map((e) => e.type)).toEqual(['sms.failed']);
  });

  it('sms.failed (refused) when the provider refuses the text at hand-over', async () => {
    const smsId = await queue('0103', 'Hello Bob');
    expect(await outbox().handOver(smsId, { status: 'failed', reason: 'ESME_RINVDSTADR' }, 'smpp', clock.now())).toBe(true);
    const events = await delivered();
    expect(events.map((e) => e.type)).toEqual(['sms.failed']);
    expect(events[0]!.data).toMatchObject({ smsId, status: 'failed: ESME_RINVDSTADR', error: 'ESME_RINVDSTADR', failure: 'refused' });
    const [shown] = await listed('0103');
    expect(shown).toMatchObject({ status: 'failed: ESME_RINVDSTADR', error: 'ESME_RINVDSTADR' });
  });

  it('sms.failed (failed, expired) when a receipt says so, with the error in the event and the listing', async () => {
    const undelivered = await queue('0104', 'Hello Cat');
    const expired = await queue('0104', 'Hello again Cat');
    await outbox().handOver(undelivered, { status: 'sent', providerId: 'undeliv-1', partIds: ['undeliv-1'] }, 'smpp', clock.now());
    await outbox().handOver(expired, { status: 'sent', providerId: 'expired-1', partIds: ['expired-1'] }, 'smpp', clock.now());
    const parts = new SmsPartsStore(harness.db);
    clock.advanceMs(1000);
    await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'undeliv-1', state: 'failed', error: 'UNDELIV err:001', at: clock.now() });
    await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'expired-1', state: 'expired', error: 'EXPIRED', at: clock.now() });
    const events = await delivered();
    expect(events.map((e) => [e.type, e.data.smsId])).toEqual([
      ['sms.sent', undelivered],
      ['sms.sent', expired],
      ['sms.failed', undelivered],
      ['sms.failed', expired],
    ]);
    expect(events[2]!.data).toMatchObject({ status: 'failed: UNDELIV err:001', error: 'UNDELIV err:001', failure: 'failed' });
    expect(events[3]!.data).toMatchObject({ status: 'expired', error: 'EXPIRED', failure: 'expired' });
    const shown = await listed('0104');
    const strip = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([key]) => !['smsId', 'numberId', 'campaignId', 'failure'].includes(key)));
    expect(shown).toEqual([strip(events[2]!.data), strip(events[3]!.data)]);
  });

  it('writes no event for a client without an enabled endpoint subscribed to it, and still records the status', async () => {
    const webhooks = new WebhookRepository(harness.db);
    const others = [];
    // A client subscribed to call.completed only, one whose sms endpoint the operator disabled, one without endpoints.
    for (const { events, enabled } of [
      { events: ['call.completed' as const], enabled: true },
      { events: [...SMS_EVENTS], enabled: false },
      { events: undefined, enabled: false },
    ]) {
      const tenant = await harness.tenant();
      const endpoint = events ? await webhooks.create(tenant.clientId, { url: receiver.url, events, description: '' }, 'whsec_other', clock.now()) : undefined;
      if (endpoint && !enabled) await webhooks.setEnabled(endpoint.id, false, 'test', clock.now());
      const otherCampaign = await harness.campaign(tenant, { startDate: '2027-07-02', startTime: '09:00', finishTime: '12:00', attempts: [{ interval: 0 }], phoneNumbers: [testNumber('0199')] }, clock.now());
      const [number] = await harness.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, otherCampaign));
      others.push({ endpointId: endpoint?.id, phoneNumberId: number!.id });
    }
    const before = await harness.db.select({ count: sql<number>`count(*)::int` }).from(webhookDeliveries);
    for (const { phoneNumberId } of others) {
      const smsId = await outbox().queue({ phoneNumberId, attemptNumber: 1, sentAt: clock.now(), text: 'Hi', parts: 1, encoding: 'GSM-7', to: '+442079460199', from: '+442079460999', owner: 'o', leaseUntil: clock.now() });
      await outbox().handOver(smsId, { status: 'sent', providerId: `other-${smsId}`, partIds: [`other-${smsId}`] }, 'smpp', clock.now());
      await new SmsPartsStore(harness.db).applyReceipt({ provider: 'smpp', providerMessageId: `other-${smsId}`, state: 'delivered', error: undefined, at: clock.now() });
      const [row] = await harness.db.select({ status: smsMessages.status }).from(smsMessages).where(eq(smsMessages.id, smsId));
      expect(row!.status).toBe('delivered');
    }
    const after = await harness.db.select({ count: sql<number>`count(*)::int` }).from(webhookDeliveries);
    expect(after[0]!.count).toBe(before[0]!.count);
    expect(await delivered()).toEqual([]);
  });

  it('keeps a receipt that comes before its part in the database and applies it when the hand-over writes the part, across a restart', async () => {
    const smsId = await queue('0105', 'y'.repeat(200));
    // The first process: the SMSC's receipt for part 1 overtakes the write of the provider's answer.
    const first = new ReceiptApplier({ store: new SmsPartsStore(harness.db), provider: 'smpp', clock });
    first.apply({ messageId: 'early-a', state: 'delivered', stat: 'DELIVRD', error: undefined });
    await first.settled();
    expect(await harness.db.select().from(smsReceiptsEarly).where(eq(smsReceiptsEarly.providerMessageId, 'early-a'))).toHaveLength(1);
    expect(await delivered()).toEqual([]);
    // A new process (new repositories, nothing in memory) writes the answer; the kept receipt applies to its part.
    clock.advanceMs(3000);
    expect(await new SmsOutboxRepository(harness.db).handOver(smsId, { status: 'sent', providerId: 'early-a', partIds: ['early-a', 'early-b'] }, 'smpp', clock.now())).toBe(true);
    expect(await harness.db.select().from(smsReceiptsEarly).where(inArray(smsReceiptsEarly.providerMessageId, ['early-a', 'early-b']))).toEqual([]);
    expect((await delivered()).map((e) => e.type)).toEqual(['sms.sent']);
    const second = new ReceiptApplier({ store: new SmsPartsStore(harness.db), provider: 'smpp', clock });
    second.apply({ messageId: 'early-b', state: 'delivered', stat: 'DELIVRD', error: undefined });
    await second.settled();
    const events = await delivered();
    expect(events.map((e) => [e.type, e.data.smsId])).toEqual([['sms.delivered', smsId]]);

    // Every part's receipt before the answer: the hand-over reports sent, then delivered, in that order.
    const early = await queue('0105', 'Short one');
    await new SmsPartsStore(harness.db).applyReceipt({ provider: 'smpp', providerMessageId: 'early-c', state: 'failed', error: 'REJECTD err:0b', at: clock.now() });
    await outbox().handOver(early, { status: 'sent', providerId: 'early-c', partIds: ['early-c'] }, 'smpp', clock.now());
    const both = await delivered();
    expect(both.map((e) => [e.type, e.data.smsId, e.data.status])).toEqual([
      ['sms.sent', early, 'sent'],
      ['sms.failed', early, 'failed: REJECTD err:0b'],
    ]);
    expect(both[1]!.data).toMatchObject({ failure: 'failed', error: 'REJECTD err:0b' });
  });

  it('a kept receipt that failed is not replaced by a delivered one before its part is written', async () => {
    const parts = new SmsPartsStore(harness.db);
    await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'kept-undo', state: 'failed', error: 'REJECTD err:0b', at: clock.now() });
    await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'kept-undo', state: 'delivered', error: undefined, at: clock.now() });
    const [kept] = await harness.db.select({ state: smsReceiptsEarly.state, error: smsReceiptsEarly.error }).from(smsReceiptsEarly).where(eq(smsReceiptsEarly.providerMessageId, 'kept-undo'));
    expect(kept).toEqual({ state: 'failed', error: 'REJECTD err:0b' });
  });

  it('deletes kept receipts older than a day when it keeps another', async () => {
    const parts = new SmsPartsStore(harness.db);
    expect(await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'never-written', state: 'delivered', error: undefined, at: clock.now() })).toBeUndefined();
    const later = new Date(clock.now().getTime() + SMS_EARLY_RECEIPT_MAX_AGE_MS + 1000);
    await parts.applyReceipt({ provider: 'smpp', providerMessageId: 'also-never', state: 'delivered', error: undefined, at: later });
    const kept = await harness.db.select({ id: smsReceiptsEarly.providerMessageId }).from(smsReceiptsEarly).where(inArray(smsReceiptsEarly.providerMessageId, ['never-written', 'also-never']));
    expect(kept.map((row) => row.id)).toEqual(['also-never']);
  });

  it('applies every receipt that races the hand-over of its text (the advisory lock orders them)', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => queue('0106', `race ${i}`)));
    const parts = new SmsPartsStore(harness.db);
    await Promise.all(
      ids.flatMap((smsId) => [
        parts.applyReceipt({ provider: 'smpp', providerMessageId: `race-${smsId}`, state: 'delivered', error: undefined, at: clock.now() }),
        outbox().handOver(smsId, { status: 'sent', providerId: `race-${smsId}`, partIds: [`race-${smsId}`] }, 'smpp', clock.now()),
      ]),
    );
    const rows = await harness.db.select({ status: smsMessages.status }).from(smsMessages).where(inArray(smsMessages.id, ids));
    expect(rows.map((row) => row.status)).toEqual(ids.map(() => 'delivered'));
    const events = await delivered();
    for (const smsId of ids) expect(events.filter((e) => e.data.smsId === smsId).map((e) => e.type)).toEqual(['sms.sent', 'sms.delivered']);
  });

  it('a two-part text through SMPP to a loopback SMSC: sms.sent, then one sms.delivered when both receipts are in', async () => {
    const smsc = await startTestSmsc({ systemId: 'ringcast', password: 'pw' });
    const receipts = new ReceiptApplier({ store: new SmsPartsStore(harness.db), provider: 'smpp', clock: systemClock });
    const provider = new SmppSmsProvider({ host: '127.0.0.1', port: smsc.port, systemId: 'ringcast', password: 'pw', messagesPerSecond: 1000, window: 10, onReceipt: (receipt) => receipts.apply(receipt) });
    try {
      await provider.start();
      const text = 'Zoë, we tried to call about your order but the line was busy. Please call us back on 020 7946 0999.';
      expect(smsParts(text).parts).toBe(2);
      const smsId = await queue('0107', text);
      const result = await provider.send({ to: '+442079460107', from: '+442079460999', text });
      expect(result).toMatchObject({ status: 'sent' });
      await outbox().handOver(smsId, result, provider.name, clock.now());
      const end = Date.now() + 10_000;
      const status = async () => (await harness.db.select({ status: smsMessages.status }).from(smsMessages).where(eq(smsMessages.id, smsId)))[0]!.status;
      while ((await status()) !== 'delivered' && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
      await receipts.settled();
      expect(smsc.accepted.filter((part) => part.destinationAddr === '442079460107')).toHaveLength(2);
      const events = await delivered();
      expect(events.map((e) => [e.type, e.data.smsId])).toEqual([
        ['sms.sent', smsId],
        ['sms.delivered', smsId],
      ]);
    } finally {
      await provider.stop();
      await smsc.close();
    }
  });
});

describe('sms.* event documentation', () => {
  it('describes every event type as emitted, in the API schema list and the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const type of WEBHOOK_EVENT_TYPE_NAMES) expect(readme).toContain(`| \`${type}\``);
    for (const failure of SMS_FAILURES) expect(readme).toContain(`\`${failure.name}\` (`);
    expect(readme).not.toMatch(/not yet emitted/i);
  });
});
