// End to end over real SIP (issue 5): a campaign created through the HTTP API is dialled by the real dialer through
// the SIP carrier, via a Kamailio proxy that routes each number to the far end playing that callee (sipp and
// baresip on loopback), and every outcome appears in the phonenumbers endpoint:
//   busy (sipp 486), no answer (sipp rings until our CANCEL at the ring timeout), a person who presses 1 then 2
//   (sipp: "hello" then RFC 4733 keys), an answering machine that gets the message after its beep (baresip).
import { expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSipp, type SippPeer } from '../helpers/sipp.js';
import { startBaresip, type BaresipPeer } from '../helpers/baresip.js';
import { startKamailioRouter, type KamailioProxy } from '../helpers/kamailio.js';
import { pcmuPcap } from '../helpers/rtp-pcap.js';
import { concatPcm, silence, speakWithEspeak, synthTone } from '../helpers/audio-fixtures.js';
import { describeWithPeer } from '../helpers/peers.js';
import { cleanupAfterEach, sippExitCode, startTestSipCarrier } from '../helpers/sip-carrier.js';
import { encodeWav8kMono } from '../../src/media/audio/encode-wav.js';
import { systemClock, type Clock } from '../../src/domain/clock.js';
import { Dialer } from '../../src/dialer/dialer.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import { SimulatedSmsProvider } from '../../src/sms/simulated-sms.js';
import { CallOutcome, NumberStatus } from '../../src/domain/enums.js';

const NUMBERS = {
  busy: '07711000001',
  noAnswer: '07711000002',
  human: '07711000003',
  machine: '07711000004',
};
const e164 = (national: string) => `+44${national.slice(1)}`;

const FLOW = {
  version: 1,
  start: 'menu',
  steps: [
    {
      id: 'menu',
      type: 'gather',
      prompt: 'Hello {Name}. Press one, then two.',
      maxDigits: 2,
      timeoutMs: 6000,
      branches: { '12': 'thanks' },
      noInput: 'bye',
      maxRetries: 0,
      default: 'bye',
    },
    { id: 'thanks', type: 'say', text: 'Thank you. Goodbye.' },
    { id: 'bye', type: 'say', text: 'Goodbye.' },
  ],
  voicemail: { say: 'Hello {Name}, this is Ringcast with a message for you. Please call us back. Goodbye.' },
  smsOnBusy: 'Hello {Name}, Ringcast tried to call you.',
};

const defer = cleanupAfterEach();

