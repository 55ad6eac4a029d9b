// The kept counts of a campaign's numbers by status (src/store/number-status-counts.ts) after each statement that
// changes a number's status, compared with the numbers themselves: the claim, call results (finishCalls), the
// recovery of an interrupted call, the do-not-call screening, a postponed number that runs out of windows, the
// completion of a campaign's pending numbers and a client's cancel. Status changes are counted by these writers, not
// by a trigger (migration 0016), so a writer that forgets its count shows here. Likewise the kept counts of calls with a
// result (per outcome and per start minute: src/store/call-outcome-counts.ts, migration 0027) after the call results
// and the recoveries, the two statements that record a call's result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { BACKENDS } from '../helpers/backends.js';
import { rowsOf } from '../../src/store/repositories/rows.js';
import { DialerHarness, london, mobileNumbers } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CallStage, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { DialerStore, type CallResultRecord, type ClaimedNumber } from '../../src/store/repositories/dialer-store.js';
import { SuppressionRepository } from '../../src/store/repositories/suppression.js';
import { CampaignLifecycleRepository } from '../../src/store/repositories/campaign-lifecycle.js';
import { callOutcomeMinutes, campaignCallCounts, campaignNumberCounts, phoneNumbers } from '../../src/store/schema.js';
import { moveNumbers } from '../../src/store/number-status-counts.js';
import type { Db } from '../../src/store/database.js';

const WIDE = { maxConcurrentCalls: 1_000, maxCallsPerSecond: 1_000 };

