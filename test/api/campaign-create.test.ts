// POST /api/campaigns/voice: the document's example, property-name matching, and the rule of each campaign field.
// Phone numbers, malformed input and the 100,000-number upload have files of their own (campaign-create-*.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, documentExampleBody, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { CREATE_URL, expectCreated, expectValidationProblem, postCampaign, storedNumbers, uniqueName } from './campaign-create.helpers.js';

describe.each(BACKENDS)('creating a voice campaign on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  let otherTenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
    otherTenant = await t.createTenant();
  });
  afterAll(() => t.close());

  const post = (body: unknown, path = '') => postCampaign(t, tenant, body, { path });
  const campaign = (label: string, overrides: Record<string, unknown> = {}) =>
    validCampaign(tenant, { name: uniqueName(label), ...overrides });
  const getDetail = async (id: number) => {
    const response = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${id}`, headers: tenant.headers });
    expect(response.statusCode).toBe(200);
    return response.json() as Record<string, unknown>;
  };

  describe('the document example', () => {
    it('is accepted verbatim, comment line included: 201, a Location header and the request echoed with an id', async () => {
      const name = uniqueName('Test Campaign');
      const response = await post(documentExampleBody({ callflowId: tenant.callFlowId, cliId: tenant.cliId, name }));
      const created = expectCreated(response);
      expect(created).toEqual({
        id: created.id,
        name,
        startDate: '2027-10-01',
        startTime: '09:00',
        finishTime: '12:00',
        timeZone: 'Europe/London',
        runoverDays: [{ date: '2027-10-02', startTime: '09:00', finishTime: '12:00' }],
        callflow_Id: tenant.callFlowId,
        defaultCli_Id: tenant.cliId,
        attempts: [
          { interval: 0, attemptNumber: 1 },
          { interval: 15, attemptNumber: 2 },
          { interval: 30, attemptNumber: 3 },
        ],
        answerMachineDetected: 0,
        smsOnBusy: 1,
        phoneNumbers: [
          { number: '07722123456', name: 'ben', parameters: [{ value: 'testing', parameter: 1 }] },
          { number: '07722734716', name: 'Dave' },
        ],
        invalidPhoneNumbers: [],
        duplicatePhoneNumbers: [],
        // Ringcast extensions (issue 9): a Friday and a Saturday within the default calling hours, nothing cut.
        marketing: false,
        callingHoursTrimmed: [],
      });
      const location = await t.app.inject({ method: 'GET', url: response.headers.location as string, headers: tenant.headers });
      expect(location.statusCode).toBe(200);
      expect(location.json()).toMatchObject({ id: created.id, name });
    });

    it('lists the numbers it left out in invalidPhoneNumbers and merged repeats in duplicatePhoneNumbers', async () => {
      const name = uniqueName('Example with extras');
      // The verbatim text with two more entries: a premium rate number and a repeat of the first number.
      const body = documentExampleBody({ callflowId: tenant.callFlowId, cliId: tenant.cliId, name }).replace(
        '"name":"Dave"\n\t\t}',
        '"name":"Dave"\n\t\t},\n\t\t{"number":"09098765432","name":"Premium"},\n\t\t{"number":"+44 7722 123456","name":"Ben again"}',
      );
      expect(body).toContain('// This is not required');
      const created = expectCreated(await post(body, '/true'));
      expect(created.invalidPhoneNumbers).toEqual([
        { index: 2, number: '09098765432', reasons: [expect.stringContaining('premium rate')] },
      ]);
      expect(created.duplicatePhoneNumbers).toEqual([{ index: 3, number: '+447722123456', duplicateOfIndex: 0 }]);
      expect(created.phoneNumbers).toEqual([
        { number: '07722123456', name: 'ben', parameters: [{ value: 'testing', parameter: 1 }] },
        { number: '07722734716', name: 'Dave' },
      ]);
      expect((await storedNumbers(t, tenant, created.id)).map((n) => n.number)).toEqual(['+447722123456', '+447722734716']);
    });
  });

  describe('property names', () => {
    it.each(['callflow_Id', 'CallFlow_Id', 'callFlow_Id', 'CALLFLOW_ID'])('reads the call flow id spelled %s', async (spelling) => {
      const body = campaign(`Spelling ${spelling}`);
      delete body.callflow_Id;
      body[spelling] = tenant.callFlowId;
      const created = expectCreated(await post(body));
      expect(created.callflow_Id).toBe(tenant.callFlowId);
      expect((await getDetail(created.id)).callFlow_Id).toBe(tenant.callFlowId);
    });

    it.each(['AnswerPhoneMessage', 'answerPhoneMessage', 'ANSWERPHONEMESSAGE', 'AnswerMachineDetected'])(
      'reads %s as answerMachineDetected (the table and the example name one field)',
      async (spelling) => {
        const body = campaign(`Alias ${spelling}`);
        delete body.answerMachineDetected;
        body[spelling] = 2;
        expect(expectCreated(await post(body)).answerMachineDetected).toBe(2);
      },
    );

    it('matches nested property names case-insensitively too', async () => {
      const name = uniqueName('Shouting');
      const created = expectCreated(
        await post({
          NAME: name,
          StartDate: '2027-01-15',
          STARTTIME: '09:00',
          FinishTime: '17:00',
          TimeZone: 'Europe/London',
          RunoverDays: [{ DATE: '2027-01-16', StartTime: '10:00', FINISHTIME: '11:00' }],
          CallFlow_Id: tenant.callFlowId,
          DefaultCli_Id: tenant.cliId,
          Attempts: [{ Interval: 0, AttemptNumber: 1 }, { INTERVAL: 30, attemptnumber: 2 }],
          AnswerPhoneMessage: 1,
          SMSOnBusy: 2,
          PhoneNumbers: [{ Number: '07722 123456', NAME: 'Ben', Parameters: [{ Parameter: 2, VALUE: 'two' }, { parameter: 1, Value: 'one' }] }],
        }),
      );
      expect(created).toMatchObject({
        name,
        runoverDays: [{ date: '2027-01-16', startTime: '10:00', finishTime: '11:00' }],
        attempts: [{ interval: 0, attemptNumber: 1 }, { interval: 30, attemptNumber: 2 }],
        answerMachineDetected: 1,
        smsOnBusy: 2,
      });
      expect(await storedNumbers(t, tenant, created.id)).toMatchObject([
        { number: '+447722123456', name: 'Ben', parameters: [{ value: 'one', parameter: 1 }, { value: 'two', parameter: 2 }] },
      ]);
    });

    it("reports errors under the document's names, whatever spelling was sent", async () => {
      const body = campaign('Error names');
      delete body.smsOnBusy;
      delete body.answerMachineDetected;
      delete body.callflow_Id;
      const problem = expectValidationProblem(await post({ ...body, smsonbusy: 7, answerphonemessage: 9, CALLFLOW_ID: 0 }), [
        'SMSOnBusy',
        'AnswerPhoneMessage',
        'CallFlow_Id',
      ]);
      expect(problem.errors.SMSOnBusy).toEqual(['SMSOnBusy must be one of 0, 1, 2.']);
    });
  });

  describe('Name', () => {
    it.each([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
      ['only spaces', '   '],
    ])('is required (%s)', async (_case, value) => {
      const body = campaign('unused');
      if (value === undefined) delete body.name;
      else body.name = value;
      const problem = expectValidationProblem(await post(body), ['Name']);
      expect(problem.errors.Name).toEqual(['The Name field is required.']);
    });

    it('may be 100 characters long but not 101', async () => {
      const hundred = uniqueName('Long').padEnd(100, 'x');
      expect(expectCreated(await post(campaign('', { name: hundred }))).name).toBe(hundred);
      const problem = expectValidationProblem(await post(campaign('', { name: `${uniqueName('Long')}`.padEnd(101, 'y') })), ['Name']);
      expect(problem.errors.Name).toEqual(['Name must be at most 100 characters long.']);
    });

    it('is unique within the client, ignoring case and surrounding spaces', async () => {
      const name = uniqueName('Reminder');
      expectCreated(await post(campaign('', { name })));
      for (const again of [name, name.toUpperCase(), name.toLowerCase(), `  ${name}  `]) {
        const problem = expectValidationProblem(await post(campaign('', { name: again })), ['Name']);
        expect(problem.errors.Name).toEqual([`A campaign named "${again.trim()}" already exists.`]);
      }
    });

    it('is unique ignoring case beyond ASCII too', async () => {
      const name = `Ärger Öl ${uniqueName('Ü')}`;
      expectCreated(await post(campaign('', { name })));
      expectValidationProblem(await post(campaign('', { name: name.toLowerCase() })), ['Name']);
    });

    it('may be reused by another client', async () => {
      const name = uniqueName('Shared name');
      expectCreated(await post(campaign('', { name })));
      expectCreated(await postCampaign(t, otherTenant, validCampaign(otherTenant, { name })));
    });

    it('cannot carry a NUL character (PostgreSQL cannot store it): 400, not 500', async () => {
      const problem = expectValidationProblem(await post(campaign('', { name: `${uniqueName('Nul')}\u0000` })), ['Name']);
      expect(problem.errors.Name![0]).toMatch(/NUL/);
    });
  });

  describe('StartDate, StartTime, FinishTime and TimeZone', () => {
    it.each(['startDate', 'startTime', 'finishTime'])('%s is required', async (field) => {
      const body = campaign('Required time');
      delete body[field];
      const key = field.charAt(0).toUpperCase() + field.slice(1);
      const problem = expectValidationProblem(await post(body), [key]);
      expect(problem.errors[key]).toEqual([`The ${key} field is required.`]);
    });

    // TEST_NOW is 2026-11-26T10:00:00Z: 10:00 in London (GMT in November).
    it('accepts a start later today', async () => {
      expectCreated(await post(campaign('Later today', { startDate: '2026-11-26', startTime: '10:01', finishTime: '12:00' })));
    });

    it.each([
      ['earlier today', '2026-11-26', '09:59'],
      ['right now', '2026-11-26', '10:00'],
      ['yesterday', '2026-11-25', '11:00'],
      ['last year', '2025-12-01', '11:00'],
    ])('refuses a start %s', async (_case, startDate, startTime) => {
      const problem = expectValidationProblem(await post(campaign('Past', { startDate, startTime, finishTime: '23:00' })), ['StartDate']);
      expect(problem.errors.StartDate![0]).toMatch(/must start in the future/);
    });

    it('judges "in the future" by the wall clock of the campaign time zone', async () => {
      // 09:00 in New York is 14:00 UTC (future) although 09:00 in London has passed. (Within calling hours: before
      // 08:00 the campaign would have no window at all.)
      expectCreated(
        await post(campaign('New York', { startDate: '2026-11-26', startTime: '09:00', finishTime: '11:00', timeZone: 'America/New_York' })),
      );
      // 18:00 in Tokyo is 09:00 UTC (past) although 18:00 in London is still to come.
      expectValidationProblem(
        await post(campaign('Tokyo', { startDate: '2026-11-26', startTime: '18:00', finishTime: '19:00', timeZone: 'Asia/Tokyo' })),
        ['StartDate'],
      );
    });

    it('keeps the time zone, Europe/London by default, and stores the IANA spelling of a zone given in any case', async () => {
      const byDefault = expectCreated(await post(campaign('Default zone')));
      expect(byDefault.timeZone).toBe('Europe/London');
      expect((await getDetail(byDefault.id)).timeZone).toBe('Europe/London');
      const lowerCase = expectCreated(await post(campaign('Lower-case zone', { timeZone: 'america/new_york' })));
      expect(lowerCase.timeZone).toBe('America/New_York');
      expect((await getDetail(lowerCase.id)).timeZone).toBe('America/New_York');
    });

    it.each(['Mars/Olympus_Mons', 'London', 'GMT+25', '', 'Europe/London '])('refuses time zone %j at TimeZone', async (timeZone) => {
      expectValidationProblem(await post(campaign('Bad zone', { timeZone })), ['TimeZone']);
    });

    it.each([
      ['equal to', '09:00', '09:00'],
      ['before', '17:00', '09:00'],
    ])('refuses a FinishTime %s the StartTime', async (_case, startTime, finishTime) => {
      const problem = expectValidationProblem(await post(campaign('Finish', { startTime, finishTime })), ['FinishTime']);
      expect(problem.errors.FinishTime).toEqual([`FinishTime ${finishTime} must be after StartTime ${startTime}.`]);
    });

    it.each(['9am', '25:00', '09:60', '0900', '09.00', '9', 'T09:00'])('refuses StartTime %j with a human message', async (startTime) => {
      const problem = expectValidationProblem(await post(campaign('Time format', { startTime })), ['StartTime']);
      expect(problem.errors.StartTime).toEqual(['StartTime must be a time as HH:mm (24-hour).']);
    });

    it('reads H:mm and HH:mm:ss as HH:mm', async () => {
      const created = expectCreated(await post(campaign('Lenient times', { startTime: '9:05', finishTime: '17:30:00' })));
      expect(created).toMatchObject({ startTime: '09:05', finishTime: '17:30' });
      expect(await getDetail(created.id)).toMatchObject({ starttime: '09:05', finishtime: '17:30', startDate: '2027-01-15T09:05:00' });
    });

    it.each(['2027/01/15', '15-01-2027', '2027-1-15', 'tomorrow'])('refuses StartDate %j with a human message', async (startDate) => {
      const problem = expectValidationProblem(await post(campaign('Date format', { startDate })), ['StartDate']);
      expect(problem.errors.StartDate).toEqual(['StartDate must be a date as YYYY-MM-DD.']);
    });

    it('refuses a StartDate that is not on the calendar', async () => {
      const problem = expectValidationProblem(await post(campaign('Feb 30', { startDate: '2027-02-30' })), ['StartDate']);
      expect(problem.errors.StartDate).toEqual(['"2027-02-30" is not a calendar date.']);
    });
  });

  describe('a start on the day the clocks change (Europe/London)', () => {
    // The clocks change on a Sunday at 01:00-02:00, outside the default calling hours (no Sundays): these tests are
    // about the wall clock, so they run for a client whose operator allows calls at any hour of any day.
    let anyHours: Tenant;
    beforeAll(async () => {
      anyHours = await t.createTenant();
      const allDay = [{ start: '00:00', finish: '23:59' }];
      const weekdays = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [day, allDay]));
      const set = await t.admin({ method: 'PUT', url: `/api/admin/clients/${anyHours.clientId}/calling-hours`, payload: { weekdays, holidays: [] } });
      expect(set.statusCode, set.body).toBe(200);
    });

    it.each([
      ['go forward', '2027-03-28', '09:00'],
      ['go back', '2027-10-31', '09:00'],
      // 01:30 happens twice on 2027-10-31; the campaign starts at the first.
      ['go back, at a time that happens twice', '2027-10-31', '01:30'],
    ])('is accepted when the clocks %s, and its startDate reads back as the wall-clock time', async (_case, startDate, startTime) => {
      const created = expectCreated(
        await postCampaign(t, anyHours, validCampaign(anyHours, { name: uniqueName('DST'), startDate, startTime, finishTime: '12:00' })),
      );
      expect(created).toMatchObject({ startDate, startTime, callingHoursTrimmed: [] });
      const detail = await t.app.inject({ method: 'GET', url: `${CREATE_URL}/${created.id}`, headers: anyHours.headers });
      expect(detail.json()).toMatchObject({ startDate: `${startDate}T${startTime}:00`, starttime: startTime });
      const list = await t.app.inject({ method: 'GET', url: CREATE_URL, headers: anyHours.headers });
      expect((list.json() as { id: number; startDate: string }[]).find((item) => item.id === created.id)?.startDate).toBe(
        `${startDate}T${startTime}:00`,
      );
    });

    it('refuses a start time that does not exist (01:30 on 2027-03-28) at StartTime', async () => {
      const problem = expectValidationProblem(
        await post(campaign('Skipped hour', { startDate: '2027-03-28', startTime: '01:30', finishTime: '12:00' })),
        ['StartTime'],
      );
      expect(problem.errors.StartTime![0]).toMatch(/does not exist on 2027-03-28 in Europe\/London/);
    });

    it('refuses a runover day that starts in the skipped hour', async () => {
      expectValidationProblem(
        await post(
          campaign('Skipped runover', {
            startDate: '2027-03-27',
            runoverDays: [{ date: '2027-03-28', startTime: '01:15', finishTime: '05:00' }],
          }),
        ),
        ['RunoverDays[0].StartTime'],
      );
    });
  });

  describe('RunoverDays', () => {
    const day = (date: string, startTime = '09:00', finishTime = '12:00') => ({ date, startTime, finishTime });

    it('are optional, and stored in date order', async () => {
      expect(expectCreated(await post(campaign('No runover'))).runoverDays).toEqual([]);
      expect(expectCreated(await post(campaign('Null runover', { runoverDays: null }))).runoverDays).toEqual([]);
      const created = expectCreated(
        await post(campaign('Runover', { runoverDays: [day('2027-01-18', '10:00', '11:00'), day('2027-01-16')] })),
      );
      expect((await getDetail(created.id)).runOverDays).toEqual([day('2027-01-16'), day('2027-01-18', '10:00', '11:00')]);
    });

    it('must each be after StartDate', async () => {
      const problem = expectValidationProblem(
        await post(campaign('Runover before', { runoverDays: [day('2027-01-16'), day('2027-01-15'), day('2027-01-14')] })),
        ['RunoverDays[1].Date', 'RunoverDays[2].Date'],
      );
      expect(problem.errors['RunoverDays[1].Date']).toEqual(['Runover day 2027-01-15 must be after StartDate 2027-01-15.']);
    });

    it('may not share a date', async () => {
      const problem = expectValidationProblem(
        await post(campaign('Runover twice', { runoverDays: [day('2027-01-16'), day('2027-01-16', '13:00', '14:00')] })),
        ['RunoverDays[1].Date'],
      );
      expect(problem.errors['RunoverDays[1].Date']![0]).toMatch(/already RunoverDays\[0\]/);
    });

    it('must each finish after they start', async () => {
      expectValidationProblem(
        await post(campaign('Runover backwards', { runoverDays: [day('2027-01-16'), day('2027-01-17', '12:00', '12:00')] })),
        ['RunoverDays[1].FinishTime'],
      );
    });

    it('report a bad format in one entry and a rule broken in another at once', async () => {
      const problem = expectValidationProblem(
        await post(
          campaign('Runover mix', {
            runoverDays: [day('2027-01-16'), day('2027-01-17', '9am'), day('2027-01-16'), day('2027/01/20')],
          }),
        ),
        ['RunoverDays[1].StartTime', 'RunoverDays[2].Date', 'RunoverDays[3].Date'],
      );
      expect(problem.errors['RunoverDays[1].StartTime']).toEqual(['RunoverDays[1].StartTime must be a time as HH:mm (24-hour).']);
    });

    it('must be an array', async () => {
      const problem = expectValidationProblem(await post(campaign('Runover object', { runoverDays: { date: '2027-01-16' } })), ['RunoverDays']);
      expect(problem.errors.RunoverDays).toEqual(['RunoverDays must be an array or null.']);
    });
  });

  describe('CallFlow_Id and DefaultCli_Id', () => {
    it.each([
      ['callflow_Id', 'CallFlow_Id'],
      ['defaultCli_Id', 'DefaultCli_Id'],
    ])('%s is required', async (field, key) => {
      const body = campaign('Ids required');
      delete body[field];
      const problem = expectValidationProblem(await post(body), [key]);
      expect(problem.errors[key]).toEqual([`The ${key} field is required.`]);
    });

    it("refuses another client's call flow with 400 at CallFlow_Id", async () => {
      const problem = expectValidationProblem(await post(campaign('Foreign flow', { callflow_Id: otherTenant.callFlowId })), ['CallFlow_Id']);
      expect(problem.errors.CallFlow_Id![0]).toMatch(/does not exist for this client/);
    });

    it("refuses another client's CLI with 400 at DefaultCli_Id", async () => {
      expectValidationProblem(await post(campaign('Foreign CLI', { defaultCli_Id: otherTenant.cliId })), ['DefaultCli_Id']);
    });

    it('refuses ids that do not exist and ids that are not ids', async () => {
      expectValidationProblem(await post(campaign('Unknown ids', { callflow_Id: 2_000_000_000, defaultCli_Id: 2_000_000_001 })), [
        'CallFlow_Id',
        'DefaultCli_Id',
      ]);
      for (const bad of [0, -1, 1.5, 'abc', 2 ** 31, [], {}]) {
        expectValidationProblem(await post(campaign('Bad ids', { callflow_Id: bad, defaultCli_Id: bad })), ['CallFlow_Id', 'DefaultCli_Id']);
      }
    });
  });

  describe('Attempts', () => {
    it.each([
      ['left out', undefined],
      ['null', null],
      ['empty', []],
    ])('default to one attempt at interval 0 when %s', async (_case, attempts) => {
      const body = campaign('Default attempts');
      if (attempts !== undefined) body.attempts = attempts;
      const created = expectCreated(await post(body));
      expect(created.attempts).toEqual([{ interval: 0, attemptNumber: 1 }]);
      expect((await getDetail(created.id)).attempts).toEqual([{ interval: 0, attemptNumber: 1 }]);
    });

    it('are stored in attempt order, and an entry without attemptNumber is numbered by its position', async () => {
      const created = expectCreated(
        await post(campaign('Attempt order', { attempts: [{ interval: 60, attemptNumber: 3 }, { interval: 15 }, { interval: 0, attemptNumber: 1 }] })),
      );
      expect((await getDetail(created.id)).attempts).toEqual([
        { interval: 0, attemptNumber: 1 },
        { interval: 15, attemptNumber: 2 },
        { interval: 60, attemptNumber: 3 },
      ]);
    });

    it('must be numbered 1..n without gaps', async () => {
      const gap = expectValidationProblem(
        await post(campaign('Attempt gap', { attempts: [{ interval: 0, attemptNumber: 1 }, { interval: 5, attemptNumber: 3 }] })),
        ['Attempts[1].AttemptNumber'],
      );
      expect(gap.errors['Attempts[1].AttemptNumber']![0]).toMatch(/1\.\.2 without gaps/);
      expectValidationProblem(
        await post(campaign('Attempt repeat', { attempts: [{ interval: 0, attemptNumber: 1 }, { interval: 5, attemptNumber: 1 }] })),
        ['Attempts[1].AttemptNumber'],
      );
      expectValidationProblem(await post(campaign('Attempt zero', { attempts: [{ interval: 0, attemptNumber: 0 }] })), [
        'Attempts[0].AttemptNumber',
      ]);
    });

    it('need an interval of at least 0 minutes', async () => {
      const problem = expectValidationProblem(await post(campaign('Negative interval', { attempts: [{ interval: -1, attemptNumber: 1 }] })), [
        'Attempts[0].Interval',
      ]);
      expect(problem.errors['Attempts[0].Interval']).toEqual(['Attempts[0].Interval must be at least 0.']);
      expectValidationProblem(await post(campaign('No interval', { attempts: [{ attemptNumber: 1 }] })), ['Attempts[0].Interval']);
    });

    it('number at most 10', async () => {
      const attempts = (n: number) => Array.from({ length: n }, (_, i) => ({ interval: i * 10, attemptNumber: i + 1 }));
      expect(expectCreated(await post(campaign('Ten attempts', { attempts: attempts(10) }))).attempts).toHaveLength(10);
      const problem = expectValidationProblem(await post(campaign('Eleven attempts', { attempts: attempts(11) })), ['Attempts']);
      expect(problem.errors.Attempts).toEqual(['Attempts must have at most 10 entries.']);
    });
  });

  describe('AnswerPhoneMessage and SMSOnBusy', () => {
    it.each([0, 1, 2])('accept %i', async (value) => {
      const created = expectCreated(await post(campaign(`Selector ${value}`, { answerMachineDetected: value, smsOnBusy: value })));
      expect(created).toMatchObject({ answerMachineDetected: value, smsOnBusy: value });
    });

    it.each([3, -1, 1.5, 'sometimes'])('refuse %j', async (value) => {
      expectValidationProblem(await post(campaign('Bad selector', { answerMachineDetected: value, smsOnBusy: value })), [
        'AnswerPhoneMessage',
        'SMSOnBusy',
      ]);
    });

    it.each([
      ['left out', undefined],
      // null must not be read as 0 = Never.
      ['null', null],
    ])('are required (%s)', async (_case, value) => {
      const body = campaign('Selector required');
      delete body.answerMachineDetected;
      delete body.smsOnBusy;
      if (value !== undefined) Object.assign(body, { answerMachineDetected: value, smsOnBusy: value });
      const problem = expectValidationProblem(await post(body), ['AnswerPhoneMessage', 'SMSOnBusy']);
      expect(problem.errors).toEqual({
        AnswerPhoneMessage: ['The AnswerPhoneMessage field is required.'],
        SMSOnBusy: ['The SMSOnBusy field is required.'],
      });
    });
  });

  describe('every failing field in one answer', () => {
    it('reports schema, calendar, ownership and phone-number failures together', async () => {
      expectValidationProblem(
        await post({
          name: 'x'.repeat(101),
          startDate: '2026-11-25',
          startTime: '09:00',
          finishTime: '08:00',
          runoverDays: [{ date: '2026-11-24', startTime: '09:00', finishTime: '10:00' }],
          callflow_Id: otherTenant.callFlowId,
          defaultCli_Id: otherTenant.cliId,
          attempts: [{ interval: -5, attemptNumber: 1 }, { interval: 5, attemptNumber: 4 }],
          answerMachineDetected: 3,
          smsOnBusy: null,
          phoneNumbers: [{ number: '07722123456' }, { number: '0909 876 5432' }, { number: '07722123457', parameters: [{ parameter: 10, value: 'x' }] }],
        }),
        [
          'Name',
          'StartDate',
          'FinishTime',
          'RunoverDays[0].Date',
          'CallFlow_Id',
          'DefaultCli_Id',
          'Attempts[0].Interval',
          'Attempts[1].AttemptNumber',
          'AnswerPhoneMessage',
          'SMSOnBusy',
          'PhoneNumbers[1].Number',
          'PhoneNumbers[2].Parameters[0].Parameter',
        ],
      );
    });

    it('reports a name already taken alongside other failures', async () => {
      const name = uniqueName('Taken');
      expectCreated(await post(campaign('', { name })));
      expectValidationProblem(await post(campaign('', { name, smsOnBusy: 7, callflow_Id: otherTenant.callFlowId })), [
        'Name',
        'SMSOnBusy',
        'CallFlow_Id',
      ]);
    });
  });

  describe('access', () => {
    it('answers 401 problem+json without an API key and stores nothing', async () => {
      const name = uniqueName('Anonymous');
      const response = await t.app.inject({
        method: 'POST',
        url: CREATE_URL,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(campaign('', { name })),
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      // The name is still free, so nothing was stored.
      expectCreated(await post(campaign('', { name })));
    });
  });
});
