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
    // Another schema is not fooled.
    const other = Type.Object({ callflow_Id: Type.Integer() });
    expect(canonicalizeKeys(result, other)).not.toBe(result);
  });
});
