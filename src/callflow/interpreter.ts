// The call-flow interpreter: runs a validated flow on an answered call through the carrier port, so the simulated
// carrier and the SIP carrier run flows alike.
//
// Interface
//   runFlow(args): Promise<FlowResult>            runs the flow from `start` until it ends; leaves the call ended
//   runVoicemail(flow, call, values): Promise<VoicemailResult>
//                                                 after a machine's greeting, says the flow's voicemail message
//   FlowResult, RunFlowArgs, VoicemailResult, DEFAULT_MAX_STEPS, USER_INPUT_SEPARATOR, InvalidFlowError
//
// What a run reports (FlowResult):
//   - lastStepNumber: the 1-based position in `flow.steps` of the last step reached (started), 0 when none was; this
//     is a call's `stage` for flows. lastStepId is that step's id.
//   - userInput: the keys of every gather that got any, in the order pressed, joined by USER_INPUT_SEPARATOR (','):
//     a caller who pressed 9 (no such option) and then 1 at the re-prompt gives "9,1". Gathers that got nothing
//     add nothing, and the finish key is never part of the input.
//   - isTransferCall: a transfer was answered (the callee now talks to the target; a failed transfer is not one).
//   - hungUpBy: 'flow' when the flow ended the call (end of the flow, a hangup step, an answered transfer, the
//     maxSteps cap); 'callee' when the call ended during the flow for any other reason (the callee hung up, a
//     machine's recording limit, the network, or the dialer aborting the call).
//   - stepsRun: steps started, a step visited twice counting twice (a gather's re-prompts are part of one step);
//     smsSent: SMS handed to sendSms without it throwing.
//   - optedOut: present (true) when an optOut step ran.
// A flow has no loop without a gather (validateFlow), but a caller can keep choosing a menu option that leads back
// to it: maxSteps (default 100) bounds every run; on reaching it the flow hangs up.
// Who answered is the dialer's business: it runs the flow for a person and, for a machine, runVoicemail when the
// campaign's AnswerPhoneMessage asks for a message on that attempt. runFlow also runs on a machine's call; an
// answerType step then waits for the greeting to end before taking its `machine` branch.
// Both functions leave the call ended (hangup is idempotent on the carrier port), so the dialer awaits `call.ended`.

import type { AnsweredCall } from '../telephony/carrier.js';
import { renderPlaceholders, type PlaceholderValues } from '../domain/placeholders.js';
import type { Flow } from './schema.js';
import { makeStep, type PlayAudio, type PreparedStep, type StepContext } from './steps/index.js';
import { speechOptions } from './steps/types.js';

export const DEFAULT_MAX_STEPS = 100;
/** Between the inputs of two gathers in FlowResult.userInput. */
export const USER_INPUT_SEPARATOR = ',';

export interface RunFlowArgs {
  /** A flow that passed validateFlow. */
  flow: Flow;
  call: AnsweredCall;
  /** The number's {Name} and {ParameterN} values. */
  values: PlaceholderValues;
  /** Sends an SMS to the number called; a rejection is reported to onSmsError and the flow goes on. */
  sendSms: (text: string) => Promise<void>;
  /** Told as each step starts, with its 1-based number (the call's stage). */
  onStep?: (stepId: string, stepNumber: number) => void;
  /** Steps a run may start before it hangs up; default DEFAULT_MAX_STEPS. */
  maxSteps?: number;
  /** Plays uploaded audio; required when the flow has play steps. */
  playAudio?: PlayAudio;
  /** Told when an sms step's sendSms rejects. */
  onSmsError?: (error: unknown, stepId: string) => void;
}

export interface FlowResult {
  lastStepId: string | undefined;
  lastStepNumber: number;
  userInput: string;
  isTransferCall: boolean;
  hungUpBy: 'callee' | 'flow';
  stepsRun: number;
  smsSent: number;
  /** An optOut step ran: the dialer puts the number on the client's do-not-call list as it records the call. */
  optedOut?: true;
}

export interface VoicemailResult {
  /** The whole voicemail message was said after the greeting, before the call ended. */
  left: boolean;
}

/** A flow that cannot run (unknown start or target, an invalid step, play steps without a player): a bug, since
 * flows are validated before they are stored. Thrown before the call is touched. */
export class InvalidFlowError extends Error {
  readonly code = 'CALLFLOW_INVALID_FLOW';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidFlowError';
  }
}

interface CompiledStep {
  /** 1-based position in flow.steps. */
  number: number;
  prepared: PreparedStep;
}

/** The run's state, all in one place. */
interface RunState {
  currentStepId: string;
  lastStepId: string | undefined;
  lastStepNumber: number;
  gathered: string[];
  isTransferCall: boolean;
  stepsRun: number;
  smsSent: number;
  optedOut: boolean;
  /** Set once call.ended resolves, whoever ended it. */
  callEnded: boolean;
}

