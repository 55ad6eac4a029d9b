// An answered SIP call as the call flow sees it (the AnsweredCall port of src/telephony/carrier.ts): speech and
// uploaded audio go out through the call's media session, keys come back from it, and every action ends early,
// with hungUp: true, when the callee hangs up.
import type {
  AnsweredBy,
  AnsweredCall,
  DialFailure,
  GatherOptions,
  HangupInfo,
  PlayableAudio,
  SayOptions,
  TransferResult,
} from '../../carrier.js';
import type { Clock } from '../../../domain/clock.js';
import type { AmdDecision, MediaSession, MediaSessionStats } from '../../../media/session/types.js';
import type { TextToSpeech } from '../../../media/tts/types.js';
import type { ReferResult, SipCall } from '../ua/user-agent.js';
import { DigitCollector } from './digit-collector.js';
import { failureForStatus } from './failure-map.js';
import type { SipTrunk } from './trunk-config.js';
import { trunkRequestUri } from './trunk-uri.js';

/**
 * How much longer than the ring timeout a transfer may take before we give up on its NOTIFY: the REFER's round
 * trip and the transferee's call setup before the target starts ringing.
 */
export const TRANSFER_MARGIN_MS = 10_000;

/** The DialFailure of a transfer that did not connect (the status codes mean what they do for our own dials). */
export function transferFailure(result: Extract<ReferResult, { kind: 'failed' }>): DialFailure {
  switch (result.cause) {
    case 'refused':
    case 'target-failed':
      return result.status !== undefined ? failureForStatus(result.status) : 'failed';
    case 'timeout':
      return 'no_answer';
    default:
      return 'failed';
  }
}

export interface SipAnsweredCallOptions {
  sipCall: SipCall;
  media: MediaSession;
  tts: TextToSpeech;
  clock: Clock;
  amd: AmdDecision;
  defaultVoice: string;
  /** The trunk the call went through: transfer targets are addressed at it, as the carrier addresses callees. */
  trunk: Pick<SipTrunk, 'host' | 'port' | 'transport' | 'numberFormat'>;
  /** Called once when the call has ended and its media is closed (frees the trunk slot). */
  onEnded: () => void;
  /** Given the media's totals once the call has ended, before the media closes (RTP metrics). */
  onMediaStats?: (stats: MediaSessionStats) => void;
}

/** How long the far end may still be playing our audio after the last packet left (its jitter buffer). */
const PLAYOUT_TAIL_MS = 250;

export class SipAnsweredCall implements AnsweredCall {
  readonly answeredBy: AnsweredBy;
  readonly ended: Promise<HangupInfo>;
  private isUp = true;
  /** When the last audio we played finished sending. */
  private lastAudioEndMs: number | undefined;
  /** A transfer was answered: our leg ends as 'transferred'. */
  private transferred = false;
  /** The 200 OK's instant: this object is made once AMD has decided, `amd.afterMs` after the answer. */
  private readonly answeredAtMs: number;
  private firstAudioAtMs: number | undefined;
  /** Settles when the call ends: every wait below races it. */
  private readonly over: Promise<void>;
  private markOver!: () => void;

  constructor(private readonly options: SipAnsweredCallOptions) {
    // "Not sure" runs the flow: playing the message to a person is better than leaving them in silence.
    this.answeredBy = options.amd.result === 'machine' ? 'machine' : 'human';
    this.answeredAtMs = options.clock.now().getTime() - options.amd.afterMs;
    this.over = new Promise<void>((resolve) => (this.markOver = resolve));
    this.ended = options.sipCall.ended.then(async (end) => {
      this.isUp = false;
      this.markOver();
      options.media.stopPlayback();
      if (options.onMediaStats) await options.media.stats().then(options.onMediaStats, () => {});
      await options.media.close().catch(() => {});
      options.onEnded();
      const info: HangupInfo = { by: end.by };
      if (end.sipCode !== undefined) info.sipCode = end.sipCode;
      if (end.q850Cause !== undefined) info.q850Cause = end.q850Cause;
      if (end.reason !== undefined) info.reason = end.reason;
      else if (this.transferred && end.by === 'us') info.reason = 'transferred';
      return info;
    });
  }

  get firstAudioAfterMs(): number | undefined {
    return this.firstAudioAtMs === undefined ? undefined : this.firstAudioAtMs - this.answeredAtMs;
  }

  /** The AMD verdict and why, for the call record. */
  get detection(): string {
    const { result, reason, afterMs } = this.options.amd;
    return `${result} (${reason}) after ${(afterMs / 1000).toFixed(1)} s`;
  }

