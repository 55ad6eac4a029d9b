import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { flowFromSimpleMessage, validateFlow } from '../../src/callflow/validate.js';
import { FlowSchema, FLOW_LIMITS } from '../../src/callflow/schema.js';
import { MENU_FLOW_EXAMPLE } from '../../src/callflow/examples.js';
import type { FieldErrors } from '../../src/domain/field-errors.js';
import { flowOf } from './harness.js';

// Steps of MENU_FLOW_EXAMPLE: [0] menu (gather), [1] confirm (say), [2] confirm-sms (sms), [3] agent (say),
// [4] transfer, [5] agent-busy (say), [6] goodbye (say).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const menuDoc = (): Doc => structuredClone(MENU_FLOW_EXAMPLE);

function errorsOf(doc: unknown, maxSmsParts = 3): FieldErrors {
  const result = validateFlow(doc, { maxSmsParts });
  if (result.ok) throw new Error('expected the flow to be invalid');
  return result.errors;
}

describe('a valid flow', () => {
  it('passes, comes back canonical, and matches FlowSchema', () => {
    const result = validateFlow(menuDoc(), { maxSmsParts: 1 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Value.Check(FlowSchema, result.flow)).toBe(true);
    // The transfer number is stored in E.164; everything else as sent.
    const expected = menuDoc();
    expected.steps[4].to = '+442079460950';
    expect(result.flow).toEqual(expected);
  });

  it('matches property names case-insensitively and reads null as absent', () => {
    const doc = {
      Version: 1,
      START: 'menu',
      Steps: [
        {
          ID: 'menu',
          Type: 'gather',
          Prompt: 'Press 1.',
          MaxDigits: 1,
          TimeoutMs: 5_000,
          Branches: { '1': 'bye' },
          NoInput: 'bye',
          MaxRetries: 0,
          Default: null,
          FinishOnKey: null,
        },
        { id: 'bye', type: 'say', text: 'Bye.', next: null },
      ],
      VoiceMail: { Say: 'Hello.', Language: 'en-GB' },
      SMSOnBusy: 'Hi.',
    };
    const result = validateFlow(doc, { maxSmsParts: 1 });
    expect(result).toEqual({
      ok: true,
      flow: {
        version: 1,
        start: 'menu',
        steps: [
          {
            id: 'menu',
            type: 'gather',
            prompt: 'Press 1.',
            maxDigits: 1,
            timeoutMs: 5_000,
            branches: { '1': 'bye' },
            noInput: 'bye',
            maxRetries: 0,
          },
          { id: 'bye', type: 'say', text: 'Bye.' },
        ],
        voicemail: { say: 'Hello.', language: 'en-GB' },
        smsOnBusy: 'Hi.',
      },
    });
  });

  it('allows a loop that passes through a gather', () => {
    const doc = flowOf('menu', [
      {
        id: 'menu',
        type: 'gather',
        prompt: 'Press 1 to hear this again.',
        maxDigits: 1,
        timeoutMs: 5_000,
        branches: { '1': 'again' },
        noInput: 'bye',
        maxRetries: 1,
      },
      { id: 'again', type: 'say', text: 'Here it is again.', next: 'menu' },
      { id: 'bye', type: 'hangup' },
    ]);
    expect(validateFlow(doc, { maxSmsParts: 1 }).ok).toBe(true);
  });

  it('refuses a maxSmsParts that is not a positive integer (a configuration bug)', () => {
    expect(() => validateFlow(menuDoc(), { maxSmsParts: 0 })).toThrow(RangeError);
  });
});

describe('flowFromSimpleMessage', () => {
  it('makes a one-say-step flow that validates', () => {
    const flow = flowFromSimpleMessage({
      message: 'Hello {Name}.',
      voicemailMessage: 'Sorry we missed you, {Name}.',
      smsText: 'Hi {Name}, we tried to call.',
    });
    expect(flow).toEqual({
      version: 1,
      start: 'message',
      steps: [{ id: 'message', type: 'say', text: 'Hello {Name}.' }],
      voicemail: { say: 'Sorry we missed you, {Name}.' },
      smsOnBusy: 'Hi {Name}, we tried to call.',
    });
    expect(validateFlow(flow, { maxSmsParts: 1 })).toEqual({ ok: true, flow });
  });
});

describe('shape errors', () => {
  it('a document that is not an object', () => {
    expect(errorsOf([])).toEqual({ body: ['The call flow must be a JSON object.'] });
    expect(errorsOf(null)).toEqual({ body: ['The call flow must be a JSON object.'] });
  });

  it('missing and mistyped top-level fields', () => {
    expect(errorsOf({ version: 2, steps: 'none', voicemail: {} })).toEqual({
      Version: ['Version must be 1.'],
      Start: ['The Start field is required.'],
      Steps: ['Steps must be an array.'],
      'Voicemail.Say': ['The Voicemail.Say field is required.'],
      SmsOnBusy: ['The SmsOnBusy field is required.'],
    });
  });

  it('an empty step list and too many steps', () => {
    expect(errorsOf({ ...menuDoc(), steps: [] })).toEqual({ Steps: ['Steps must have at least 1 entry.'] });
    const many = Array.from({ length: FLOW_LIMITS.stepsMax + 1 }, (_, i) => ({ id: `s${i}`, type: 'hangup' }));
    expect(errorsOf({ ...menuDoc(), start: 's0', steps: many })).toEqual({ Steps: ['Steps must have at most 200 entries.'] });
  });

  it('an unknown step type, a missing type and a step that is not an object', () => {
    const doc = menuDoc();
    doc.steps[1] = { id: 'confirm', type: 'speak', text: 'Hi.' };
    doc.steps[3] = { id: 'agent', text: 'Hi.' };
    doc.steps[5] = 'say hello';
    expect(errorsOf(doc)).toEqual({
      'Steps[1].Type': ["'speak' is not a step type; use say, play, gather, transfer, sms, hangup, answerType or optOut."],
      'Steps[3].Type': ['The Steps[3].Type field is required.'],
      'Steps[5]': ['Steps[5] must be an object.'],
    });
  });

  it('unknown properties, at every level', () => {
    const doc = menuDoc();
    doc.name = 'Reminder';
    doc.voicemail.sayy = 'typo';
    doc.steps[1].nxt = 'confirm-sms';
    doc.steps[4].next = 'agent-busy';
    expect(errorsOf(doc)).toEqual({
      Name: ["A call flow has no property 'name'."],
      'Voicemail.Sayy': ["Voicemail has no property 'sayy'."],
      'Steps[1].Nxt': ["A say step has no property 'nxt'."],
      'Steps[4].Next': [
        'A transfer has no next: once the target answers, the call is theirs and the flow ends. OnFailure says where to go when it fails.',
      ],
    });
  });

  it('ranges, lengths and patterns of step fields', () => {
    const doc = menuDoc();
    Object.assign(doc.steps[0], { maxDigits: 21, timeoutMs: 999, maxRetries: 6, finishOnKey: '5', prompt: '' });
    doc.steps[0].branches = { '1': 'bad id!', '2': 7 };
    doc.steps[1].id = 'x'.repeat(41);
    doc.steps[1].language = 'English';
    Object.assign(doc.steps[4], { ringTimeoutMs: 4_999, to: 123 });
    doc.steps.push({ id: 'jingle', type: 'play', audioId: 0 });
    expect(errorsOf(doc)).toEqual({
      'Steps[0].Prompt': ['Steps[0].Prompt must not be empty.'],
      'Steps[0].MaxDigits': ['Steps[0].MaxDigits must be at most 20.'],
      'Steps[0].TimeoutMs': ['Steps[0].TimeoutMs must be at least 1000.'],
      'Steps[0].FinishOnKey': ['Steps[0].FinishOnKey must be one of "#", "*".'],
      'Steps[0].Branches.1': ['Steps[0].Branches.1 must be a step id made of letters, digits, _ and -.'],
      'Steps[0].Branches.2': ['Steps[0].Branches.2 must be a string.'],
      'Steps[0].MaxRetries': ['Steps[0].MaxRetries must be at most 5.'],
      'Steps[1].Id': ['Steps[1].Id must be at most 40 characters long.'],
      'Steps[1].Language': ['Steps[1].Language must be a language tag such as en-GB.'],
      'Steps[4].To': ['Steps[4].To must be a string.'],
      'Steps[4].RingTimeoutMs': ['Steps[4].RingTimeoutMs must be at least 5000.'],
      'Steps[7].AudioId': ['Steps[7].AudioId must be at least 1.'],
    });
  });

  it('missing required step fields', () => {
    const doc = menuDoc();
    doc.steps[0] = { id: 'menu', type: 'gather', prompt: 'Press 1.' };
    doc.steps.push({ id: 'who', type: 'answerType', human: 'menu' });
    expect(errorsOf(doc)).toEqual({
      'Steps[0].MaxDigits': ['The Steps[0].MaxDigits field is required.'],
      'Steps[0].TimeoutMs': ['The Steps[0].TimeoutMs field is required.'],
      'Steps[0].Branches': ['The Steps[0].Branches field is required.'],
      'Steps[0].NoInput': ['The Steps[0].NoInput field is required.'],
      'Steps[0].MaxRetries': ['The Steps[0].MaxRetries field is required.'],
      'Steps[7].Machine': ['The Steps[7].Machine field is required.'],
    });
  });

  it('reports shape errors alone, without follow-on errors about meaning', () => {
    const doc = menuDoc();
    doc.steps[1].id = 'confirm!'; // now 'confirm' does not exist, and 'confirm!' is unreachable: neither is reported
    expect(errorsOf(doc)).toEqual({
      'Steps[1].Id': ['Steps[1].Id must be a step id made of letters, digits, _ and -.'],
    });
  });
});

describe('meaning errors', () => {
  it('duplicate step ids', () => {
    const doc = menuDoc();
    doc.steps[6].id = 'agent';
    doc.steps[0].noInput = 'agent';
    expect(errorsOf(doc)).toEqual({ 'Steps[6].Id': ["Step id 'agent' is already used by Steps[3]."] });
  });

  it('an unknown start, reported once rather than every step as unreachable', () => {
    expect(errorsOf({ ...menuDoc(), start: 'welcome' })).toEqual({ Start: ["Step 'welcome' does not exist."] });
  });

  it('targets that do not exist, with the field that names them', () => {
    const doc = menuDoc();
    doc.steps[0].branches['2'] = 'agnet';
    doc.steps[0].noInput = 'bye';
    doc.steps[0].default = 'other';
    doc.steps[1].next = 'x';
    doc.steps[4].onFailure = 'busy';
    doc.steps.push({ id: 'who', type: 'answerType', human: 'menu', machine: 'vm' });
    doc.start = 'who';
    expect(errorsOf(doc)).toEqual({
      'Steps[0].Branches.2': ["Step 'agnet' does not exist."],
      'Steps[0].Default': ["Step 'other' does not exist."],
      'Steps[0].NoInput': ["Step 'bye' does not exist."],
      'Steps[1].Next': ["Step 'x' does not exist."],
      'Steps[4].OnFailure': ["Step 'busy' does not exist."],
      'Steps[7].Machine': ["Step 'vm' does not exist."],
      // With those links gone, these steps cannot be reached any more.
      'Steps[2]': ["Step 'confirm-sms' cannot be reached from the start step 'who'."],
      'Steps[3]': ["Step 'agent' cannot be reached from the start step 'who'."],
      'Steps[4]': ["Step 'transfer' cannot be reached from the start step 'who'."],
      'Steps[5]': ["Step 'agent-busy' cannot be reached from the start step 'who'."],
      'Steps[6]': ["Step 'goodbye' cannot be reached from the start step 'who'."],
    });
  });

  it('unreachable steps', () => {
    const doc = menuDoc();
    doc.steps.push({ id: 'orphan', type: 'say', text: 'Nobody hears this.', next: 'goodbye' });
    expect(errorsOf(doc)).toEqual({ 'Steps[7]': ["Step 'orphan' cannot be reached from the start step 'menu'."] });
  });

  it('a loop with no gather, reported at the link that starts it', () => {
    const doc = flowOf('a', [
      { id: 'a', type: 'say', text: 'One.', next: 'b' },
      { id: 'b', type: 'sms', text: 'Two.', next: 'c' },
      { id: 'c', type: 'say', text: 'Three.', next: 'b' },
    ]);
    expect(errorsOf(doc)).toEqual({
      'Steps[1].Next': ["This goes round the loop 'b' -> 'c' -> 'b', which has no gather step: the call would repeat it forever."],
    });
  });

  it('a step that goes to itself', () => {
    const doc = flowOf('a', [{ id: 'a', type: 'say', text: 'Again.', next: 'a' }]);
    expect(errorsOf(doc)).toEqual({
      'Steps[0].Next': ["This goes round the loop 'a' -> 'a', which has no gather step: the call would repeat it forever."],
    });
  });

  it('a loop through a failing transfer and an answer-type branch', () => {
    const doc = flowOf('who', [
      { id: 'who', type: 'answerType', human: 'transfer', machine: 'bye' },
      { id: 'transfer', type: 'transfer', to: '+442079460001', ringTimeoutMs: 20_000, onFailure: 'who' },
      { id: 'bye', type: 'hangup' },
    ]);
    expect(errorsOf(doc)).toEqual({
      'Steps[0].Human': [
        "This goes round the loop 'who' -> 'transfer' -> 'who', which has no gather step: the call would repeat it forever.",
      ],
    });
  });

  it('unknown placeholders in every kind of text', () => {
    const doc = menuDoc();
    doc.steps[0].prompt = 'Hello {Nmae}, press 1.';
    doc.steps[0].invalidPrompt = 'Sorry {Name}{Parameter0}.';
    doc.steps[1].text = 'Confirmed for {Parameter10}.';
    doc.steps[2].text = 'Hi {name}, {Date}.';
    doc.voicemail.say = 'Call {Number}.';
    doc.smsOnBusy = 'Hi {First Name}.';
    expect(errorsOf(doc)).toEqual({
      'Steps[0].Prompt': ['{Nmae} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.'],
      'Steps[0].InvalidPrompt': ['{Parameter0} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.'],
      'Steps[1].Text': ['{Parameter10} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.'],
      'Steps[2].Text': ['{Date} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.'],
      'Voicemail.Say': ['{Number} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.'],
      SmsOnBusy: ['{First Name} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.'],
    });
  });

  it('SMS texts beyond maxSmsParts, counting placeholders as written', () => {
    const doc = menuDoc();
    // 160 GSM-7 septets fit one part; more take two (153 per part).
    doc.steps[2].text = 'a'.repeat(160);
    // 160 characters as written, whatever the name; the braces are GSM-7 extension characters and count 2 each.
    doc.smsOnBusy = `{Name} ${'b'.repeat(153)}`;
    expect(errorsOf(doc, 1)).toEqual({
      SmsOnBusy: [
        'SmsOnBusy needs 2 SMS parts (GSM-7, 162 units); at most 1 is allowed. Placeholders count as written, since their values are not known yet.',
      ],
    });
    doc.steps[2].text = 'ĉ'.repeat(71); // not GSM-7: UCS-2, 70 units in one part
    expect(errorsOf(doc, 1)['Steps[2].Text']).toEqual([
      'Steps[2].Text needs 2 SMS parts (UCS-2, 71 units); at most 1 is allowed. Placeholders count as written, since their values are not known yet.',
    ]);
    expect(validateFlow(doc, { maxSmsParts: 2 }).ok).toBe(true);
  });

  it('gather branches that can never be chosen', () => {
    const doc = menuDoc();
    doc.steps[0].finishOnKey = '#';
    doc.steps[0].branches = { '1': 'confirm', '2': 'agent', '12': 'confirm', '3#': 'agent', x: 'agent' };
    expect(errorsOf(doc)).toEqual({
      'Steps[0].Branches.12': ["Branch '12' needs 2 keys but MaxDigits is 1, so it can never be chosen."],
      'Steps[0].Branches.3#': ["Branch '3#' contains '#', the FinishOnKey that ends input, so it can never be chosen."],
      'Steps[0].Branches.x': ["Branch 'x' must be keys made of 0-9, * and #."],
    });
  });

  it('transfer numbers Ringcast may not call', () => {
    const doc = menuDoc();
    doc.steps[4].to = '0906 123 4567';
    expect(errorsOf(doc)['Steps[4].To']).toEqual([expect.stringMatching(/^0906 123 4567 is a premium rate number.*\.$/)]);
    doc.steps[4].to = 'reception';
    expect(errorsOf(doc)).toEqual({ 'Steps[4].To': [expect.stringContaining('contains letters')] });
  });

  it('reports every problem of a document at once', () => {
    const doc = menuDoc();
    doc.start = 'nope';
    doc.steps[1].next = 'confirm';
    doc.steps[5].text = 'Sorry {Nmae}.';
    expect(Object.keys(errorsOf(doc)).sort()).toEqual(['Start', 'Steps[1].Next', 'Steps[5].Text']);
  });
});
