// Each step type run by the interpreter on the real simulated carrier, in virtual time: what the callee hears, where
// the flow goes, and what the run reports.
import { describe, expect, it, vi } from 'vitest';
import { InvalidFlowError, runFlow } from '../../src/callflow/interpreter.js';
import { NUMBERS, VALUES, flowOf, menu, run, runOn, valid, world } from './harness.js';

describe('say', () => {
  it('speaks each text with placeholders filled, follows next, and hangs up after a step without next', async () => {
    const w = world();
    const flow = valid(
      flowOf('hello', [
        { id: 'hello', type: 'say', text: 'Hello {Name}.', voice: 'en-GB-1', language: 'en-GB', next: 'when' },
        { id: 'when', type: 'say', text: 'Your appointment is on {Parameter1}. {Parameter2}Goodbye.' },
      ]),
    );
    const { result, steps } = await run(w, NUMBERS.listens, flow);
    expect(w.said()).toEqual(['Hello Alice.', 'Your appointment is on 4 March at 10:30. Goodbye.']);
    expect(steps).toEqual([
      ['hello', 1],
      ['when', 2],
    ]);
    expect(result).toEqual({
      lastStepId: 'when',
      lastStepNumber: 2,
      userInput: '',
      isTransferCall: false,
      hungUpBy: 'flow',
      stepsRun: 2,
      smsSent: 0,
    });
    expect(w.endOf()).toMatchObject({ by: 'us', reason: 'hangup' });
  });

  it('passes voice and language to the carrier', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.listens);
    const say = vi.spyOn(call, 'say');
    const flow = valid(flowOf('a', [{ id: 'a', type: 'say', text: 'Bore da.', voice: 'cy-1', language: 'cy-GB' }]));
    await runOn(w, call, flow);
    expect(say).toHaveBeenCalledWith('Bore da.', { voice: 'cy-1', language: 'cy-GB' });
  });
});

describe('play', () => {
  const flow = () =>
    valid(
      flowOf('jingle', [
        { id: 'jingle', type: 'play', audioId: 42, next: 'after' },
        { id: 'after', type: 'say', text: 'That was our jingle.' },
      ]),
    );

  it('plays the audio file through playAudio, then goes on', async () => {
    const w = world();
    const played: number[] = [];
    const { result } = await run(w, NUMBERS.listens, flow(), {
      // The carrier port has no audio verb; a stand-in that takes time on the call like audio would.
      playAudio: async (call, audioId) => {
        played.push(audioId);
        return call.say(`[audio ${audioId}]`);
      },
    });
    expect(played).toEqual([42]);
    expect(w.said()).toEqual(['[audio 42]', 'That was our jingle.']);
    expect(result).toMatchObject({ lastStepId: 'after', lastStepNumber: 2, hungUpBy: 'flow', stepsRun: 2 });
  });

  it('refuses a flow with play steps when no player is given, before touching the call', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.listens);
    const args = { flow: flow(), call, values: VALUES, sendSms: async () => {} };
    await expect(runFlow(args)).rejects.toThrow(InvalidFlowError);
    await expect(runFlow(args)).rejects.toThrow("step 'jingle' plays audio but runFlow was given no playAudio");
    expect(w.events.filter((event) => event.type === 'say' || event.type === 'ended')).toEqual([]);
    await call.hangup();
  });
});

