// Repeat-call rules of Ofcom's persistent misuse policy (2016; shared/notes/uk-rules.md), as elapsed time in UTC:
//   - a number whose call was abandoned is not called again within 72 hours (an automated campaign cannot
//     guarantee a person on the next call);
//   - a number where AMD detected an answering machine and we left no message is not called again within 24 hours
//     (the AMD verdict may have been a person we hung up on), unless the operator has turned this guard off for the
//     client with a written reason. A machine that took our whole message was certainly reached and left informed.
// Pure: the caller passes the previous calls' ends.
import { CallOutcome } from '../enums.js';

const HOUR_MS = 3_600_000;
export const ABANDONED_REPEAT_HOURS = 72;
export const MACHINE_REPEAT_HOURS = 24;

export type RepeatRule = 'abandoned_72h' | 'machine_24h';

export interface RecentCall {
  outcome: number;
  endedAt: Date;
  voicemailLeft: boolean;
}

export interface RepeatRuleSettings {
  /** False only when the operator switched the 24-hour machine rule off for the client (with a reason). */
  machineRuleOn: boolean;
}

/** The earliest instant a number may be called again after `call`, and the rule that says so; undefined: no rule. */
export function repeatEmbargo(call: RecentCall, settings: RepeatRuleSettings): { notBefore: Date; rule: RepeatRule } | undefined {
  if (call.outcome === CallOutcome.Abandoned) {
    return { notBefore: new Date(call.endedAt.getTime() + ABANDONED_REPEAT_HOURS * HOUR_MS), rule: 'abandoned_72h' };
  }
  if (call.outcome === CallOutcome.AnsweringMachine && !call.voicemailLeft && settings.machineRuleOn) {
    return { notBefore: new Date(call.endedAt.getTime() + MACHINE_REPEAT_HOURS * HOUR_MS), rule: 'machine_24h' };
  }
  return undefined;
}

export const REPEAT_RULE_TEXT: Record<RepeatRule, string> = {
  abandoned_72h: 'a call to this number was abandoned less than 72 hours ago (Ofcom: no repeat call within 72 hours)',
  machine_24h: 'an answering machine answered less than 24 hours ago and no message was left (Ofcom: no repeat call within 24 hours)',
};
