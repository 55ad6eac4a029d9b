// A run as a whole: the callee hanging up mid-flow, the maxSteps cap, flows that cannot run, voicemail on machines,
// and migrated single-message flows.
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_STEPS, runFlow, runVoicemail } from '../../src/callflow/interpreter.js';
import type { Flow } from '../../src/callflow/schema.js';
import { flowFromSimpleMessage } from '../../src/callflow/validate.js';
import { NUMBERS, VALUES, flowOf, menu, run, runOn, valid, world } from './harness.js';

describe('the callee hanging up', () => {
  it('ends the run during a say, keeping the step reached and running nothing after it', async () => {
    const w = world();
    const flow = valid(
      flowOf('long', [
        {
          id: 'long',
          type: 'say',
          text: 'This is a long message that goes on and on for far longer than two seconds, so it is cut.',
          next: 'text',
        },
        { id: 'text', type: 'sms', text: 'Hi {Name}.' },
      ]),
    );
    const { result, sms } = await run(w, NUMBERS.hangsUpAfter2s, flow);
    expect(w.events.find((event) => event.type === 'say')).toMatchObject({ complete: false });
    expect(w.endOf()).toMatchObject({ by: 'callee' });
    expect(sms).toEqual([]);
    expect(result).toEqual({
      lastStepId: 'long',
      lastStepNumber: 1,
      userInput: '',
      isTransferCall: false,
      hungUpBy: 'callee',
      stepsRun: 1,
      smsSent: 0,
    });
  });

  it('ends the run during a gather', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.hangsUpAfter2s, menu({ maxRetries: 3 }));
    expect(w.gathers()).toEqual([expect.objectContaining({ hungUp: true, digits: '' })]);
    expect(result).toMatchObject({ lastStepId: 'menu', hungUpBy: 'callee', userInput: '', stepsRun: 1 });
  });

  it('ends the run when the callee leaves while a transfer rings, without running onFailure', async () => {
    const w = world();
    const flow = valid(
      flowOf('transfer', [
        // 020 7946 0002 never answers: it would ring for 30 s, but the callee hangs up after 2.
        { id: 'transfer', type: 'transfer', to: '+442079460002', ringTimeoutMs: 30_000, onFailure: 'text' },
        { id: 'text', type: 'sms', text: 'Sorry we could not put you through.' },
      ]),
    );
    const { result, sms, steps } = await run(w, NUMBERS.hangsUpAfter2s, flow);
    expect(steps.map(([id]) => id)).toEqual(['transfer']);
    expect(sms).toEqual([]);
    expect(result).toMatchObject({ lastStepId: 'transfer', hungUpBy: 'callee', isTransferCall: false, stepsRun: 1 });
  });

  it('ends the run while an answering machine greets, before its branch', async () => {
    const w = world({ talk: { machineRecordMaxMs: 0 } });
    const call = await w.answer(NUMBERS.machine5sGreeting);
    const flow = valid(
      flowOf('who', [
        { id: 'who', type: 'answerType', human: 'msg', machine: 'msg' },
        { id: 'msg', type: 'say', text: 'Hello.' },
      ]),
    );
    // The machine hangs up as its greeting ends (a zero recording limit): nothing is said after it.
    const { result } = await runOn(w, call, flow);
    expect(w.said()).toEqual([]);
    expect(result).toMatchObject({ lastStepId: 'who', hungUpBy: 'callee' });
  });
});

describe('maxSteps', () => {
  // A menu that repeats for a caller who never answers: legal (the loop passes a gather) but endless on its own.
  const repeating = () =>
    valid(
      flowOf('menu', [
        {
          id: 'menu',
          type: 'gather',
          prompt: 'Press 1.',
          maxDigits: 1,
          timeoutMs: 1_000,
          branches: { '1': 'done' },
          noInput: 'again',
          maxRetries: 0,
        },
        { id: 'again', type: 'say', text: 'Let us try again.', next: 'menu' },
        { id: 'done', type: 'hangup' },
      ]),
    );

  it('stops a runaway flow after maxSteps steps and hangs up', async () => {
    const w = world();
    const { result, steps } = await run(w, NUMBERS.listens, repeating(), { maxSteps: 5 });
    expect(steps.map(([id]) => id)).toEqual(['menu', 'again', 'menu', 'again', 'menu']);
    expect(w.endOf()).toMatchObject({ by: 'us', reason: 'hangup' });
    expect(result).toMatchObject({ stepsRun: 5, lastStepId: 'menu', lastStepNumber: 1, hungUpBy: 'flow' });
  });

  it('defaults to 100 steps', async () => {
    const w = world();
    const { result } = await run(w, NUMBERS.listens, repeating());
    expect(DEFAULT_MAX_STEPS).toBe(100);
    expect(result.stepsRun).toBe(100);
    expect(result.lastStepId).toBe('again');
  });

  it('refuses a maxSteps that is not a positive integer', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.listens);
    await expect(runFlow({ flow: repeating(), call, values: VALUES, sendSms: async () => {}, maxSteps: 0 })).rejects.toThrow(RangeError);
    await call.hangup();
  });
});

