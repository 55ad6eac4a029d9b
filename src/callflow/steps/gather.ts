// `gather`: speaks a prompt and collects keys (DTMF), then branches on them.
//
// One visit of the step runs up to 1 + maxRetries gathers (retries are shared between the two reasons to re-prompt):
//   - input equal to a key of `branches` goes to that step at once;
//   - no input: re-prompt while retries remain, then go to `noInput`;
//   - input matching no branch: re-prompt while retries remain, saying `invalidPrompt` (when given) before the prompt,
//     then go to `default`, or to `noInput` when there is no default.
// A flow that wants to accept any input at once (an account number, say) uses maxRetries 0 and a `default`.
// Input ends at maxDigits keys, at the finish key (not part of the input) or after timeoutMs with no key. Every
// gather that got keys adds them to the call's user input, including input that matched no branch (interpreter.ts).
// The invalid prompt and the prompt are spoken as one gather prompt, so a caller who knows the menu can key in
// during either (barge-in).
import { renderPlaceholders } from '../../domain/placeholders.js';
import { FLOW_PATTERNS, type GatherStep } from '../schema.js';
import { CALL_ENDED, goTo, type StepDefinition, type StepTarget } from './types.js';

const KEYS = new RegExp(FLOW_PATTERNS.keys.pattern);

export const gatherStep: StepDefinition<GatherStep> = {
  type: 'gather',
  waitsForInput: true,
  targets(step) {
    const targets: StepTarget[] = Object.entries(step.branches).map(([keys, stepId]) => ({
      path: ['branches', keys],
      stepId,
    }));
    if (step.default !== undefined) targets.push({ path: ['default'], stepId: step.default });
    targets.push({ path: ['noInput'], stepId: step.noInput });
    return targets;
  },
  texts(step) {
    const texts = [{ path: ['prompt'], text: step.prompt, kind: 'speech' as const }];
    if (step.invalidPrompt !== undefined) texts.push({ path: ['invalidPrompt'], text: step.invalidPrompt, kind: 'speech' });
    return texts;
  },
  check(step, report) {
    for (const keys of Object.keys(step.branches)) {
      const path = ['branches', keys];
      if (!KEYS.test(keys)) {
        report(path, `Branch '${keys}' must be ${FLOW_PATTERNS.keys.expected}.`);
      } else if (step.finishOnKey !== undefined && keys.includes(step.finishOnKey)) {
        report(path, `Branch '${keys}' contains '${step.finishOnKey}', the FinishOnKey that ends input, so it can never be chosen.`);
      } else if (keys.length > step.maxDigits) {
        report(path, `Branch '${keys}' needs ${keys.length} keys but MaxDigits is ${step.maxDigits}, so it can never be chosen.`);
      }
    }
    return step;
  },
  async run(step, { call, values }) {
    const gathered: string[] = [];
    const prompt = renderPlaceholders(step.prompt, values);
    const invalidPrompt = step.invalidPrompt === undefined ? undefined : renderPlaceholders(step.invalidPrompt, values);
    let retriesLeftCount = step.maxRetries;
    let previous: 'first' | 'no_input' | 'invalid' = 'first';
    for (;;) {
      const spoken = previous === 'invalid' && invalidPrompt !== undefined ? `${invalidPrompt} ${prompt}` : prompt;
      const { digits, hungUp } = await call.gather({
        prompt: spoken,
        maxDigits: step.maxDigits,
        timeoutMs: step.timeoutMs,
        ...(step.finishOnKey === undefined ? {} : { finishOnKey: step.finishOnKey }),
      });
      if (digits !== '') gathered.push(digits);
      if (hungUp) return { ...CALL_ENDED, gathered };
      // Own keys only: input is DTMF, but a branch table is still a plain object.
      const branch = digits !== '' && Object.hasOwn(step.branches, digits) ? step.branches[digits] : undefined;
      if (branch !== undefined) return { transition: goTo(branch), gathered };
      previous = digits === '' ? 'no_input' : 'invalid';
      if (retriesLeftCount > 0) {
        retriesLeftCount -= 1;
        continue;
      }
      const target = previous === 'invalid' ? (step.default ?? step.noInput) : step.noInput;
      return { transition: goTo(target), gathered };
    }
  },
};
