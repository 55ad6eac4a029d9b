// The SIP carrier against baresip (Debian baresip-core) auto-answering on loopback: audio both ways, through the
// production path. baresip plays a WAV as the callee's voice (and hangs up when it ends); the dialer's call runner
// (runCall) dials it through our carrier, answering-machine detection listens to that voice, and the call flow or the
// voicemail message is spoken back. baresip records what it decoded from our RTP (sndfile), so each test checks the
// far end's side too: our words arrived, when they should, and are the words we rendered.
import { DEFAULT_CALLING_HOURS } from '../../../../src/domain/compliance/calling-hours.js';
import { expect, it } from 'vitest';
import { systemClock } from '../../../../src/domain/clock.js';
import { AttemptSelector, CallOutcome, CampaignStatus } from '../../../../src/domain/enums.js';
import { runCall, type CallReport } from '../../../../src/dialer/call-runner.js';
import { validateFlow } from '../../../../src/callflow/validate.js';
import { encodeWav8kMono } from '../../../../src/media/audio/encode-wav.js';
import type { SipCarrier } from '../../../../src/telephony/sip/carrier/sip-carrier.js';
import type {
  AnsweredCall,
  Carrier,
  DialRequest,
  DialResult,
  GatherOptions,
  HangupInfo,
  PlayableAudio,
  SayOptions,
} from '../../../../src/telephony/carrier.js';
import type { CampaignForDialing, ClaimedNumber } from '../../../../src/store/repositories/dialer-store.js';
import { readWavSamples, startBaresip, type BaresipPeer } from '../../../helpers/baresip.js';
import { concatPcm, silence, speakWithEspeak, synthTone } from '../../../helpers/audio-fixtures.js';
import { describeWithPeer } from '../../../helpers/peers.js';
import { cleanupAfterEach, startTestSipCarrier } from '../../../helpers/sip-carrier.js';

/** The number called, in E.164: the request URI is sip:+442079460001@127.0.0.1:PORT, so baresip's account is that user. */
const CALLED = '+442079460001';
const CLI = '+441632960001';
const VOICE = 'en-gb';

const MESSAGE = 'Thank you for taking our call. This is a test message from Ringcast.';
const VOICEMAIL_MESSAGE = 'Hello, this is Ringcast calling about your appointment tomorrow. Please call us back.';
const LONG_MESSAGE =
  'This is a much longer message, which goes on for quite a while, so that the person we called has plenty of time ' +
  'to put the phone down before we have finished saying everything we wanted to say to them today.';
const GREETING =
  "Hello, you have reached the voicemail of John Smith. I can't take your call right now, " +
  'please leave a message after the tone.';

const defer = cleanupAfterEach();

// ---- peers and the call ------------------------------------------------------------------------------------------

async function baresip(voice: Int16Array): Promise<BaresipPeer> {
  const peer = await startBaresip(encodeWav8kMono(voice), { user: CALLED, lifetimeS: 60 });
  defer(() => peer.stop());
  return peer;
}

function carrierFor(peer: BaresipPeer): Promise<SipCarrier> {
  return startTestSipCarrier(defer, [{ name: 'baresip', host: '127.0.0.1', port: peer.port }], { ttsVoice: VOICE });
}

/** A campaign of one attempt whose flow says `message` and hangs up, and leaves `voicemail` on a machine. */
function campaign(message: string, voicemail: string): CampaignForDialing {
  const checked = validateFlow(
    {
      version: 1,
      start: 'message',
      steps: [{ id: 'message', type: 'say', text: message }],
      voicemail: { say: voicemail },
      smsOnBusy: 'Sorry we missed you.',
    },
    { maxSmsParts: 1 },
  );
  if (!checked.ok) throw new Error(`test flow is invalid: ${JSON.stringify(checked.errors)}`);
  return {
    id: 1,
    clientId: 1,
    status: CampaignStatus.Running,
    timeZone: 'Europe/London',
    startDate: '2026-01-01',
    startTime: '00:00',
    finishTime: '23:59',
    startsAt: new Date(0),
    answerPhoneMessage: AttemptSelector.OnTheFirstCall,
    smsOnBusy: AttemptSelector.Never,
    runoverDays: [],
    attempts: [{ attemptNumber: 1, intervalMinutes: 0 }],
    flow: checked.flow,
    cliNumber: CLI,
    callingHours: DEFAULT_CALLING_HOURS,
    marketing: false,
    machineRuleOn: true,
  };
}

