// GET /api/campaigns/voice/:id/summary and the progress extension of /p (issue 11): after the real dialer ran a
// campaign in virtual time (two processes sharing the database), every count the summary gives equals what the
// phonenumbers listing shows number by number and call by call, and its abandoned rate is the detail's; the counts
// stay exact as numbers are added, the campaign is cancelled and deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { BACKENDS } from '../helpers/backends.js';
import { london, mobileNumbers, ZONE } from '../helpers/dialer-harness.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { callOutcomeMinutes, campaignCallCounts, campaignNumberCounts } from '../../src/store/schema.js';
import type { CampaignSummary } from '../../src/domain/campaign-summary.js';
import { MIXED_NUMBERS, openSummaryApp, UNPACED, type SummaryTestApp } from './campaign-summary.helpers.js';

interface ListedCall {
  startTime: string;
  outcome: number;
  price: number;
  secondsDuration: number;
  answeredBy: string | null;
}
interface ListedNumber {
  status: number;
  calls: ListedCall[];
}

const statusName = new Map<number, string>(NumberStatus.members.map((m) => [m.value, m.name]));
const outcomeName = new Map<number, string>(CallOutcome.members.map((m) => [m.value, m.name]));
const zeroes = (names: readonly { name: string }[]) => Object.fromEntries(names.map((m) => [m.name, 0]));
function countByOutcome(calls: readonly ListedCall[]): Record<string, number> {
  const byOutcome = zeroes(CallOutcome.members);
  for (const call of calls) byOutcome[outcomeName.get(call.outcome)!]! += 1;
  return byOutcome;
}

