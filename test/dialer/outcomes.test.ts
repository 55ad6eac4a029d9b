// Each call outcome of the simulated carrier's test numbers, run through the real dialer in virtual time on a real
// database: what each call records (outcome, stage, SIP code, duration, price) and where each number ends up (retried
// while attempts remain, finished at once on an answer, a decline or an invalid number).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import {
  DialerHarness,
  expectCompletedConsistently,
  london,
  testE164,
  testNumber,
  type CallView,
} from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CallStage, NumberStatus } from '../../src/domain/enums.js';
import { callPrice, DEFAULT_RATES_GBP_PER_MINUTE } from '../../src/domain/pricing.js';
import { SCRIPTED_EARLY_FAILURE_MS, SCRIPTED_RING_MS } from '../../src/telephony/simulated/test-numbers.js';

const DAY = '2027-01-15';
const RING_TIMEOUT_MS = 20_000;
/** 0.6 GBP a minute is 1p a second: prices are easy to read. */
const RATES = { ...DEFAULT_RATES_GBP_PER_MINUTE, FIXED_LINE: 0.6 };
/** Room for every number at once, so each attempt starts the instant it is due. */
const UNPACED = {
  campaign: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  client: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  carrier: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
};

interface Expected {
  outcomes: number[];
  status: number;
}

// Three attempts, 5 minutes apart.
const EXPECTED: Record<string, Expected> = {
  '0001': { outcomes: [CallOutcome.Busy, CallOutcome.Busy, CallOutcome.Busy], status: NumberStatus.AttemptsExhausted },
  '0002': { outcomes: [CallOutcome.NoAnswer, CallOutcome.NoAnswer, CallOutcome.NoAnswer], status: NumberStatus.AttemptsExhausted },
  '0003': {
    outcomes: [CallOutcome.AnsweringMachine, CallOutcome.AnsweringMachine, CallOutcome.AnsweringMachine],
    status: NumberStatus.AttemptsExhausted,
  },
  '0005': { outcomes: [CallOutcome.Answered], status: NumberStatus.Answered },
  '0007': { outcomes: [CallOutcome.Answered], status: NumberStatus.Answered },
  '0900': { outcomes: [CallOutcome.Answered], status: NumberStatus.Answered },
  '0008': { outcomes: [CallOutcome.Rejected], status: NumberStatus.Rejected },
  '0009': { outcomes: [CallOutcome.InvalidNumber], status: NumberStatus.InvalidNumber },
  '0010': { outcomes: [CallOutcome.Failed, CallOutcome.Failed, CallOutcome.Failed], status: NumberStatus.AttemptsExhausted },
  '0011': { outcomes: [CallOutcome.Busy, CallOutcome.Busy, CallOutcome.Answered], status: NumberStatus.Answered },
  '0014': { outcomes: [CallOutcome.NoAnswer, CallOutcome.Answered], status: NumberStatus.Answered },
  // Our first audio 2.5 s after the answer: abandoned under Ofcom's 2-second rule, and never called again.
  '0018': { outcomes: [CallOutcome.Abandoned], status: NumberStatus.Answered },
};