describe('gather', () => {
  it('goes to the branch of the key pressed: 1', async () => {
    const w = world();
    const { result, steps } = await run(w, NUMBERS.presses1, menu());
    expect(steps.map(([id]) => id)).toEqual(['menu', 'one']);
    expect(w.said()).toEqual(['You chose one.']);
    expect(result).toMatchObject({ userInput: '1', lastStepId: 'one', lastStepNumber: 2, hungUpBy: 'flow' });
  });

  it('goes to the branch of the key pressed: 2', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.presses2, menu());
    expect(w.said()).toEqual(['You chose two.']);
    expect(result).toMatchObject({ userInput: '2', lastStepId: 'two', lastStepNumber: 3 });
  });

  it('passes the prompt with placeholders, maxDigits, timeoutMs and finishOnKey to the carrier', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.presses1);
    const gather = vi.spyOn(call, 'gather');
    const flow = valid(
      flowOf('code', [
        {
          id: 'code',
          type: 'gather',
          prompt: '{Name}, key in your code.',
          maxDigits: 6,
          timeoutMs: 3_000,
          finishOnKey: '#',
          branches: { '1': 'ok' },
          noInput: 'ok',
          maxRetries: 0,
        },
        { id: 'ok', type: 'hangup' },
      ]),
    );
    await runOn(w, call, flow);
    expect(gather).toHaveBeenCalledWith({ prompt: 'Alice, key in your code.', maxDigits: 6, timeoutMs: 3_000, finishOnKey: '#' });
  });

  it('ends input at the finish key, which is not part of the input', async () => {
    // A random (non-test) number answered by a person who keys 12# in every gather.
    const w = world({
      mix: { human: 1, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 },
      talk: { humanHangUpProbability: 0, keypresses: { '12#': 1 } },
    });
    const flow = valid(
      flowOf('code', [
        {
          id: 'code',
          type: 'gather',
          prompt: 'Key in your code, then the hash key.',
          maxDigits: 5,
          timeoutMs: 5_000,
          finishOnKey: '#',
          branches: { '12': 'right' },
          noInput: 'wrong',
          maxRetries: 0,
        },
        { id: 'right', type: 'say', text: 'Right.' },
        { id: 'wrong', type: 'say', text: 'Wrong.' },
      ]),
    );
    const { result } = await run(w, '+447700123456', flow);
    expect(result).toMatchObject({ userInput: '12', lastStepId: 'right' });
  });

  it('re-prompts after input matching no branch, saying the invalid prompt first, and takes the next answer', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.presses9Then1, menu({ invalidPrompt: 'Sorry, that is not an option.' }));
    expect(w.gathers().map((g) => [g.prompt, g.digits])).toEqual([
      ['Press 1 or 2.', '9'],
      ['Sorry, that is not an option. Press 1 or 2.', '1'],
    ]);
    expect(result).toMatchObject({ userInput: '9,1', lastStepId: 'one', stepsRun: 2 });
  });

  it('re-prompts with the plain prompt after invalid input when there is no invalid prompt', async () => {
    const w = world();
    await run(w, NUMBERS.presses9Then1, menu());
    expect(w.gathers().map((g) => g.prompt)).toEqual(['Press 1 or 2.', 'Press 1 or 2.']);
  });

  it('re-prompts after no input, and the silent gather adds nothing to the user input', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.pressesNothingThen1, menu({ invalidPrompt: 'Sorry.' }));
    expect(w.gathers().map((g) => [g.prompt, g.digits])).toEqual([
      ['Press 1 or 2.', ''],
      ['Press 1 or 2.', '1'],
    ]);
    expect(result).toMatchObject({ userInput: '1', lastStepId: 'one' });
  });

  it('goes to noInput once the retries are used up', async () => {
    const w = world();
    const { result, steps } = await run(w, NUMBERS.listens, menu({ maxRetries: 2 }));
    expect(w.gathers()).toHaveLength(3);
    expect(steps.map(([id]) => id)).toEqual(['menu', 'silence']);
    expect(w.said()).toEqual(['We heard nothing.']);
    expect(result).toMatchObject({ userInput: '', lastStepId: 'silence', lastStepNumber: 4, stepsRun: 2 });
  });

  it('waits timeoutMs after the prompt before counting no input', async () => {
    const w = world();
    await run(w, NUMBERS.listens, menu({ maxRetries: 0 }));
    const [gather] = w.gathers();
    // 'Press 1 or 2.' is 4 words: 1.6 s at 150 words a minute, then 5 s of silence.
    expect(gather!.endedAtMs - gather!.startedAtMs).toBe(1_600 + 5_000);
  });

  it('goes to default for input matching no branch once the retries are used up', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.presses9Then1, menu({ maxRetries: 0, default: 'other' }));
    expect(w.gathers()).toHaveLength(1);
    expect(w.said()).toEqual(['Not an option.']);
    expect(result).toMatchObject({ userInput: '9', lastStepId: 'other', lastStepNumber: 5 });
  });

  it('goes to noInput for input matching no branch when there is no default', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.presses9Then1, menu({ maxRetries: 0 }));
    expect(result).toMatchObject({ userInput: '9', lastStepId: 'silence' });
  });

  it('shares the retries between no input and invalid input', async () => {
    // Nothing, then 1 (not a branch of this menu): with one retry, the second failure goes to noInput/default.
    const w = world();
    const flow = valid(
      flowOf('menu', [
        {
          id: 'menu',
          type: 'gather',
          prompt: 'Press 2.',
          maxDigits: 1,
          timeoutMs: 5_000,
          branches: { '2': 'two' },
          default: 'other',
          noInput: 'silence',
          maxRetries: 1,
        },
        { id: 'two', type: 'hangup' },
        { id: 'other', type: 'say', text: 'Not an option.' },
        { id: 'silence', type: 'say', text: 'Nothing.' },
      ]),
    );
    const { result } = await run(w, NUMBERS.pressesNothingThen1, flow);
    expect(w.gathers()).toHaveLength(2);
    expect(result).toMatchObject({ userInput: '1', lastStepId: 'other' });
  });

  it('collects the input of successive gathers in order, separated by commas', async () => {
    const w = world();
    const flow = valid(
      flowOf('first', [
        {
          id: 'first',
          type: 'gather',
          prompt: 'Press 1 to continue.',
          maxDigits: 1,
          timeoutMs: 5_000,
          branches: { '1': 'second' },
          noInput: 'bye',
          maxRetries: 0,
        },
        {
          id: 'second',
          type: 'gather',
          prompt: 'Press 2 to confirm.',
          maxDigits: 1,
          timeoutMs: 5_000,
          branches: { '2': 'done' },
          noInput: 'bye',
          maxRetries: 0,
        },
        { id: 'done', type: 'say', text: 'Confirmed.' },
        { id: 'bye', type: 'hangup' },
      ]),
    );
    const { result } = await run(w, NUMBERS.presses1Then2, flow);
    expect(result).toMatchObject({ userInput: '1,2', lastStepId: 'done', lastStepNumber: 3, stepsRun: 3 });
  });
});