const NUMBER: ClaimedNumber = {
  phoneNumberId: 1,
  campaignId: 1,
  attemptNumber: 1,
  callId: 1,
  number: CALLED,
  name: 'Test',
  parameters: [],
};

/** What the call flow did on the answered call, in ms since the dial started. */
interface CallTimeline {
  answeredAtMs?: number;
  greetingEnd?: { atMs: number; hungUp: boolean };
  says: { text: string; startedAtMs: number; endedAtMs: number; hungUp: boolean }[];
  ended?: HangupInfo & { atMs: number };
}

/**
 * Passes everything through to the SIP carrier and notes when the answered call's actions start and end, so a test
 * can line our side up with what baresip heard. The call runner drives it as it drives any carrier.
 */
class TimedCarrier implements Carrier {
  readonly timeline: CallTimeline = { says: [] };
  private startedAtMs = 0;
  constructor(private readonly inner: Carrier) {}

  get name(): string {
    return this.inner.name;
  }

  async dial(request: DialRequest): Promise<DialResult> {
    this.startedAtMs = Date.now();
    const result = await this.inner.dial(request);
    if (result.kind !== 'answered') return result;
    this.timeline.answeredAtMs = this.sinceStart();
    return { kind: 'answered', call: this.timed(result.call) };
  }

  private sinceStart(): number {
    return Date.now() - this.startedAtMs;
  }

  private timed(call: AnsweredCall): AnsweredCall {
    const timeline = this.timeline;
    const since = () => this.sinceStart();
    void call.ended.then((info) => (timeline.ended = { ...info, atMs: since() }));
    return {
      get answeredBy() {
        return call.answeredBy;
      },
      get detection() {
        return call.detection;
      },
      get firstAudioAfterMs() {
        return call.firstAudioAfterMs;
      },
      ended: call.ended,
      async waitForGreetingEnd() {
        const result = await call.waitForGreetingEnd();
        timeline.greetingEnd = { atMs: since(), hungUp: result.hungUp };
        return result;
      },
      async say(text: string, options?: SayOptions) {
        const startedAtMs = since();
        const result = await call.say(text, options);
        timeline.says.push({ text, startedAtMs, endedAtMs: since(), hungUp: result.hungUp });
        return result;
      },
      gather: (options: GatherOptions) => call.gather(options),
      transfer: (to: string, ringTimeoutMs: number) => call.transfer(to, ringTimeoutMs),
      play: (audio: PlayableAudio) => call.play(audio),
      hangup: () => call.hangup(),
    };
  }
}

async function callThrough(peer: BaresipPeer, campaignToRun: CampaignForDialing): Promise<{ report: CallReport; timeline: CallTimeline }> {
  const carrier = new TimedCarrier(await carrierFor(peer));
  const report = await runCall({ carrier, clock: systemClock, campaign: campaignToRun, number: NUMBER, ringTimeoutMs: 10_000 });
  return { report, timeline: carrier.timeline };
}

