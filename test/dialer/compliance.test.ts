// The UK compliance guards in the real dialer, in virtual time, on PGlite and PostgreSQL (issue 9): calling hours
// with weekends, bank holidays and both clock changes; do-not-call lists that change after create; an opt-out
// keypress; Ofcom's 24-hour repeat rule after a machine; the abandoned-call rate slowing then pausing a campaign, and
// the client's rate over all its campaigns pausing each of them;
// TPS/CTPS screening of a marketing campaign. Each client here keeps the default rules ('rules' tenants).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { eq, sql } from 'drizzle-orm';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, london, mobileNumbers, testE164, testNumber, ZONE, type HarnessTenant } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { campaigns, calls, phoneNumbers, suppressedNumbers } from '../../src/store/schema.js';
import { SuppressionRepository } from '../../src/store/repositories/suppression.js';
import { DEFAULT_CALLING_HOURS, dayWithoutCalling } from '../../src/domain/compliance/calling-hours.js';

const HOUR_MS = 3_600_000;

const wall = (instant: Date) => DateTime.fromJSDate(instant, { zone: ZONE });

describe.each(BACKENDS)('dialer compliance guards on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  const statusAndReason = async (campaignId: number, e164: string) => {
    const [row] = await harness.db
      .select({ status: phoneNumbers.status, reason: phoneNumbers.statusReason })
      .from(phoneNumbers)
      .where(sql`${phoneNumbers.campaignId} = ${campaignId} and ${phoneNumbers.number} = ${e164}`);
    return row!;
  };
  const note = async (campaignId: number) =>
    (await harness.db.select({ note: campaigns.complianceNote }).from(campaigns).where(eq(campaigns.id, campaignId)))[0]?.note ?? null;

  /** Every call started inside the default calling hours, on a day with calling, on London's wall clock. */
  const expectWithinDefaultHours = (starts: Date[]) => {
    for (const start of starts) {
      const local = wall(start);
      const date = local.toISODate()!;
      expect(dayWithoutCalling(DEFAULT_CALLING_HOURS, date), `call on ${local.toISO()}`).toBeUndefined();
      const opens = local.weekday === 6 ? 9 : 8;
      expect(local.hour >= opens && local.hour < 21, `call at ${local.toISO()}`).toBe(true);
    }
  };

  it('calls only on allowed days and hours: no Christmas, no Sunday, no substitute Boxing Day, Saturday from 09:00', async () => {
    const clock = new VirtualClock('2026-12-23T12:00:00Z');
    const tenant = await harness.tenant({}, undefined, 'rules');
    const days = ['2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28', '2026-12-29'];
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2026-12-24',
        startTime: '07:00',
        finishTime: '09:30',
        runoverDays: days.map((date) => ({ date, startTime: '07:00', finishTime: '09:30' })),
        // Always busy: retried every 30 minutes for as long as attempts last, into every day that allows calls.
        attempts: [{ interval: 0 }, ...Array.from({ length: 9 }, () => ({ interval: 30 }))],
        phoneNumbers: [testNumber('0001')],
      },
      clock.now(),
    );
    await harness.run({ clock, campaignIds: [campaignId] });
    const starts = (await harness.calls(campaignId)).map((call) => call.startTime);
    // 08:00-09:30 on the 24th and the 29th (three calls each, 30 minutes apart), 09:00-09:30 on Saturday the 26th.
    expect(starts).toHaveLength(7);
    expectWithinDefaultHours(starts);
    expect([...new Set(starts.map((s) => wall(s).toISODate()))]).toEqual(['2026-12-24', '2026-12-26', '2026-12-29']);
    expect(wall(starts[0]!).toFormat('HH:mm')).toBe('08:00');
    expect((await statusAndReason(campaignId, testE164('0001'))).status).toBe(NumberStatus.WindowsClosed);
    expect(starts.filter((s) => wall(s).toISODate() === '2026-12-26').map((s) => wall(s).toFormat('HH:mm'))[0]).toBe('09:00');
  });

  it('stops a number put on the do-not-call list after the campaign was created, with its own status and reason', async () => {
    const clock = new VirtualClock('2027-01-04T12:00:00Z');
    const tenant = await harness.tenant({}, undefined, 'rules');
    const numbers = ['0900', '0901', '0902', '0903'].map(testNumber);
    const campaignId = await harness.campaign(tenant, { startDate: '2027-01-05', startTime: '09:00', finishTime: '12:00', phoneNumbers: numbers }, clock.now());
    await new SuppressionRepository(harness.db).add({ kind: 'client', clientId: tenant.clientId }, [testE164('0902')], 'api', 'asked by letter', clock.now());
    await new SuppressionRepository(harness.db).add({ kind: 'operator' }, [testE164('0903')], 'api', null, clock.now());
    await harness.run({ clock, campaignIds: [campaignId] });
    const called = (await harness.calls(campaignId)).map((call) => call.number).sort();
    expect(called).toEqual([testE164('0900'), testE164('0901')]);
    expect(await statusAndReason(campaignId, testE164('0902'))).toEqual({
      status: NumberStatus.Suppressed,
      reason: "not dialled: on the client's do-not-call list when it was due",
    });
    expect(await statusAndReason(campaignId, testE164('0903'))).toMatchObject({ status: NumberStatus.Suppressed, reason: expect.stringContaining("operator's") });
  });

  it('an opt-out keypress lists the number in the same transaction as the call, and no campaign calls it again', async () => {
    const clock = new VirtualClock('2027-01-05T18:00:00Z');
    const flow = {
      version: 1,
      start: 'menu',
      steps: [
        { id: 'menu', type: 'gather', prompt: 'Press 1 to confirm. Press 2 to stop these calls.', maxDigits: 1, timeoutMs: 5000, branches: { '1': 'ok', '2': 'stop' }, noInput: 'ok', maxRetries: 0 },
        { id: 'ok', type: 'say', text: 'Thank you.' },
        { id: 'stop', type: 'optOut', say: 'You will not be called again. Goodbye.' },
      ],
      voicemail: { say: 'Please call us.' },
      smsOnBusy: 'We tried to call.',
    };
    const tenant = await harness.tenant({ flow }, undefined, 'rules');
    const first = await harness.campaign(tenant, { startDate: '2027-01-06', startTime: '09:00', finishTime: '12:00', phoneNumbers: [testNumber('0005'), testNumber('0006')] }, clock.now());
    await harness.run({ clock, campaignIds: [first] });
    const optedOut = await harness.db.select({ number: phoneNumbers.number, optedOut: calls.optedOut }).from(calls).innerJoin(phoneNumbers, eq(phoneNumbers.id, calls.phoneNumberId)).where(eq(phoneNumbers.campaignId, first));
    expect(optedOut.sort((a, b) => a.number.localeCompare(b.number))).toEqual([
      { number: testE164('0005'), optedOut: false },
      { number: testE164('0006'), optedOut: true },
    ]);
    const listed = await harness.db.select({ number: suppressedNumbers.number, source: suppressedNumbers.source }).from(suppressedNumbers).where(eq(suppressedNumbers.number, testE164('0006')));
    expect(listed).toEqual([{ number: testE164('0006'), source: 'opt-out' }]);

    const second = await harness.campaign(tenant, { startDate: '2027-01-07', startTime: '09:00', finishTime: '12:00', phoneNumbers: [testNumber('0005'), testNumber('0006')] }, clock.now());
    await harness.run({ clock, campaignIds: [second] });
    expect((await harness.calls(second)).map((call) => call.number)).toEqual([testE164('0005')]);
    expect((await statusAndReason(second, testE164('0006'))).status).toBe(NumberStatus.Suppressed);
  });

  it("holds a machine's retries 24 hours apart, and ends the number with the rule when no window is left", async () => {
    const clock = new VirtualClock('2027-01-10T12:00:00Z');
    const tenant = await harness.tenant({}, undefined, 'rules');
    const threeDays = await harness.campaign(
      tenant,
      {
        startDate: '2027-01-11',
        startTime: '09:00',
        finishTime: '12:00',
        runoverDays: [
          { date: '2027-01-12', startTime: '09:00', finishTime: '12:00' },
          { date: '2027-01-13', startTime: '09:00', finishTime: '12:00' },
        ],
        attempts: [{ interval: 0 }, { interval: 5 }, { interval: 5 }],
        phoneNumbers: [testNumber('0003')],
      },
      clock.now(),
    );
    const oneDay = await harness.campaign(
      tenant,
      { startDate: '2027-01-11', startTime: '09:00', finishTime: '12:00', attempts: [{ interval: 0 }, { interval: 5 }], phoneNumbers: [testNumber('0004')] },
      clock.now(),
    );
    await harness.run({ clock, campaignIds: [threeDays, oneDay] });
    const machineCalls = await harness.calls(threeDays);
    expect(machineCalls.map((call) => call.outcome)).toEqual([CallOutcome.AnsweringMachine, CallOutcome.AnsweringMachine, CallOutcome.AnsweringMachine]);
    for (let i = 1; i < machineCalls.length; i++) {
      expect(machineCalls[i]!.startTime.getTime() - machineCalls[i - 1]!.endTime!.getTime()).toBeGreaterThanOrEqual(24 * HOUR_MS);
    }
    expect(await harness.calls(oneDay)).toHaveLength(1);
    expect(await statusAndReason(oneDay, testE164('0004'))).toEqual({
      status: NumberStatus.RepeatRule,
      reason: expect.stringContaining('an answering machine answered less than 24 hours ago and no message was left'),
    });
  });

  it('slows a campaign whose abandoned-call rate reaches 3%, then pauses it when it keeps rising, and says why', async () => {
    const clock = new VirtualClock('2027-01-17T12:00:00Z');
    const tenant = await harness.tenant({}, undefined, 'rules');
    const campaignId = await harness.campaign(
      tenant,
      { startDate: '2027-01-18', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(300, 40_000) },
      clock.now(),
    );
    const notes: string[] = [];
    const statuses = new Set<number>();
    await harness.run({
      clock,
      campaignIds: [campaignId],
      // Every call answered by a person whom our audio reaches only 2.5 s after the answer: abandoned.
      carrier: { mix: { human: 1, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 }, talk: { humanMediaDelayMs: { minMs: 2_500, maxMs: 2_500 } } },
      onStep: async () => {
        const current = await note(campaignId);
        if (current && notes.at(-1) !== current) notes.push(current);
        statuses.add((await harness.campaignRow(campaignId)).status);
      },
    });
    expect(notes[0]).toMatch(/^slowed: abandoned-call rate 100\.0% over the last 24 hours is at or above the 3\.0% limit/);
    expect(notes.at(-1)).toMatch(/^paused: abandoned-call rate 100\.0% .* reached 4\.5% \(Ofcom limit 3\.0%\)/);
    expect(statuses.has(CampaignStatus.Paused)).toBe(true);
    const placed = await harness.calls(campaignId);
    expect(placed.every((call) => call.outcome === CallOutcome.Abandoned)).toBe(true);
    // Paused within seconds of the evidence: a small part of the list was called.
    expect(placed.length).toBeGreaterThanOrEqual(30);
    expect(placed.length).toBeLessThan(100);
    expect(placed.at(-1)!.endReason).toContain('abandoned: our first audio came 2.5 s after the answer');
  });

  it('blocks a marketing campaign without fresh TPS and CTPS screening, and screens one that has it', async () => {
    const clock = new VirtualClock('2027-01-20T12:00:00Z');
    const tenant: HarnessTenant = await harness.tenant({}, undefined, 'rules');
    const marketing = async (date: string) => {
      const id = await harness.campaign(tenant, { startDate: date, startTime: '09:00', finishTime: '12:00', phoneNumbers: ['0900', '0901', '0902'].map(testNumber) }, clock.now());
      await harness.db.update(campaigns).set({ marketing: true }).where(eq(campaigns.id, id));
      return id;
    };
    const unscreened = await marketing('2027-01-21');
    await harness.run({ clock, campaignIds: [unscreened] });
    expect(await harness.calls(unscreened)).toHaveLength(0);
    expect(await note(unscreened)).toBe('blocked: marketing calls need TPS screening: the operator has not imported the TPS register');

    const lists = new SuppressionRepository(harness.db);
    await lists.add({ kind: 'tps' }, [testE164('0901')], 'import', null, clock.now());
    await lists.setDownloadedAt({ kind: 'tps' }, new Date('2027-01-18T00:00:00Z'));
    await lists.add({ kind: 'ctps' }, ['+442079461234'], 'import', null, clock.now());
    await lists.setDownloadedAt({ kind: 'ctps' }, new Date('2027-01-18T00:00:00Z'));
    const screened = await marketing('2027-01-25');
    await harness.run({ clock, campaignIds: [screened] });
    expect((await harness.calls(screened)).map((call) => call.number).sort()).toEqual([testE164('0900'), testE164('0902')]);
    expect(await statusAndReason(screened, testE164('0901'))).toEqual({ status: NumberStatus.Suppressed, reason: 'not dialled: on the TPS register when it was due' });

    // 28 days after the download the screening is too old.
    const stale = await marketing('2027-02-22');
    await harness.run({ clock, campaignIds: [stale] });
    expect(await harness.calls(stale)).toHaveLength(0);
    expect(await note(stale)).toMatch(/^blocked: marketing calls need TPS screening no older than 28 days: the TPS file was downloaded 2027-01-18, 35 days ago/);
  });

  it("pauses a client's small campaigns when together they pass the limit, though none could alone", async () => {
    const clock = new VirtualClock('2027-06-06T12:00:00Z');
    const tenant = await harness.tenant({}, undefined, 'rules');
    // Ten campaigns of 20 numbers: each alone stays under the 30 calls a campaign needs before its own rate can pause it.
    const campaignIds: number[] = [];
    for (let i = 0; i < 10; i++) {
      campaignIds.push(
        await harness.campaign(
          tenant,
          { startDate: '2027-06-07', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(20, 50_000 + i * 20) },
          clock.now(),
        ),
      );
    }
    const notesSeen = new Map<number, string[]>();
    const paused = new Set<number>();
    await harness.run({
      clock,
      campaignIds,
      carrier: { mix: { human: 1, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 }, talk: { humanMediaDelayMs: { minMs: 2_500, maxMs: 2_500 } } },
      onStep: async () => {
        for (const id of campaignIds) {
          const current = await note(id);
          const seen = notesSeen.get(id) ?? [];
          if (current && seen.at(-1) !== current) notesSeen.set(id, [...seen, current]);
          if ((await harness.campaignRow(id)).status === CampaignStatus.Paused) paused.add(id);
        }
      },
    });
    expect([...paused].sort()).toEqual([...campaignIds].sort());
    for (const id of campaignIds) {
      expect(notesSeen.get(id)!.at(-1)).toMatch(/^paused: the client's abandoned-call rate across all its campaigns 100\.0% over the last 24 hours reached 4\.5%/);
      expect((await harness.calls(id)).length).toBeLessThan(20);
    }
    const placed = (await Promise.all(campaignIds.map((id) => harness.calls(id)))).flat();
    expect(placed.length).toBeGreaterThanOrEqual(30);
    expect(placed.every((call) => call.outcome === CallOutcome.Abandoned)).toBe(true);
  });

  it.each([
    ['the change to GMT', ['2027-10-29', '2027-10-30', '2027-10-31', '2027-11-01']],
    ['the change to BST', ['2028-03-24', '2028-03-25', '2028-03-26', '2028-03-27']],
  ])('keeps the wall-clock calling hours across %s', async (_change, days) => {
    const clock = new VirtualClock(london(days[0]!, '00:00').toISOString());
    clock.advanceTo(clock.now().getTime() - 12 * HOUR_MS);
    const tenant = await harness.tenant({}, undefined, 'rules');
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: days[0]!,
        startTime: '07:00',
        finishTime: '22:00',
        runoverDays: days.slice(1).map((date) => ({ date, startTime: '07:00', finishTime: '22:00' })),
        attempts: [{ interval: 0 }, ...Array.from({ length: 9 }, () => ({ interval: 120 }))],
        phoneNumbers: [testNumber('0001')],
      },
      clock.now(),
    );
    await harness.run({ clock, campaignIds: [campaignId] });
    const starts = (await harness.calls(campaignId)).map((call) => call.startTime);
    expect(starts.length).toBeGreaterThan(5);
    expectWithinDefaultHours(starts);
    expect(starts.some((s) => wall(s).weekday === 7)).toBe(false);
    expect(wall(starts[0]!).toFormat('HH:mm')).toBe('08:00');
  });
});