describe.each(BACKENDS)('dialer outcomes on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  it('records every outcome of the test numbers, retries only what may be retried, and prices answered calls by the second', async () => {
    const clock = new VirtualClock('2027-01-14T12:00:00Z');
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: DAY,
        startTime: '09:00',
        finishTime: '17:00',
        attempts: [{ interval: 0 }, { interval: 5 }, { interval: 5 }],
        phoneNumbers: Object.keys(EXPECTED).map((lastFour) => ({ number: testNumber(lastFour), name: `Callee ${lastFour}` })),
      },
      clock.now(),
    );
    const run = await harness.run({
      clock,
      campaignIds: [campaignId],
      config: { ringTimeoutMs: RING_TIMEOUT_MS, rates: RATES, pacing: UNPACED },
    });
    const { calls, numbers } = await expectCompletedConsistently(harness, campaignId, run);

    const expectedCalls = Object.values(EXPECTED).reduce((sum, e) => sum + e.outcomes.length, 0);
    expect(calls).toHaveLength(expectedCalls);
    expect((await harness.campaignRow(campaignId)).callCount).toBe(expectedCalls);

    for (const [lastFour, expected] of Object.entries(EXPECTED)) {
      const mine = calls.filter((call) => call.number === testE164(lastFour));
      expect(mine.map((call) => call.outcome), `outcomes of ${lastFour}`).toEqual(expected.outcomes);
      expect(numbers.find((n) => n.number === testE164(lastFour))?.status, `status of ${lastFour}`).toBe(expected.status);
    }

    const of = (lastFour: string): CallView[] => calls.filter((call) => call.number === testE164(lastFour));
    const durationMs = (call: CallView) => call.endTime!.getTime() - call.startTime.getTime();

    // Busy (486), invalid (404), transient failure (503): an early reply, nothing to pay.
    for (const [lastFour, sipCode] of [['0001', 486], ['0009', 404], ['0010', 503]] as const) {
      for (const call of of(lastFour)) {
        expect(call.sipCode, lastFour).toBe(sipCode);
        expect(durationMs(call), lastFour).toBe(SCRIPTED_EARLY_FAILURE_MS);
        expect(call.answeredBy).toBeNull();
      }
    }
    // No answer rings for the whole configured ring timeout, which is at least Ofcom's 15 s.
    for (const call of [...of('0002'), of('0014')[0]!]) {
      expect(durationMs(call)).toBe(RING_TIMEOUT_MS);
      expect(durationMs(call)).toBeGreaterThanOrEqual(15_000);
      expect(call.stage).toBe(CallStage.FlowNotReached);
    }
    expect(run.carrier.records.every((dial) => dial.ringTimeoutMs === RING_TIMEOUT_MS)).toBe(true);
    // Abandoned: the reason names Ofcom's rule and the delay.
    expect(of('0018')[0]!.endReason).toContain('abandoned: our first audio came 2.5 s after the answer (Ofcom: within 2 s)');
    // Declined after ringing.
    expect(of('0008')[0]!.sipCode).toBe(603);
    expect(durationMs(of('0008')[0]!)).toBe(SCRIPTED_RING_MS);

    // Machines: answered by a machine, no message left (AnswerPhoneMessage 0), hung up at once.
    for (const call of of('0003')) {
      expect(call.answeredBy).toBe('machine');
      expect(call.voicemailLeft).toBe(false);
      expect(call.stage).toBe(CallStage.FlowNotReached);
    }

    // People: the message played to the end, billed per second from the answer.
    const answered = calls.filter((call) => call.outcome === CallOutcome.Answered);
    expect(answered).toHaveLength(5);
    for (const call of answered) {
      expect(call.answeredBy).toBe('human');
      // The one-step flow's say step is step 1, reached whether or not the callee heard it out.
      expect(call.stage).toBe(1);
      expect(call.secondsDuration).toBeGreaterThan(0);
      // A part second is billed as a whole one (src/domain/pricing.ts); the message here lasts 4.4 s, billed 5 s.
      expect(call.secondsDuration).toBe(Math.ceil((durationMs(call) - SCRIPTED_RING_MS) / 1000));
      expect(call.price).toBe(Math.round(call.secondsDuration * RATES.FIXED_LINE * 10_000 / 60) / 10_000);
      expect(call.price).toBe(
        callPrice({ e164: call.number, numberType: 'FIXED_LINE', billableSeconds: call.secondsDuration, rates: RATES }),
      );
    }
    for (const call of calls.filter((call) => call.answeredBy === null)) expect(call.price).toBe(0);
    // "Hello Callee 0005. This is an automated call. Thank you, goodbye." is 11 words: 4.4 s at 150 words a minute,
    // billed as 5 whole seconds at 1p a second.
    const person = of('0005')[0]!;
    expect(durationMs(person) - SCRIPTED_RING_MS).toBe(4_400);
    expect({ seconds: person.secondsDuration, price: person.price }).toEqual({ seconds: 5, price: 0.05 });
    // 0007 hangs up 2 s into the message: the call keeps the stage it reached, and is billed the 2 s.
    const hungUp = of('0007')[0]!;
    expect({ seconds: hungUp.secondsDuration, price: hungUp.price }).toEqual({ seconds: 2, price: 0.02 });
    expect(hungUp.endReason).toMatch(/^ended by callee/);

    // Attempt 1 of every number at the opening; each retry 5 minutes after the previous attempt ended.
    for (const call of calls) {
      if (call.attemptNumber === 1) {
        expect(call.startTime).toEqual(london(DAY, '09:00'));
      } else {
        const previous = calls.find((c) => c.phoneNumberId === call.phoneNumberId && c.attemptNumber === call.attemptNumber - 1)!;
        expect(call.startTime.getTime() - previous.endTime!.getTime()).toBe(5 * 60_000);
      }
    }
  });

  it('answers over several attempts keep one call row per attempt and one dial per call id', async () => {
    // The same campaign shape with the default ring timeout, a number per scripted multi-attempt behaviour, and
    // the carrier's record compared with the database call by call.
    const clock = new VirtualClock('2027-01-17T12:00:00Z');
    const tenant = await harness.tenant();
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-01-18',
        startTime: '10:00',
        finishTime: '11:00',
        attempts: [{ interval: 1 }, { interval: 1 }, { interval: 1 }, { interval: 1 }],
        phoneNumbers: ['0011', '0014', '0002', '0010'].map(testNumber),
      },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED } });
    const { calls, dials } = await expectCompletedConsistently(harness, campaignId, run);
    const attemptsOf = (lastFour: string) => calls.filter((c) => c.number === testE164(lastFour)).length;
    expect([attemptsOf('0011'), attemptsOf('0014'), attemptsOf('0002'), attemptsOf('0010')]).toEqual([3, 2, 4, 4]);
    expect(dials).toHaveLength(13);
    // Attempt 1 is due its interval (1 minute) after the campaign's start.
    expect(calls.filter((c) => c.attemptNumber === 1).every((c) => c.startTime.getTime() === london('2027-01-18', '10:01').getTime())).toBe(true);
  });
});