/** baresip's own recordings once its call is over (sndfile closes the files when the call ends). */
async function recordingsOf(peer: BaresipPeer): Promise<{ heard: Int16Array; sent: Int16Array }> {
  const deadline = Date.now() + 5000;
  while (!/terminated \(duration/.test(peer.output())) {
    if (Date.now() > deadline) throw new Error(`baresip did not report the call's end:\n${peer.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const files = peer.recordings();
  expect(files.heard).toHaveLength(1);
  expect(files.sent).toHaveLength(1);
  return { heard: readWavSamples(files.heard[0]!), sent: readWavSamples(files.sent[0]!) };
}

// ---- audio analysis ----------------------------------------------------------------------------------------------

const SAMPLES_PER_MS = 8;
const BLOCK_MS = 20;
const BLOCK = BLOCK_MS * SAMPLES_PER_MS;
/** RMS above which a 20 ms block holds speech (espeak speaks at an RMS of a few thousand; our silence decodes to ~2). */
const VOICED_RMS = 300;

function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  const start = Math.max(0, from);
  const end = Math.min(pcm.length, to);
  if (end <= start) return 0;
  let energy = 0;
  for (let i = start; i < end; i++) energy += pcm[i]! * pcm[i]!;
  return Math.sqrt(energy / (end - start));
}

/** RMS of each 20 ms block. */
function envelope(pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + BLOCK <= pcm.length; at += BLOCK) out.push(rms(pcm, at, at + BLOCK));
  return out;
}

/** The first and last voiced 20 ms blocks, in ms (end exclusive); undefined when nothing is voiced. */
function voicedSpan(pcm: Int16Array, fromMs = 0): { startMs: number; endMs: number } | undefined {
  const blocks = envelope(pcm);
  const first = blocks.findIndex((value, index) => index * BLOCK_MS >= fromMs && value > VOICED_RMS);
  if (first < 0) return undefined;
  let last = first;
  for (let index = first; index < blocks.length; index++) if (blocks[index]! > VOICED_RMS) last = index;
  return { startMs: first * BLOCK_MS, endMs: (last + 1) * BLOCK_MS };
}

/**
 * Where `sent` is found in `heard`: the sample offset at which the two waveforms agree best (normalised
 * cross-correlation), searched first over 20 ms envelopes and then sample by sample around the best block. G.711
 * keeps a waveform's shape (about 38 dB SNR), so our own audio, decoded by baresip, correlates above 0.9. `sent` may
 * run past the end of `heard` (a recording cut by the hang-up) by up to `maxCutMs`: only the overlap is compared.
 */
function locate(heard: Int16Array, sent: Int16Array, maxCutMs = 500): { offsetMs: number; correlation: number; comparedMs: number } {
  const heardBlocks = envelope(heard);
  const sentBlocks = envelope(sent);
  const minOverlap = Math.max(1, sentBlocks.length - Math.ceil(maxCutMs / BLOCK_MS));
  let bestBlock = 0;
  let bestEnvelope = -Infinity;
  for (let lag = 0; lag + minOverlap <= heardBlocks.length; lag++) {
    const overlap = Math.min(sentBlocks.length, heardBlocks.length - lag);
    const c = pearson(sentBlocks.slice(0, overlap), (i) => heardBlocks[lag + i]!);
    if (c > bestEnvelope) {
      bestEnvelope = c;
      bestBlock = lag;
    }
  }
  let best = { offset: bestBlock * BLOCK, correlation: -Infinity, compared: 0 };
  for (let offset = Math.max(0, (bestBlock - 2) * BLOCK); offset <= (bestBlock + 2) * BLOCK; offset++) {
    const overlap = Math.min(sent.length, heard.length - offset);
    if (overlap < minOverlap * BLOCK) break;
    const c = pearson(sent.subarray(0, overlap), (i) => heard[offset + i]!);
    if (c > best.correlation) best = { offset, correlation: c, compared: overlap };
  }
  return { offsetMs: best.offset / SAMPLES_PER_MS, correlation: best.correlation, comparedMs: best.compared / SAMPLES_PER_MS };
}

function pearson(a: ArrayLike<number>, b: (i: number) => number): number {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b(i);
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  return va <= 0 || vb <= 0 ? 0 : cov / Math.sqrt(va * vb);
}

const ms = (pcm: Int16Array) => pcm.length / SAMPLES_PER_MS;

// ---- the tests ---------------------------------------------------------------------------------------------------

describeWithPeer(['baresip', 'espeak-ng'], 'SIP carrier against baresip: audio both ways', () => {
  it('a person says "Hello?": AMD says human, the flow speaks, and baresip heard our words', async () => {
    const hello = await speakWithEspeak('Hello?', { voice: VOICE });
    const peer = await baresip(concatPcm(hello, silence(8000)));
    const { report, timeline } = await callThrough(peer, campaign(MESSAGE, VOICEMAIL_MESSAGE));

    expect(report).toMatchObject({ outcome: CallOutcome.Answered, answeredBy: 'human', stage: 1, voicemailLeft: false });
    expect(report.endReason).toMatch(/^ended by us; answering-machine detection: human \(after-greeting silence/);
    expect(timeline.says).toEqual([expect.objectContaining({ text: MESSAGE, hungUp: false })]);

    const sentMessage = await speakWithEspeak(MESSAGE, { voice: VOICE });
    const { heard } = await recordingsOf(peer);
    const found = locate(heard, sentMessage);
    const span = voicedSpan(heard);
    const before = rms(heard, 0, found.offsetMs * SAMPLES_PER_MS);
    const during = rms(heard, found.offsetMs * SAMPLES_PER_MS, (found.offsetMs + ms(sentMessage)) * SAMPLES_PER_MS);
    const sentSpan = voicedSpan(sentMessage)!;
    console.info(
      `[baresip human] AMD: ${report.endReason.replace(/^.*detection: /, '')}; answered ${timeline.answeredAtMs} ms ` +
        `after the dial; say ${timeline.says[0]!.startedAtMs}-${timeline.says[0]!.endedAtMs} ms (${ms(sentMessage)} ms ` +
        `of speech); baresip heard ${ms(heard)} ms: our message at ${found.offsetMs} ms, waveform correlation ` +
        `${found.correlation.toFixed(3)} over ${found.comparedMs} ms, voiced ${span?.startMs}-${span?.endMs} ms ` +
        `(rendered: ${sentSpan.startMs}-${sentSpan.endMs} ms), RMS ${during.toFixed(0)} during vs ${before.toFixed(0)} before`,
    );

    // What baresip decoded from our RTP is the waveform we rendered, whole: same shape, same length, loud where it
    // was loud, and nothing but our silence before it.
    expect(found.correlation).toBeGreaterThan(0.9);
    expect(during).toBeGreaterThan(1000);
    expect(before).toBeLessThan(50);
    expect(span).toBeDefined();
    expect(span!.startMs).toBeGreaterThanOrEqual(found.offsetMs + sentSpan.startMs - 2 * BLOCK_MS);
    expect(span!.endMs - span!.startMs).toBeGreaterThan(sentSpan.endMs - sentSpan.startMs - 3 * BLOCK_MS);
    expect(span!.endMs - span!.startMs).toBeLessThan(sentSpan.endMs - sentSpan.startMs + 3 * BLOCK_MS);
  }, 40_000);

  it('a voicemail greeting: AMD says machine, the message starts after the beep, and baresip heard it there', async () => {
    const greeting = await speakWithEspeak(GREETING, { voice: VOICE });
    const beepStartMs = ms(greeting) + 300;
    const beepEndMs = beepStartMs + 400;
    const peer = await baresip(concatPcm(greeting, silence(300), synthTone(1000, 400, 8000), silence(10_000)));
    const { report, timeline } = await callThrough(peer, campaign(MESSAGE, VOICEMAIL_MESSAGE));

    expect(report).toMatchObject({ outcome: CallOutcome.AnsweringMachine, answeredBy: 'machine', stage: 0, voicemailLeft: true });
    expect(report.endReason).toMatch(/^ended by us; answering-machine detection: machine /);
    expect(timeline.greetingEnd).toEqual({ atMs: expect.any(Number), hungUp: false });
    expect(timeline.says).toEqual([expect.objectContaining({ text: VOICEMAIL_MESSAGE, hungUp: false })]);

    const sentMessage = await speakWithEspeak(VOICEMAIL_MESSAGE, { voice: VOICE });
    const { heard, sent } = await recordingsOf(peer);
    const found = locate(heard, sentMessage);
    const heardSpan = voicedSpan(heard);
    const sentBeep = voicedSpan(sent, beepStartMs - 100);
    // baresip starts both recordings as the call's audio starts: what it sent from its first frame (at its answer),
    // what it heard from our first packet, which comes later (we send only once its 200 OK has arrived). So a
    // position in the recording of what it heard is at least that far into the call: comparing it with the beep's
    // position in the greeting understates how late our message came, never overstates it. (Both recordings end at
    // the hang-up, so their difference in length estimates the lag; it is only reported.)
    const heardLagMs = ms(sent) - ms(heard);
    console.info(
      `[baresip machine] AMD: ${report.endReason.replace(/^.*detection: /, '')}; answered ${timeline.answeredAtMs} ms ` +
        `after the dial; greeting end reported at ${timeline.greetingEnd?.atMs} ms; say ` +
        `${timeline.says[0]!.startedAtMs}-${timeline.says[0]!.endedAtMs} ms; greeting ${ms(greeting)} ms, beep ` +
        `${beepStartMs}-${beepEndMs} ms (baresip sent it at ${sentBeep?.startMs}-${sentBeep?.endMs} ms); baresip heard ` +
        `${ms(heard)} ms (starting ~${heardLagMs} ms after what it sent): our message (correlation ` +
        `${found.correlation.toFixed(3)} over ${found.comparedMs} of ${ms(sentMessage)} ms) from ${found.offsetMs} ms, ` +
        `first voice at ${heardSpan?.startMs} ms`,
    );

    // baresip played the greeting and the beep where the WAV has them.
    expect(sentBeep).toBeDefined();
    expect(Math.abs(sentBeep!.startMs - beepStartMs)).toBeLessThanOrEqual(2 * BLOCK_MS);
    expect(Math.abs(sentBeep!.endMs - beepEndMs)).toBeLessThanOrEqual(2 * BLOCK_MS);
    // The greeting's end was found at the beep, not by the fallbacks (1 s of silence after it, or the 20 s limit).
    expect(timeline.greetingEnd!.atMs).toBeGreaterThan(beepStartMs);
    expect(timeline.greetingEnd!.atMs).toBeLessThan(beepEndMs + 600);
    // What baresip heard is our voicemail message, whole...
    expect(found.correlation).toBeGreaterThan(0.9);
    expect(found.comparedMs).toBeGreaterThan(ms(sentMessage) - 500);
    // ...and nothing but silence from us until after the beep: the machine records the message from its start.
    expect(rms(heard, 0, beepEndMs * SAMPLES_PER_MS)).toBeLessThan(50);
    expect(heardSpan).toBeDefined();
    expect(heardSpan!.startMs).toBeGreaterThanOrEqual(beepEndMs);
    expect(found.offsetMs).toBeGreaterThanOrEqual(beepEndMs - voicedSpan(sentMessage)!.startMs);
    // Nor long after it (greeting-end detection, then rendering the text: a few hundred ms on an idle machine).
    expect(heardSpan!.startMs).toBeLessThan(beepEndMs + 3000);
  }, 40_000);

  it('the callee hangs up mid-message: say reports hungUp, the call ended by the callee', async () => {
    const hello = await speakWithEspeak('Hello?', { voice: VOICE });
    // baresip hangs up when its WAV ends: about 2.5 s after answering, a second or so into our message.
    const peer = await baresip(concatPcm(hello, silence(1800)));
    const { report, timeline } = await callThrough(peer, campaign(LONG_MESSAGE, VOICEMAIL_MESSAGE));
    const sentMessage = await speakWithEspeak(LONG_MESSAGE, { voice: VOICE });

    expect(report).toMatchObject({ outcome: CallOutcome.Answered, answeredBy: 'human', stage: 1 });
    expect(report.endReason).toMatch(/^ended by callee/);
    expect(timeline.says).toHaveLength(1);
    const said = timeline.says[0]!;
    console.info(
      `[baresip hang-up] AMD: ${report.endReason.replace(/^.*detection: /, '')}; answered ${timeline.answeredAtMs} ms; ` +
        `say ${said.startedAtMs}-${said.endedAtMs} ms of a ${ms(sentMessage)} ms message, hungUp ${said.hungUp}; ` +
        `call ${report.answeredSeconds.toFixed(2)} s`,
    );
    expect(said.hungUp).toBe(true);
    expect(timeline.ended).toMatchObject({ by: 'callee' });
    // say returned at baresip's BYE, not when the message would have ended.
    expect(said.endedAtMs - said.startedAtMs).toBeLessThan(ms(sentMessage) - 3000);
    expect(said.endedAtMs).toBeLessThan(ms(hello) + 1800 + 1500);
    expect(Math.abs(said.endedAtMs - timeline.ended!.atMs)).toBeLessThan(200);
    // baresip was hearing our message when it hung up: the start of it, loud.
    const { heard } = await recordingsOf(peer);
    const heardSpan = voicedSpan(heard);
    expect(heardSpan).toBeDefined();
    expect(rms(heard, heardSpan!.startMs * SAMPLES_PER_MS, heardSpan!.endMs * SAMPLES_PER_MS)).toBeGreaterThan(1000);
  }, 40_000);
});