describe('flows that cannot run', () => {
  it('throws InvalidFlowError for an unvalidated flow with a missing target, before touching the call', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.listens);
    const flow = { ...flowOf('a', [{ id: 'a', type: 'say', text: 'Hi.', next: 'nowhere' }]) } as unknown as Flow;
    await expect(runFlow({ flow, call, values: VALUES, sendSms: async () => {} })).rejects.toThrow(
      "step 'a' goes to step 'nowhere', which does not exist",
    );
    expect(w.said()).toEqual([]);
    await call.hangup();
  });

  it('throws InvalidFlowError for a step that does not match its schema', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.listens);
    const flow = flowOf('a', [{ id: 'a', type: 'gather', prompt: 'Hi.', maxDigits: 99 }]) as unknown as Flow;
    await expect(runFlow({ flow, call, values: VALUES, sendSms: async () => {} })).rejects.toThrow(
      /steps\[0\]: step "a" is not a valid gather step/,
    );
    await call.hangup();
  });

  it('refuses a flow again on every run: a flow that failed to compile is not remembered as runnable', async () => {
    const w = world();
    const flow = flowOf('a', [{ id: 'a', type: 'say', text: 'Hi.', next: 'nowhere' }]) as unknown as Flow;
    for (let attempt = 0; attempt < 2; attempt++) {
      const call = await w.answer(NUMBERS.listens);
      await expect(runFlow({ flow, call, values: VALUES, sendSms: async () => {} })).rejects.toThrow("goes to step 'nowhere'");
      await call.hangup();
    }
  });

  it('asks for playAudio on every run of a flow with a play step, also once the flow has run with it', async () => {
    const w = world();
    const flow = valid(flowOf('clip', [{ id: 'clip', type: 'play', audioId: 1 }]));
    const played: number[] = [];
    const { result } = await run(w, NUMBERS.listens, flow, {
      playAudio: async (_call, audioId) => {
        played.push(audioId);
        return { hungUp: false };
      },
    });
    expect(played).toEqual([1]);
    expect(result).toMatchObject({ lastStepId: 'clip', stepsRun: 1 });
    const call = await w.answer(NUMBERS.listens);
    await expect(runFlow({ flow, call, values: VALUES, sendSms: async () => {} })).rejects.toThrow(
      "step 'clip' plays audio but runFlow was given no playAudio",
    );
    await call.hangup();
  });

  it('runs one flow object call after call, each run with its own state (the dialer shares a campaign flow)', async () => {
    const w = world();
    const flow = menu();
    const seen: [string | undefined, string][] = [];
    for (const to of [NUMBERS.presses1, NUMBERS.presses2, NUMBERS.presses1, NUMBERS.presses2]) {
      const { result } = await run(w, to, flow);
      seen.push([result.lastStepId, result.userInput]);
    }
    expect(seen).toEqual([
      ['one', '1'],
      ['two', '2'],
      ['one', '1'],
      ['two', '2'],
    ]);
  });

  it('hangs up and rethrows when something throws mid-flow', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.listens);
    const flow = valid(flowOf('a', [{ id: 'a', type: 'say', text: 'Hi.' }]));
    const failing = runFlow({
      flow,
      call,
      values: VALUES,
      sendSms: async () => {},
      onStep: () => {
        throw new Error('observer bug');
      },
    });
    await expect(w.drive(failing)).rejects.toThrow('observer bug');
    expect(await call.ended).toMatchObject({ by: 'us', reason: 'hangup' });
  });
});

describe('runVoicemail', () => {
  it('says the voicemail message after the greeting has ended and reports it left', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.machine5sGreeting);
    const answeredAtMs = w.clock.now().getTime();
    const flow = valid(flowOf('a', [{ id: 'a', type: 'hangup' }]));
    const result = await w.drive(runVoicemail(flow, call, VALUES));
    expect(result).toEqual({ left: true });
    expect(w.events.find((event) => event.type === 'say')).toMatchObject({
      text: 'Hello Alice, please call us back.',
      startedAtMs: answeredAtMs + 5_000,
      beforeBeep: false,
      complete: true,
    });
    expect(w.endOf()).toMatchObject({ by: 'us', reason: 'hangup' });
  });

  it('reports the message not left when the machine stops recording during it', async () => {
    const w = world({ talk: { machineRecordMaxMs: 1_000 } });
    const call = await w.answer(NUMBERS.machine5sGreeting);
    const flow = valid({ ...flowOf('a', [{ id: 'a', type: 'hangup' }]), voicemail: { say: 'A message far too long for a one second recording limit.' } });
    expect(await w.drive(runVoicemail(flow, call, VALUES))).toEqual({ left: false });
    expect(w.events.find((event) => event.type === 'say')).toMatchObject({ complete: false });
  });

  it('passes the voicemail voice and language', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.machine5sGreeting);
    const say = vi.spyOn(call, 'say');
    const flow = valid({ ...flowOf('a', [{ id: 'a', type: 'hangup' }]), voicemail: { say: 'Helo.', voice: 'cy-1', language: 'cy-GB' } });
    await w.drive(runVoicemail(flow, call, VALUES));
    expect(say).toHaveBeenCalledWith('Helo.', { voice: 'cy-1', language: 'cy-GB' });
  });
});

describe('a migrated single-message flow', () => {
  it('says the message and hangs up, as the dialer does today', async () => {
    const w = world();
    const flow = valid(
      flowFromSimpleMessage({ message: 'Hello {Name}, goodbye.', voicemailMessage: 'Hi {Name}.', smsText: 'Hi {Name}.' }),
    );
    const { result } = await run(w, NUMBERS.presses1, flow);
    expect(w.said()).toEqual(['Hello Alice, goodbye.']);
    expect(w.gathers()).toEqual([]);
    expect(result).toEqual({
      lastStepId: 'message',
      lastStepNumber: 1,
      userInput: '',
      isTransferCall: false,
      hungUpBy: 'flow',
      stepsRun: 1,
      smsSent: 0,
    });
  });
});
