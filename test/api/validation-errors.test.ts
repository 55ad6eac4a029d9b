// Ajv's errors, produced by a real Fastify route with the app's Ajv options, turned into field errors people can read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { Type } from '@sinclair/typebox';
import { schemaErrorsToFieldErrors, TEXT_PATTERNS } from '../../src/api/validation-errors.js';
import { CAMPAIGN_FIELD_NAMES, CreateCampaignBody, CreateParams } from '../../src/api/schemas/campaigns.js';
import { jsonPointerToFieldPath, joinFieldPath, fieldName } from '../../src/api/field-path.js';
import { EndpointCreateBody } from '../../src/api/schemas/webhooks.js';
import { AJV_CUSTOM_OPTIONS } from '../../src/api/ajv-options.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/webhooks/event-types.js';

let app: FastifyInstance;
const captured: { errors?: readonly FastifySchemaValidationError[]; context?: string } = {};

beforeAll(async () => {
  // The app's Ajv options (src/app.ts): every error at once, the x-aliases keyword, unknown fields refused.
  app = Fastify({ ajv: { customOptions: AJV_CUSTOM_OPTIONS } });
  const handler = async (request: { validationError?: Error & { validation?: FastifySchemaValidationError[]; validationContext?: string } }) => {
    captured.errors = request.validationError?.validation;
    captured.context = request.validationError?.validationContext;
    return {};
  };
  app.post('/campaign', { attachValidation: true, schema: { body: CreateCampaignBody } }, handler);
  app.post('/flag/:ignoreInvalidPhoneNumbers', { attachValidation: true, schema: { params: CreateParams } }, handler);
  app.post('/webhook', { attachValidation: true, schema: { body: EndpointCreateBody } }, handler);
  app.post('/limits', { attachValidation: true, schema: { body: Type.Object({ ratio: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }) }) } }, handler);
  await app.ready();
});
afterAll(() => app.close());

async function fieldErrors(url: string, payload: unknown): Promise<Record<string, string[]>> {
  captured.errors = undefined;
  await app.inject({ method: 'POST', url, payload: payload as object });
  expect(captured.errors, 'the request should fail validation').toBeDefined();
  return schemaErrorsToFieldErrors(captured.errors!, captured.context, CAMPAIGN_FIELD_NAMES);
}

const valid = {
  name: 'x',
  startDate: '2027-01-15',
  startTime: '09:00',
  finishTime: '17:00',
  callflow_Id: 1,
  defaultCli_Id: 1,
  answerMachineDetected: 0,
  smsOnBusy: 0,
  phoneNumbers: [{ number: '07722123456' }],
};