  async waitForGreetingEnd(): Promise<{ hungUp: boolean }> {
    if (this.answeredBy !== 'machine') return { hungUp: !this.isUp };
    if (!this.isUp) return { hungUp: true };
    await Promise.race([this.options.media.waitForGreetingEnd(), this.whenOver()]);
    return { hungUp: !this.isUp };
  }

  async say(text: string, options?: SayOptions): Promise<{ hungUp: boolean }> {
    if (!this.isUp) return { hungUp: true };
    const pcm = await this.render(text, options);
    return this.playPcm(pcm);
  }

  async play(audio: PlayableAudio): Promise<{ hungUp: boolean }> {
    return this.playPcm(audio.pcm8kMono);
  }

  async gather(options: GatherOptions): Promise<{ digits: string; hungUp: boolean }> {
    if (!this.isUp) return { digits: '', hungUp: true };
    const { clock, media } = this.options;
    const collector = new DigitCollector(options, options.prompt !== undefined, clock.now().getTime());
    let wake: (() => void) | undefined;
    const unsubscribe = media.onDigit((digit) => {
      const wasPrompting = collector.state === 'prompting';
      collector.key(digit, clock.now().getTime());
      if (wasPrompting) media.stopPlayback(); // barge-in
      wake?.();
    });
    try {
      if (options.prompt !== undefined) {
        const pcm = await this.render(options.prompt, undefined);
        if (collector.state === 'prompting') await this.playPcm(pcm);
        collector.promptEnded(clock.now().getTime());
      }
      while (this.isUp && !collector.expire(clock.now().getTime())) {
        const deadline = collector.deadline ?? clock.now().getTime();
        const waitMs = Math.max(0, deadline - clock.now().getTime());
        const keyArrived = new Promise<void>((resolve) => (wake = resolve));
        const timer = new AbortController();
        await Promise.race([clock.sleep(waitMs, timer.signal).catch(() => {}), keyArrived, this.whenOver()]);
        timer.abort();
        wake = undefined;
      }
      return { digits: collector.result, hungUp: !this.isUp };
    } finally {
      unsubscribe();
    }
  }

  /**
   * A blind transfer (RFC 3515 REFER, RFC 5589 section 6): the callee is asked to call `to` at our trunk; once the
   * target answers (a NOTIFY with "SIP/2.0 200"), the callee is theirs and we end our leg with BYE (unless the callee
   * already did). Otherwise the callee is still with us and the flow goes on.
   */
  async transfer(to: string, ringTimeoutMs: number): Promise<TransferResult> {
    const { trunk, sipCall, media } = this.options;
    if (!this.isUp) return { kind: 'failed', failure: 'failed' };
    media.stopPlayback();
    const result = await sipCall.refer(trunkRequestUri(to, trunk), { timeoutMs: Math.max(0, ringTimeoutMs) + TRANSFER_MARGIN_MS });
    if (result.kind === 'failed') return { kind: 'failed', failure: transferFailure(result) };
    this.transferred = true;
    await this.hangup();
    return { kind: 'answered' };
  }

  async hangup(): Promise<void> {
    if (!this.isUp) return;
    this.options.media.stopPlayback();
    // The last packets we sent are still in the far end's jitter buffer: a BYE sent at once cuts the end of the
    // last word (measured on baresip: ~90 ms of a prompt lost). Let them play out first.
    if (this.lastAudioEndMs !== undefined) {
      const waitMs = this.lastAudioEndMs + PLAYOUT_TAIL_MS - this.options.clock.now().getTime();
      if (waitMs > 0) await Promise.race([this.options.clock.sleep(waitMs), this.whenOver()]);
    }
    await this.options.sipCall.hangup();
  }

  private async render(text: string, options: SayOptions | undefined): Promise<Int16Array> {
    return this.options.tts.render(text, {
      voice: options?.voice ?? this.options.defaultVoice,
      ...(options?.language !== undefined ? { language: options.language } : {}),
    });
  }

  private async playPcm(pcm: Int16Array): Promise<{ hungUp: boolean }> {
    if (!this.isUp) return { hungUp: true };
    // Playback starts sending on the media worker's next 20 ms tick: this instant is the first packet's within one.
    this.firstAudioAtMs ??= this.options.clock.now().getTime();
    await Promise.race([this.options.media.play(pcm), this.whenOver()]);
    this.lastAudioEndMs = this.options.clock.now().getTime();
    return { hungUp: !this.isUp };
  }

  private whenOver(): Promise<void> {
    return this.over;
  }
}