describe.each(BACKENDS)('kept number counts on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  /** The kept counts and the numbers' own statuses, each as { status: count } without zeroes. */
  async function countsOf(campaignId: number): Promise<{ kept: Record<number, number>; counted: Record<number, number> }> {
    const kept: Record<number, number> = {};
    for (const row of await harness.db.select().from(campaignNumberCounts).where(eq(campaignNumberCounts.campaignId, campaignId))) {
      kept[row.status] = (kept[row.status] ?? 0) + row.numbers;
      if (kept[row.status] === 0) delete kept[row.status];
    }
    const counted: Record<number, number> = {};
    for (const row of await harness.db.select({ status: phoneNumbers.status }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId))) {
      counted[row.status] = (counted[row.status] ?? 0) + 1;
    }
    return { kept, counted };
  }
  async function expectKept(campaignId: number, expected: Record<number, number>) {
    const { kept, counted } = await countsOf(campaignId);
    expect(counted).toEqual(expected);
    expect(kept).toEqual(counted);
  }

  /** The kept call counts per outcome and per start minute against the calls rows with a result, counted. */
  async function expectCallCounts(campaignId: number, recordedCalls: number) {
    const kept = rowsOf<{ outcome: number; calls: number; price: number; seconds: number }>(
      await harness.db.execute(sql`
        select outcome, sum(calls)::int as calls, sum(price)::float8 as price, sum(seconds)::int as seconds from ${campaignCallCounts}
        where campaign_id = ${campaignId} group by outcome having sum(calls) <> 0 order by outcome`),
    );
    const counted = rowsOf<{ outcome: number; calls: number; price: number; seconds: number }>(
      await harness.db.execute(sql`
        select c.outcome, count(*)::int as calls, sum(c.price)::float8 as price, sum(c.seconds_duration)::int as seconds
        from calls c join phone_numbers p on p.id = c.phone_number_id
        where p.campaign_id = ${campaignId} and c.outcome <> ${CallOutcome.InProgress} group by c.outcome order by c.outcome`),
    );
    expect(counted.reduce((sum, row) => sum + row.calls, 0)).toBe(recordedCalls);
    expect(kept.map((row) => ({ ...row, price: Number(row.price.toFixed(4)) }))).toEqual(counted.map((row) => ({ ...row, price: Number(row.price.toFixed(4)) })));
    const minutes = rowsOf<{ calls: number }>(
      await harness.db.execute(sql`select coalesce(sum(calls), 0)::int as calls from ${callOutcomeMinutes} where campaign_id = ${campaignId}`),
    );
    expect(minutes[0]!.calls).toBe(recordedCalls);
  }

  function result(number: ClaimedNumber, endedAt: Date, next: CallResultRecord['next']): CallResultRecord {
    return {
      callId: number.callId,
      phoneNumberId: number.phoneNumberId,
      endedAt,
      stage: CallStage.FlowNotReached,
      outcome: next.status === NumberStatus.Pending ? CallOutcome.Busy : CallOutcome.Answered,
      userInput: '',
      price: 0.01,
      isTransferCall: false,
      secondsDuration: 3,
      answeredBy: null,
      voicemailLeft: false,
      endReason: 'test',
      sipCode: null,
      q850Cause: null,
      next,
    };
  }

  it('follows every writer of a number status', async () => {
    const date = '2027-08-02';
    const clock = new VirtualClock(london(date, '08:00'));
    const tenant = await harness.tenant();
    const body = { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }, { interval: 5 }], phoneNumbers: mobileNumbers(12, 40_000) };
    const campaignId = await harness.campaign(tenant, body, clock.now());
    await expectKept(campaignId, { [NumberStatus.Pending]: 12 });

    clock.set(london(date, '09:00'));
    const store = new DialerStore(harness.db, 'counts-a');
    await store.scheduleNewNumbers(campaignId, clock.now());
    const claim = (dialer: DialerStore, maxBatch: number, leaseMs = 60_000) =>
      dialer.claim({
        clock,
        leaseMs,
        carrier: 'counts',
        limits: { campaign: WIDE, client: WIDE, carrier: WIDE },
        callable: [{ campaignId, clientId: tenant.clientId, suppressionListIds: [] }],
        maxBatch,
      });
    const first = (await claim(store, 6)).numbers;
    expect(first).toHaveLength(6);
    await expectKept(campaignId, { [NumberStatus.Pending]: 6, [NumberStatus.Dialling]: 6 });

    // Results: two answered (Completed), two busy with a retry (Pending again), in one statement; two still dialling.
    const endedAt = clock.now();
    const retryAt = new Date(endedAt.getTime() + 300_000);
    const recorded = await store.finishCalls([
      result(first[0]!, endedAt, { status: NumberStatus.Answered, nextAttempt: 2, dueAt: null }),
      result(first[1]!, endedAt, { status: NumberStatus.Answered, nextAttempt: 2, dueAt: null }),
      result(first[2]!, endedAt, { status: NumberStatus.Pending, nextAttempt: 2, dueAt: retryAt }),
      result(first[3]!, endedAt, { status: NumberStatus.Pending, nextAttempt: 2, dueAt: retryAt }),
    ]);
    expect(recorded).toEqual([true, true, true, true]);
    // Recorded again (another process recovered them, say): nothing moves, nothing is counted.
    expect(await store.finishCalls([result(first[0]!, endedAt, { status: NumberStatus.Answered, nextAttempt: 2, dueAt: null })])).toEqual([false]);
    await expectKept(campaignId, { [NumberStatus.Pending]: 8, [NumberStatus.Dialling]: 2, [NumberStatus.Answered]: 2 });
    await expectCallCounts(campaignId, 4);

    // The other two were dialled by a process that died: their leases lapse and another process recovers them.
    clock.set(new Date(clock.now().getTime() + 120_000));
    const other = new DialerStore(harness.db, 'counts-b');
    const interrupted = await other.expiredLeases(clock.now());
    expect(interrupted).toHaveLength(2);
    expect(await other.recoverInterrupted(interrupted[0]!, clock.now(), { status: NumberStatus.Pending, nextAttempt: 2, dueAt: retryAt })).toBe(true);
    expect(await other.recoverInterrupted(interrupted[1]!, clock.now(), { status: NumberStatus.InvalidNumber, nextAttempt: 2, dueAt: null })).toBe(true);
    // Twice: the lease is no longer there to guard, nothing moves.
    expect(await other.recoverInterrupted(interrupted[1]!, clock.now(), { status: NumberStatus.InvalidNumber, nextAttempt: 2, dueAt: null })).toBe(false);
    await expectKept(campaignId, { [NumberStatus.Pending]: 9, [NumberStatus.InvalidNumber]: 1, [NumberStatus.Answered]: 2 });
    await expectCallCounts(campaignId, 6);

    // The do-not-call screening finishes a due number that went on the client's list; a postponed one runs out of windows.
    const compliance = store.complianceStore();
    const [listed] = await harness.db
      .select({ id: phoneNumbers.id, number: phoneNumbers.number })
      .from(phoneNumbers)
      .where(sql`${phoneNumbers.campaignId} = ${campaignId} and ${phoneNumbers.status} = ${NumberStatus.Pending} and ${phoneNumbers.nextAttempt} = 1`)
      .orderBy(phoneNumbers.id)
      .limit(1);
    const suppression = new SuppressionRepository(harness.db);
    const list = { kind: 'client' as const, clientId: tenant.clientId };
    await suppression.add(list, [listed!.number], 'api', null, clock.now());
    const listId = await suppression.listId(list);
    expect(await compliance.finishSuppressedDue(campaignId, [listId], clock.now())).toBe(1);
    const [postponed] = await harness.db
      .select({ id: phoneNumbers.id })
      .from(phoneNumbers)
      .where(sql`${phoneNumbers.campaignId} = ${campaignId} and ${phoneNumbers.status} = ${NumberStatus.Pending}`)
      .orderBy(phoneNumbers.id)
      .limit(1);
    await compliance.postpone(postponed!.id, { dueAt: new Date(clock.now().getTime() + 60_000) }, clock.now());
    await expectKept(campaignId, { [NumberStatus.Pending]: 8, [NumberStatus.Suppressed]: 1, [NumberStatus.InvalidNumber]: 1, [NumberStatus.Answered]: 2 });
    await compliance.postpone(postponed!.id, { status: NumberStatus.WindowsClosed, reason: 'no window left' }, clock.now());
    await expectKept(campaignId, { [NumberStatus.Pending]: 7, [NumberStatus.WindowsClosed]: 1, [NumberStatus.Suppressed]: 1, [NumberStatus.InvalidNumber]: 1, [NumberStatus.Answered]: 2 });

    // Lease renewals change no status; the campaign's end gives the pending numbers their final status.
    const renewing = (await claim(store, 2)).numbers;
    expect(await store.renewLeases(renewing.map((n) => n.phoneNumberId), new Date(clock.now().getTime() + 60_000))).toHaveLength(2);
    await expectKept(campaignId, { [NumberStatus.Pending]: 5, [NumberStatus.Dialling]: 2, [NumberStatus.WindowsClosed]: 1, [NumberStatus.Suppressed]: 1, [NumberStatus.InvalidNumber]: 1, [NumberStatus.Answered]: 2 });
    expect(await store.finishPendingNumbers(campaignId, NumberStatus.WindowsClosed)).toBe(5);
    await expectKept(campaignId, { [NumberStatus.Dialling]: 2, [NumberStatus.WindowsClosed]: 6, [NumberStatus.Suppressed]: 1, [NumberStatus.InvalidNumber]: 1, [NumberStatus.Answered]: 2 });
  });

  it("counts a client's cancel, and a retry of a cancelled campaign ends Cancelled in the counts too", async () => {
    const date = '2027-08-03';
    const clock = new VirtualClock(london(date, '08:00'));
    const tenant = await harness.tenant();
    const body = { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }, { interval: 5 }], phoneNumbers: mobileNumbers(5, 41_000) };
    const campaignId = await harness.campaign(tenant, body, clock.now());
    clock.set(london(date, '09:00'));
    const store = new DialerStore(harness.db, 'counts-c');
    await store.scheduleNewNumbers(campaignId, clock.now());
    const claimed = (
      await store.claim({
        clock,
        leaseMs: 60_000,
        carrier: 'counts',
        limits: { campaign: WIDE, client: WIDE, carrier: WIDE },
        callable: [{ campaignId, clientId: tenant.clientId, suppressionListIds: [] }],
        maxBatch: 2,
      })
    ).numbers;
    const lifecycle = new CampaignLifecycleRepository(harness.db);
    expect(await lifecycle.cancel(tenant.clientId, campaignId, [CampaignStatus.Scheduled, CampaignStatus.Running], clock.now())).toBe(true);
    await expectKept(campaignId, { [NumberStatus.Cancelled]: 3, [NumberStatus.Dialling]: 2 });
    const busy = (number: ClaimedNumber) => result(number, clock.now(), { status: NumberStatus.Pending, nextAttempt: 2, dueAt: new Date(clock.now().getTime() + 300_000) });
    expect(await store.finishCalls(claimed.map(busy))).toEqual([true, true]);
    await expectKept(campaignId, { [NumberStatus.Cancelled]: 5 });
  });

  // A transaction that moved numbers holds its counter rows until it commits; another moving the same campaign's
  // numbers in the meantime neither waits for it nor loses a count: it makes a counter row of its own.
  it.runIf(kind === 'postgres')('adds a move held up by no other transaction: a held counter row is left for a new one', async () => {
    const clock = new VirtualClock(london('2027-08-04', '08:00'));
    const tenant = await harness.tenant();
    const body = { startDate: '2027-08-05', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(10, 42_000) };
    const campaignId = await harness.campaign(tenant, body, clock.now());
    const ids = (await harness.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, campaignId)).orderBy(phoneNumbers.id)).map((r) => r.id);
    const holder = new pg.Client({ connectionString: harness.testDb.url });
    const other = new pg.Client({ connectionString: harness.testDb.url });
    await Promise.all([holder.connect(), other.connect()]);
    const move = (client: pg.Client, id: number) =>
      moveNumbers(drizzle(client) as unknown as Db, {
        from: NumberStatus.Pending,
        set: sql`status = ${NumberStatus.WindowsClosed}, due_at = null`,
        where: sql`${phoneNumbers.id} = ${id}`,
      });
    try {
      await holder.query('begin');
      expect(await move(holder, ids[0]!)).toBe(1);
      // Would wait for the holder (and fail here) if it needed the counter rows the holder's move went to.
      await other.query(`set statement_timeout = '3s'`);
      expect(await move(other, ids[1]!)).toBe(1);
      await holder.query('commit');
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await Promise.all([holder.end(), other.end()]);
    }
    const rows = await harness.db.select().from(campaignNumberCounts).where(eq(campaignNumberCounts.campaignId, campaignId));
    expect(rows.filter((row) => row.status === NumberStatus.WindowsClosed)).toHaveLength(2);
    await expectKept(campaignId, { [NumberStatus.Pending]: 8, [NumberStatus.WindowsClosed]: 2 });
  });
});
