// AnswerPhoneMessage and SMSOnBusy as the real dialer applies them, in virtual time on a real database:
// - AnswerPhoneMessage 0/1/2 leaves the call flow's voicemail message on no attempt / the first / the last, after the
//   machine's greeting (the simulated carrier says whether a message began before the beep), and records it;
// - SMSOnBusy 0/1/2 sends the call flow's SMS, with {Name} and {ParameterN} filled in, when the first / the last
//   attempt is busy, and records it with its parts and encoding on that number.
//
// Tests run in date order: the database is shared by the file and virtual time must only move forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, expectCompletedConsistently, london, testE164, testNumber } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CallStage, NumberStatus } from '../../src/domain/enums.js';
import { DEFAULT_RATES_GBP_PER_MINUTE, callPrice } from '../../src/domain/pricing.js';
import { smsParts } from '../../src/domain/sms-parts.js';
import { sayDurationMs } from '../../src/telephony/simulated/callee-plan.js';
import { DEFAULT_TALK, type SimulatedCallEvent } from '../../src/telephony/simulated/simulated-carrier.js';
import { SCRIPTED_RING_MS } from '../../src/telephony/simulated/test-numbers.js';

const UNPACED = {
  campaign: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  client: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  carrier: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
};
const THREE_ATTEMPTS = [{ interval: 0 }, { interval: 5 }, { interval: 5 }];

const VOICEMAIL = 'Hello {Name}, this is Ringcast about your booking {Parameter1}. Please call us on 020 7946 0999.';
const SMS = 'Hi {Name}, we tried to call about order {Parameter1} ({Parameter2}) but the line was busy. Call 020 7946 0999.';

