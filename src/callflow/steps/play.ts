// `play`: plays an uploaded audio file (stored as 8 kHz mono), then goes to `next`, or hangs up when there is none.
// Playback goes through the PlayAudio the flow's runner was given (types.ts): it looks the audio id up (the dialer
// loads a flow's audio once) and plays it with the carrier port's `play`.
import type { PlayStep } from '../schema.js';
import { CALL_ENDED, following, nextTarget, type StepDefinition } from './types.js';

export const playStep: StepDefinition<PlayStep> = {
  type: 'play',
  waitsForInput: false,
  targets: (step) => nextTarget(step.next),
  texts: () => [],
  async run(step, { call, playAudio }) {
    // runFlow refuses a flow with play steps when no player is given, so reaching this is a bug.
    if (playAudio === undefined) throw new Error(`step '${step.id}' plays audio but no PlayAudio was given`);
    const { hungUp } = await playAudio(call, step.audioId);
    return hungUp ? CALL_ENDED : { transition: following(step.next) };
  },
};
