// The one rule for integers in requests (src/api/strict-integer.ts): its text form, and the walk that applies it to
// params, query strings and bodies before Ajv would coerce them.
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { INT4_MAX, IntegerSchema, parseStrictInteger, strictIntegers, strictIntegersPausing } from '../../src/api/strict-integer.js';
import { CreateCampaignBody } from '../../src/api/schemas/campaigns.js';
import { CampaignPageQuery } from '../../src/api/schemas/campaign-query.js';
import { IdParams } from '../../src/api/schemas/common.js';

describe('parseStrictInteger', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['42', 42],
    ['2147483647', 2147483647],
    ['2147483648', 2147483648],
    ['9007199254740993', 9007199254740992],
  ])('reads %j as %d', (text, value) => {
    expect(parseStrictInteger(text)).toBe(value);
  });

  it.each([
    'Infinity', '-Infinity', '+Infinity', 'NaN', '0x10', '0X10', '0b1', '0o7', '00001', '01', '00', '1e3', '1E3', '1.5',
    '1.0', '1.', '.5', '+1', '-1', '-0', '', ' ', ' 1', '1 ', '\t1', '1\n', '1_000', '1,000', '١', '１', '²', 'one',
    '1a', 'a1', '--1', '0-1', '\u00a01',
  ])('refuses %j without negatives', (text) => {
    expect(parseStrictInteger(text)).toBeUndefined();
  });

  it('accepts a leading minus only where negatives are allowed, and never on zero', () => {
    expect(parseStrictInteger('-1', true)).toBe(-1);
    expect(parseStrictInteger('-2147483648', true)).toBe(-2147483648);
    for (const text of ['-0', '-01', '--1', '- 1', '+1', '-Infinity', '-0x1']) expect(parseStrictInteger(text, true), text).toBeUndefined();
  });

  it('reads digit strings beyond a double as the largest finite number, so that a maximum (not Infinity) refuses them', () => {
    expect(parseStrictInteger('9'.repeat(400))).toBe(Number.MAX_VALUE);
    expect(parseStrictInteger(`-${'9'.repeat(400)}`, true)).toBe(-Number.MAX_VALUE);
  });
});

describe('IntegerSchema', () => {
  it('is a plain JSON-schema integer with its range, as the OpenAPI document shows it', () => {
    expect(IntegerSchema({ minimum: 1, maximum: INT4_MAX, description: 'Id' })).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: INT4_MAX,
      description: 'Id',
    });
  });
});

describe('strictIntegers', () => {
  it('turns path parameters in the strict form into numbers and anything else into NaN', () => {
    expect(strictIntegers({ id: '17' }, IdParams)).toEqual({ id: 17 });
    for (const id of ['Infinity', '0x10', '00001', '1e3', ' 1', '', '+1', '-1', '1.5', '١']) {
      expect(strictIntegers({ id }, IdParams), id).toEqual({ id: Number.NaN });
    }
  });

  it('handles query strings, leaving absent parameters to their defaults and other parameters alone', () => {
    expect(strictIntegers({ pageIndex: '2', name: '007' }, CampaignPageQuery)).toEqual({ pageIndex: 2, name: '007' });
    expect(strictIntegers({ pageSize: 'Infinity' }, CampaignPageQuery)).toEqual({ pageSize: Number.NaN });
    // A repeated parameter arrives as an array: not one integer.
    expect(strictIntegers({ pageSize: ['1', '2'] }, CampaignPageQuery)).toEqual({ pageSize: Number.NaN });
  });

  it('keeps JSON numbers (the schema judges them) and applies the rule to strings, booleans and containers', () => {
    const body = strictIntegers(
      {
        callflow_Id: 3,
        defaultCli_Id: '4',
        answerMachineDetected: true,
        smsOnBusy: '0x1',
        attempts: [{ interval: '15', attemptNumber: [1] }, { interval: 1.5, attemptNumber: {} }],
        phoneNumbers: [{ number: '07722123456', parameters: [{ parameter: '01', value: '5' }] }],
      },
      CreateCampaignBody,
    );
    expect(body).toEqual({
      callflow_Id: 3,
      defaultCli_Id: 4,
      answerMachineDetected: Number.NaN,
      smsOnBusy: Number.NaN,
      attempts: [{ interval: 15, attemptNumber: Number.NaN }, { interval: 1.5, attemptNumber: Number.NaN }],
      // Strings that are not integer fields (the phone number, a parameter's value) are never touched.
      phoneNumbers: [{ number: '07722123456', parameters: [{ parameter: Number.NaN, value: '5' }] }],
    });
  });

  it('allows a minus sign only where the schema allows negative values', () => {
    const schema = Type.Object({
      offset: IntegerSchema({ minimum: -10, maximum: 10 }),
      count: IntegerSchema({ minimum: 0, maximum: 10 }),
      unbounded: Type.Integer(),
      level: Type.Integer({ enum: [-1, 0, 1] }),
      status: Type.Integer({ enum: [0, 1] }),
    });
    expect(strictIntegers({ offset: '-5', count: '-5', unbounded: '-5', level: '-1', status: '-1' }, schema)).toEqual({
      offset: -5,
      count: Number.NaN,
      unbounded: -5,
      level: -1,
      status: Number.NaN,
    });
  });

  it('keeps null where the schema allows it, and leaves values of other shapes to the schema', () => {
    const schema = Type.Object({ maybe: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]) });
    expect(strictIntegers({ maybe: null }, schema)).toEqual({ maybe: null });
    expect(strictIntegers({ maybe: '7' }, schema)).toEqual({ maybe: 7 });
    for (const value of [null, 'text', 5, [1, 2]]) expect(strictIntegers(value, CreateCampaignBody)).toEqual(value);
    expect(strictIntegers({ attempts: 'none', phoneNumbers: [null, 'x'] }, CreateCampaignBody)).toEqual({ attempts: 'none', phoneNumbers: [null, 'x'] });
  });

  it('does the same a chunk of a long array at a time (strictIntegersPausing), and strictIntegers then leaves the body alone', async () => {
    const entries = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ number: `0772${String(i).padStart(7, '0')}`, parameters: [{ parameter: i % 2 === 0 ? '1' : '01', value: '5' }] }));
    const body = () => ({ callflow_Id: '3', attempts: [{ interval: '15' }], phoneNumbers: entries(5_000) });
    let pauses = 0;
    const paused = await strictIntegersPausing(body(), CreateCampaignBody, async () => {
      pauses++;
    });
    expect(paused).toEqual(strictIntegers(body(), CreateCampaignBody));
    expect(pauses).toBeGreaterThanOrEqual(2);
    // Rewritten once: the hook's strictIntegers recognises it (the same object back, not walked again).
    const marked = paused as { phoneNumbers: { parameters: { parameter: unknown }[] }[] };
    marked.phoneNumbers[0]!.parameters[0]!.parameter = 'left alone';
    expect(strictIntegers(paused, CreateCampaignBody)).toBe(paused);
    expect(marked.phoneNumbers[0]!.parameters[0]!.parameter).toBe('left alone');
  });
});
