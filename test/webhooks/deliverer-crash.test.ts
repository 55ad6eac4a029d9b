// kill -9 of a process delivering webhooks mid-batch (PostgreSQL, real `ringcast dialer` processes, which run a
// deliverer whatever their role): its leases expire, another process sends what it left, every event arrives, in
// order per number, and an event is received twice only if it was in flight when the process died (at least once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/backends.js';
import { createOpenClient, spawnRingcast, waitFor, type RingcastProcess } from '../helpers/processes.js';
import { WebhookRepository } from '../../src/store/repositories/webhooks.js';
import { outboxInsert } from '../../src/webhooks/outbox.js';
import { startReceiver, type Receiver } from './receiver.js';

const EVENTS = 300;
const NUMBERS = 30;
const ENV = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_LEASE_S: '5', WEBHOOK_BATCH_SIZE: '20', WEBHOOK_POLL_MS: '50' };

describe.skipIf(!TEST_DATABASE_URL)('webhook deliverer processes on PostgreSQL', () => {
  let testDb: TestDatabase;
  let receiver: Receiver;
  const processes: RingcastProcess[] = [];
  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await receiver?.close();
    await testDb?.dispose();
  });

  it('SIGKILL mid-batch: every event arrives, in order per number, duplicates only for what was in flight', async () => {
    const db = testDb.database.db;
    const client = await createOpenClient(db, 'Webhook crash client');
    const webhooks = new WebhookRepository(db);
    const endpoint = await webhooks.create(client.clientId, { url: receiver.url, events: ['number.completed'], description: '' }, 'whsec_crash', new Date());
    receiver.secrets = [endpoint.secret];
    const now = new Date();
    for (let i = 0; i < EVENTS; i++) {
      await db.execute(outboxInsert({ type: 'number.completed', clientId: client.clientId, subject: { seq: i, numberId: i % NUMBERS }, numberId: i % NUMBERS, now }));
    }
    receiver.answer = () => ({ status: 200, delayMs: 20 });

    const victim = spawnRingcast('dialer', { DATABASE_URL: testDb.url!, ...ENV });
    processes.push(victim);
    // Generous: the child compiles the server with tsx first, slow on a loaded machine.
    await waitFor('the first deliveries', async () => receiver.received.length >= 40 || victim.child.exitCode !== null, 120_000, 20);
    expect(victim.child.exitCode, victim.output()).toBeNull();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedAtMs = Date.now();
    const pendingAtKill = await webhooks.pendingCount();
    expect(pendingAtKill).toBeGreaterThan(0);

    const rescuer = spawnRingcast('dialer', { DATABASE_URL: testDb.url!, ...ENV });
    processes.push(rescuer);
    await waitFor('every delivery recorded', async () => (await webhooks.pendingCount()) === 0, 90_000, 200);
    rescuer.child.kill('SIGTERM');
    await rescuer.exited;

    const seqs = receiver.received.map((r) => r.event.data.seq as number);
    expect(new Set(seqs).size).toBe(EVENTS);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    // A second receipt only for an event first received before the kill (in flight, its 2xx not yet recorded).
    const firstAt = new Map<number, number>();
    for (const r of receiver.received) {
      const seq = r.event.data.seq as number;
      if (firstAt.has(seq)) expect(firstAt.get(seq)!).toBeLessThan(killedAtMs);
      else firstAt.set(seq, r.atMs);
    }
    expect(seqs.length - EVENTS).toBeLessThanOrEqual(Number(ENV.WEBHOOK_BATCH_SIZE));
    // In order per number: first receipts of one number's events follow the order they were written.
    const firstSeqs = [...firstAt.keys()];
    for (let n = 0; n < NUMBERS; n++) {
      const mine = firstSeqs.filter((seq) => seq % NUMBERS === n);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    const delivered = await db.execute(sql`select count(*)::int as n from webhook_deliveries where state = 1`);
    expect(Number((delivered as unknown as { rows: { n: number }[] }).rows[0]!.n)).toBe(EVENTS);
  }, 300_000);
});
