// `say`: speaks a text (text-to-speech) with the number's placeholders filled in, then goes to `next`, or hangs up
// when there is none.
import { renderPlaceholders } from '../../domain/placeholders.js';
import type { SayStep } from '../schema.js';
import { CALL_ENDED, following, nextTarget, speechOptions, type StepDefinition } from './types.js';

export const sayStep: StepDefinition<SayStep> = {
  type: 'say',
  waitsForInput: false,
  targets: (step) => nextTarget(step.next),
  texts: (step) => [{ path: ['text'], text: step.text, kind: 'speech' }],
  async run(step, { call, values }) {
    const { hungUp } = await call.say(renderPlaceholders(step.text, values), speechOptions(step));
    return hungUp ? CALL_ENDED : { transition: following(step.next) };
  },
};
