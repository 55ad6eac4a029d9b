// `answerType`: branches on who answered. A person goes to `human` at once. A machine goes to `machine` once its
// greeting has ended (the beep), so that whatever the flow says next is recorded whole rather than talked over.
//
// Ringcast's dialer leaves the flow's `voicemail` on machines through runVoicemail (interpreter.ts), as the
// campaign's AnswerPhoneMessage decides; the `machine` branch serves a runner that runs the whole flow on machines.
import type { AnswerTypeStep } from '../schema.js';
import { CALL_ENDED, goTo, type StepDefinition } from './types.js';

export const answerTypeStep: StepDefinition<AnswerTypeStep> = {
  type: 'answerType',
  waitsForInput: false,
  targets: (step) => [
    { path: ['human'], stepId: step.human },
    { path: ['machine'], stepId: step.machine },
  ],
  texts: () => [],
  async run(step, { call }) {
    if (call.answeredBy === 'human') return { transition: goTo(step.human) };
    const { hungUp } = await call.waitForGreetingEnd();
    return hungUp ? CALL_ENDED : { transition: goTo(step.machine) };
  },
};