describe('answerType', () => {
  const flow = () =>
    valid(
      flowOf('who', [
        { id: 'who', type: 'answerType', human: 'person', machine: 'machine' },
        { id: 'person', type: 'say', text: 'Hello {Name}.' },
        { id: 'machine', type: 'say', text: 'Sorry we missed you, {Name}.' },
      ]),
    );

  it('takes the human branch at once for a person', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.presses1);
    const answeredAtMs = w.clock.now().getTime();
    const { result } = await runOn(w, call, flow());
    expect(w.said()).toEqual(['Hello Alice.']);
    const say = w.events.find((event) => event.type === 'say');
    expect(say?.type === 'say' && say.startedAtMs).toBe(answeredAtMs);
    expect(result).toMatchObject({ lastStepId: 'person', lastStepNumber: 2, hungUpBy: 'flow' });
  });

  it('takes the machine branch after the greeting has ended, so the message is recorded whole', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.machine5sGreeting);
    const answeredAtMs = w.clock.now().getTime();
    const { result } = await runOn(w, call, flow());
    const say = w.events.find((event) => event.type === 'say');
    expect(say).toMatchObject({ text: 'Sorry we missed you, Alice.', startedAtMs: answeredAtMs + 5_000, beforeBeep: false, complete: true });
    expect(result).toMatchObject({ lastStepId: 'machine', lastStepNumber: 3, hungUpBy: 'flow' });
  });
});

describe('transfer', () => {
  const flow = () =>
    valid(
      flowOf('menu', [
        {
          id: 'menu',
          type: 'gather',
          prompt: 'Press 2 to speak to someone.',
          maxDigits: 1,
          timeoutMs: 5_000,
          branches: { '2': 'transfer' },
          noInput: 'bye',
          maxRetries: 0,
        },
        { id: 'transfer', type: 'transfer', to: '020 7946 0950', ringTimeoutMs: 20_000, onFailure: 'sorry' },
        { id: 'sorry', type: 'say', text: 'Sorry, nobody is free.', next: 'bye' },
        { id: 'bye', type: 'hangup' },
      ]),
    );

  it('ends the flow when the transfer is answered, and marks the call as transferred', async () => {
    const w = world();
    const { result, steps } = await run(w, NUMBERS.presses2TransferAnswered, flow());
    expect(steps.map(([id]) => id)).toEqual(['menu', 'transfer']);
    const transfer = w.events.find((event) => event.type === 'transfer');
    expect(transfer).toMatchObject({ to: '+442079460950', result: 'answered' });
    expect(w.endOf()).toMatchObject({ by: 'us', reason: 'transferred' });
    expect(result).toEqual({
      lastStepId: 'transfer',
      lastStepNumber: 2,
      userInput: '2',
      isTransferCall: true,
      hungUpBy: 'flow',
      stepsRun: 2,
      smsSent: 0,
    });
  });

  it('goes to onFailure when the transfer fails, and the call is not a transfer call', async () => {
    const w = world();
    const { result, steps } = await run(w, NUMBERS.presses2TransferFails, flow());
    expect(w.events.find((event) => event.type === 'transfer')).toMatchObject({ result: 'busy' });
    expect(steps.map(([id]) => id)).toEqual(['menu', 'transfer', 'sorry', 'bye']);
    expect(w.said()).toEqual(['Sorry, nobody is free.']);
    expect(w.endOf()).toMatchObject({ by: 'us', reason: 'hangup' });
    expect(result).toMatchObject({ lastStepId: 'bye', lastStepNumber: 4, isTransferCall: false, hungUpBy: 'flow' });
  });

  it('gives the target ringTimeoutMs to answer', async () => {
    const w = world();
    const noAnswerFlow = valid(
      flowOf('transfer', [
        { id: 'transfer', type: 'transfer', to: '+442079460002', ringTimeoutMs: 12_000, onFailure: 'sorry' },
        { id: 'sorry', type: 'say', text: 'Nobody answered.' },
      ]),
    );
    const call = await w.answer(NUMBERS.listens);
    const startMs = w.clock.now().getTime();
    const { result } = await runOn(w, call, noAnswerFlow);
    expect(w.events.find((event) => event.type === 'transfer')).toMatchObject({ result: 'no_answer', atMs: startMs + 12_000 });
    expect(result).toMatchObject({ lastStepId: 'sorry', isTransferCall: false });
  });
});

