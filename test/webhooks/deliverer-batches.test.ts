// The deliverer's running loop with several posts in flight to one endpoint, and the batch record: order per number
// holds however answers overtake each other (a retried event holds back the later ones of its number), and a batch
// recorded late by a process whose leases were taken over writes nothing for what it lost.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { createOpenClient, waitFor } from '../helpers/processes.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { loadSettings } from '../../src/config/settings.js';
import { WebhookRepository, type AttemptRecord } from '../../src/store/repositories/webhooks.js';
import { WebhookDeliverer } from '../../src/webhooks/deliverer.js';
import { outboxInsert } from '../../src/webhooks/outbox.js';
import { DeliveryState } from '../../src/webhooks/event-types.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../src/store/schema.js';
import { startReceiver, type Receiver } from './receiver.js';

const NOW = new Date('2026-11-26T10:00:00.000Z');

describe.each(BACKENDS)('webhook deliverer batches on $kind', ({ kind }) => {
  let testDb: TestDatabase;
  let receiver: Receiver;
  let clientId: number;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    receiver = await startReceiver();
    clientId = (await createOpenClient(testDb.database.db, 'Batches client')).clientId;
  });
  afterAll(async () => {
    await receiver?.close();
    await testDb?.dispose();
  });
  afterEach(async () => {
    const db = testDb.database.db;
    await db.delete(webhookDeliveries);
    await db.delete(webhookEndpoints);
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 200 });
  });

  const endpoint = async () => {
    const created = await new WebhookRepository(testDb.database.db).create(clientId, { url: receiver.url, events: ['number.completed'], description: '' }, 'whsec_batches', NOW);
    receiver.secrets = [created.secret];
    return created;
  };
  /** `count` events, numbers 0..numbers-1 in turn; subject.seq is the write order. */
  const writeEvents = async (count: number, numbers: number) => {
    for (let seq = 0; seq < count; seq++) {
      await testDb.database.db.execute(outboxInsert({ type: 'number.completed', clientId, subject: { seq, numberId: seq % numbers }, numberId: seq % numbers, now: NOW }));
    }
  };

  it('keeps several posts in flight to one endpoint and still delivers each number in order, a retry holding back its number', async () => {
    const EVENTS = 120;
    const NUMBERS = 12;
    const HELD_SEQ = 15; // number 3's second event: answered 500 once
    await endpoint();
    await writeEvents(EVENTS, NUMBERS);
    const clock = new VirtualClock(NOW);
    let refused = false;
    // Answers come back out of order: each waits 5-40 ms depending on the event.
    receiver.answer = ({ event }) => {
      const seq = event.data.seq as number;
      if (seq === HELD_SEQ && !refused) {
        refused = true;
        return { status: 500 };
      }
      return { status: 200, delayMs: 5 + ((seq * 7) % 36) };
    };
    const settings = loadSettings({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_BATCH_SIZE: '10', WEBHOOK_POLL_MS: '50' });
    const deliverer = new WebhookDeliverer({ db: testDb.database.db, settings, clock, random: () => 0 });
    const webhooks = new WebhookRepository(testDb.database.db);
    const held = Array.from({ length: EVENTS }, (_, seq) => seq).filter((seq) => seq % NUMBERS === HELD_SEQ % NUMBERS && seq >= HELD_SEQ).length;
    // The loop sleeps on the virtual clock when it finds nothing to claim: each probe moves it on a little (the
    // refused event's retry is 15 s away with random 0).
    const probe = (done: () => Promise<boolean>, stepMs: number) => async () => {
      clock.advanceMs(stepMs);
      return done();
    };
    deliverer.start();
    try {
      // Everything but the held number's events from the refused one on; those wait for its retry.
      await waitFor('all but the held number', probe(async () => (await webhooks.pendingCount()) === held, 10), 60_000, 20);
      const beforeRetry = receiver.received.filter((r) => (r.event.data.numberId as number) === HELD_SEQ % NUMBERS).map((r) => r.event.data.seq as number);
      expect(beforeRetry).toEqual([HELD_SEQ - NUMBERS, HELD_SEQ]);
      clock.advanceMs(15_000);
      await waitFor('every event delivered', probe(async () => (await webhooks.pendingCount()) === 0, 100), 60_000, 20);
    } finally {
      await deliverer.stop();
    }
    // Once each, and the 500 once more.
    const seqs = receiver.received.map((r) => r.event.data.seq as number);
    expect(seqs).toHaveLength(EVENTS + 1);
    expect(new Set(seqs).size).toBe(EVENTS);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const delayOf = (seq: number) => 5 + ((seq * 7) % 36);
    for (let n = 0; n < NUMBERS; n++) {
      const mine = receiver.received.filter((r) => r.status === 200 && (r.event.data.numberId as number) === n).map((r) => r.event.data.seq as number);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
      // Nothing of a number arrives before the previous one of that number was answered.
      const arrivals = receiver.received.filter((r) => (r.event.data.numberId as number) === n);
      for (let i = 1; i < arrivals.length; i++) {
        const previous = arrivals[i - 1]!;
        const answeredAtMs = previous.atMs + (previous.status === 200 ? delayOf(previous.event.data.seq as number) : 0);
        expect(arrivals[i]!.atMs).toBeGreaterThanOrEqual(answeredAtMs);
      }
    }
    // Several in flight at once to the one endpoint: a request arrived while another was still waiting for its answer.
    const spans = receiver.received.filter((r) => r.status === 200).map((r) => ({ from: r.atMs, to: r.atMs + delayOf(r.event.data.seq as number) }));
    const mostAtOnce = Math.max(...spans.map((a) => spans.filter((b) => b.from <= a.from && a.from < b.to).length));
    expect(mostAtOnce).toBeGreaterThan(1);
  }, 120_000);

  it('a batch recorded late, after its leases were taken over, writes nothing for the deliveries it lost', async () => {
    const db = testDb.database.db;
    const created = await endpoint();
    await writeEvents(4, 4);
    const webhooks = new WebhookRepository(db);
    // Process A claims all four and is stopped (crashed, hung) before recording; its leases run out.
    const claimedByA = await webhooks.claim('a', NOW, new Date(NOW.getTime() + 5_000), 10);
    expect(claimedByA).toHaveLength(4);
    const later = new Date(NOW.getTime() + 6_000);
    // Process B takes over two of them, sends them and records them delivered.
    const claimedByB = await webhooks.claim('b', later, new Date(later.getTime() + 5_000), 2);
    expect(claimedByB.map((d) => d.id)).toEqual(claimedByA.slice(0, 2).map((d) => d.id));
    const record = (leasedBy: string, deliveryId: number, state: DeliveryState, statusCode: number, at: Date): AttemptRecord => ({
      deliveryId,
      endpointId: created.id,
      leasedBy,
      attemptedAt: at,
      body: `{"seq":${deliveryId}}`,
      statusCode,
      latencyMs: 3,
      error: statusCode >= 300 ? `HTTP ${statusCode}` : null,
      state,
      nextRetryAt: state === DeliveryState.Pending ? new Date(at.getTime() + 30_000) : null,
    });
    const recordedByB = await webhooks.recordAttempts(claimedByB.map((d) => record('b', d.id, DeliveryState.Delivered, 200, later)));
    expect([...recordedByB].sort()).toEqual(claimedByB.map((d) => d.id).sort());
    // A comes back and records its whole batch as failed (500, retry): only the two it still holds are written.
    const recordedByA = await webhooks.recordAttempts(claimedByA.map((d) => record('a', d.id, DeliveryState.Pending, 500, NOW)));
    expect([...recordedByA].sort()).toEqual(claimedByA.slice(2).map((d) => d.id).sort());
    const rows = await db.select().from(webhookDeliveries).orderBy(webhookDeliveries.id);
    expect(rows.map((r) => r.state)).toEqual([DeliveryState.Delivered, DeliveryState.Delivered, DeliveryState.Pending, DeliveryState.Pending]);
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
    expect(rows.every((r) => r.leasedBy === null)).toBe(true);
    const attempts = await db.select().from(webhookAttempts).orderBy(webhookAttempts.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([200, 200, 500, 500]);
    // The endpoint's failure run counts A's two recorded failures, not the four it sent.
    const [after] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(after).toMatchObject({ consecutiveFailures: 2, failingSince: NOW, enabled: true });
  });

  it('keeps the failure run in the order answers came: a 2xx ends it; a disable reason disables the endpoint', async () => {
    const db = testDb.database.db;
    const created = await endpoint();
    await writeEvents(4, 4);
    const webhooks = new WebhookRepository(db);
    const claimed = await webhooks.claim('p', NOW, new Date(NOW.getTime() + 60_000), 10);
    const at = (s: number) => new Date(NOW.getTime() + s * 1000);
    const outcomes: [DeliveryState, number][] = [
      [DeliveryState.Pending, 503],
      [DeliveryState.Pending, 503],
      [DeliveryState.Delivered, 200],
      [DeliveryState.Failed, 410],
    ];
    await webhooks.recordAttempts(
      claimed.map((d, i) => ({
        deliveryId: d.id,
        endpointId: created.id,
        leasedBy: 'p',
        attemptedAt: at(i),
        body: null,
        statusCode: outcomes[i]![1],
        latencyMs: 1,
        error: null,
        state: outcomes[i]![0],
        nextRetryAt: outcomes[i]![0] === DeliveryState.Pending ? at(60) : null,
      })),
    );
    let [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(row).toMatchObject({ consecutiveFailures: 1, failingSince: at(3), enabled: true });
    // A retried delivery fails again, with the deliverer's decision to disable the endpoint.
    const retry = await webhooks.claim('p', at(61), at(120), 1);
    expect(retry).toHaveLength(1);
    await webhooks.recordAttempts([
      { deliveryId: retry[0]!.id, endpointId: created.id, leasedBy: 'p', attemptedAt: at(61), body: null, statusCode: 503, latencyMs: 1, error: 'HTTP 503', state: DeliveryState.Pending, nextRetryAt: at(120), disableReason: 'too many failures' },
    ]);
    [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(row).toMatchObject({ consecutiveFailures: 2, failingSince: at(3), enabled: false, disabledReason: 'too many failures', disabledAt: at(61) });
    // Bodies given as null keep what the delivery holds (none here: never rendered by this test).
    const bodies = await db.execute(sql`select count(*)::int as n from webhook_deliveries where body is not null`);
    expect(Number((bodies as unknown as { rows: { n: number }[] }).rows[0]!.n)).toBe(0);
  });
});
