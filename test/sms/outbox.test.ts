// The SMS outbox: a text queued by a process that died before the provider's answer was written is sent by another
// process's sender after the lease, once; two senders racing for the same texts send each one once
// (FOR UPDATE SKIP LOCKED); a text whose answer was written is never sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, testNumber } from '../helpers/dialer-harness.js';
import { ManualClock } from '../../src/domain/clock.js';
import { SimulatedSmsProvider } from '../../src/sms/simulated-sms.js';
import { SmsOutboxSender } from '../../src/sms/outbox.js';
import { SmsOutboxRepository } from '../../src/store/repositories/sms-outbox.js';
import { phoneNumbers, smsMessages, smsOutbox } from '../../src/store/schema.js';

describe.each(BACKENDS)('SMS outbox on $kind', ({ kind }) => {
  let harness: DialerHarness;
  let phoneNumberId: number;
  const clock = new ManualClock(new Date('2027-07-01T09:00:00Z'));
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
    const tenant = await harness.tenant({ smsText: 'Hi' });
    const campaignId = await harness.campaign(
      tenant,
      { startDate: '2027-07-02', startTime: '09:00', finishTime: '12:00', attempts: [{ interval: 0 }], phoneNumbers: [{ number: testNumber('0001') }] },
      clock.now(),
    );
    const [row] = await harness.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId));
    phoneNumberId = row!.id;
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  const queue = (outbox: SmsOutboxRepository, text: string, owner: string, leaseUntil: Date) =>
    outbox.queue({ phoneNumberId, attemptNumber: 1, sentAt: clock.now(), text, parts: 1, encoding: 'GSM-7', to: '+442079460001', from: '+442079460999', owner, leaseUntil });

  it("sends a dead process's text after its lease, once, and never a text whose answer was written", async () => {
    const outbox = new SmsOutboxRepository(harness.db);
    const orphan = await queue(outbox, 'orphaned text', 'dead-process', new Date(clock.now().getTime() + 60_000));
    const done = await queue(outbox, 'handed over text', 'live-process', new Date(clock.now().getTime() + 60_000));
    expect(await outbox.handOver(done, { status: 'sent', providerId: 'x-1' }, 'simulated-sms', clock.now())).toBe(true);

    const provider = new SimulatedSmsProvider();
    const sender = new SmsOutboxSender({ outbox, provider, owner: 'other-process', clock });
    expect(await sender.round()).toBe(0); // the lease still runs
    clock.advanceMs(61_000);
    expect(await sender.round()).toBe(1);
    expect(await sender.round()).toBe(0);
    expect(provider.sent.map((m) => m.text)).toEqual(['orphaned text']);
    const [row] = await harness.db.select().from(smsMessages).where(eq(smsMessages.id, orphan));
    expect(row).toMatchObject({ status: 'sent', providerId: provider.sent[0]!.providerId });
    expect(await outbox.waiting()).toBe(0);
    // The dead process wakes up late: its handOver finds the row gone and writes nothing.
    expect(await outbox.handOver(orphan, { status: 'failed', reason: 'late' }, 'simulated-sms', clock.now())).toBe(false);
    const [after] = await harness.db.select().from(smsMessages).where(eq(smsMessages.id, orphan));
    expect(after!.status).toBe('sent');
  });

  it('two senders racing for 40 expired texts send each exactly once', async () => {
    const outbox = new SmsOutboxRepository(harness.db);
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push(await queue(outbox, `race ${i}`, 'dead', clock.now()));
    clock.advanceMs(1000);
    const providers = [new SimulatedSmsProvider({ idPrefix: 'a' }), new SimulatedSmsProvider({ idPrefix: 'b' })];
    const senders = providers.map((provider, i) => new SmsOutboxSender({ outbox, provider, owner: `sender-${i}`, clock, batch: 7 }));
    for (let round = 0; round < 10; round++) await Promise.all(senders.map((sender) => sender.round()));
    const texts = providers.flatMap((p) => p.sent.map((m) => m.text)).sort();
    expect(texts).toEqual(ids.map((_, i) => `race ${i}`).sort());
    expect(await harness.db.select().from(smsOutbox)).toEqual([]);
  });
});