describe('sms', () => {
  it('sends the text with placeholders filled and goes on', async () => {
    const w = world();
    const flow = valid(
      flowOf('text', [
        { id: 'text', type: 'sms', text: 'Hi {Name}, see you on {Parameter1}.', next: 'bye' },
        { id: 'bye', type: 'say', text: 'We have sent you a text.' },
      ]),
    );
    const { result, sms } = await run(w, NUMBERS.listens, flow);
    expect(sms).toEqual(['Hi Alice, see you on 4 March at 10:30.']);
    expect(w.said()).toEqual(['We have sent you a text.']);
    expect(result).toMatchObject({ smsSent: 1, lastStepId: 'bye', hungUpBy: 'flow' });
  });

  it('goes on when sending fails, reporting the error and counting no SMS', async () => {
    const w = world();
    const flow = valid(
      flowOf('text', [
        { id: 'text', type: 'sms', text: 'Hi {Name}.', next: 'bye' },
        { id: 'bye', type: 'say', text: 'Goodbye.' },
      ]),
    );
    const failures: [unknown, string][] = [];
    const failure = new Error('provider down');
    const { result } = await run(w, NUMBERS.listens, flow, {
      sendSms: async () => {
        throw failure;
      },
      onSmsError: (error, stepId) => failures.push([error, stepId]),
    });
    expect(failures).toEqual([[failure, 'text']]);
    expect(w.said()).toEqual(['Goodbye.']);
    expect(result).toMatchObject({ smsSent: 0, lastStepId: 'bye' });
  });
});

describe('hangup', () => {
  it('ends the call at once, by the flow', async () => {
    const w = world();
    const flow = valid(
      flowOf('bye', [
        { id: 'bye', type: 'hangup' },
      ]),
    );
    const call = await w.answer(NUMBERS.listens);
    const atMs = w.clock.now().getTime();
    const { result } = await runOn(w, call, flow);
    expect(await call.ended).toMatchObject({ by: 'us', reason: 'hangup' });
    expect(w.clock.now().getTime()).toBe(atMs);
    expect(result).toMatchObject({ lastStepId: 'bye', lastStepNumber: 1, hungUpBy: 'flow', stepsRun: 1 });
  });
});

describe('optOut', () => {
  const flow = (say?: string) =>
    valid(
      flowOf('menu', [
        { id: 'menu', type: 'gather', prompt: 'Press 1 to confirm, 2 to stop these calls.', maxDigits: 1, timeoutMs: 5_000, branches: { '1': 'ok', '2': 'stop' }, noInput: 'ok', maxRetries: 0 },
        { id: 'ok', type: 'say', text: 'Thank you.' },
        { id: 'stop', type: 'optOut', ...(say === undefined ? {} : { say }), next: 'bye' },
        { id: 'bye', type: 'say', text: 'Goodbye {Name}.' },
      ]),
    );

  it('marks the run as opted out, says its confirmation and goes on', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.presses2, flow('You will not be called again, {Name}.'));
    expect(w.said()).toEqual(['You will not be called again, Alice.', 'Goodbye Alice.']);
    expect(result).toMatchObject({ optedOut: true, userInput: '2', lastStepId: 'bye', hungUpBy: 'flow' });
  });

  it('works without a confirmation, and a run that never reaches it has no optedOut', async () => {
    const w = world();
    const stopped = await run(w, NUMBERS.presses2, flow());
    expect(stopped.result).toMatchObject({ optedOut: true, lastStepId: 'bye' });
    const kept = await run(world(), NUMBERS.presses1, flow());
    expect(kept.result).not.toHaveProperty('optedOut');
  });

  it('stays opted out when the callee hangs up during the confirmation', async () => {
    const w = world();
    const hangsUp = valid(flowOf('stop', [{ id: 'stop', type: 'optOut', say: 'You will not be called again. '.repeat(10) }]));
    const { result } = await run(w, NUMBERS.hangsUpAfter2s, hangsUp);
    expect(result).toMatchObject({ optedOut: true, hungUpBy: 'callee' });
  });
});
