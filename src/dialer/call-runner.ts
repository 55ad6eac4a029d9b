// Runs one attempt on one number through the carrier port: dial, follow the answer (person: the call flow's message;
// machine: the answerphone message when the campaign asks for it on this attempt), hang up, and describe what
// happened. It decides nothing about retries: src/domain/outcome-policy.ts does that from the result.
import type { AnsweredCall, Carrier, HangupInfo } from '../telephony/carrier.js';
import type { Clock } from '../domain/clock.js';
import type { CancelSignal } from '../domain/cancellation.js';
import { CallOutcome, CallStage, type AttemptSelector } from '../domain/enums.js';
import { leaveVoicemailOn, outcomeForFailure } from '../domain/outcome-policy.js';
import { runFlow, runVoicemail } from '../callflow/interpreter.js';
import type { PlayAudio } from '../callflow/steps/index.js';
import { formatCallId } from '../telephony/call-id.js';
import { firstSpeech } from '../callflow/first-speech.js';
import { FIRST_AUDIO_LIMIT_MS, isAbandoned } from '../domain/compliance/abandoned-rate.js';
import type { CampaignForDialing, ClaimedNumber } from '../store/repositories/dialer-store.js';

export interface CallReport {
  endedAt: Date;
  stage: CallStage;
  outcome: CallOutcome;
  userInput: string;
  isTransferCall: boolean;
  /** From answer to hang-up, with its fraction (billing rounds a part second up: src/domain/pricing.ts). */
  answeredSeconds: number;
  answeredBy: 'human' | 'machine' | null;
  voicemailLeft: boolean;
  endReason: string;
  sipCode: number | null;
  q850Cause: number | null;
  /** The callee asked not to be called again (an optOut step). */
  optedOut: boolean;
  /** From answer to our first audio (Ofcom's 2-second rule); null when not answered or nothing was played. */
  firstAudioMs: number | null;
}

export interface RunCallArgs {
  carrier: Carrier;
  clock: Clock;
  campaign: CampaignForDialing;
  number: ClaimedNumber;
  ringTimeoutMs: number;
  /** Aborting hangs up (shutdown past its bound). */
  signal?: CancelSignal;
  /** Sends a text to the number called, for the flow's sms steps. */
  sendSms?: (text: string) => Promise<void>;
  /** Plays the flow's uploaded audio (play steps); a flow with play steps cannot run without it. */
  playAudio?: PlayAudio;
  /** Called just before the carrier dials (after the first prompt was rendered), for the dial-delay metric. */
  onDialing?: () => void;
}

function describeHangup(info: HangupInfo): string {
  const parts = [`ended by ${info.by}`];
  if (info.reason) parts.push(info.reason);
  if (info.sipCode) parts.push(`SIP ${info.sipCode}`);
  if (info.q850Cause) parts.push(`Q.850 cause ${info.q850Cause}`);
  return parts.join(', ');
}

