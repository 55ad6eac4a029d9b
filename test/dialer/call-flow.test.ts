// A campaign end to end with a menu call flow (issue 4): the dialer runs the flow on each answered call, and the
// outcomes show the keys pressed, transfers and the texts the flow sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, expectCompletedConsistently, testE164, testNumber } from '../helpers/dialer-harness.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome } from '../../src/domain/enums.js';
import { MENU_FLOW_EXAMPLE } from '../../src/callflow/examples.js';
import { AudioRepository } from '../../src/store/repositories/audio.js';
import { uploadAudio } from '../../src/tenancy/audio.js';
import { playThenSayFlow, sineWav16 } from '../helpers/wav-builder.js';

const UNPACED = {
  campaign: { maxConcurrentCalls: 20, maxCallsPerSecond: 20 },
  client: { maxConcurrentCalls: 20, maxCallsPerSecond: 20 },
  carrier: { maxConcurrentCalls: 20, maxCallsPerSecond: 20 },
};

describe.each(BACKENDS)('a menu call flow through the dialer on $kind', ({ kind }) => {
  let harness: DialerHarness;
  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
  });
  afterAll(() => harness?.dispose());

  it('records keypresses, transfers and the texts the flow sends', async () => {
    const clock = new VirtualClock('2027-04-05T07:00:00Z');
    const tenant = await harness.tenant({ flow: MENU_FLOW_EXAMPLE });
    const numbers = ['0005', '0013', '0015', '0016', '0900', '0003'];
    const campaignId = await harness.campaign(
      tenant,
      {
        startDate: '2027-04-05',
        startTime: '09:00',
        finishTime: '17:00',
        answerMachineDetected: 1,
        phoneNumbers: numbers.map((n) => ({ number: testNumber(n), name: `Caller ${n}`, parameters: [{ parameter: 1, value: 'Friday' }] })),
      },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED } });
    await expectCompletedConsistently(harness, campaignId, run);

    const first = async (lastFour: string) => (await harness.callsTo(campaignId, testE164(lastFour)))[0]!;
    // stage = the last step reached, numbered in the flow's order: 1 menu, 2 confirm, 3 confirm-sms, 4 agent,
    // 5 transfer, 6 agent-busy, 7 goodbye.
    expect(await first('0005')).toMatchObject({ outcome: CallOutcome.Answered, stage: 3, userInput: '1', isTransferCall: false });
    expect(await first('0013')).toMatchObject({ outcome: CallOutcome.Answered, stage: 5, userInput: '2', isTransferCall: true });
    expect(await first('0015')).toMatchObject({ outcome: CallOutcome.Answered, stage: 6, userInput: '2', isTransferCall: false });
    expect(await first('0016')).toMatchObject({ outcome: CallOutcome.Answered, stage: 3, userInput: '9,1' });
    expect(await first('0900')).toMatchObject({ outcome: CallOutcome.Answered, stage: 7, userInput: '' });
    expect(await first('0003')).toMatchObject({ outcome: CallOutcome.AnsweringMachine, stage: 0, voicemailLeft: true });

    // Pressing 1 confirms and sends the confirmation text with the placeholders filled in.
    const texts = await harness.sms(campaignId);
    const confirmations = texts.filter((sms) => sms.text.includes('is confirmed'));
    expect(confirmations.map((sms) => sms.number).sort()).toEqual([testE164('0005'), testE164('0016')].sort());
    expect(confirmations[0]!.text).toContain('Hi Caller');
    expect(confirmations[0]!.text).toContain('on Friday');
  });

  it('plays uploaded audio for its duration, then goes on to the next step', async () => {
    const clock = new VirtualClock('2027-04-06T07:00:00Z');
    let durationMs = 0;
    const tenant = await harness.tenant(async (clientId) => {
      // A 3 s 44.1 kHz stereo upload, stored as 8 kHz mono.
      const wav = sineWav16({ sampleRate: 44_100, channels: 2, frequencyHz: 440, durationMs: 3000 });
      const file = await uploadAudio(new AudioRepository(harness.db), { clientId, name: 'Intro', kind: 'wav', bytes: wav });
      durationMs = file.durationMs;
      return { flow: playThenSayFlow(file.id) };
    });
    expect(durationMs).toBe(3000);
    // 0005 listens to the end; 0007 hangs up 2 s after answering, during the audio.
    const campaignId = await harness.campaign(
      tenant,
      { startDate: '2027-04-06', startTime: '09:00', finishTime: '17:00', phoneNumbers: [testNumber('0005'), testNumber('0007')] },
      clock.now(),
    );
    const run = await harness.run({ clock, campaignIds: [campaignId], config: { pacing: UNPACED } });
    await expectCompletedConsistently(harness, campaignId, run);

    const listener = (await harness.callsTo(campaignId, testE164('0005')))[0]!;
    expect(listener).toMatchObject({ outcome: CallOutcome.Answered, stage: 2 });
    const leaver = (await harness.callsTo(campaignId, testE164('0007')))[0]!;
    expect(leaver).toMatchObject({ outcome: CallOutcome.Answered, stage: 1 });

    const plays = run.events.filter((event) => event.type === 'play');
    expect(plays).toHaveLength(2);
    const played = plays.map((event) => ({ ms: event.endedAtMs - event.startedAtMs, complete: event.complete, durationMs: event.durationMs }));
    expect(played).toContainEqual({ ms: 3000, complete: true, durationMs: 3000 });
    expect(played).toContainEqual({ ms: 2000, complete: false, durationMs: 3000 });
    // The say step followed the whole audio on the listener's call only.
    const says = run.events.filter((event) => event.type === 'say' && event.text.startsWith('Goodbye'));
    expect(says).toHaveLength(1);
  });
});
