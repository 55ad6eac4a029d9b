// `transfer`: a blind transfer of the callee to another number (SIP REFER semantics on the carrier port). The target
// rings for up to ringTimeoutMs. Answered: the callee is the target's, our leg has ended and so has the flow, which
// is why a transfer has no `next`. Busy, unanswered, unreachable, or the callee gone while it rang: go to
// `onFailure` (the interpreter then notices a callee who hung up).
//
// `to` may be written as E.164 or as a UK national number; validation stores it as E.164, and it is normalised again
// here so that a flow built in code runs the same.
import { checkCalleeNumber } from '../../domain/phone-number.js';
import type { TransferStep } from '../schema.js';
import { goTo, type StepDefinition } from './types.js';

export const transferStep: StepDefinition<TransferStep> = {
  type: 'transfer',
  waitsForInput: false,
  targets: (step) => [{ path: ['onFailure'], stepId: step.onFailure }],
  texts: () => [],
  check(step, report) {
    const checked = checkCalleeNumber(step.to);
    if (!checked.ok) {
      report(['to'], `${checked.message}.`);
      return step;
    }
    return { ...step, to: checked.number.e164 };
  },
  async run(step, { call }) {
    const checked = checkCalleeNumber(step.to);
    // Unreachable for a validated flow; a number we may not call is a failed transfer, not a crash mid-call.
    if (!checked.ok) return { transition: goTo(step.onFailure) };
    const result = await call.transfer(checked.number.e164, step.ringTimeoutMs);
    return result.kind === 'answered' ? { transition: { kind: 'transferred' } } : { transition: goTo(step.onFailure) };
  },
};
