// Property names match case-insensitively (and by alias) before validation; nulls for non-nullable fields read as absent.
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { canonicalizeKeys, canonicalizeKeysPausing } from '../../src/api/case-insensitive.js';
import { CreateCampaignBody } from '../../src/api/schemas/campaigns.js';

describe('canonicalizeKeys with the campaign schema', () => {
  it('rewrites any spelling of a property to the schema name', () => {
    expect(canonicalizeKeys({ CallFlow_Id: 1, DEFAULTCLI_ID: 2, Name: 'x', smsonbusy: 0 }, CreateCampaignBody)).toEqual({
      callflow_Id: 1,
      defaultCli_Id: 2,
      name: 'x',
      smsOnBusy: 0,
    });
  });

  it('reads AnswerPhoneMessage, in any case, as answerMachineDetected', () => {
    expect(canonicalizeKeys({ AnswerPhoneMessage: 2 }, CreateCampaignBody)).toEqual({ answerMachineDetected: 2 });
    expect(canonicalizeKeys({ answerphonemessage: 1 }, CreateCampaignBody)).toEqual({ answerMachineDetected: 1 });
  });

  it('rewrites inside arrays of objects, including nullable arrays', () => {
    expect(
      canonicalizeKeys(
        {
          PhoneNumbers: [{ NUMBER: '07722123456', Parameters: [{ Parameter: 1, VALUE: 'v' }] }],
          RunoverDays: [{ Date: '2027-01-16', STARTTIME: '09:00', finishtime: '10:00' }],
          Attempts: [{ Interval: 0, AttemptNumber: 1 }],
        },
        CreateCampaignBody,
      ),
    ).toEqual({
      phoneNumbers: [{ number: '07722123456', parameters: [{ parameter: 1, value: 'v' }] }],
      runoverDays: [{ date: '2027-01-16', startTime: '09:00', finishTime: '10:00' }],
      attempts: [{ interval: 0, attemptNumber: 1 }],
    });
  });

  it('keeps unknown properties as sent', () => {
    expect(canonicalizeKeys({ Unknown_Thing: 1, name: 'x' }, CreateCampaignBody)).toEqual({ Unknown_Thing: 1, name: 'x' });
  });

  it('takes the last of two spellings of one property', () => {
    expect(canonicalizeKeys({ name: 'first', NAME: 'last' }, CreateCampaignBody)).toEqual({ name: 'last' });
  });

  it('drops null where the schema does not allow it, so that a required field reads as missing', () => {
    expect(canonicalizeKeys({ smsOnBusy: null, name: null, phoneNumbers: [{ number: null, name: null }] }, CreateCampaignBody)).toEqual({
      phoneNumbers: [{ name: null }],
    });
  });

  it('keeps null where the schema allows it', () => {
    expect(canonicalizeKeys({ attempts: null, RunoverDays: null }, CreateCampaignBody)).toEqual({ attempts: null, runoverDays: null });
  });

  it('leaves values that are not objects alone', () => {
    for (const value of [null, 'text', 5, [1, 2]]) expect(canonicalizeKeys(value, CreateCampaignBody)).toEqual(value);
  });

  it('treats "__proto__" as an ordinary key and never as the prototype', () => {
    const result = canonicalizeKeys(JSON.parse('{"__proto__": {"name": "inherited"}}'), CreateCampaignBody) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(result.name).toBeUndefined();
    expect(Object.keys(result)).toEqual(['__proto__']);
  });
});

describe('canonicalizeKeys with other schemas', () => {
  it('uses x-aliases on any property', () => {
    const schema = Type.Object({ colour: { ...Type.String(), 'x-aliases': ['color'] } });
    expect(canonicalizeKeys({ COLOR: 'red' }, schema)).toEqual({ colour: 'red' });
  });

  it('returns the input when the schema describes no properties', () => {
    const body = { A: 1 };
    expect(canonicalizeKeys(body, Type.String())).toBe(body);
  });
});

describe('canonicalizeKeysPausing: large bodies a chunk at a time', () => {
  const body = {
    NAME: 'Big',
    CallFlow_Id: 1,
    smsonbusy: null,
    AnswerPhoneMessage: 2,
    PHONENUMBERS: Array.from({ length: 5_001 }, (_, i) => ({ Number: `0772${String(i).padStart(7, '0')}`, NAME: null, Parameters: [{ PARAMETER: 1, Value: 'x' }] })),
  };

  it('gives what canonicalizeKeys gives, pausing between chunks of entries', async () => {
    let pauses = 0;
    const result = await canonicalizeKeysPausing(body, CreateCampaignBody, async () => {
      pauses++;
    });
    expect(result).toEqual(canonicalizeKeys(body, CreateCampaignBody));
    expect(pauses).toBeGreaterThanOrEqual(2);
  });

  it('marks its result so that canonicalizeKeys (the preValidation hook) returns it as it is', async () => {
    const result = await canonicalizeKeysPausing(body, CreateCampaignBody, () => Promise.resolve());
    expect(canonicalizeKeys(result, CreateCampaignBody)).toBe(result);
    // Another schema is not fooled: under it the names are not canonical, and they are rewritten.
    const other = Type.Object({ CallFlow_Id: Type.Integer() });
    const rewritten = canonicalizeKeys(result, other) as Record<string, unknown>;
    expect(rewritten).not.toBe(result);
    expect(rewritten.CallFlow_Id).toBe(1);
  });
});

describe('canonicalizeKeys: what is canonical already is not copied', () => {
  const schema = Type.Object({
    name: Type.String(),
    note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    phoneNumbers: Type.Array(Type.Object({ number: Type.String(), parameters: Type.Optional(Type.Array(Type.Object({ parameter: Type.Integer(), value: Type.String() }))) })),
  });
  const entries = () => [
    { number: '07700 900001', parameters: [{ parameter: 1, value: 'a' }] },
    { number: '07700 900002' },
    { number: '07700 900003', parameters: [{ parameter: 2, value: 'c' }] },
  ];

  it('returns the same objects when every name is canonical and no null is dropped (an allowed null stays)', () => {
    const body = { name: 'x', note: null, extra: 1, phoneNumbers: entries() };
    expect(canonicalizeKeys(body, schema)).toBe(body);
  });

  it('copies only what changes: the renamed entry and the arrays and objects holding it', () => {
    const list = entries();
    (list[2]!.parameters![0] as Record<string, unknown>) = { Parameter: 2, value: 'c' };
    const body = { name: 'x', phoneNumbers: list };
    const result = canonicalizeKeys(body, schema) as { phoneNumbers: { parameters?: unknown[] }[] };
    expect(result).not.toBe(body);
    expect(result.phoneNumbers).not.toBe(list);
    expect(result.phoneNumbers[0]).toBe(list[0]);
    expect(result.phoneNumbers[1]).toBe(list[1]);
    expect(result.phoneNumbers[2]!.parameters).toEqual([{ parameter: 2, value: 'c' }]);
    // The request's own objects are left as they were.
    expect(list[2]!.parameters![0]).toEqual({ Parameter: 2, value: 'c' });
  });

  it('drops a null the schema does not allow, and keeps "__proto__" an ordinary key', () => {
    const body = { name: null, phoneNumbers: entries() };
    expect(canonicalizeKeys(body, schema)).toEqual({ phoneNumbers: entries() });
    const parsed = JSON.parse('{"name":"x","__proto__":{"polluted":true},"phoneNumbers":[]}') as Record<string, unknown>;
    const result = canonicalizeKeys(parsed, schema) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
  });
});