describe.each(BACKENDS)('dialer answerphone messages and SMS on busy on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(async () => {
    await harness?.dispose();
  });

  for (const { mode, leftOn, on, date } of [
    { mode: 0, leftOn: [] as number[], on: 'no attempt', date: '2027-05-03' },
    { mode: 1, leftOn: [1], on: 'attempt 1', date: '2027-05-04' },
    { mode: 2, leftOn: [3], on: 'attempt 3', date: '2027-05-05' },
  ]) {
    it(`AnswerPhoneMessage ${mode} leaves the message, after the beep, on ${on} of 3`, async () => {
      const clock = new VirtualClock(london(date, '00:00'));
      const tenant = await harness.tenant({ voicemailMessage: VOICEMAIL });
      // 0003: a machine with a 5 s greeting; 0004: with a 25 s greeting.
      const greetings = { '0003': 5_000, '0004': 25_000 };
      const campaignId = await harness.campaign(
        tenant,
        {
          startDate: date,
          startTime: '09:00',
          finishTime: '12:00',
          attempts: THREE_ATTEMPTS,
          answerMachineDetected: mode,
          phoneNumbers: [
            { number: testNumber('0003'), name: 'Ann', parameters: [{ parameter: 1, value: 'B-17' }] },
            { number: testNumber('0004'), name: 'Bob', parameters: [{ parameter: 1, value: 'B-18' }] },
          ],
        },
        clock.now(),
      );
      const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED } });
      const { calls, numbers } = await expectCompletedConsistently(harness, campaignId, run);

      expect(calls).toHaveLength(6);
      expect(numbers.every((n) => n.status === NumberStatus.AttemptsExhausted)).toBe(true);
      for (const [lastFour, greetingMs] of Object.entries(greetings)) {
        const mine = calls.filter((call) => call.number === testE164(lastFour));
        const name = lastFour === '0003' ? 'Ann' : 'Bob';
        const text = VOICEMAIL.replace('{Name}', name).replace('{Parameter1}', lastFour === '0003' ? 'B-17' : 'B-18');
        for (const call of mine) {
          const label = `${lastFour} attempt ${call.attemptNumber}`;
          const expectLeft = leftOn.includes(call.attemptNumber);
          expect(call.outcome, label).toBe(CallOutcome.AnsweringMachine);
          expect(call.answeredBy, label).toBe('machine');
          expect(call.voicemailLeft, label).toBe(expectLeft);
          // A machine never enters the call flow: stage 0, whether or not the message was left.
          expect(call.stage, label).toBe(CallStage.FlowNotReached);

          const callId = `${call.phoneNumberId}:${call.attemptNumber}`;
          const says = run.events.filter((e): e is Extract<SimulatedCallEvent, { type: 'say' }> => e.type === 'say' && e.callId === callId);
          const answer = run.events.find((e) => e.type === 'dial' && e.callId === callId);
          expect(answer?.type === 'dial' && answer.answeredBy, label).toBe('machine');
          if (!expectLeft) {
            // Hung up on the machine at once: nothing said, nothing billed.
            expect(says, label).toHaveLength(0);
            expect(call.secondsDuration, label).toBe(0);
            expect(call.price, label).toBe(0);
            continue;
          }
          // One message, the flow's voicemail text filled in, begun at the beep (not before) and said in full.
          expect(says, label).toHaveLength(1);
          const say = says[0]!;
          expect(say.text).toBe(text);
          expect(say.beforeBeep, label).toBe(false);
          expect(say.complete, label).toBe(true);
          expect(say.startedAtMs - call.startTime.getTime(), label).toBe(SCRIPTED_RING_MS + greetingMs);
          expect(say.endedAtMs - say.startedAtMs).toBe(sayDurationMs(text, DEFAULT_TALK));
          // Billed from the answer: greeting plus message.
          expect(call.secondsDuration, label).toBe(Math.ceil((greetingMs + sayDurationMs(text, DEFAULT_TALK)) / 1000));
          expect(call.price, label).toBeGreaterThan(0);
          expect(call.price).toBe(
            callPrice({ e164: call.number, numberType: 'FIXED_LINE', billableSeconds: call.secondsDuration, rates: DEFAULT_RATES_GBP_PER_MINUTE }),
          );
        }
      }
      // No message ever starts before a beep.
      expect(run.events.some((e) => e.type === 'say' && e.beforeBeep)).toBe(false);
    });
  }

  for (const { mode, expected, on, date } of [
    { mode: 0, expected: [] as [string, number][], on: 'never', date: '2027-05-10' },
    { mode: 1, expected: [['0001', 1], ['0011', 1]] as [string, number][], on: 'after busy attempt 1', date: '2027-05-11' },
    // 0011 answers on attempt 3, so its last attempt is not busy: only 0001 gets one.
    { mode: 2, expected: [['0001', 3]] as [string, number][], on: 'after busy attempt 3 only', date: '2027-05-12' },
  ]) {
    it(`SMSOnBusy ${mode} sends the filled-in SMS ${on}`, async () => {
      const clock = new VirtualClock(london(date, '00:00'));
      const tenant = await harness.tenant({ smsText: SMS });
      const campaignId = await harness.campaign(
        tenant,
        {
          startDate: date,
          startTime: '09:00',
          finishTime: '12:00',
          attempts: THREE_ATTEMPTS,
          smsOnBusy: mode,
          phoneNumbers: [
            // 'ë' is not in the GSM 7-bit alphabet: this one goes as UCS-2, in two parts.
            {
              number: testNumber('0001'),
              name: 'Zoë',
              parameters: [
                { parameter: 1, value: 'A-100' },
                { parameter: 2, value: 'blue' },
              ],
            },
            {
              number: testNumber('0011'),
              name: 'Ann',
              parameters: [
                { parameter: 2, value: 'red' },
                { parameter: 1, value: 'A-200' },
              ],
            },
          ],
        },
        clock.now(),
      );
      const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED } });
      const { calls } = await expectCompletedConsistently(harness, campaignId, run);
      expect(calls.map((call) => [call.number.slice(-4), call.attemptNumber, call.outcome])).toEqual([
        ['0001', 1, CallOutcome.Busy],
        ['0001', 2, CallOutcome.Busy],
        ['0001', 3, CallOutcome.Busy],
        ['0011', 1, CallOutcome.Busy],
        ['0011', 2, CallOutcome.Busy],
        ['0011', 3, CallOutcome.Answered],
      ]);

      const rows = await harness.sms(campaignId);
      expect(rows.map((row) => [row.number.slice(-4), row.attemptNumber])).toEqual(expected);
      expect(run.sms.sent).toHaveLength(expected.length);
      const texts: Record<string, string> = {
        '0001': 'Hi Zoë, we tried to call about order A-100 (blue) but the line was busy. Call 020 7946 0999.',
        '0011': 'Hi Ann, we tried to call about order A-200 (red) but the line was busy. Call 020 7946 0999.',
      };
      for (const row of rows) {
        const lastFour = row.number.slice(-4);
        const text = texts[lastFour]!;
        expect(row.text).toBe(text);
        expect(row.status).toBe('sent');
        expect(row.providerId).toMatch(/^simsms-\d{6}$/);
        const parts = smsParts(text);
        expect({ parts: row.parts, encoding: row.encoding }).toEqual({ parts: parts.parts, encoding: parts.encoding });
        expect({ parts: row.parts, encoding: row.encoding }).toEqual(
          lastFour === '0001' ? { parts: 2, encoding: 'UCS-2' } : { parts: 1, encoding: 'GSM-7' },
        );
        // Sent when the busy attempt ended, from the campaign's CLI.
        const call = calls.find((c) => c.phoneNumberId === row.phoneNumberId && c.attemptNumber === row.attemptNumber)!;
        expect(call.outcome).toBe(CallOutcome.Busy);
        expect(row.sentAt.getTime()).toBe(call.endTime!.getTime());
        const sent = run.sms.sent.find((m) => m.providerId === row.providerId);
        expect(sent).toMatchObject({ to: testE164(lastFour), from: tenant.cliE164, text });
      }
    });
  }
});