export async function runFlow(args: RunFlowArgs): Promise<FlowResult> {
  const { flow, call } = args;
  const maxSteps = args.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`maxSteps must be an integer >= 1, not ${maxSteps}`);
  const steps = compile(flow, args.playAudio);

  const state: RunState = {
    currentStepId: flow.start,
    lastStepId: undefined,
    lastStepNumber: 0,
    gathered: [],
    isTransferCall: false,
    stepsRun: 0,
    smsSent: 0,
    optedOut: false,
    callEnded: false,
  };
  // A carrier resolves `ended` when the call ends, before the action under way reports it, so a step that does not
  // talk to the call (a transfer that failed because the callee left, an SMS) is followed by this check rather than
  // by a step run on a dead call.
  void call.ended.then(() => {
    state.callEnded = true;
  });
  const context: StepContext = { call, values: args.values, sendSms: args.sendSms, playAudio: args.playAudio };
  const result = (hungUpBy: FlowResult['hungUpBy']): FlowResult => ({
    lastStepId: state.lastStepId,
    lastStepNumber: state.lastStepNumber,
    userInput: state.gathered.join(USER_INPUT_SEPARATOR),
    isTransferCall: state.isTransferCall,
    hungUpBy,
    stepsRun: state.stepsRun,
    smsSent: state.smsSent,
    // Present only when true, so results of flows without an optOut step read as before.
    ...(state.optedOut ? { optedOut: true as const } : {}),
  });
  const hangUp = async () => {
    await call.hangup();
    return result('flow');
  };

  try {
    for (;;) {
      if (state.callEnded) return result('callee');
      if (state.stepsRun >= maxSteps) return await hangUp();
      const id = state.currentStepId;
      const compiled = steps.get(id)!; // compile() checked every target
      state.stepsRun += 1;
      state.lastStepId = id;
      state.lastStepNumber = compiled.number;
      args.onStep?.(id, compiled.number);

      const outcome = await compiled.prepared.run(context);
      state.gathered.push(...(outcome.gathered ?? []));
      state.smsSent += outcome.smsSent ?? 0;
      if (outcome.optedOut) state.optedOut = true;
      if ('smsError' in outcome) args.onSmsError?.(outcome.smsError, id);

      const transition = outcome.transition;
      switch (transition.kind) {
        case 'goto':
          state.currentStepId = transition.stepId;
          break;
        case 'end':
          return await hangUp();
        case 'transferred':
          state.isTransferCall = true;
          return await hangUp();
        case 'call_ended':
          return result('callee');
      }
    }
  } catch (error) {
    // A bug (a throwing onStep, a carrier fault): never leave the callee on an abandoned line.
    await call.hangup();
    throw error;
  }
}

/**
 * Leaves the flow's voicemail message on an answering machine: waits for the greeting to end (the beep), so the
 * message is recorded from its start, then says it and hangs up. `left` is false when the call ended before the
 * message was said in full (the machine hung up during the greeting or the message).
 */
export async function runVoicemail(flow: Flow, call: AnsweredCall, values: PlaceholderValues): Promise<VoicemailResult> {
  try {
    const greeting = await call.waitForGreetingEnd();
    if (greeting.hungUp) return { left: false };
    const said = await call.say(renderPlaceholders(flow.voicemail.say, values), speechOptions(flow.voicemail));
    return { left: !said.hungUp };
  } finally {
    await call.hangup();
  }
}

/**
 * Each flow's steps as compiled (checked against their schemas, targets resolved), by flow object: the dialer runs one
 * flow object per campaign for every number it calls, and compiling it per call (TypeBox's check of every step) was
 * ~1% of the dialer's time at zero talk time (--cpu-prof, issue 10). A prepared step holds no state of a run. A flow
 * object is not changed once run: stored flows never are (an edit saves a new version, read as a new object).
 */
const compiledFlows = new WeakMap<Flow, { steps: Map<string, CompiledStep>; playStepId: string | undefined }>();

function compile(flow: Flow, playAudio: PlayAudio | undefined): Map<string, CompiledStep> {
  let compiled = compiledFlows.get(flow);
  if (!compiled) {
    compiled = compileSteps(flow);
    compiledFlows.set(flow, compiled);
  }
  if (compiled.playStepId !== undefined && playAudio === undefined) {
    throw new InvalidFlowError(`step '${compiled.playStepId}' plays audio but runFlow was given no playAudio`);
  }
  return compiled.steps;
}

function compileSteps(flow: Flow): { steps: Map<string, CompiledStep>; playStepId: string | undefined } {
  const steps = new Map<string, CompiledStep>();
  let playStepId: string | undefined;
  flow.steps.forEach((step, index) => {
    let prepared: PreparedStep;
    try {
      prepared = makeStep(step);
    } catch (error) {
      throw new InvalidFlowError(`steps[${index}]: ${(error as Error).message}`, { cause: error });
    }
    if (steps.has(step.id)) throw new InvalidFlowError(`step id '${step.id}' is used twice`);
    if (step.type === 'play') playStepId ??= step.id;
    steps.set(step.id, { number: index + 1, prepared });
  });
  if (!steps.has(flow.start)) throw new InvalidFlowError(`start step '${flow.start}' does not exist`);
  for (const { prepared } of steps.values()) {
    for (const target of prepared.targets()) {
      if (!steps.has(target.stepId)) {
        throw new InvalidFlowError(`step '${prepared.step.id}' goes to step '${target.stepId}', which does not exist`);
      }
    }
  }
  return { steps, playStepId };
}
