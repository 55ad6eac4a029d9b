// GET /api/campaigns/voice/:id/live over real HTTP (the app listening on a free port, read with fetch streaming as
// the dashboard reads it): the first summary at once, an update when something changes and a keep-alive comment
// when nothing does, a last summary and `end` when the campaign completes or is cancelled, `end` when it is deleted;
// the stream and its timer stop when the client goes away or the server closes; 401 and 404 before any stream.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { mobileNumbers } from '../helpers/dialer-harness.js';
import { CampaignStatus } from '../../src/domain/enums.js';
import type { CampaignSummary } from '../../src/domain/campaign-summary.js';
import { LIVE_SUMMARY_INTERVAL_MS } from '../../src/api/summary-stream.js';
import { openLiveStreams } from '../../src/api/routes/campaign-live.js';
import { openSummaryApp, UNPACED, type SummaryTestApp } from './campaign-summary.helpers.js';

/** One server-sent event, or a comment line (`: keep-alive`) as `comment`. */
type Received = { event: string; data: string } | { comment: string };

/** Reads a text/event-stream response event by event. */
class EventReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  ended = false;

  constructor(response: Response) {
    this.reader = response.body!.getReader();
  }

  /** The next event or comment; undefined once the stream has ended. */
  async next(timeoutMs = 5_000): Promise<Received | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const boundary = this.buffer.indexOf('\n\n');
      if (boundary >= 0) {
        const block = this.buffer.slice(0, boundary);
        this.buffer = this.buffer.slice(boundary + 2);
        if (block.startsWith(':')) return { comment: block.slice(1).trim() };
        const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
        return { event: fields.event ?? 'message', data: fields.data ?? '' };
      }
      if (this.ended) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), left))),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) this.ended = true;
      else this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next `event:` (skipping keep-alive comments). */
  async nextEvent(timeoutMs?: number): Promise<{ event: string; data: string } | undefined> {
    for (;;) {
      const received = await this.next(timeoutMs);
      if (received === undefined || 'event' in received) return received;
    }
  }
}

const summaryOf = (received: Received | undefined) => {
  expect(received !== undefined && 'event' in received ? received.event : received).toBe('summary');
  return JSON.parse((received as { data: string }).data) as CampaignSummary;
};

