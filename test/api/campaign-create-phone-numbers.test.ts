// POST /api/campaigns/voice[/:ignoreInvalidPhoneNumbers]: the PhoneNumbers field. Numbers are normalised to E.164,
// refused by UK range policy (shared/notes/uk-rules.md) and outside the UK unless the operator allowed the country,
// merged when repeated, and with ignoreInvalidPhoneNumbers=true
// dropped and listed instead of refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { expectCreated, expectValidationProblem, postCampaign, storedNumbers, uniqueName } from './campaign-create.helpers.js';

const VALID = ['07722 100001', '07722 100002', '07722 100003'].map((number) => ({ number }));

describe.each(BACKENDS)('phone numbers of a new campaign on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(() => t.close());

  const post = (phoneNumbers: unknown, path = '', overrides: Record<string, unknown> = {}) =>
    postCampaign(t, tenant, validCampaign(tenant, { name: uniqueName('Numbers'), phoneNumbers, ...overrides }), { path });

  describe('normalisation', () => {
    it('stores every common way of writing a number as E.164, in upload order, with names and parameters', async () => {
      const created = expectCreated(
        await post([
          { number: '07722 123456', name: '  Ben  ', parameters: [{ parameter: 9, value: 'nine' }, { parameter: 1, value: 'one' }] },
          { number: '+44 7722 123457', name: 'Dave' },
          { number: '0044 7722 123458' },
          { number: '+44 (0)7722 123459', name: null, parameters: null },
          { number: '44 7722 123460', parameters: [] },
          { number: '(020) 7946 0123' },
          { number: '0800 123 4567' },
          { number: '0300-123-4567' },
          { number: '07624 123456' },
        ]),
      );
      expect(created.invalidPhoneNumbers).toEqual([]);
      expect(await storedNumbers(t, tenant, created.id)).toEqual([
        expect.objectContaining({ number: '+447722123456', name: 'Ben', parameters: [{ value: 'one', parameter: 1 }, { value: 'nine', parameter: 9 }] }),
        expect.objectContaining({ number: '+447722123457', name: 'Dave', parameters: [] }),
        expect.objectContaining({ number: '+447722123458', name: '', parameters: [] }),
        expect.objectContaining({ number: '+447722123459', name: '', parameters: [] }),
        expect.objectContaining({ number: '+447722123460' }),
        expect.objectContaining({ number: '+442079460123' }),
        expect.objectContaining({ number: '+448001234567' }),
        expect.objectContaining({ number: '+443001234567' }),
        // Isle of Man: +44 but outside UK PECR/TPS; callable (uk-rules.md).
        expect.objectContaining({ number: '+447624123456' }),
      ]);
    });

    it('echoes the numbers as the client sent them', async () => {
      const created = expectCreated(await post([{ number: '07722 123456', name: 'Ben' }]));
      expect(created.phoneNumbers).toEqual([{ number: '07722 123456', name: 'Ben' }]);
    });
  });

  describe('refused numbers', () => {
    it.each([
      ['premium rate (09)', '0909 876 5432', /premium rate/],
      ['revenue sharing (084)', '0845 123 4567', /revenue-sharing/],
      ['revenue sharing (087)', '0870 123 4567', /revenue-sharing/],
      ['personal (070)', '070 1123 4567', /personal number/],
      ['pager (076)', '07640 123456', /pager/],
      ['emergency short code', '999', /emergency/],
      ['directory short code', '118118', /short code/],
      ['too short', '0772 212345', /not a valid phone number/],
      ['Ofcom drama range', '07700 900123', /not a valid phone number/],
      ['letters', '0800 FLOWERS', /letters/],
      ['empty', '', /./],
      ['spaces', '   ', /empty/],
    ])('refuses a %s number at PhoneNumbers[3].Number', async (_case, number, message) => {
      const problem = expectValidationProblem(await post([...VALID, { number }]), ['PhoneNumbers[3].Number']);
      expect(problem.errors['PhoneNumbers[3].Number']![0]).toMatch(message);
    });

    it('reports every bad number, each at its own index', async () => {
      expectValidationProblem(await post([{ number: '999' }, ...VALID, { number: '0909 876 5432' }, { number: 'nope' }]), [
        'PhoneNumbers[0].Number',
        'PhoneNumbers[4].Number',
        'PhoneNumbers[5].Number',
      ]);
    });

    it.each([
      ['missing', {}],
      ['null', { number: null }],
      ['a JSON object', { number: { value: '07722123456' } }],
      ['over 64 characters', { number: '0'.repeat(65) }],
    ])('refuses a number that is %s', async (_case, entry) => {
      expectValidationProblem(await post([...VALID, entry]), ['PhoneNumbers[3].Number']);
    });

    it.each([
      ['null', null],
      ['a bare string', '07722123456'],
      ['an array', ['07722123456']],
    ])('refuses an entry that is %s', async (_case, entry) => {
      const problem = expectValidationProblem(await post([...VALID, entry]), ['PhoneNumbers[3]']);
      expect(problem.errors['PhoneNumbers[3]']).toEqual(['PhoneNumbers[3] must be an object.']);
    });

    it('refuses a customer name PostgreSQL cannot store (400, not 500)', async () => {
      expectValidationProblem(await post([...VALID, { number: '07722123456', name: 'Ben\u0000' }]), ['PhoneNumbers[3].Name']);
      expectValidationProblem(await post([...VALID, { number: '07722123456', name: 'lone \ud800 surrogate' }]), ['PhoneNumbers[3].Name']);
    });
  });

  describe('countries', () => {
    const allow = async (allowedCountries: string[]) => {
      const response = await t.admin({ method: 'PATCH', url: `/api/admin/clients/${tenant.clientId}`, payload: { allowedCountries } });
      expect(response.statusCode, response.body).toBe(200);
    };

    it.each([
      ['France', '+33 6 12 34 56 78', '+33 6 12 34 56 78 is in France (FR): calls outside the UK are not allowed for this client; the operator can allow FR.'],
      ['the United States', '+1 202 555 0123', '+1 202 555 0123 is in United States (US): calls outside the UK are not allowed for this client; the operator can allow US.'],
      ['Ireland, written 00353', '00353 85 123 4567', '00353 85 123 4567 is in Ireland (IE): calls outside the UK are not allowed for this client; the operator can allow IE.'],
    ])('refuses a number in %s by default, naming the country, at PhoneNumbers[3].Number', async (_case, number, message) => {
      const problem = expectValidationProblem(await post([...VALID, { number }]), ['PhoneNumbers[3].Number']);
      expect(problem.errors['PhoneNumbers[3].Number']).toEqual([message]);
    });

    it('refuses an international number of no country (+800) even when countries are allowed', async () => {
      const problem = expectValidationProblem(await post([...VALID, { number: '+800 1234 5678' }]), ['PhoneNumbers[3].Number']);
      expect(problem.errors['PhoneNumbers[3].Number']![0]).toMatch(/of no country/);
    });

    it('accepts the Crown Dependencies: Isle of Man, Guernsey and Jersey are +44', async () => {
      const created = expectCreated(await post([{ number: '07624 123456' }, { number: '07781 123456' }, { number: '07797 123456' }, { number: '01534 123456' }]));
      expect(created.invalidPhoneNumbers).toEqual([]);
    });

    it('with ignoreInvalidPhoneNumbers, drops numbers abroad and lists them with the reason', async () => {
      const created = expectCreated(await post([...VALID, { number: '+33612345678' }], '/true'));
      expect(created.invalidPhoneNumbers).toEqual([
        { index: 3, number: '+33612345678', reasons: ['+33612345678 is in France (FR): calls outside the UK are not allowed for this client; the operator can allow FR.'] },
      ]);
      expect(await storedNumbers(t, tenant, created.id)).toHaveLength(3);
    });

    it('accepts the countries the operator allowed for this client, and only those', async () => {
      await allow(['FR']);
      try {
        const created = expectCreated(await post([...VALID, { number: '+33 6 12 34 56 78' }]));
        expect((await storedNumbers(t, tenant, created.id)).map((n) => n.number)).toContain('+33612345678');
        expectValidationProblem(await post([...VALID, { number: '+1 202 555 0123' }]), ['PhoneNumbers[3].Number']);
        // Another client is not affected by this one's list.
        const other = await t.createTenant();
        const refused = await postCampaign(t, other, validCampaign(other, { name: uniqueName('Other'), phoneNumbers: [{ number: '+33612345678' }] }));
        expectValidationProblem(refused, ['PhoneNumbers[0].Number']);
      } finally {
        await allow([]);
      }
    });

    it('applies to numbers added to a campaign later', async () => {
      const created = expectCreated(await post(VALID));
      const add = (path: string) =>
        t.app.inject({ method: 'POST', url: `/api/campaigns/voice/${created.id}/phonenumbers${path}`, headers: tenant.headers, payload: { phoneNumbers: [{ number: '07722 100009' }, { number: '+33 6 12 34 56 78' }] } });
      const refused = await add('');
      expect(refused.statusCode).toBe(400);
      expect(Object.keys(refused.json().errors)).toEqual(['PhoneNumbers[1].Number']);
      expect(refused.json().errors['PhoneNumbers[1].Number'][0]).toMatch(/is in France \(FR\)/);
      const dropped = await add('?ignoreInvalidPhoneNumbers=true');
      expect(dropped.statusCode, dropped.body).toBe(201);
      expect(dropped.json()).toMatchObject({ added: 1, invalidPhoneNumbers: [{ index: 1, number: '+33 6 12 34 56 78' }] });
      await allow(['FR']);
      try {
        const allowed = await add('');
        expect(allowed.statusCode, allowed.body).toBe(201);
        expect(allowed.json()).toMatchObject({ added: 1, alreadyInCampaign: ['+447722100009'] });
      } finally {
        await allow([]);
      }
    });
  });

  describe('PhoneNumbers itself', () => {
    it.each([
      ['left out', undefined, 'The PhoneNumbers field is required.'],
      ['null', null, 'The PhoneNumbers field is required.'],
      ['empty', [], 'PhoneNumbers must have at least 1 entry.'],
    ])('needs at least one number (%s)', async (_case, phoneNumbers, message) => {
      const body = validCampaign(tenant, { name: uniqueName('No numbers') });
      if (phoneNumbers === undefined) delete body.phoneNumbers;
      else body.phoneNumbers = phoneNumbers;
      const problem = expectValidationProblem(await postCampaign(t, tenant, body), ['PhoneNumbers']);
      expect(problem.errors.PhoneNumbers).toEqual([message]);
    });
  });

  describe('parameters', () => {
    const withParameters = (parameters: unknown) => [...VALID, { number: '07722123456', parameters }];

    it('accept Parameter1 to Parameter9', async () => {
      const parameters = Array.from({ length: 9 }, (_, i) => ({ parameter: i + 1, value: `value ${i + 1}` }));
      const created = expectCreated(await post(withParameters(parameters)));
      expect((await storedNumbers(t, tenant, created.id))[3]?.parameters).toEqual(parameters.map(({ value, parameter }) => ({ value, parameter })));
    });

    it.each([0, 10, -1, 1.5])('refuse parameter number %j', async (parameter) => {
      expectValidationProblem(await post(withParameters([{ parameter, value: 'x' }])), ['PhoneNumbers[3].Parameters[0].Parameter']);
    });

    it('refuse the same parameter twice', async () => {
      const problem = expectValidationProblem(
        await post(withParameters([{ parameter: 2, value: 'a' }, { parameter: 1, value: 'b' }, { parameter: 2, value: 'c' }])),
        ['PhoneNumbers[3].Parameters[2].Parameter'],
      );
      expect(problem.errors['PhoneNumbers[3].Parameters[2].Parameter']).toEqual(['Parameter2 is given more than once.']);
    });

    it.each([
      ['missing', { parameter: 1 }],
      ['null', { parameter: 1, value: null }],
      ['empty', { parameter: 1, value: '' }],
      ['blank', { parameter: 1, value: '   ' }],
    ])('need a value (%s)', async (_case, entry) => {
      expectValidationProblem(await post(withParameters([entry])), ['PhoneNumbers[3].Parameters[0].Value']);
    });

    it('refuse a value PostgreSQL cannot store (400, not 500)', async () => {
      expectValidationProblem(await post(withParameters([{ parameter: 1, value: '\udc00' }])), ['PhoneNumbers[3].Parameters[0].Value']);
    });
  });

  describe('repeated numbers', () => {
    it('are merged into the first and reported in duplicatePhoneNumbers', async () => {
      const created = expectCreated(
        await post([{ number: '07722 123456', name: 'First' }, { number: '07722 123457' }, { number: '+447722123456', name: 'Second' }, { number: '0044 7722 123457' }]),
      );
      expect(created.duplicatePhoneNumbers).toEqual([
        { index: 2, number: '+447722123456', duplicateOfIndex: 0 },
        { index: 3, number: '+447722123457', duplicateOfIndex: 1 },
      ]);
      expect(created.phoneNumbers).toEqual([{ number: '07722 123456', name: 'First' }, { number: '07722 123457' }]);
      expect((await storedNumbers(t, tenant, created.id)).map((n) => [n.number, n.name])).toEqual([
        ['+447722123456', 'First'],
        ['+447722123457', ''],
      ]);
    });
  });

  describe('ignoreInvalidPhoneNumbers', () => {
    const mixed = [
      { number: '07722 123456' },
      { number: '0909 876 5432' },
      { number: '999' },
      { number: '07722 123457', parameters: [{ parameter: 10, value: 'x' }] },
      null,
      { number: '07722 123458' },
      { number: '07722 123456' },
    ];

    it.each(['true', 'True', 'TRUE'])('/%s drops invalid numbers, lists each with its reasons, and stores the rest', async (flag) => {
      const created = expectCreated(await post(mixed, `/${flag}`));
      expect(created.invalidPhoneNumbers).toEqual([
        { index: 1, number: '0909 876 5432', reasons: [expect.stringMatching(/premium rate/)] },
        { index: 2, number: '999', reasons: [expect.stringMatching(/emergency/)] },
        { index: 3, number: '07722 123457', reasons: ['PhoneNumbers[3].Parameters[0].Parameter must be at most 9.'] },
        { index: 4, number: '', reasons: ['PhoneNumbers[4] must be an object.'] },
      ]);
      expect(created.duplicatePhoneNumbers).toEqual([{ index: 6, number: '+447722123456', duplicateOfIndex: 0 }]);
      expect((await storedNumbers(t, tenant, created.id)).map((n) => n.number)).toEqual(['+447722123456', '+447722123458']);
    });

    it.each(['/false', '/False', ''])('%j refuses the request and reports each invalid number', async (path) => {
      expectValidationProblem(await post(mixed, path), [
        'PhoneNumbers[1].Number',
        'PhoneNumbers[2].Number',
        'PhoneNumbers[3].Parameters[0].Parameter',
        'PhoneNumbers[4]',
      ]);
    });

    it.each(['maybe', '1', 'yes'])('/%s is not a boolean: 400 at ignoreInvalidPhoneNumbers', async (flag) => {
      const problem = expectValidationProblem(await post(VALID, `/${flag}`), ['ignoreInvalidPhoneNumbers']);
      expect(problem.errors.ignoreInvalidPhoneNumbers).toEqual(['ignoreInvalidPhoneNumbers must be true or false.']);
    });

    it('gives 400 when every number is invalid', async () => {
      const problem = expectValidationProblem(await post([{ number: '999' }, { number: '0909 876 5432' }], '/true'), ['PhoneNumbers']);
      expect(problem.errors.PhoneNumbers).toEqual(['At least one valid phone number is required.']);
    });

    it('still refuses the request for failures outside the phone numbers', async () => {
      expectValidationProblem(await post(mixed, '/true', { smsOnBusy: 5 }), ['SMSOnBusy']);
    });
  });
});
