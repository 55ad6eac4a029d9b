// The speech a person hears first, rendered before the call is placed (Ofcom's 2-second rule).
import { describe, expect, it } from 'vitest';
import { firstSpeech } from '../../src/callflow/first-speech.js';
import { VALUES, flowOf, valid } from './harness.js';

describe('firstSpeech', () => {
  it('follows answerType to the human branch and sms steps to what they lead to', () => {
    const flow = valid(
      flowOf('who', [
        { id: 'who', type: 'answerType', human: 'text', machine: 'vm' },
        { id: 'text', type: 'sms', text: 'Hi {Name}', next: 'menu' },
        { id: 'menu', type: 'gather', prompt: 'Hello {Name}, press 1.', maxDigits: 1, timeoutMs: 5_000, branches: { '1': 'vm' }, noInput: 'vm', maxRetries: 0 },
        { id: 'vm', type: 'say', text: 'Bye.', voice: 'en-gb' },
      ]),
    );
    expect(firstSpeech(flow, VALUES)).toEqual({ text: 'Hello Alice, press 1.', options: {} });
  });

  it('gives a say step its voice, an optOut its confirmation, and nothing for a flow that starts with audio or a transfer', () => {
    expect(firstSpeech(valid(flowOf('a', [{ id: 'a', type: 'say', text: 'Hi {Name}.', voice: 'en-gb', language: 'en-GB' }])), VALUES)).toEqual({
      text: 'Hi Alice.',
      options: { voice: 'en-gb', language: 'en-GB' },
    });
    expect(firstSpeech(valid(flowOf('o', [{ id: 'o', type: 'optOut', say: 'Done.' }])), VALUES)).toEqual({ text: 'Done.', options: {} });
    expect(firstSpeech(valid(flowOf('h', [{ id: 'h', type: 'hangup' }])), VALUES)).toBeUndefined();
  });
});