describe.each(BACKENDS)('campaign live stream on $kind', ({ kind }) => {
  let t: SummaryTestApp;
  let base: string;
  beforeAll(async () => {
    t = await openSummaryApp(kind);
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const open = (id: number, headers: Record<string, string>, signal?: AbortSignal) =>
    fetch(`${base}/api/campaigns/voice/${id}/live`, { headers, ...(signal ? { signal } : {}) });
  const waitFor = async (condition: () => boolean, what: string) => {
    const deadline = Date.now() + 5_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('sends the summary at once, keep-alives while nothing changes, updates, and a last summary and end on completion', async () => {
    const clock = t.clockAt('2027-01-14T12:00:00Z');
    const tenant = await t.tenant();
    const id = await t.harness.campaign(tenant, { startDate: '2027-01-15', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(30, 10_000) }, clock.now());

    const startedMs = performance.now();
    const response = await open(id, tenant.headers);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    const events = new EventReader(response);
    const first = summaryOf(await events.next());
    expect(performance.now() - startedMs).toBeLessThan(LIVE_SUMMARY_INTERVAL_MS);
    expect(first).toMatchObject({ id, campaignStatus: CampaignStatus.Scheduled, numbers: { total: 30, byStatus: { Pending: 30 } } });
    expect(first).toEqual((await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}/summary`, headers: tenant.headers })).json());

    // Nothing changes: a comment a second, no event.
    expect(await events.next(2 * LIVE_SUMMARY_INTERVAL_MS + 500)).toEqual({ comment: 'keep-alive' });
    expect(openLiveStreams(t.app.server)).toBe(1);

    // A change reaches the stream within the interval.
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/campaigns/voice/${id}/phonenumbers`,
      headers: tenant.headers,
      payload: { phoneNumbers: mobileNumbers(5, 10_030).map((number) => ({ number })) },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(summaryOf(await events.nextEvent(2 * LIVE_SUMMARY_INTERVAL_MS + 500)).numbers.total).toBe(35);

    // The dialer runs the campaign to its end (virtual time: a second or two of wall time); the stream's last
    // summary is the completed campaign's, then `end`, then the response ends.
    await t.harness.run({ clock, campaignIds: [id], config: { pacing: UNPACED } });
    const final = await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${id}/summary`, headers: tenant.headers });
    let last: CampaignSummary | undefined;
    for (;;) {
      const received = await events.nextEvent(3 * LIVE_SUMMARY_INTERVAL_MS);
      expect(received).toBeDefined();
      if (received!.event === 'end') {
        expect(JSON.parse(received!.data)).toEqual({ reason: 'finished', campaignStatus: CampaignStatus.Completed });
        break;
      }
      last = summaryOf(received);
    }
    expect(last).toEqual(final.json());
    expect(last!.numbers).toMatchObject({ total: 35, finished: 35 });
    expect(await events.next()).toBeUndefined();
    await waitFor(() => openLiveStreams(t.app.server) === 0, 'the stream to close');
  });

  it('ends with the campaign cancelled, and with it deleted', async () => {
    const clock = t.clockAt('2027-02-01T08:00:00Z');
    const tenant = await t.tenant();
    const cancelled = await t.harness.campaign(tenant, { startDate: '2027-02-02', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(4, 20_000) }, clock.now());
    const deleted = await t.harness.campaign(tenant, { startDate: '2027-02-02', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(4, 20_010) }, clock.now());
    const cancelledEvents = new EventReader(await open(cancelled, tenant.headers));
    const deletedEvents = new EventReader(await open(deleted, tenant.headers));
    summaryOf(await cancelledEvents.nextEvent());
    summaryOf(await deletedEvents.nextEvent());

    expect((await t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${cancelled}/cancel`, headers: tenant.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/campaigns/voice/${deleted}`, headers: tenant.headers })).statusCode).toBe(204);

    const last = summaryOf(await cancelledEvents.nextEvent());
    expect(last).toMatchObject({ campaignStatus: CampaignStatus.Cancelled, numbers: { finished: 4, byStatus: { Cancelled: 4 } } });
    expect(await cancelledEvents.nextEvent()).toEqual({ event: 'end', data: JSON.stringify({ reason: 'finished', campaignStatus: CampaignStatus.Cancelled }) });
    expect(await cancelledEvents.next()).toBeUndefined();
    expect(await deletedEvents.nextEvent()).toEqual({ event: 'end', data: JSON.stringify({ reason: 'deleted' }) });
    expect(await deletedEvents.next()).toBeUndefined();
    await waitFor(() => openLiveStreams(t.app.server) === 0, 'both streams to close');
  });

  it('stops the stream and its timer when the client goes away', async () => {
    const clock = t.clockAt('2027-03-01T08:00:00Z');
    const tenant = await t.tenant();
    const id = await t.harness.campaign(tenant, { startDate: '2027-03-02', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(3, 30_000) }, clock.now());
    // The stream's timers, told from the app's other timers (deliverers, pools) by where they were set: counting
    // all the process's timers failed whenever one of those came or went meanwhile.
    const streamTimers: ReturnType<typeof setTimeout>[] = [];
    const cleared = new Set<unknown>();
    const fired = new Set<unknown>();
    const realSetTimeout = globalThis.setTimeout;
    const realClearTimeout = globalThis.clearTimeout;
    // Every argument is passed on: other timers (undici's among them) take arguments for their callbacks.
    const setSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (!new Error().stack?.includes('summary-stream')) return realSetTimeout(callback, ms, ...args);
      const timer = realSetTimeout(() => {
        fired.add(timer);
        callback(...args);
      }, ms);
      streamTimers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
      cleared.add(timer);
      realClearTimeout(timer);
    });
    try {
      const abort = new AbortController();
      const events = new EventReader(await open(id, tenant.headers, abort.signal));
      summaryOf(await events.nextEvent());
      expect(openLiveStreams(t.app.server)).toBe(1);
      expect(streamTimers.length).toBeGreaterThan(0);
      abort.abort();
      await waitFor(() => openLiveStreams(t.app.server) === 0, 'the server to notice the client left');
      const setWhenClosed = streamTimers.length;
      // The stream's last timer was cleared (or had fired, the client leaving during its read), and none is set
      // after the client left.
      const last = streamTimers.at(-1);
      expect(cleared.has(last) || fired.has(last)).toBe(true);
      await new Promise((resolve) => realSetTimeout(resolve, LIVE_SUMMARY_INTERVAL_MS * 2));
      expect(streamTimers.length).toBe(setWhenClosed);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it('refuses a request without a valid key (401) and another client\'s campaign (404) before any stream', async () => {
    const clock = t.clockAt('2027-04-01T08:00:00Z');
    const owner = await t.tenant();
    const other = await t.tenant();
    const id = await t.harness.campaign(owner, { startDate: '2027-04-02', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(2, 40_000) }, clock.now());
    for (const headers of [{}, { authorization: 'Bearer not-a-key' }] as Record<string, string>[]) {
      const response = await open(id, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const foreign = await open(id, other.headers);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { status: number }).status).toBe(404);
    expect(openLiveStreams(t.app.server)).toBe(0);
  });
});

describe.each(BACKENDS)('campaign live stream and server close on $kind', ({ kind }) => {
  it('ends open streams when the server closes, so app.close() does not wait for their clients', async () => {
    const t = await openSummaryApp(kind);
    try {
      const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const clock = t.clockAt('2027-01-14T12:00:00Z');
      const tenant = await t.tenant();
      const id = await t.harness.campaign(tenant, { startDate: '2027-01-15', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(2, 50_000) }, clock.now());
      const events = new EventReader(await fetch(`${base}/api/campaigns/voice/${id}/live`, { headers: tenant.headers }));
      summaryOf(await events.nextEvent());
      const server = t.app.server;
      const closedMs = performance.now();
      await t.app.close();
      expect(performance.now() - closedMs).toBeLessThan(2_000);
      expect(openLiveStreams(server)).toBe(0);
      expect(await events.next()).toBeUndefined();
    } finally {
      await t.harness.dispose();
    }
  });
});
