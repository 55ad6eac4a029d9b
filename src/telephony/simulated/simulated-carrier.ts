// The simulated carrier: the default carrier of Ringcast, and the one tests and `ringcast demo` run on. It plays
// believable callees in the clock's time, deterministically:
//
// - Each call's behaviour is a pure function of (seed, number dialled, call id), drawn from a random stream of its
//   own (callee-plan.ts), so outcomes do not depend on call order, concurrency or which process dials. Following
//   the call id convention `<phoneNumberId>:<attemptNumber>` (../call-id.ts) makes every attempt a fresh draw and
//   lets test numbers behave per attempt.
// - Test numbers in Ofcom's drama range 020 7946 0xxx force a behaviour (test-numbers.ts); any other number follows
//   the outcome mix (default: person 55%, busy 10%, no answer 15%, machine 12%, transient failure 5%, rejected 3%).
// - All waiting is clock.sleep, so a VirtualClock runs two days of calls in seconds.
//
// Timeline of a dial: 'trying' at once; 'ringing' at once for callees that ring (answer, no answer, decline); busy,
// invalid-number and transient-failure replies come without ringing. A callee that has not answered when
// `ringTimeoutMs` has elapsed is 'no_answer' at exactly that instant (an answer due at the same instant loses).
// Aborting `request.signal` before the answer resolves (never rejects) with failure 'failed', SIP 487 and reason
// 'cancelled', at the instant of the abort; after the answer it hangs up (by 'us', reason 'aborted').

import type { Carrier, DialFailure, DialRequest, DialResult } from '../carrier.js';
import type { Clock } from '../../domain/clock.js';
import {
  decideDial,
  DEFAULT_OUTCOME_MIX,
  DEFAULT_TALK,
  planCall,
  validateSettings,
  type CallPlan,
  type OutcomeMix,
  type TalkSettings,
} from './callee-plan.js';
import { Rng } from './prng.js';
import { SimulatedCall } from './simulated-call.js';
import type { SimulatedCallListener } from './events.js';

export type { OutcomeMix, TalkSettings, MsRange, CallPlan } from './callee-plan.js';
export { DEFAULT_OUTCOME_MIX, DEFAULT_TALK } from './callee-plan.js';
export type { SimulatedCallEvent, SimulatedCallListener } from './events.js';

export interface SimulatedCarrierOptions {
  clock: Clock;
  seed: number;
  /** Relative weights of outcomes for numbers that are not test numbers; all six are given together. */
  mix?: OutcomeMix;
  /** Durations and callee habits; each one given replaces its default. */
  talk?: Partial<TalkSettings>;
  /** Default 'simulated'. */
  name?: string;
  /** Told what happens on every call (dial result, each say and gather, transfers, the end). */
  onEvent?: SimulatedCallListener;
}

/** SIP status and Q.850 cause (RFC 3398 mapping) of each failure the simulated network reports. */
const FAILURE_DETAILS: Record<Exclude<DialFailure, 'no_answer'>, { sipCode: number; q850Cause: number; reason: string }> = {
  busy: { sipCode: 486, q850Cause: 17, reason: 'busy here' },
  rejected: { sipCode: 603, q850Cause: 21, reason: 'declined' },
  invalid_number: { sipCode: 404, q850Cause: 1, reason: 'number does not exist' },
  failed: { sipCode: 503, q850Cause: 41, reason: 'temporary network failure' },
};

export class SimulatedCarrier implements Carrier {
  readonly name: string;
  readonly mix: Readonly<OutcomeMix>;
  readonly talk: Readonly<TalkSettings>;
  private readonly clock: Clock;
  private readonly seed: number;
  private readonly emit: SimulatedCallListener;

  constructor(options: SimulatedCarrierOptions) {
    this.clock = options.clock;
    this.seed = options.seed;
    this.name = options.name ?? 'simulated';
    this.mix = Object.freeze({ ...(options.mix ?? DEFAULT_OUTCOME_MIX) });
    this.talk = Object.freeze({ ...DEFAULT_TALK, ...stripUndefined(options.talk ?? {}) });
    validateSettings(this.mix, this.talk);
    this.emit = options.onEvent ?? (() => {});
  }

  /** What the callee will do on this call: the same answer every time, in every process. */
  plan(to: string, callId: string): CallPlan {
    return planCall({ seed: this.seed, to, callId, mix: this.mix, talk: this.talk });
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const { callId, to, signal } = request;
    const startedAtMs = this.clock.now().getTime();
    const plan = this.plan(to, callId);
    const decision = decideDial(plan, request.ringTimeoutMs);
    const report = (result: 'answered' | DialFailure | 'cancelled', answeredBy?: 'human' | 'machine') =>
      this.emit({
        type: 'dial',
        callId,
        to,
        source: plan.source,
        result,
        ...(answeredBy ? { answeredBy } : {}),
        startedAtMs,
        atMs: this.clock.now().getTime(),
      });
    const cancelled = (): DialResult => {
      report('cancelled');
      return { kind: 'failed', failure: 'failed', sipCode: 487, reason: 'cancelled' };
    };

    if (signal?.aborted) return cancelled();
    request.onProgress?.({ kind: 'trying' });
    if (decision.rings) request.onProgress?.({ kind: 'ringing' });
    if (decision.afterMs > 0) {
      try {
        await this.clock.sleep(decision.afterMs, signal);
      } catch (error) {
        if (signal?.aborted) return cancelled();
        throw error;
      }
    }
    if (signal?.aborted) return cancelled();

    if (decision.result === 'answered') {
      if (plan.outcome !== 'human' && plan.outcome !== 'machine') throw new Error(`answered with plan ${plan.outcome}`);
      report('answered', plan.outcome);
      const call = SimulatedCall.answer({
        clock: this.clock,
        callId,
        plan,
        talk: this.talk,
        signal,
        rng: (...purpose) => Rng.for('call', this.seed, to, callId, ...purpose),
        planTransfer: (target) => this.plan(target, `${callId}>transfer`),
        emit: this.emit,
      });
      return { kind: 'answered', call };
    }

    report(decision.result);
    if (decision.result === 'no_answer') {
      // Our ring timer fired; we CANCEL. Q.850 19: no answer from user (user alerted).
      return { kind: 'failed', failure: 'no_answer', q850Cause: 19, reason: `no answer within ${decision.afterMs} ms` };
    }
    return { kind: 'failed', failure: decision.result, ...FAILURE_DETAILS[decision.result] };
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
