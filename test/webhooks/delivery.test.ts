// Webhooks end to end on one app: endpoints through the API, events written by real status changes, delivered by the
// deliverer to a real HTTP receiver on loopback (down, slow, 500 then 200, 4xx, 429), signed, logged, redelivered.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from './receiver.js';
import { WebhookDeliverer } from '../../src/webhooks/deliverer.js';
import { CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { phoneNumbers, webhookDeliveries } from '../../src/store/schema.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import { SuppressionRepository } from '../../src/store/repositories/suppression.js';
import { eq } from 'drizzle-orm';
import { WEBHOOK_API_VERSION } from '../../src/webhooks/event-types.js';

describe.each(BACKENDS)('webhook delivery on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let receiver: Receiver;
  let deliverer: WebhookDeliverer;
  /** What the deliverer told its onFailedAttempt (the metrics' failure counter), since the test began. */
  const failures: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(kind, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_TIMEOUT_MS: '300' });
    tenant = await t.createTenant();
    receiver = await startReceiver();
    deliverer = new WebhookDeliverer({ db: t.db.database.db, settings: t.app.services.settings, clock: t.clock, random: () => 0, onFailedAttempt: (reason) => failures.push(reason) });
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });
  afterEach(async () => {
    // Each test starts with an empty outbox and a fresh endpoint list.
    failures.length = 0;
    await t.db.database.db.delete(webhookDeliveries);
    for (const endpoint of (await t.app.services.webhooks.list(tenant.clientId))) await t.app.services.webhooks.delete(endpoint.id, tenant.clientId);
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 200 });
  });

  const register = async (events = ['campaign.status_changed']) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/webhooks', headers: tenant.headers, payload: { url: receiver.url, events, description: 'test' } });
    expect(response.statusCode).toBe(201);
    const body = response.json() as { id: number; secret: string };
    receiver.secrets = [body.secret];
    return body;
  };
  const createCampaign = async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/campaigns/voice', headers: tenant.headers, payload: validCampaign(tenant) });
    expect(response.statusCode).toBe(201);
    return response.json().id as number;
  };
  const act = (id: number, action: string) => t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${id}/${action}`, headers: tenant.headers });
  const log = async (endpointId: number) =>
    (await t.app.inject({ method: 'GET', url: `/api/webhooks/${endpointId}/deliveries`, headers: tenant.headers })).json().items as {
      eventId: string;
      state: string;
      attempts: number;
      nextRetryAt: string | null;
      attemptLog: { statusCode: number | null; error: string | null; latencyMs: number }[];
    }[];
  const advance = (seconds: number) => t.clock.set(new Date(t.clock.now().getTime() + seconds * 1000));

  it('shows the secret once, lists, updates and refuses a private URL without the setting', async () => {
    const created = await register();
    expect(created.secret).toMatch(/^whsec_/);
    const shown = await t.app.inject({ method: 'GET', url: `/api/webhooks/${created.id}`, headers: tenant.headers });
    expect(shown.json()).not.toHaveProperty('secret');
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/webhooks/${created.id}`, headers: tenant.headers, payload: { events: ['call.completed', 'number.completed'] } });
    expect(patched.json().events).toEqual(['call.completed', 'number.completed']);
    const bad = await t.app.inject({ method: 'POST', url: '/api/webhooks', headers: tenant.headers, payload: { url: receiver.url, events: ['nope'] } });
    expect(bad.statusCode).toBe(400);
    const other = await t.createTenant();
    expect((await t.app.inject({ method: 'GET', url: `/api/webhooks/${created.id}`, headers: other.headers })).statusCode).toBe(404);
  });

  it('delivers a campaign.status_changed event, signed, in the documented shape', async () => {
    await register();
    const id = await createCampaign();
    expect((await act(id, 'pause')).statusCode).toBe(200);
    expect(await deliverer.deliverDue()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.verified).toBe(true);
    expect(got!.event).toMatchObject({
      type: 'campaign.status_changed',
      apiVersion: WEBHOOK_API_VERSION,
      createdAt: t.clock.now().toISOString(),
      data: { campaignId: id, campaignStatus: CampaignStatus.Paused, previousCampaignStatus: CampaignStatus.Scheduled },
    });
    expect(got!.event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await deliverer.deliverDue()).toBe(0);
  });

  it('writes nothing for a client without a subscribed endpoint', async () => {
    await register(['call.completed']);
    const id = await createCampaign();
    await act(id, 'pause');
    expect(await t.app.services.webhooks.pendingCount()).toBe(0);
  });

  it('retries a 500 with backoff and delivers the same event on the 200; the log shows both attempts', async () => {
    const endpoint = await register();
    let calls = 0;
    receiver.answer = () => ({ status: ++calls === 1 ? 500 : 200 });
    const id = await createCampaign();
    await act(id, 'pause');
    await deliverer.deliverDue();
    let entries = await log(endpoint.id);
    expect(entries[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(entries[0]!.nextRetryAt).toBe(new Date(t.clock.now().getTime() + 15_000).toISOString());
    expect(await deliverer.deliverDue()).toBe(0); // not due yet
    advance(15);
    await deliverer.deliverDue();
    entries = await log(endpoint.id);
    expect(entries[0]).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(entries[0]!.attemptLog.map((a) => a.statusCode)).toEqual([500, 200]);
    expect(receiver.received.map((r) => r.event.id)).toEqual([entries[0]!.eventId, entries[0]!.eventId]);
    expect(receiver.received[0]!.body).toBe(receiver.received[1]!.body);
    expect(failures).toEqual(['status']);
  });

  it('does not retry a 4xx other than 408/429; redeliver sends it again', async () => {
    const endpoint = await register();
    receiver.answer = () => ({ status: 410 });
    await act(await createCampaign(), 'pause');
    await deliverer.deliverDue();
    const [entry] = await log(endpoint.id);
    expect(entry).toMatchObject({ state: 'failed', attempts: 1, nextRetryAt: null });
    advance(3600);
    expect(await deliverer.deliverDue()).toBe(0);
    receiver.answer = () => ({ status: 204 });
    const redeliver = await t.app.inject({ method: 'POST', url: `/api/webhooks/${endpoint.id}/deliveries/${entry!.eventId}/redeliver`, headers: tenant.headers });
    expect(redeliver.statusCode).toBe(202);
    await deliverer.deliverDue();
    expect((await log(endpoint.id))[0]).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('honours Retry-After on a 429', async () => {
    const endpoint = await register();
    receiver.answer = () => ({ status: 429, headers: { 'retry-after': '120' } });
    await act(await createCampaign(), 'pause');
    await deliverer.deliverDue();
    expect((await log(endpoint.id))[0]!.nextRetryAt).toBe(new Date(t.clock.now().getTime() + 120_000).toISOString());
  });

  it('counts a slow receiver as a timeout and a receiver that is down as a connection error; both retried until it is up', async () => {
    const endpoint = await register();
    receiver.answer = () => 'hang';
    await act(await createCampaign(), 'pause');
    await deliverer.deliverDue();
    expect((await log(endpoint.id))[0]!.attemptLog[0]).toMatchObject({ statusCode: null, error: 'timeout' });
    await receiver.stopListening();
    advance(60);
    await deliverer.deliverDue();
    const down = (await log(endpoint.id))[0]!;
    expect(down.state).toBe('pending');
    expect(down.attemptLog[1]!.error).toMatch(/^network: /);
    await receiver.listen();
    receiver.answer = () => ({ status: 200 });
    advance(3600);
    await deliverer.deliverDue();
    expect((await log(endpoint.id))[0]).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(failures).toEqual(['timeout', 'network']);
  });

  it('signs with both secrets during a rotation overlap, then with the new one only', async () => {
    const endpoint = await register();
    const rotated = await t.app.inject({ method: 'POST', url: `/api/webhooks/${endpoint.id}/rotate-secret?overlapSeconds=600`, headers: tenant.headers });
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().secret as string;
    const id = await createCampaign();
    await act(id, 'pause');
    await deliverer.deliverDue();
    expect(receiver.received[0]!.signature.match(/v1=/g)).toHaveLength(2);
    receiver.secrets = [newSecret];
    expect(receiver.received[0]!.verified).toBe(true);
    advance(601);
    await act(id, 'resume');
    await deliverer.deliverDue();
    expect(receiver.received[1]!.signature.match(/v1=/g)).toHaveLength(1);
    expect(receiver.received[1]!.verified).toBe(true);
  });

  it('sends number.completed for the numbers a cancel finishes, with the campaign.status_changed', async () => {
    await register(['campaign.status_changed', 'number.completed']);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: tenant.headers,
      payload: validCampaign(tenant, { phoneNumbers: [{ number: '07722123456' }, { number: '07722123457' }] }),
    });
    const id = response.json().id as number;
    await act(id, 'cancel');
    while ((await deliverer.deliverDue()) > 0);
    const events = receiver.received.map((r) => r.event);
    expect(events.filter((e) => e.type === 'campaign.status_changed').map((e) => e.data.campaignStatus)).toEqual([CampaignStatus.Cancelled]);
    const numbers = events.filter((e) => e.type === 'number.completed');
    expect(numbers).toHaveLength(2);
    for (const event of numbers) expect(event.data).toMatchObject({ campaignId: id, status: NumberStatus.Cancelled });
    expect(numbers.every((e) => e.createdAt === t.clock.now().toISOString())).toBe(true);
  });

  it('sends number.completed for the numbers the do-not-call screening and the repeat-call rule finish', async () => {
    await register(['number.completed']);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: tenant.headers,
      payload: validCampaign(tenant, { phoneNumbers: [{ number: '07722123458' }, { number: '07722123459' }] }),
    });
    const id = response.json().id as number;
    const db = t.db.database.db;
    const store = new DialerStore(db, 'screening');
    // Due now (they are due from the campaign's start, later today): the screening finishes only due numbers.
    await db.update(phoneNumbers).set({ dueAt: t.clock.now() }).where(eq(phoneNumbers.campaignId, id));
    const numbers = await db.select({ id: phoneNumbers.id, number: phoneNumbers.number }).from(phoneNumbers).where(eq(phoneNumbers.campaignId, id)).orderBy(phoneNumbers.id);
    const suppression = new SuppressionRepository(db);
    const list = { kind: 'client' as const, clientId: tenant.clientId };
    await suppression.add(list, [numbers[0]!.number], 'api', null, t.clock.now());
    const compliance = store.complianceStore();
    expect(await compliance.finishSuppressedDue(id, [await suppression.listId(list)], t.clock.now())).toBe(1);
    await compliance.postpone(numbers[1]!.id, { status: NumberStatus.RepeatRule, reason: 'no window left' }, t.clock.now());
    while ((await deliverer.deliverDue()) > 0);
    const events = receiver.received.map((r) => r.event).filter((e) => e.type === 'number.completed');
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ numberId: numbers[0]!.id, campaignId: id, status: NumberStatus.Suppressed }),
      expect.objectContaining({ numberId: numbers[1]!.id, campaignId: id, status: NumberStatus.RepeatRule }),
    ]);
  });

  it('lets the operator list, disable with a reason (nothing is claimed) and enable an endpoint', async () => {
    const endpoint = await register();
    const all = await t.admin({ method: 'GET', url: '/api/admin/webhooks' });
    expect(all.json().items.map((e: { id: number }) => e.id)).toContain(endpoint.id);
    const disabled = await t.admin({ method: 'POST', url: `/api/admin/webhooks/${endpoint.id}/disable`, payload: { reason: 'abuse report' } });
    expect(disabled.json()).toMatchObject({ enabled: false, disabledReason: 'abuse report' });
    await act(await createCampaign(), 'pause');
    expect(await deliverer.deliverDue()).toBe(0);
    const enabled = await t.admin({ method: 'POST', url: `/api/admin/webhooks/${endpoint.id}/enable` });
    expect(enabled.json()).toMatchObject({ enabled: true, disabledReason: null });
  });
});
