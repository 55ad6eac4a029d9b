// `sms`: sends an SMS to the number called, with its placeholders filled in, while the call goes on; then goes to
// `next`, or hangs up when there is none. A failed send does not end the call (the callee is still listening): the
// outcome carries the error and the flow moves on.
import { renderPlaceholders } from '../../domain/placeholders.js';
import type { SmsStep } from '../schema.js';
import { following, nextTarget, type StepDefinition } from './types.js';

export const smsStep: StepDefinition<SmsStep> = {
  type: 'sms',
  waitsForInput: false,
  targets: (step) => nextTarget(step.next),
  texts: (step) => [{ path: ['text'], text: step.text, kind: 'sms' }],
  async run(step, { values, sendSms }) {
    const transition = following(step.next);
    try {
      await sendSms(renderPlaceholders(step.text, values));
      return { transition, smsSent: 1 };
    } catch (error) {
      return { transition, smsSent: 0, smsError: error };
    }
  },
};