describe.each(BACKENDS)('campaign summary on $kind', ({ kind }) => {
  let t: SummaryTestApp;
  beforeAll(async () => {
    t = await openSummaryApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const summaryOf = async (id: number, headers: Record<string, string>) => {
    const response = await get(`/api/campaigns/voice/${id}/summary`, headers);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as CampaignSummary;
  };
  /** Every number of the campaign as the phonenumbers listing shows it. */
  const listed = async (id: number, headers: Record<string, string>) => {
    const response = await get(`/api/campaigns/voice/${id}/phonenumbers/1000/1`, headers);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as ListedNumber[];
  };

  it('counts what the phonenumbers listing shows, number by number and call by call, after the dialer ran the campaign', async () => {
    const clock = t.clockAt('2027-01-14T12:00:00Z');
    const tenant = await t.tenant();
    const id = await t.harness.campaign(
      tenant,
      { startDate: '2027-01-15', startTime: '09:00', finishTime: '17:00', attempts: [{ interval: 0 }, { interval: 5 }, { interval: 5 }], phoneNumbers: MIXED_NUMBERS },
      clock.now(),
    );
    const before = await summaryOf(id, tenant.headers);
    expect(before.numbers).toEqual({ total: MIXED_NUMBERS.length, finished: 0, byStatus: { ...zeroes(NumberStatus.members), Pending: MIXED_NUMBERS.length } });
    expect(before.calls).toEqual({ total: 0, byOutcome: zeroes(CallOutcome.members), answeredBy: { human: 0, machine: 0 }, cost: 0, secondsTotal: 0 });
    expect(before.callsPerMinute).toEqual([]);

    // Sampled while it runs too: numbers in every state, calls in progress, and each sample's counts add up; once,
    // with calls in progress, the calls are compared with the listing's one by one.
    const samples: CampaignSummary[] = [];
    let comparedMidway = false;
    let steps = 0;
    await t.harness.run({
      clock,
      campaignIds: [id],
      processes: 2,
      config: { pacing: UNPACED },
      onStep: async () => {
        if (++steps % 40 !== 0) return;
        const sample = await summaryOf(id, tenant.headers);
        samples.push(sample);
        if (comparedMidway || sample.calls.byOutcome.InProgress === 0) return;
        comparedMidway = true;
        const midway = (await listed(id, tenant.headers)).flatMap((n) => n.calls);
        expect(sample.calls.byOutcome).toEqual(countByOutcome(midway));
        expect(sample.calls.total).toBe(midway.length);
      },
    });
    expect(comparedMidway).toBe(true);
    for (const sample of samples) {
      const byStatus = Object.values(sample.numbers.byStatus).reduce((a, b) => a + b, 0);
      expect(byStatus).toBe(MIXED_NUMBERS.length);
      // lines_in_use, kept by the dialer itself, agrees with the numbers being dialled.
      expect(sample.pacing.linesInUse).toBe(sample.numbers.byStatus.Dialling);
    }

    const summary = await summaryOf(id, tenant.headers);
    const numbers = await listed(id, tenant.headers);
    const calls = numbers.flatMap((n) => n.calls);
    expect(calls.length).toBeGreaterThan(MIXED_NUMBERS.length);

    const byStatus = zeroes(NumberStatus.members);
    for (const n of numbers) byStatus[statusName.get(n.status)!]! += 1;
    expect(Object.keys(summary.numbers.byStatus)).toEqual(NumberStatus.members.map((m) => m.name));
    expect(summary.numbers).toEqual({ total: numbers.length, finished: numbers.length, byStatus });

    const byOutcome = countByOutcome(calls);
    expect(Object.keys(summary.calls.byOutcome)).toEqual(CallOutcome.members.map((m) => m.name));
    const cost = Math.round(calls.reduce((sum, call) => sum + call.price * 10_000, 0)) / 10_000;
    expect(cost).toBeGreaterThan(0);
    expect(summary.calls).toEqual({
      total: calls.length,
      byOutcome,
      answeredBy: { human: calls.filter((c) => c.answeredBy === 'human').length, machine: calls.filter((c) => c.answeredBy === 'machine').length },
      cost,
      secondsTotal: calls.reduce((sum, call) => sum + call.secondsDuration, 0),
    });
    // Every outcome the scripted numbers produce is there.
    for (const outcome of ['Busy', 'NoAnswer', 'Failed', 'AnsweringMachine', 'Answered', 'Rejected', 'InvalidNumber', 'Abandoned']) {
      expect(summary.calls.byOutcome[outcome as keyof CampaignSummary['calls']['byOutcome']], outcome).toBeGreaterThan(0);
    }

    // Per minute (UTC) of the calls' start times, shown by the listing as campaign-zone wall-clock times.
    const perMinute = new Map<string, { calls: number; answered: number }>();
    for (const call of calls) {
      const minute = DateTime.fromISO(call.startTime, { zone: ZONE }).toUTC().startOf('minute').toISO({ suppressMilliseconds: false })!;
      const key = new Date(minute).toISOString();
      const entry = perMinute.get(key) ?? { calls: 0, answered: 0 };
      entry.calls++;
      if (call.outcome === CallOutcome.Answered) entry.answered++;
      perMinute.set(key, entry);
    }
    const expectedMinutes = [...perMinute].sort(([a], [b]) => a.localeCompare(b)).map(([minute, counts]) => ({ minute, ...counts }));
    expect(expectedMinutes.length).toBeGreaterThan(1);
    expect(summary.callsPerMinute).toEqual(expectedMinutes.slice(-60));

    // The abandoned-call rate is the detail's, at the same instant.
    const detail = (await get(`/api/campaigns/voice/${id}`, tenant.headers)).json() as { abandonedCalls24h: unknown; campaignStatus: number };
    expect(summary.abandonedCalls24h).toEqual(detail.abandonedCalls24h);
    expect(summary.abandonedCalls24h.abandoned).toBeGreaterThan(0);
    expect(summary.abandonedCalls24h.ratePercent).toBeGreaterThan(0);

    expect(summary).toMatchObject({ id, campaignStatus: CampaignStatus.Completed, timeZone: ZONE, at: clock.now().toISOString() });
    // The server's settings (the defaults here), not the dialer's own: the summary shows what this server allows.
    expect(summary.pacing).toEqual({ linesInUse: 0, maxConcurrentCalls: 10, maxCallsPerSecond: 2 });

    // The list's progress is the same counts.
    const page = await get(`/api/campaigns/voice/p?ids=${id}`, tenant.headers);
    expect(page.statusCode, page.body).toBe(200);
    const [item] = (page.json() as { items: { id: number; progress: unknown }[] }).items;
    expect(item).toMatchObject({ id, progress: { numbersTotal: numbers.length, numbersFinished: numbers.length, callsAnswered: byOutcome.Answered, cost } });
  });

  it('keeps the counts exact as numbers are added, the campaign is cancelled and deleted', async () => {
    const clock = t.clockAt('2027-02-01T08:00:00Z');
    const tenant = await t.tenant();
    const id = await t.harness.campaign(tenant, { startDate: '2027-02-01', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(30, 80_000) }, clock.now());
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/campaigns/voice/${id}/phonenumbers`,
      headers: tenant.headers,
      // Ten new numbers and five it has: only the new ones count.
      payload: { phoneNumbers: [...mobileNumbers(10, 80_030), ...mobileNumbers(5, 80_000)].map((number) => ({ number })) },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect((await summaryOf(id, tenant.headers)).numbers).toMatchObject({ total: 40, finished: 0, byStatus: { Pending: 40 } });

    // The client cancels while the dialer has calls in progress: waiting numbers end Cancelled at once, numbers whose
    // call was in progress when it ends. The run then never completes (a cancelled campaign does not): it stops at
    // its deadline.
    let cancelled: { statusCode: number; body: string } | undefined;
    await t.harness
      .run({
        clock,
        campaignIds: [id],
        config: { pacing: { ...UNPACED, campaign: { maxConcurrentCalls: 3, maxCallsPerSecond: 1 } } },
        deadline: london('2027-02-01', '10:00'),
        onStep: async () => {
          if (cancelled || clock.now() < london('2027-02-01', '09:01')) return;
          const midway = await summaryOf(id, tenant.headers);
          expect(midway.calls.byOutcome.InProgress).toBeGreaterThan(0);
          expect(midway.numbers.byStatus.Pending).toBeGreaterThan(0);
          cancelled = await t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${id}/cancel`, headers: tenant.headers });
        },
      })
      .catch(() => undefined);
    expect(cancelled?.statusCode, cancelled?.body).toBe(200);
    const summary = await summaryOf(id, tenant.headers);
    const numbers = await listed(id, tenant.headers);
    const byStatus = zeroes(NumberStatus.members);
    for (const n of numbers) byStatus[statusName.get(n.status)!]! += 1;
    expect(numbers).toHaveLength(40);
    expect(summary.numbers.byStatus).toEqual(byStatus);
    expect(summary.calls.total).toBe(numbers.flatMap((n) => n.calls).length);

    // Deleting: a campaign that has not started, with its numbers; its counts go with it.
    const fresh = await t.harness.campaign(tenant, { startDate: '2027-03-01', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(25, 90_000) }, clock.now());
    expect((await summaryOf(fresh, tenant.headers)).numbers.total).toBe(25);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/campaigns/voice/${fresh}`, headers: tenant.headers });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await get(`/api/campaigns/voice/${fresh}/summary`, tenant.headers)).statusCode).toBe(404);
    for (const table of [campaignNumberCounts, campaignCallCounts, callOutcomeMinutes]) {
      expect(await t.harness.db.select().from(table).where(eq(table.campaignId, fresh))).toEqual([]);
    }
    // The cancelled campaign's counts are untouched by the other's deletion.
    expect((await summaryOf(id, tenant.headers)).numbers.byStatus).toEqual(byStatus);
  });

  it('adds progress to every /p item and changes nothing else of the page', async () => {
    const clock = t.clockAt('2027-04-01T08:00:00Z');
    const tenant = await t.tenant();
    const ids = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await t.harness.campaign(tenant, { startDate: '2027-04-05', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(i + 1, 95_000 + i * 10) }, clock.now()));
    }
    const page = await get('/api/campaigns/voice/p?pageSize=2&pageIndex=1&sortColumn=id', tenant.headers);
    expect(page.statusCode, page.body).toBe(200);
    const body = page.json() as { pageIndex: number; totalPages: number; totalRecords: number; items: Record<string, unknown>[] };
    expect({ pageIndex: body.pageIndex, totalPages: body.totalPages, totalRecords: body.totalRecords }).toEqual({ pageIndex: 1, totalPages: 2, totalRecords: 3 });
    const list = (await get('/api/campaigns/voice', tenant.headers)).json() as Record<string, unknown>[];
    expect(body.items).toEqual(
      list.slice(0, 2).map((item, i) => ({ ...item, progress: { numbersTotal: i + 1, numbersFinished: 0, callsAnswered: 0, cost: 0 } })),
    );
    expect(ids.slice(0, 2)).toEqual(body.items.map((item) => item.id));
    // Read in the page's statement: right for a page past the first (its OFFSET) and in either order.
    const progressOf = (i: number) => ({ numbersTotal: i + 1, numbersFinished: 0, callsAnswered: 0, cost: 0 });
    const second = (await get('/api/campaigns/voice/p?pageSize=2&pageIndex=2&sortColumn=id', tenant.headers)).json() as typeof body;
    expect(second.items).toEqual([{ ...list[2], progress: progressOf(2) }]);
    const reversed = (await get('/api/campaigns/voice/p?pageSize=3&pageIndex=1&sortColumn=id&sortOrder=desc', tenant.headers)).json() as typeof body;
    expect(reversed.items).toEqual([2, 1, 0].map((i) => ({ ...list[i], progress: progressOf(i) })));
  });

  it("answers 401 without a key and 404 for another client's campaign or none", async () => {
    const clock = t.clockAt('2027-05-01T08:00:00Z');
    const owner = await t.tenant();
    const other = await t.tenant();
    const id = await t.harness.campaign(owner, { startDate: '2027-05-05', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(2, 99_000) }, clock.now());
    expect((await get(`/api/campaigns/voice/${id}/summary`, {})).statusCode).toBe(401);
    expect((await get(`/api/campaigns/voice/${id}/summary`, { authorization: 'Bearer nope' })).statusCode).toBe(401);
    const foreign = await get(`/api/campaigns/voice/${id}/summary`, other.headers);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toContain('application/problem+json');
    expect((await get('/api/campaigns/voice/2147483647/summary', owner.headers)).statusCode).toBe(404);
    expect((await get('/api/campaigns/voice/0/summary', owner.headers)).statusCode).toBe(400);
  });
});
