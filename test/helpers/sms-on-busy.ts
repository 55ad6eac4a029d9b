// The SMSOnBusy campaign that the real SMS providers' dialer tests run (SMPP, Kannel): two numbers, three attempts
// 5 minutes apart, one busy every time (0001, a name with 'ë' so its text is UCS-2 in 2 parts) and one busy twice
// then answered (0011, GSM-7, 1 part), run through the dialer in virtual time with the provider under test, and
// the texts the provider's SMSC must have received, reassembled; and the campaign whose call flow has an `sms` step.
import { expect } from 'vitest';
import { expectCompletedConsistently, london, testE164, testNumber, type DialerHarness, type HarnessTenant, type SmsView } from './dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import type { SmsProvider } from '../../src/sms/sms-port.js';

export const UNPACED = {
  campaign: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  client: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
  carrier: { maxConcurrentCalls: 50, maxCallsPerSecond: 50 },
};

export const BUSY_SMS_TEXT = 'Hi {Name}, we tried to call about order {Parameter1} but the line was busy. Call us on 020 7946 0999.';

/** The two modes, each on its own date (runs in one file move forward in virtual time), with the texts expected:
 *  [last four digits of the number, attempt]. */
export const SMS_ON_BUSY_CASES = [
  // 0001 is busy on every attempt; 0011 is busy on attempts 1 and 2 and answers on 3.
  { mode: 1, expected: [['0001', 1], ['0011', 1]] as [string, number][], date: '2027-06-01' },
  { mode: 2, expected: [['0001', 3]] as [string, number][], date: '2027-06-02' },
];

/** Parts of 0001's text (UCS-2 for its 'ë') and of 0011's (GSM-7). */
export const PARTS_OF: Record<string, number> = { '0001': 2, '0011': 1 };

export async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs the SMSOnBusy campaign of `mode` on `date` through `provider`; answers its id, the tenant and its texts. */
export async function runSmsOnBusyCampaign(
  harness: DialerHarness,
  args: { mode: number; date: string; provider: SmsProvider },
): Promise<{ campaignId: number; tenant: HarnessTenant; rows: SmsView[] }> {
  const clock = new VirtualClock(london(args.date, '00:00'));
  const tenant = await harness.tenant({ smsText: BUSY_SMS_TEXT });
  const campaignId = await harness.campaign(
    tenant,
    {
      startDate: args.date,
      startTime: '09:00',
      finishTime: '12:00',
      attempts: [{ interval: 0 }, { interval: 5 }, { interval: 5 }],
      smsOnBusy: args.mode,
      phoneNumbers: [
        { number: testNumber('0001'), name: 'Zoë', parameters: [{ parameter: 1, value: 'A-100' }] },
        { number: testNumber('0011'), name: 'Ann', parameters: [{ parameter: 1, value: 'A-200' }] },
      ],
    },
    clock.now(),
  );
  const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED }, smsProvider: args.provider });
  await expectCompletedConsistently(harness, campaignId, run);
  return { campaignId, tenant, rows: await harness.sms(campaignId) };
}

/** A part as an SMSC received it: the destination without '+', and the UDH's part number (1 when not concatenated). */
export interface ReceivedTextPart {
  destinationAddr: string;
  sourceAddr: string;
  sourceTon: number;
  udh: Buffer | undefined;
  text: string;
}

/**
 * Checks that the SMSC got exactly the expected texts, each in its number of parts from the campaign's CLI (TON 1,
 * international), and that the parts reassemble to the text the database holds. Answers the parts by number.
 */
export function expectTextsReceived<P extends ReceivedTextPart>(
  received: readonly P[],
  expected: readonly [string, number][],
  rows: readonly SmsView[],
  tenant: HarnessTenant,
): (lastFour: string) => P[] {
  const partsFor = (lastFour: string) => received.filter((p) => `+${p.destinationAddr}` === testE164(lastFour));
  for (const [lastFour] of expected) {
    const parts = partsFor(lastFour);
    expect(parts.length).toBe(PARTS_OF[lastFour]);
    expect(parts.every((p) => `+${p.sourceAddr}` === tenant.cliE164 && p.sourceTon === 1)).toBe(true);
    const partNumber = (p: ReceivedTextPart) => p.udh?.[p.udh.length - 1] ?? 1;
    const text = [...parts].sort((a, b) => partNumber(a) - partNumber(b)).map((p) => p.text).join('');
    expect(text).toBe(rows.find((r) => r.number.slice(-4) === lastFour)!.text);
  }
  expect(received).toHaveLength(expected.reduce((n, [lastFour]) => n + PARTS_OF[lastFour]!, 0));
  return partsFor;
}

/** The call flow whose `sms` step texts the person who answers, on `date` (after the SMSOnBusy cases' dates). */
export const FLOW_SMS_DATE = '2027-06-09';
export const FLOW_SMS_TEXT = 'Hi Ann, your code is 4711.';

/**
 * Runs a campaign whose flow has an `sms` step, without SMS on busy: 0011 is busy twice and answers on attempt 3,
 * so the flow's one text goes on attempt 3. Checks the text the database holds; answers the campaign's id.
 */
export async function runFlowSmsCampaign(harness: DialerHarness, provider: SmsProvider): Promise<number> {
  const clock = new VirtualClock(london(FLOW_SMS_DATE, '00:00'));
  const tenant = await harness.tenant({
    flow: {
      version: 1,
      start: 'text',
      steps: [
        { id: 'text', type: 'sms', text: 'Hi {Name}, your code is {Parameter1}.', next: 'bye' },
        { id: 'bye', type: 'say', text: 'We have sent you a text.' },
      ],
      voicemail: { say: 'Hello {Name}, please call us back.' },
      smsOnBusy: 'Hi {Name}, we tried to call.',
    },
  });
  const campaignId = await harness.campaign(
    tenant,
    {
      startDate: FLOW_SMS_DATE,
      startTime: '09:00',
      finishTime: '12:00',
      attempts: [{ interval: 0 }, { interval: 5 }, { interval: 5 }],
      smsOnBusy: 0,
      phoneNumbers: [{ number: testNumber('0011'), name: 'Ann', parameters: [{ parameter: 1, value: '4711' }] }],
    },
    clock.now(),
  );
  const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED }, smsProvider: provider });
  await expectCompletedConsistently(harness, campaignId, run);
  const rows = await harness.sms(campaignId);
  expect(rows.map((row) => [row.number.slice(-4), row.attemptNumber, row.text])).toEqual([['0011', 3, FLOW_SMS_TEXT]]);
  return campaignId;
}