describe('schemaErrorsToFieldErrors', () => {
  it('names each missing field with the document spelling', async () => {
    const errors = await fieldErrors('/campaign', {});
    expect(errors).toMatchObject({
      Name: ['The Name field is required.'],
      CallFlow_Id: ['The CallFlow_Id field is required.'],
      DefaultCli_Id: ['The DefaultCli_Id field is required.'],
      AnswerPhoneMessage: ['The AnswerPhoneMessage field is required.'],
      SMSOnBusy: ['The SMSOnBusy field is required.'],
      PhoneNumbers: ['The PhoneNumbers field is required.'],
    });
  });

  it('says what a pattern expects instead of quoting it', async () => {
    expect(await fieldErrors('/campaign', { ...valid, startTime: '9am', startDate: 'soon' })).toEqual({
      StartTime: ['StartTime must be a time as HH:mm (24-hour).'],
      StartDate: ['StartDate must be a date as YYYY-MM-DD.'],
    });
    expect(await fieldErrors('/flag/maybe', valid)).toEqual({ ignoreInvalidPhoneNumbers: ['ignoreInvalidPhoneNumbers must be true or false.'] });
  });

  it('describes lengths, bounds and counts in words', async () => {
    expect(
      await fieldErrors('/campaign', {
        ...valid,
        name: 'x'.repeat(101),
        callflow_Id: 0,
        attempts: [{ interval: 50_000 }],
        phoneNumbers: [{ number: '' }],
      }),
    ).toEqual({
      Name: ['Name must be at most 100 characters long.'],
      CallFlow_Id: ['CallFlow_Id must be at least 1.'],
      'Attempts[0].Interval': ['Attempts[0].Interval must be at most 43200.'],
      'PhoneNumbers[0].Number': ['PhoneNumbers[0].Number must not be empty.'],
    });
    expect(await fieldErrors('/campaign', { ...valid, phoneNumbers: [] })).toEqual({ PhoneNumbers: ['PhoneNumbers must have at least 1 entry.'] });
    expect(await fieldErrors('/limits', { ratio: 1 })).toEqual({ Ratio: ['Ratio must be less than 1.'] });
    expect(await fieldErrors('/limits', { ratio: 0 })).toEqual({ Ratio: ['Ratio must be greater than 0.'] });
  });

  it('lists the allowed values of an enumeration', async () => {
    expect(await fieldErrors('/campaign', { ...valid, smsOnBusy: 3 })).toEqual({ SMSOnBusy: ['SMSOnBusy must be one of 0, 1, 2.'] });
  });

  it('lists the allowed values of a union of literals (the webhook event types), once', async () => {
    const errors = await fieldErrors('/webhook', { url: 'https://example.com/hook', events: ['call.completed', 'nope'] });
    const allowed = WEBHOOK_EVENT_TYPES.map((entry) => entry.type);
    expect(allowed).toContain('call.completed');
    expect(errors).toEqual({ 'Events[1]': [`Events[1] must be one of ${allowed.join(', ')}.`] });
  });

  it('names a field that a closed schema does not have, beside the other failures', async () => {
    expect(await fieldErrors('/webhook', { url: 'https://example.com/hook', evnts: ['call.completed'] })).toEqual({
      Events: ['The Events field is required.'],
      Evnts: ['Evnts is not a field of the body.'],
    });
  });

  it('turns a failed nullable field into one sentence', async () => {
    expect(await fieldErrors('/campaign', { ...valid, runoverDays: { date: '2027-01-16' } })).toEqual({
      RunoverDays: ['RunoverDays must be an array or null.'],
    });
    expect(await fieldErrors('/campaign', { ...valid, phoneNumbers: [{ number: '07722123456', name: {} }] })).toEqual({
      'PhoneNumbers[0].Name': ['PhoneNumbers[0].Name must be a string or null.'],
    });
  });

  it('reports only the inner failure when a nullable value had the right type', async () => {
    expect(await fieldErrors('/campaign', { ...valid, runoverDays: [{ date: 'x', startTime: '09:00', finishTime: '10:00' }] })).toEqual({
      'RunoverDays[0].Date': ['RunoverDays[0].Date must be a date as YYYY-MM-DD.'],
    });
    const eleven = Array.from({ length: 11 }, () => ({ interval: 0 }));
    expect(await fieldErrors('/campaign', { ...valid, attempts: eleven })).toEqual({ Attempts: ['Attempts must have at most 10 entries.'] });
  });

  it('reports a body that is not an object at "body"', async () => {
    expect(await fieldErrors('/campaign', [1, 2])).toEqual({ body: ['The request body must be a JSON object.'] });
  });

  it('keeps every pattern message in step with a pattern that really is enforced', () => {
    for (const { pattern } of Object.values(TEXT_PATTERNS)) expect(() => new RegExp(pattern, 'u')).not.toThrow();
    expect(new RegExp(TEXT_PATTERNS.time.pattern).test('23:59')).toBe(true);
    expect(new RegExp(TEXT_PATTERNS.date.pattern).test('2027-01-15')).toBe(true);
    expect(new RegExp(TEXT_PATTERNS.trueOrFalse.pattern).test('TRUE')).toBe(true);
  });
});

describe('field paths', () => {
  it('turn JSON pointers into C#-style paths with the document names', () => {
    expect(jsonPointerToFieldPath('/phoneNumbers/3/number', CAMPAIGN_FIELD_NAMES)).toBe('PhoneNumbers[3].Number');
    expect(jsonPointerToFieldPath('/smsOnBusy', CAMPAIGN_FIELD_NAMES)).toBe('SMSOnBusy');
    expect(jsonPointerToFieldPath('', CAMPAIGN_FIELD_NAMES)).toBe('');
    expect(jsonPointerToFieldPath('/a~1b/c~0d')).toBe('A/b.C~d');
  });

  it('join a child name or index onto a parent', () => {
    expect(joinFieldPath('PhoneNumbers[0]', 'parameters')).toBe('PhoneNumbers[0].Parameters');
    expect(joinFieldPath('PhoneNumbers', 2)).toBe('PhoneNumbers[2]');
    expect(joinFieldPath('', 'callflow_Id', CAMPAIGN_FIELD_NAMES)).toBe('CallFlow_Id');
    expect(fieldName('answerMachineDetected', CAMPAIGN_FIELD_NAMES)).toBe('AnswerPhoneMessage');
  });
});
