// One answered simulated call: a two-state machine (up -> ended) that plays the callee's plan out in the clock's time.
//
// Every wait is a clock.sleep tied to the call's life: ending the call (whoever ends it) aborts the life signal, so
// each pending say/gather/transfer wakes at that instant and reports `hungUp`, and no timer outlives the call.
// The callee's own hang-up (a person who stops listening, a machine at its recording limit) is one timer set at
// answer. `end()` is the one transition; it runs once and resolves `ended` once.

import type {
  AnsweredBy,
  AnsweredCall,
  GatherOptions,
  HangupInfo,
  PlayableAudio,
  SayOptions,
  TransferResult,
} from '../carrier.js';
import type { Clock } from '../../domain/clock.js';
import { Cancellation, type CancelSignal } from '../../domain/cancellation.js';
import {
  decideDial,
  drawKeys,
  planFromBehaviour,
  sayDurationMs,
  type AnsweredPlan,
  type CallPlan,
  type TalkSettings,
} from './callee-plan.js';
import type { Rng } from './prng.js';
import type { SimulatedCallListener } from './events.js';

export interface SimulatedCallContext {
  clock: Clock;
  callId: string;
  plan: AnsweredPlan;
  talk: Readonly<TalkSettings>;
  /** The caller's signal: aborting it after the answer hangs up (by us). */
  signal: CancelSignal | undefined;
  /** A random stream of this call, for draws made during it (the keys of gather N). */
  rng: (...purpose: (string | number)[]) => Rng;
  /** The plan of a transfer target, as the carrier would dial it. */
  planTransfer: (to: string) => CallPlan;
  emit: SimulatedCallListener;
}

type CallState = 'up' | 'ended';

/**
 * The life signal's abort reason: never seen (every wait on it swallows the rejection). abort() without a reason
 * builds an error with a captured stack, once per call (as AbortController's DOMException: 1.5% of the virtual-time
 * benchmark's time).
 */
const CALL_ENDED: unknown = Object.freeze({ callEnded: true });

export class SimulatedCall implements AnsweredCall {
  readonly answeredBy: AnsweredBy;
  readonly ended: Promise<HangupInfo>;
  private state: CallState = 'up';
  private resolveEnded: (info: HangupInfo) => void = () => {};
  private readonly life = new Cancellation();
  private readonly answeredAtMs: number;
  /** For a machine, when its beep sounds; for a person, the answer. */
  private readonly greetingEndAtMs: number;
  private gathers = 0;
  private firstAudioAtMs: number | undefined;
  private readonly onAbort = () => this.end({ by: 'us', reason: 'aborted' });