export async function runCall(args: RunCallArgs): Promise<CallReport> {
  const { carrier, clock, campaign, number } = args;
  const values = { name: number.name, parameters: new Map(number.parameters.map((p) => [p.parameter, p.value])) };
  // The stage is the last call-flow step reached (src/domain/enums.ts): 0 until a step runs.
  let stage: CallStage = CallStage.FlowNotReached;
  const setStage = (next: CallStage) => {
    stage = next;
  };

  // Ofcom's 2-second rule: the first prompt is rendered before the call is placed, or the call is not placed.
  const speech = carrier.prepare ? firstSpeech(campaign.flow, values) : undefined;
  if (speech && carrier.prepare) {
    try {
      await carrier.prepare([speech]);
    } catch (error) {
      return failedBeforeAnswer(clock, `not dialled: the first prompt could not be rendered in advance (${(error as Error).message})`);
    }
  }

  args.onDialing?.();
  const result = await carrier.dial({
    callId: formatCallId(number.phoneNumberId, number.attemptNumber),
    to: number.number,
    from: campaign.cliNumber,
    ringTimeoutMs: args.ringTimeoutMs,
    ...(args.signal ? { signal: args.signal } : {}),
  });

  if (result.kind === 'failed') {
    // Cancelled by our own shutdown: not the callee's doing, and the attempt is not repeated.
    const interrupted = args.signal?.aborted === true;
    const reason = [result.reason, result.sipCode ? `SIP ${result.sipCode}` : '', result.q850Cause ? `Q.850 cause ${result.q850Cause}` : '']
      .filter(Boolean)
      .join(', ');
    return {
      ...failedBeforeAnswer(clock, reason),
      outcome: interrupted ? CallOutcome.Interrupted : outcomeForFailure(result.failure),
      sipCode: result.sipCode ?? null,
      q850Cause: result.q850Cause ?? null,
    };
  }

  const call: AnsweredCall = result.call;
  const answeredAt = clock.now();
  let voicemailLeft = false;
  let outcome: CallOutcome;

  let userInput = '';
  let isTransferCall = false;
  let optedOut = false;
  if (call.answeredBy === 'human') {
    outcome = CallOutcome.Answered;
    // The call flow (src/callflow): messages, menus, transfers, texts, until it hangs up or the callee does.
    const flowResult = await runFlow({
      flow: campaign.flow,
      call,
      values,
      sendSms: args.sendSms ?? (async () => {}),
      onStep: (_stepId, stepNumber) => setStage(stepNumber),
      ...(args.playAudio ? { playAudio: args.playAudio } : {}),
    });
    userInput = flowResult.userInput;
    isTransferCall = flowResult.isTransferCall;
    optedOut = flowResult.optedOut === true;
  } else {
    outcome = CallOutcome.AnsweringMachine;
    const total = campaign.attempts.length;
    if (leaveVoicemailOn(campaign.answerPhoneMessage as AttemptSelector, number.attemptNumber, total)) {
      // The message starts after the greeting (the beep), or the machine records only its tail.
      voicemailLeft = (await runVoicemail(campaign.flow, call, values)).left;
    }
  }

  await call.hangup();
  const ended = await call.ended;
  const endedAt = clock.now();
  const firstAudioMs = call.firstAudioAfterMs;
  let endReason = call.detection ? `${describeHangup(ended)}; answering-machine detection: ${call.detection}` : describeHangup(ended);
  // From the moment the carrier handed the call over (on SIP after answer detection, so a little short of the answer:
  // the exemption for a callee who hangs up within 2 s is read generously, never the rate's other terms).
  const answeredForMs = endedAt.getTime() - answeredAt.getTime();
  if (call.answeredBy === 'human' && isAbandoned({ firstAudioAfterMs: firstAudioMs, endedAfterMs: answeredForMs, endedByCallee: ended.by === 'callee' })) {
    outcome = CallOutcome.Abandoned;
    endReason += firstAudioMs === undefined
      ? `; abandoned: no message was played (Ofcom: within ${FIRST_AUDIO_LIMIT_MS / 1000} s)`
      : `; abandoned: our first audio came ${(firstAudioMs / 1000).toFixed(1)} s after the answer (Ofcom: within ${FIRST_AUDIO_LIMIT_MS / 1000} s)`;
  }
  return {
    endedAt,
    stage,
    outcome,
    userInput,
    isTransferCall,
    answeredSeconds: Math.max(0, (endedAt.getTime() - answeredAt.getTime()) / 1000),
    answeredBy: call.answeredBy,
    voicemailLeft,
    endReason,
    sipCode: ended.sipCode ?? null,
    q850Cause: ended.q850Cause ?? null,
    optedOut,
    firstAudioMs: firstAudioMs ?? null,
  };
}

/**
 * A call that failed without a carrier's answer (it could not be placed, or the carrier threw): a transient failure,
 * retried.
 */
export function failedBeforeAnswer(clock: Clock, reason: string): CallReport {
  return {
    endedAt: clock.now(),
    stage: CallStage.FlowNotReached,
    outcome: CallOutcome.Failed,
    userInput: '',
    isTransferCall: false,
    answeredSeconds: 0,
    answeredBy: null,
    voicemailLeft: false,
    endReason: reason,
    sipCode: null,
    q850Cause: null,
    optedOut: false,
    firstAudioMs: null,
  };
}
