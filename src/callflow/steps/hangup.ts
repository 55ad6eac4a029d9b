// `hangup`: ends the flow; the interpreter hangs up.
import type { HangupStep } from '../schema.js';
import type { StepDefinition } from './types.js';

export const hangupStep: StepDefinition<HangupStep> = {
  type: 'hangup',
  waitsForInput: false,
  targets: () => [],
  texts: () => [],
  async run() {
    return { transition: { kind: 'end' } };
  },
};
