// A call's result is written over its row in place (migrations/0029: the calls table leaves room on each page for its
// rows' updated versions). The result changes no indexed column, so an update that stays on the row's page is a
// heap-only tuple: no new entry in any of the table's indexes. With full pages each result moved its row to another
// page and added an entry to all three indexes (3 of the 13 index entries of a zero-talk-time attempt, pg_waldump).
// Here a batch of claimed calls is recorded with results as long as real ones, and every row must still be on the page
// the claim wrote it to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, london, mobileNumbers } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CallStage, NumberStatus } from '../../src/domain/enums.js';
import { DialerStore, type ClaimedNumber } from '../../src/store/repositories/dialer-store.js';
import { rowsOf } from '../../src/store/repositories/rows.js';

const WIDE = { maxConcurrentCalls: 1_000, maxCallsPerSecond: 1_000 };
const CALLS = 300;

describe.each(BACKENDS)('call results on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  /** The page (block number) each call row's current version is on, by call id. */
  async function pagesOf(callIds: readonly number[]): Promise<Map<number, number>> {
    const rows = rowsOf<{ id: string | number; page: string | number }>(
      await harness.db.execute(sql`select id, (ctid::text::point)[0]::int as page from calls where id = any(${sql.param([...callIds])}::bigint[])`),
    );
    return new Map(rows.map((row) => [Number(row.id), Number(row.page)]));
  }

  it('are written on the page the claim wrote the call to', async () => {
    const date = '2027-09-06';
    const clock = new VirtualClock(london(date, '08:00'));
    const tenant = await harness.tenant();
    const body = { startDate: date, startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(CALLS, 52_000) };
    const campaignId = await harness.campaign(tenant, body, clock.now());
    clock.set(london(date, '09:00'));
    const store = new DialerStore(harness.db, 'in-place');
    const { numbers } = await store.claim({
      clock,
      leaseMs: 60_000,
      carrier: 'in-place',
      limits: { campaign: WIDE, client: WIDE, carrier: WIDE },
      callable: [{ campaignId, clientId: tenant.clientId, suppressionListIds: [] }],
      maxBatch: CALLS,
    });
    expect(numbers).toHaveLength(CALLS);
    const callIds = numbers.map((number) => number.callId);
    const before = await pagesOf(callIds);

    clock.advanceMs(95_000);
    const answered = (number: ClaimedNumber) => ({
      callId: number.callId,
      phoneNumberId: number.phoneNumberId,
      endedAt: clock.now(),
      stage: CallStage.FlowNotReached,
      outcome: CallOutcome.Answered,
      userInput: '1#2#',
      price: 0.0425,
      isTransferCall: false,
      secondsDuration: 85,
      answeredBy: 'human',
      voicemailLeft: false,
      endReason: 'the callee hung up after the last step (BYE received)',
      sipCode: 200,
      q850Cause: 16,
      firstAudioMs: 420,
      next: { status: NumberStatus.Answered, nextAttempt: 1, dueAt: null },
    });
    expect(await store.finishCalls(numbers.map(answered))).toEqual(Array(CALLS).fill(true));

    const after = await pagesOf(callIds);
    const moved = callIds.filter((id) => after.get(id) !== before.get(id));
    expect(moved).toEqual([]);
    // And the results are there (the rows were updated, not left as the claim wrote them).
    const [recorded] = rowsOf<{ answered: string | number }>(
      await harness.db.execute(sql`select count(*) as answered from calls where id = any(${sql.param(callIds)}::bigint[]) and outcome = ${CallOutcome.Answered} and end_time is not null`),
    );
    expect(Number(recorded!.answered)).toBe(CALLS);
  });
});
