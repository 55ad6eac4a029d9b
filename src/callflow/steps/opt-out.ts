// `optOut`: the callee asked not to be called again (PECR reg 21 and Ofcom's persistent misuse policy expect that to
// be honoured at once). The step only marks the run: the dialer writes the number to the client's do-not-call list in
// the transaction that records the call, so the opt-out can be lost only with the call itself, never after it. Then
// it says its confirmation, if any, and goes to `next` or hangs up.
import { renderPlaceholders } from '../../domain/placeholders.js';
import type { OptOutStep } from '../schema.js';
import { CALL_ENDED, following, nextTarget, speechOptions, type StepDefinition } from './types.js';

export const optOutStep: StepDefinition<OptOutStep> = {
  type: 'optOut',
  waitsForInput: false,
  targets: (step) => nextTarget(step.next),
  texts: (step) => (step.say === undefined ? [] : [{ path: ['say'], text: step.say, kind: 'speech' }]),
  async run(step, { call, values }) {
    if (step.say === undefined) return { transition: following(step.next), optedOut: true };
    const { hungUp } = await call.say(renderPlaceholders(step.say, values), speechOptions(step));
    // Opted out either way: hanging up during the confirmation does not take the request back.
    return hungUp ? { ...CALL_ENDED, optedOut: true } : { transition: following(step.next), optedOut: true };
  },
};