  private constructor(private readonly context: SimulatedCallContext) {
    const { plan, clock } = context;
    this.answeredBy = plan.outcome;
    this.answeredAtMs = clock.now().getTime();
    this.greetingEndAtMs = this.answeredAtMs + (plan.outcome === 'machine' ? plan.greetingMs : 0);
    this.ended = new Promise<HangupInfo>((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  /** The call at the instant of answer, with the callee's hang-up timer and the caller's abort wired. */
  static answer(context: SimulatedCallContext): SimulatedCall {
    const call = new SimulatedCall(context);
    const { plan, talk, signal } = context;
    const calleeHangUpAfterMs =
      plan.outcome === 'machine' ? plan.greetingMs + talk.machineRecordMaxMs : plan.hangUpAfterMs;
    if (calleeHangUpAfterMs !== undefined) {
      const reason = plan.outcome === 'machine' ? 'recording limit reached' : 'callee hung up';
      // Q.850 16: normal call clearing, what a BYE from the far end maps to.
      call.afterMs(calleeHangUpAfterMs, () => call.end({ by: 'callee', q850Cause: 16, reason }));
    }
    if (signal?.aborted) call.onAbort();
    else signal?.addEventListener('abort', call.onAbort, { once: true });
    return call;
  }

  get firstAudioAfterMs(): number | undefined {
    return this.firstAudioAtMs === undefined ? undefined : this.firstAudioAtMs - this.answeredAtMs;
  }

  /**
   * Before our first audio: a person's plan may model a slow media path (answer detection, a prompt still being
   * rendered), which no audio can start before; then the first audio's start is noted. False if the call ended.
   */
  private async startAudio(): Promise<boolean> {
    if (this.firstAudioAtMs !== undefined) return true;
    const { plan } = this.context;
    const readyAtMs = this.answeredAtMs + (plan.outcome === 'human' ? (plan.mediaDelayMs ?? 0) : 0);
    if (!(await this.waitWhileUp(readyAtMs - this.nowMs()))) return false;
    this.firstAudioAtMs = this.nowMs();
    return true;
  }

  async waitForGreetingEnd(): Promise<{ hungUp: boolean }> {
    const up = await this.waitWhileUp(this.greetingEndAtMs - this.nowMs());
    return { hungUp: !up };
  }

  async say(text: string, _options?: SayOptions): Promise<{ hungUp: boolean }> {
    if (this.state === 'ended') return { hungUp: true };
    if (!(await this.startAudio())) return { hungUp: true };
    const startedAtMs = this.nowMs();
    const up = await this.waitWhileUp(sayDurationMs(text, this.context.talk));
    this.context.emit({
      type: 'say',
      callId: this.context.callId,
      text,
      startedAtMs,
      endedAtMs: this.nowMs(),
      complete: up,
      beforeBeep: startedAtMs < this.greetingEndAtMs,
    });
    return { hungUp: !up };
  }

  /** Plays for the audio's duration, like say; the samples themselves go nowhere in a simulation. */
  async play(audio: PlayableAudio): Promise<{ hungUp: boolean }> {
    if (this.state === 'ended') return { hungUp: true };
    if (!(await this.startAudio())) return { hungUp: true };
    const startedAtMs = this.nowMs();
    const up = await this.waitWhileUp(audio.durationMs);
    this.context.emit({
      type: 'play',
      callId: this.context.callId,
      durationMs: audio.durationMs,
      startedAtMs,
      endedAtMs: this.nowMs(),
      complete: up,
    });
    return { hungUp: !up };
  }

  /**
   * The callee presses this gather's keys `keyDelayMs` after the prompt has ended, `interDigitMs` apart. Input ends
   * at `maxDigits` (at least 1), at the finish key (not included), or `timeoutMs` after the prompt or the last key
   * with no further key; a key due after that deadline is never pressed.
   */
  async gather(options: GatherOptions): Promise<{ digits: string; hungUp: boolean }> {
    const index = this.gathers++;
    if (this.state === 'ended') return { digits: '', hungUp: true };
    if (options.prompt !== undefined && !(await this.startAudio())) return { digits: '', hungUp: true };
    const { talk } = this.context;
    const startedAtMs = this.nowMs();
    const keys = this.keysFor(index);
    const maxDigits = Math.max(1, Math.floor(options.maxDigits));
    const promptMs = options.prompt === undefined ? 0 : sayDurationMs(options.prompt, talk);

    let digits = '';
    let elapsedMs = 0;
    let deadlineMs = promptMs + options.timeoutMs;
    const finish = (hungUp: boolean) => {
      this.context.emit({
        type: 'gather',
        callId: this.context.callId,
        prompt: options.prompt,
        digits,
        hungUp,
        startedAtMs,
        endedAtMs: this.nowMs(),
      });
      return { digits, hungUp };
    };

    for (const [position, key] of [...keys].entries()) {
      const pressAtMs = promptMs + talk.keyDelayMs + position * talk.interDigitMs;
      if (pressAtMs > deadlineMs) break;
      if (!(await this.waitWhileUp(pressAtMs - elapsedMs))) return finish(true);
      elapsedMs = pressAtMs;
      if (key === options.finishOnKey) return finish(false);
      digits += key;
      if (digits.length >= maxDigits) return finish(false);
      deadlineMs = pressAtMs + options.timeoutMs;
    }
    if (!(await this.waitWhileUp(deadlineMs - elapsedMs))) return finish(true);
    return finish(false);
  }

  /**
   * A blind transfer (SIP REFER semantics): the target is dialled while the callee waits; once it answers, the callee
   * is theirs and our call ends (by us, reason 'transferred'). If it fails, the callee is back with us. A callee who
   * hangs up while waiting makes it fail as 'failed'.
   */
  async transfer(to: string, ringTimeoutMs: number): Promise<TransferResult> {
    if (this.state === 'ended') return { kind: 'failed', failure: 'failed' };
    const { plan } = this.context;
    // A callee whose script fixes how transfers end overrides whatever the target number would do.
    const targetPlan =
      plan.outcome === 'human' && plan.transfer !== undefined
        ? planFromBehaviour({ outcome: plan.transfer === 'answered' ? 'human' : plan.transfer })
        : this.context.planTransfer(to);
    const decision = decideDial(targetPlan, ringTimeoutMs);
    if (!(await this.waitWhileUp(decision.afterMs))) return { kind: 'failed', failure: 'failed' };
    this.context.emit({ type: 'transfer', callId: this.context.callId, to, result: decision.result, atMs: this.nowMs() });
    if (decision.result !== 'answered') return { kind: 'failed', failure: decision.result };
    this.end({ by: 'us', reason: 'transferred' });
    return { kind: 'answered' };
  }

  async hangup(): Promise<void> {
    this.end({ by: 'us', reason: 'hangup' });
  }

  /** The one transition: up -> ended. Idempotent; cancels every wait of this call. */
  private end(info: HangupInfo): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.context.signal?.removeEventListener('abort', this.onAbort);
    this.life.abort(CALL_ENDED);
    this.resolveEnded(info);
    this.context.emit({
      type: 'ended',
      callId: this.context.callId,
      info,
      answeredAtMs: this.answeredAtMs,
      atMs: this.nowMs(),
    });
  }

  /** Waits `ms` of clock time; false when the call has ended by then (at the instant it ended). */
  private async waitWhileUp(ms: number): Promise<boolean> {
    if (this.state === 'ended') return false;
    // A zero sleep would wait for the clock to move; nothing needs to.
    if (ms > 0) {
      try {
        await this.context.clock.sleep(ms, this.life.signal);
      } catch (error) {
        if (this.life.signal.aborted) return false;
        throw error;
      }
    }
    return this.state === 'up';
  }

  private afterMs(ms: number, action: () => void): void {
    if (ms <= 0) return action();
    this.context.clock.sleep(ms, this.life.signal).then(action, () => {
      // Aborted because the call ended first: nothing to do.
    });
  }

  private keysFor(gatherIndex: number): string {
    const { plan, talk } = this.context;
    if (plan.outcome === 'machine') return '';
    if (plan.keys === 'random') return drawKeys(this.context.rng('gather', gatherIndex), talk.keypresses);
    return plan.keys[gatherIndex] ?? '';
  }

  private nowMs(): number {
    return this.context.clock.now().getTime();
  }
}
