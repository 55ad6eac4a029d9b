// What every step type provides, so that validation (validate.ts) and the interpreter (interpreter.ts) handle all
// step types alike through the registry in index.ts. One step type per file, each exporting a StepDefinition.
//
// Interface
//   StepDefinition<S>   per type: the steps it can go to, its texts, extra checks, and how it runs on a call
//   StepContext         what a running step may use: the call, placeholder values, SMS, audio playback
//   StepOutcome         what a step did: where to go next, digits gathered, SMS sent
//   PlayAudio           how the dialer plays an uploaded audio file (looked up by id, played with call.play)

import type { AnsweredCall, SayOptions } from '../../telephony/carrier.js';
import type { PlaceholderValues } from '../../domain/placeholders.js';
import type { Step } from '../schema.js';

/**
 * Plays uploaded audio file `audioId` on `call`, resolving when it has played or the call ended during it. The flow
 * holds only the id, so whoever runs a flow with play steps supplies this (the dialer: from the audio store, played
 * with AnsweredCall.play); runFlow refuses such a flow without it.
 */
export type PlayAudio = (call: AnsweredCall, audioId: number) => Promise<{ hungUp: boolean }>;

export interface StepContext {
  readonly call: AnsweredCall;
  readonly values: PlaceholderValues;
  /** Sends an SMS to the number called. */
  readonly sendSms: (text: string) => Promise<void>;
  readonly playAudio: PlayAudio | undefined;
}

/** Where the flow goes after a step. */
export type Transition =
  /** Run this step next. */
  | { kind: 'goto'; stepId: string }
  /** The flow is over: we hang up. */
  | { kind: 'end' }
  /** A transfer was answered: the callee is the target's now and our leg has ended. */
  | { kind: 'transferred' }
  /** The call ended during the step, not by the flow's doing (the callee hung up, the network or an abort). */
  | { kind: 'call_ended' };

export interface StepOutcome {
  transition: Transition;
  /** Input of each of the step's gathers that got any keys, in order (a gather re-prompting gathers again). */
  gathered?: readonly string[];
  /** SMS sent by the step. */
  smsSent?: number;
  /** Why sendSms failed; the flow goes on regardless (the callee is still on the line). */
  smsError?: unknown;
  /** The callee asked not to be called again (an optOut step). */
  optedOut?: true;
}

/** A field of a step that names another step, e.g. path ['branches', '1'] -> 'confirm'. */
export interface StepTarget {
  /** Property path within the step, in document (camelCase) names. */
  path: readonly string[];
  stepId: string;
}

/** A text of a step with placeholders in it. */
export interface StepText {
  path: readonly string[];
  text: string;
  /** 'sms' texts are also limited in SMS parts. */
  kind: 'speech' | 'sms';
}

export type ReportProblem = (path: readonly string[], message: string) => void;

export interface StepDefinition<S extends Step> {
  readonly type: S['type'];
  /**
   * True when the step waits for the callee (a gather). A loop of steps is allowed only through such a step: its
   * re-prompts are bounded and each round needs a keypress, while a loop of say/sms/transfer... would repeat forever.
   */
  readonly waitsForInput: boolean;
  targets(step: S): StepTarget[];
  texts(step: S): StepText[];
  /** Checks the schema cannot express; returns the step as it is to be stored (e.g. a number normalised). */
  check?(step: S, report: ReportProblem): S;
  run(step: S, context: StepContext): Promise<StepOutcome>;
}

export const CALL_ENDED: StepOutcome = Object.freeze<StepOutcome>({ transition: { kind: 'call_ended' } });

/** The transition to the step named by `next`, or the end of the flow when there is none. */
export function following(next: string | undefined): Transition {
  return next === undefined ? { kind: 'end' } : { kind: 'goto', stepId: next };
}

export function goTo(stepId: string): Transition {
  return { kind: 'goto', stepId };
}

/** SayOptions without absent keys, so a carrier can tell "not given" from "given as undefined". */
export function speechOptions(step: { voice?: string; language?: string }): SayOptions {
  return {
    ...(step.voice === undefined ? {} : { voice: step.voice }),
    ...(step.language === undefined ? {} : { language: step.language }),
  };
}

export function nextTarget(next: string | undefined): StepTarget[] {
  return next === undefined ? [] : [{ path: ['next'], stepId: next }];
}
