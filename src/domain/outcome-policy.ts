// What a call's ending means for its number (issue 3, "What happens on each outcome"), and which attempts the
// AnswerPhoneMessage and SMSOnBusy settings select. Pure.
import type { DialFailure } from '../telephony/carrier.js';
import { AttemptSelector, CallOutcome, NumberStatus } from './enums.js';

/** The call outcome for a call the carrier reports as not answered. */
export function outcomeForFailure(failure: DialFailure): CallOutcome {
  switch (failure) {
    case 'busy':
      return CallOutcome.Busy;
    case 'no_answer':
      return CallOutcome.NoAnswer;
    case 'rejected':
      return CallOutcome.Rejected;
    case 'invalid_number':
      return CallOutcome.InvalidNumber;
    case 'failed':
      return CallOutcome.Failed;
    default:
      return unreachable(failure);
  }
}

export type AfterCall = { kind: 'retry' } | { kind: 'finished'; status: NumberStatus };

export interface AfterCallArgs {
  outcome: CallOutcome;
  /** 1-based number of the attempt that just ended. */
  attemptNumber: number;
  /** How many attempts the campaign has (its Attempts list length). */
  totalAttempts: number;
}

/**
 * What happens to the number after an attempt ended with `outcome`:
 * - Busy, NoAnswer, Failed, AnsweringMachine: retry while attempts remain, else AttemptsExhausted.
 * - Interrupted (a dialer crashed or stopped mid-call): the attempt counts as used, since the call may have reached
 *   the callee, and it is never silently repeated; the number moves on to its NEXT attempt while attempts remain,
 *   else AttemptsExhausted.
 * - Answered -> Answered; Rejected (SIP 603) -> Rejected; InvalidNumber -> InvalidNumber.
 * - Abandoned (a person answered but got no message within 2 s) -> finished as Answered: a person was reached, and
 *   Ofcom's persistent misuse policy forbids calling an abandoned number again within 72 hours unless a person is
 *   guaranteed, which an automated campaign cannot promise. The call itself keeps the outcome Abandoned, which is
 *   what the abandoned-call rate counts.
 * Throws for InProgress or an attempt number outside 1..totalAttempts: the caller has a bug.
 */
export function decideAfterCall(args: AfterCallArgs): AfterCall {
  checkAttempt('decideAfterCall', args.attemptNumber, args.totalAttempts);
  const retryOrExhausted = (): AfterCall =>
    args.attemptNumber < args.totalAttempts
      ? { kind: 'retry' }
      : { kind: 'finished', status: NumberStatus.AttemptsExhausted };
  switch (args.outcome) {
    case CallOutcome.Busy:
    case CallOutcome.NoAnswer:
    case CallOutcome.Failed:
    case CallOutcome.AnsweringMachine:
    case CallOutcome.Interrupted:
      return retryOrExhausted();
    case CallOutcome.Answered:
    case CallOutcome.Abandoned:
      return { kind: 'finished', status: NumberStatus.Answered };
    case CallOutcome.Rejected:
      return { kind: 'finished', status: NumberStatus.Rejected };
    case CallOutcome.InvalidNumber:
      return { kind: 'finished', status: NumberStatus.InvalidNumber };
    case CallOutcome.InProgress:
      throw new Error('decideAfterCall: the call is still in progress');
    default:
      return unreachable(args.outcome);
  }
}

/**
 * AnswerPhoneMessage 0/1/2: leave the voicemail message never / on the first attempt / on the last attempt
 * (attemptNumber === totalAttempts). In a one-attempt campaign that attempt is both first and last. "Last" means the
 * campaign's last attempt by number: an earlier attempt that turns out to be the number's last because the windows
 * closed does not count, as that is not known when the machine answers.
 */
export function leaveVoicemailOn(mode: AttemptSelector, attemptNumber: number, totalAttempts: number): boolean {
  return selects('leaveVoicemailOn', mode, attemptNumber, totalAttempts);
}

/**
 * SMSOnBusy 0/1/2: send the SMS when the first (1) / the last (2) attempt is busy; never (0). The caller asks only
 * for a busy attempt; "first" and "last" mean the same as for leaveVoicemailOn.
 */
export function sendSmsOnBusy(mode: AttemptSelector, attemptNumber: number, totalAttempts: number): boolean {
  return selects('sendSmsOnBusy', mode, attemptNumber, totalAttempts);
}

function selects(name: string, mode: AttemptSelector, attemptNumber: number, totalAttempts: number): boolean {
  checkAttempt(name, attemptNumber, totalAttempts);
  switch (mode) {
    case AttemptSelector.Never:
      return false;
    case AttemptSelector.OnTheFirstCall:
      return attemptNumber === 1;
    case AttemptSelector.OnTheLastCall:
      return attemptNumber === totalAttempts;
    default:
      return unreachable(mode);
  }
}

function checkAttempt(name: string, attemptNumber: number, totalAttempts: number): void {
  if (!Number.isInteger(totalAttempts) || totalAttempts < 1) {
    throw new RangeError(`${name}: totalAttempts must be an integer >= 1, got ${totalAttempts}`);
  }
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1 || attemptNumber > totalAttempts) {
    throw new RangeError(`${name}: attemptNumber must be an integer in 1..${totalAttempts}, got ${attemptNumber}`);
  }
}

function unreachable(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
