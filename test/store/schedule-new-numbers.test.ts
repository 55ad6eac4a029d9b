// Scheduling a campaign's new numbers (DialerStore.scheduleNewNumbers) is done by one dialer process at a time: a
// process that finds another scheduling the same campaign skips it for this pass instead of waiting on the rows the
// other is updating (and serving none of its other campaigns while it waits). PostgreSQL only: PGlite has one session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import pg from 'pg';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, london, mobileNumbers } from '../helpers/dialer-harness.js';
import { DialerStore, SCHEDULE_LOCK_NAMESPACE } from '../../src/store/repositories/dialer-store.js';
import { phoneNumbers } from '../../src/store/schema.js';

describe.skipIf(!BACKENDS.some((backend) => backend.kind === 'postgres'))('scheduleNewNumbers across processes', () => {
  let harness: DialerHarness;
  let other: pg.Client;
  beforeAll(async () => {
    harness = await DialerHarness.open('postgres');
    other = new pg.Client({ connectionString: harness.testDb.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await harness?.dispose();
  });

  it('skips a campaign another process is scheduling, without waiting for it, and schedules it once that one is done', async () => {
    const date = '2027-08-02';
    const tenant = await harness.tenant();
    const body = { startDate: date, startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }], phoneNumbers: mobileNumbers(20, 70_000) };
    const campaignId = await harness.campaign(tenant, body, london(date, '08:00'));
    const unscheduled = async () =>
      (await harness.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(and(eq(phoneNumbers.campaignId, campaignId), isNull(phoneNumbers.dueAt)))).length;
    const store = new DialerStore(harness.db, 'schedule-b');
    // Numbers stored without a first due time, as before the create wrote one with each number.
    expect(await unscheduled()).toBe(0);
    await other.query('update phone_numbers set due_at = null where campaign_id = $1', [campaignId]);
    expect(await unscheduled()).toBe(20);

    // The other process: its scheduling transaction has taken the campaign and updated its numbers, not yet committed.
    await other.query('begin');
    const [{ locked }] = (await other.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1, $2) as locked', [SCHEDULE_LOCK_NAMESPACE, campaignId])).rows as [{ locked: boolean }];
    expect(locked).toBe(true);
    await other.query('update phone_numbers set due_at = $1 where campaign_id = $2 and due_at is null', [london(date, '09:00'), campaignId]);

    const started = Date.now();
    await store.scheduleNewNumbers(campaignId, london(date, '09:00'));
    // Back at once, not after the other's commit (which comes only after this returns).
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await unscheduled()).toBe(20);

    await other.query('rollback');
    await store.scheduleNewNumbers(campaignId, london(date, '09:00'));
    expect(await unscheduled()).toBe(0);
  });
});