/** The dialer's clock: real time, shifted to 10:00 in London on the campaign's start date, so its window is open. */
function shiftedClock(to: string): Clock {
  const offsetMs = Date.parse(to) - Date.now();
  return { now: () => new Date(Date.now() + offsetMs), sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

describeWithPeer(['sipp', 'baresip', 'kamailio', 'espeak-ng'], 'a campaign dialled over SIP, end to end', () => {
  it('reports busy, no answer, a person with their keys and a machine with the message left', async () => {
    const hello = concatPcm(await speakWithEspeak('Hello?'), silence(300));
    const busy: SippPeer = await startSipp({ scenario: 'uas-486-busy.xml' });
    defer(() => busy.stop());
    const ringing = await startSipp({ scenario: 'uas-ring-until-cancel.xml' });
    defer(() => ringing.stop());
    const person = await startSipp({ scenario: 'uas-answer-hello-then-dtmf.xml', files: { 'hello.pcap': pcmuPcap(hello) }, extraArgs: ['-d', '4000'] });
    defer(() => person.stop());
    const greeting = await speakWithEspeak('Hello, you have reached the voicemail of Jane Smith. I cannot take your call right now. Please leave a message after the tone.');
    const machineVoice = concatPcm(silence(300), greeting, silence(400), synthTone(1000, 400, 8000), silence(15_000));
    const machine: BaresipPeer = await startBaresip(encodeWav8kMono(machineVoice));
    defer(() => machine.stop());
    const proxy: KamailioProxy = await startKamailioRouter([
      { user: e164(NUMBERS.busy), destination: `sip:127.0.0.1:${busy.port}` },
      { user: e164(NUMBERS.noAnswer), destination: `sip:127.0.0.1:${ringing.port}` },
      { user: e164(NUMBERS.human), destination: `sip:127.0.0.1:${person.port}` },
      { user: e164(NUMBERS.machine), destination: `sip:127.0.0.1:${machine.port}`, rewriteUser: 'bob' },
    ]);
    defer(() => proxy.stop());

    const t: TestApp = await createTestApp('pglite');
    defer(() => t.close());
    const tenant = await t.createTenant('SIP end to end');
    const flow = await t.admin({
      method: 'PUT',
      url: `/api/admin/clients/${tenant.clientId}/callflows/${tenant.callFlowId}`,
      payload: { name: 'Menu', flow: FLOW },
    });
    expect(flow.statusCode, flow.body).toBe(200);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns/voice',
      headers: tenant.headers,
      payload: {
        name: 'SIP end to end',
        startDate: '2026-11-27',
        startTime: '09:00',
        finishTime: '17:00',
        callflow_Id: tenant.callFlowId,
        defaultCli_Id: tenant.cliId,
        answerMachineDetected: 1,
        smsOnBusy: 0,
        phoneNumbers: Object.entries(NUMBERS).map(([name, number]) => ({ number, name })),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const campaignId = (created.json() as { id: number }).id;

    const carrier = await startTestSipCarrier(defer, [{ name: 'kamailio', host: '127.0.0.1', port: proxy.port }]);
    const dialer = new Dialer({
      store: new DialerStore(t.db.database.db, 'e2e-sip'),
      carrier,
      sms: new SimulatedSmsProvider(),
      clock: shiftedClock('2026-11-27T10:00:00Z'),
      config: { ringTimeoutMs: 15_000, busyPollMs: 100, idlePollMs: 500, pacing: { campaign: { maxConcurrentCalls: 4, maxCallsPerSecond: 4 }, client: { maxConcurrentCalls: 4, maxCallsPerSecond: 4 }, carrier: { maxConcurrentCalls: 4, maxCallsPerSecond: 4 } } },
    });
    defer(() => dialer.stop(0));
    dialer.start();

    type Row = { number: string; status: number; calls: Array<{ startTime: string; endTime: string | null; secondsDuration: number; outcome: number; userInput: string; answeredBy: string | null; voicemailLeft: boolean; endReason: string | null; stage: number }> };
    let rows: Row[] = [];
    const deadline = Date.now() + 75_000;
    for (;;) {
      const listed = await t.app.inject({ method: 'GET', url: `/api/campaigns/voice/${campaignId}/phonenumbers/100/1`, headers: tenant.headers });
      rows = listed.json() as Row[];
      const finished = rows.every((row) => row.status !== NumberStatus.Pending && row.status !== NumberStatus.Dialling);
      if (finished && rows.length === 4) break;
      if (Date.now() > deadline) throw new Error(`campaign did not finish: ${JSON.stringify(rows, null, 1)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await dialer.stop();
    const byNumber = new Map(rows.map((row) => [row.number, row]));
    const callOf = (national: string) => {
      const row = byNumber.get(e164(national));
      expect(row?.calls).toHaveLength(1);
      return row!.calls[0]!;
    };
    expect(callOf(NUMBERS.busy)).toMatchObject({ outcome: CallOutcome.Busy, answeredBy: null });
    expect(callOf(NUMBERS.busy).endReason).toMatch(/486/);
    expect(callOf(NUMBERS.noAnswer)).toMatchObject({ outcome: CallOutcome.NoAnswer, answeredBy: null });
    expect(callOf(NUMBERS.human)).toMatchObject({ outcome: CallOutcome.Answered, answeredBy: 'human', userInput: '12' });
    expect(callOf(NUMBERS.machine)).toMatchObject({ outcome: CallOutcome.AnsweringMachine, answeredBy: 'machine', voicemailLeft: true });
    expect(callOf(NUMBERS.machine).endReason).toMatch(/answering-machine detection: machine/);

    // baresip recorded what it heard: our message, which must have real audio in it.
    await machine.stop();
    expect(machine.recordings().heard.length).toBeGreaterThan(0);
    for (const peer of [busy, ringing, person]) expect(await sippExitCode(peer)).toBe(0);
  }, 120_000);
});
