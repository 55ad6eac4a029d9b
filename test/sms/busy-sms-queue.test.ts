// SMS on busy is queued by the call result that asks for it, in the same transaction (DialerStore.finishCalls): a
// result that is written leaves its text queued and leased to its dialer, which finds it with queuedFor and sends it;
// a result that is not written (another process recovered the number) leaves no text, so a crash can neither lose a
// text nor send one for a result that was never recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, london, mobileNumbers } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CallStage, NumberStatus } from '../../src/domain/enums.js';
import { DialerStore, type CallResultRecord, type ClaimedNumber } from '../../src/store/repositories/dialer-store.js';
import { smsMessages, smsOutbox } from '../../src/store/schema.js';

const WIDE = { maxConcurrentCalls: 100, maxCallsPerSecond: 100 };

describe.each(BACKENDS)('SMS on busy queued with its call result on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('queues the text only with a result that is written', async () => {
    const date = '2027-09-06';
    const clock = new VirtualClock(london(date, '08:00'));
    const tenant = await harness.tenant();
    const body = { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }, { interval: 5 }], phoneNumbers: mobileNumbers(2, 43_000) };
    const campaignId = await harness.campaign(tenant, body, clock.now());
    clock.set(london(date, '09:00'));
    const store = new DialerStore(harness.db, 'busy-sms');
    await store.scheduleNewNumbers(campaignId, clock.now());
    const claimed = (
      await store.claim({
        clock,
        leaseMs: 60_000,
        carrier: 'busy-sms',
        limits: { campaign: WIDE, client: WIDE, carrier: WIDE },
        callable: [{ campaignId, clientId: tenant.clientId, suppressionListIds: [] }],
        maxBatch: 2,
      })
    ).numbers;
    expect(claimed).toHaveLength(2);
    const busy = (number: ClaimedNumber, text: string): CallResultRecord => ({
      callId: number.callId,
      phoneNumberId: number.phoneNumberId,
      endedAt: clock.now(),
      stage: CallStage.FlowNotReached,
      outcome: CallOutcome.Busy,
      userInput: '',
      price: 0,
      isTransferCall: false,
      secondsDuration: 0,
      answeredBy: null,
      voicemailLeft: false,
      endReason: 'busy',
      sipCode: 486,
      q850Cause: 17,
      next: { status: NumberStatus.Pending, nextAttempt: 2, dueAt: new Date(clock.now().getTime() + 300_000) },
      sms: {
        attemptNumber: number.attemptNumber,
        sentAt: clock.now(),
        text,
        parts: 1,
        encoding: 'GSM-7',
        to: number.number,
        from: '+442079460999',
        leaseUntil: new Date(clock.now().getTime() + 300_000),
      },
    });
    const [first, second] = claimed as [ClaimedNumber, ClaimedNumber];
    // The second number is no longer this dialer's (another process recovered it): its result and text are refused.
    const other = new DialerStore(harness.db, 'someone-else');
    const stolen = { ...busy(second, 'never queued'), callId: second.callId };
    expect(await other.finishCalls([stolen])).toEqual([false]);
    expect(await store.finishCalls([busy(first, 'Sorry we missed you')])).toEqual([true]);

    const texts = await harness.db
      .select({ id: smsMessages.id, phoneNumberId: smsMessages.phoneNumberId, text: smsMessages.text, status: smsMessages.status })
      .from(smsMessages)
      .where(inArray(smsMessages.phoneNumberId, [first.phoneNumberId, second.phoneNumberId]));
    expect(texts).toEqual([{ id: expect.any(Number), phoneNumberId: first.phoneNumberId, text: 'Sorry we missed you', status: 'queued' }]);
    const [leased] = await harness.db.select().from(smsOutbox).where(eq(smsOutbox.smsMessageId, texts[0]!.id));
    expect(leased).toMatchObject({ leaseOwner: 'busy-sms' });
    // What the dialer sends once its result is written: the text its result queued, and no other's.
    const outbox = store.smsOutbox();
    expect(await outbox.queuedFor(first.phoneNumberId, first.attemptNumber, 'busy-sms')).toEqual([texts[0]!.id]);
    expect(await outbox.queuedFor(first.phoneNumberId, first.attemptNumber, 'someone-else')).toEqual([]);
    expect(await outbox.queuedFor(second.phoneNumberId, second.attemptNumber, 'busy-sms')).toEqual([]);
  });
});
