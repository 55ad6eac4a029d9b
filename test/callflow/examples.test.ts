// The README's menu flow ("press 1 to confirm, 2 to speak to someone") validated and run against every test-number
// behaviour it has a branch for.
import { describe, expect, it } from 'vitest';
import { MENU_FLOW_EXAMPLE } from '../../src/callflow/examples.js';
import { runFlow, runVoicemail, type FlowResult } from '../../src/callflow/interpreter.js';
import { NUMBERS, VALUES, valid, world } from './harness.js';

const flow = valid(MENU_FLOW_EXAMPLE, 1);

async function callMenu(to: string): Promise<{ result: FlowResult; sms: string[]; said: string[] }> {
  const w = world();
  const call = await w.answer(to);
  const sms: string[] = [];
  const result = await w.drive(
    runFlow({
      flow,
      call,
      values: VALUES,
      sendSms: async (text) => {
        sms.push(text);
      },
    }),
  );
  return { result, sms, said: w.said() };
}

describe('the menu example', () => {
  it('validates within one SMS part', () => {
    expect(flow.steps.map((step) => step.id)).toEqual([
      'menu',
      'confirm',
      'confirm-sms',
      'agent',
      'transfer',
      'agent-busy',
      'goodbye',
    ]);
  });

  it('1: confirms and texts the confirmation', async () => {
    const { result, sms, said } = await callMenu(NUMBERS.presses1);
    expect(said).toEqual(['Thank you, your appointment is confirmed. Goodbye.']);
    expect(sms).toEqual(['Hi Alice, your appointment on 4 March at 10:30 is confirmed. Ringcast Dental']);
    expect(result).toEqual({
      lastStepId: 'confirm-sms',
      lastStepNumber: 3,
      userInput: '1',
      isTransferCall: false,
      hungUpBy: 'flow',
      stepsRun: 3,
      smsSent: 1,
    });
  });

  it('2: puts the caller through to the surgery', async () => {
    const { result, said } = await callMenu(NUMBERS.presses2TransferAnswered);
    expect(said).toEqual(['Putting you through to the surgery now.']);
    expect(result).toMatchObject({ lastStepId: 'transfer', lastStepNumber: 5, userInput: '2', isTransferCall: true, hungUpBy: 'flow' });
  });

  it('2, surgery busy: apologises', async () => {
    const { result, said } = await callMenu(NUMBERS.presses2TransferFails);
    expect(said).toEqual([
      'Putting you through to the surgery now.',
      'Sorry, nobody can take your call just now. We will call you back. Goodbye.',
    ]);
    expect(result).toMatchObject({ lastStepId: 'agent-busy', lastStepNumber: 6, isTransferCall: false });
  });

  it('9 then 1: says it is not an option, asks again, confirms', async () => {
    const { result, sms } = await callMenu(NUMBERS.presses9Then1);
    expect(sms).toHaveLength(1);
    expect(result).toMatchObject({ lastStepId: 'confirm-sms', userInput: '9,1', smsSent: 1 });
  });

  it('nothing: asks three times, then says goodbye', async () => {
    const { result, said } = await callMenu(NUMBERS.listens);
    expect(said).toEqual(['We did not get an answer. We will call you again. Goodbye.']);
    expect(result).toMatchObject({ lastStepId: 'goodbye', lastStepNumber: 7, userInput: '', stepsRun: 2 });
  });

  it('a caller who hangs up during the menu', async () => {
    const { result, sms } = await callMenu(NUMBERS.hangsUpAfter2s);
    expect(sms).toEqual([]);
    expect(result).toMatchObject({ lastStepId: 'menu', lastStepNumber: 1, hungUpBy: 'callee', stepsRun: 1 });
  });

  it('an answering machine gets the voicemail message', async () => {
    const w = world();
    const call = await w.answer(NUMBERS.machine5sGreeting);
    expect(await w.drive(runVoicemail(flow, call, VALUES))).toEqual({ left: true });
    expect(w.said()).toEqual([
      'Hello Alice, this is Ringcast Dental about your appointment on 4 March at 10:30. Please call us on 020 7946 0999. Goodbye.',
    ]);
  });
});
