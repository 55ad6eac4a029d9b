// The campaign-creation rules beyond the JSON schema, as a pure function of the body, the schema's errors and now.
import { describe, expect, it } from 'vitest';
import {
  checkCampaignRequest,
  checkCampaignRequestPausing,
  checkPhoneNumbersRequest,
  checkPhoneNumbersRequestPausing,
  DEFAULT_ATTEMPTS,
  type CampaignCheck,
  type CampaignCheckInput,
} from '../../src/domain/campaign-request.js';
import { PHONE_NUMBER_CHUNK } from '../../src/domain/phone-number-list.js';

const NOW = new Date('2026-11-26T10:00:00Z');

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Reminders',
    startDate: '2027-01-15',
    startTime: '09:00',
    finishTime: '17:00',
    callflow_Id: 1,
    defaultCli_Id: 2,
    answerMachineDetected: 1,
    smsOnBusy: 2,
    phoneNumbers: [{ number: '07722123456', name: 'Ben' }],
    ...overrides,
  };
}

function check(input: Partial<CampaignCheckInput> & { body: unknown }): CampaignCheck {
  return checkCampaignRequest({ schemaErrors: {}, now: NOW, ignoreInvalidPhoneNumbers: false, ...input });
}

function errorsOf(result: CampaignCheck): Record<string, string[]> {
  if (result.ok) throw new Error(`expected errors, got a plan for ${result.plan.name}`);
  return result.errors;
}

function planOf(result: CampaignCheck) {
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
  return result;
}

describe('checkCampaignRequest: a valid request', () => {
  it('gives a plan with the trimmed name, the default zone and attempts, and the start as an instant', () => {
    const { plan, leftOut, merged } = planOf(check({ body: body({ name: '  Reminders  ' }) }));
    expect(plan).toEqual({
      name: 'Reminders',
      timeZone: 'Europe/London',
      startDate: '2027-01-15',
      startTime: '09:00',
      finishTime: '17:00',
      // January: London is on GMT.
      startsAt: new Date('2027-01-15T09:00:00Z'),
      runoverDays: [],
      callFlowId: 1,
      cliId: 2,
      attempts: [...DEFAULT_ATTEMPTS],
      answerPhoneMessage: 1,
      smsOnBusy: 2,
      numbers: [{ index: 0, e164: '+447722123456', name: 'Ben', parameters: [] }],
    });
    expect(leftOut).toEqual([]);
    expect(merged).toEqual([]);
  });

  it('reads the start in the campaign zone: 09:00 in July in London is 08:00 UTC', () => {
    expect(planOf(check({ body: body({ startDate: '2027-07-01' }) })).plan.startsAt).toEqual(new Date('2027-07-01T08:00:00Z'));
    expect(planOf(check({ body: body({ startDate: '2027-07-01', timeZone: 'Asia/Kolkata' }) })).plan.startsAt).toEqual(
      new Date('2027-07-01T03:30:00Z'),
    );
  });
});

describe('checkCampaignRequest: the start', () => {
  it('must be after now, to the minute', () => {
    expect(check({ body: body({ startDate: '2026-11-26', startTime: '10:01' }) }).ok).toBe(true);
    expect(Object.keys(errorsOf(check({ body: body({ startDate: '2026-11-26', startTime: '10:00' }) })))).toEqual(['StartDate']);
  });

  it('is not judged when the time zone is unknown (there is no wall clock to read it on)', () => {
    expect(errorsOf(check({ body: body({ startDate: '2020-01-01', timeZone: 'Atlantis/Capital' }) }))).toEqual({
      TimeZone: ['"Atlantis/Capital" is not an IANA time zone such as Europe/London.'],
    });
  });

  it('may not fall in the hour the clocks skip', () => {
    expect(errorsOf(check({ body: body({ startDate: '2027-03-28', startTime: '01:00' }) }))).toEqual({
      StartTime: ['01:00 does not exist on 2027-03-28 in Europe/London (the clocks go forward).'],
    });
  });

  it('takes the first of a time that happens twice', () => {
    expect(planOf(check({ body: body({ startDate: '2027-10-31', startTime: '01:30' }) })).plan.startsAt).toEqual(
      new Date('2027-10-31T00:30:00Z'),
    );
  });
});

describe('checkCampaignRequest: fields the schema already refused', () => {
  it('are reported as the schema said and not checked again', () => {
    const errors = errorsOf(
      check({ body: body({ startTime: 'soon' }), schemaErrors: { StartTime: ['StartTime must be a time as HH:mm (24-hour).'] } }),
    );
    expect(errors).toEqual({ StartTime: ['StartTime must be a time as HH:mm (24-hour).'] });
  });

  it('leave the other fields to be checked, so that everything is reported at once', () => {
    const errors = errorsOf(
      check({
        body: body({ name: 'x'.repeat(101), finishTime: '08:00', attempts: [{ interval: 0, attemptNumber: 2 }] }),
        schemaErrors: { Name: ['Name must be at most 100 characters long.'] },
      }),
    );
    expect(Object.keys(errors).sort()).toEqual(['Attempts[0].AttemptNumber', 'FinishTime', 'Name']);
  });

  it('inside a phone number entry make that entry invalid, and with ignoreInvalidPhoneNumbers it is listed, not refused', () => {
    const result = planOf(
      check({
        body: body({ phoneNumbers: [{ number: '07722123456' }, { number: '07722123457', name: 5 }] }),
        schemaErrors: { 'PhoneNumbers[1].Name': ['PhoneNumbers[1].Name must be a string or null.'] },
        ignoreInvalidPhoneNumbers: true,
      }),
    );
    expect(result.leftOut).toEqual([{ index: 1, number: '07722123457', reasons: ['PhoneNumbers[1].Name must be a string or null.'] }]);
    expect(result.plan.numbers.map((n) => n.e164)).toEqual(['+447722123456']);
  });
});

describe('checkCampaignRequest: runover days', () => {
  const day = (date: string, startTime = '09:00', finishTime = '12:00') => ({ date, startTime, finishTime });

  it('are sorted by date', () => {
    expect(planOf(check({ body: body({ runoverDays: [day('2027-01-20'), day('2027-01-16')] }) })).plan.runoverDays).toEqual([
      day('2027-01-16'),
      day('2027-01-20'),
    ]);
  });

  it('are each after StartDate, on distinct dates, and finish after they start', () => {
    expect(
      errorsOf(check({ body: body({ runoverDays: [day('2027-01-15'), day('2027-01-16'), day('2027-01-16'), day('2027-01-17', '10:00', '09:59')] }) })),
    ).toEqual({
      'RunoverDays[0].Date': ['Runover day 2027-01-15 must be after StartDate 2027-01-15.'],
      'RunoverDays[2].Date': ['2027-01-16 is already RunoverDays[1]; one window per day.'],
      'RunoverDays[3].FinishTime': ['FinishTime 09:59 must be after StartTime 10:00.'],
    });
  });

  it('are checked whatever shape arrives, without throwing', () => {
    expect(Object.keys(errorsOf(check({ body: body({ runoverDays: [null, 7, { date: 1 }] }) }))).sort()).toEqual([
      'RunoverDays[0]',
      'RunoverDays[1]',
      'RunoverDays[2].Date',
      'RunoverDays[2].FinishTime',
      'RunoverDays[2].StartTime',
    ]);
  });
});

describe('checkCampaignRequest: attempts', () => {
  it('default to one attempt when left out, null or empty', () => {
    for (const attempts of [undefined, null, []]) {
      expect(planOf(check({ body: body({ attempts }) })).plan.attempts).toEqual([{ attemptNumber: 1, intervalMinutes: 0 }]);
    }
  });

  it('are numbered by position when attemptNumber is left out, and sorted', () => {
    const attempts = [{ interval: 60, attemptNumber: 3 }, { interval: 30 }, { interval: 0, attemptNumber: 1 }];
    expect(planOf(check({ body: body({ attempts }) })).plan.attempts).toEqual([
      { attemptNumber: 1, intervalMinutes: 0 },
      { attemptNumber: 2, intervalMinutes: 30 },
      { attemptNumber: 3, intervalMinutes: 60 },
    ]);
  });

  it('must run 1..n without gaps or repeats', () => {
    expect(errorsOf(check({ body: body({ attempts: [{ interval: 0, attemptNumber: 1 }, { interval: 0, attemptNumber: 1 }] }) }))).toEqual({
      'Attempts[1].AttemptNumber': ['Attempt 1 is given more than once (also Attempts[0]).'],
    });
    expect(errorsOf(check({ body: body({ attempts: [{ interval: 0, attemptNumber: 2 }, { interval: 0, attemptNumber: 3 }] }) }))).toEqual({
      'Attempts[1].AttemptNumber': ['Attempt numbers must run 1..2 without gaps; 3 is out of range.'],
    });
  });

  it('are at most 10', () => {
    const attempts = Array.from({ length: 11 }, (_, i) => ({ interval: 0, attemptNumber: i + 1 }));
    expect(errorsOf(check({ body: body({ attempts }) }))).toEqual({ Attempts: ['Attempts must have at most 10 entries.'] });
  });
});

describe('checkCampaignRequest: phone numbers', () => {
  it('are normalised, and repeats are merged into the first', () => {
    const result = planOf(
      check({ body: body({ phoneNumbers: [{ number: '07722 123456' }, { number: '+44 7722 123457' }, { number: '0044 7722 123456' }] }) }),
    );
    expect(result.plan.numbers.map((n) => [n.index, n.e164])).toEqual([
      [0, '+447722123456'],
      [1, '+447722123457'],
    ]);
    expect(result.merged).toEqual([{ index: 2, number: '+447722123456', duplicateOfIndex: 0 }]);
  });

  it('are refused at their own path, or listed with ignoreInvalidPhoneNumbers', () => {
    const phoneNumbers = [{ number: '07722123456' }, { number: '09098765432' }, 'not an object'];
    expect(Object.keys(errorsOf(check({ body: body({ phoneNumbers }) })))).toEqual(['PhoneNumbers[1].Number', 'PhoneNumbers[2]']);
    const result = planOf(check({ body: body({ phoneNumbers }), ignoreInvalidPhoneNumbers: true }));
    expect(result.leftOut).toEqual([
      { index: 1, number: '09098765432', reasons: [expect.stringMatching(/premium rate/)] },
      { index: 2, number: 'not an object', reasons: ['PhoneNumbers[2] must be an object.'] },
    ]);
  });

  it('need at least one valid entry', () => {
    expect(errorsOf(check({ body: body({ phoneNumbers: [{ number: '999' }] }), ignoreInvalidPhoneNumbers: true }))).toEqual({
      PhoneNumbers: ['At least one valid phone number is required.'],
    });
  });

  it('keep parameters sorted and refuse repeats, blanks and numbers outside 1..9', () => {
    const parameters = [{ parameter: 3, value: 'c' }, { parameter: 1, value: 'a' }];
    expect(planOf(check({ body: body({ phoneNumbers: [{ number: '07722123456', parameters }] }) })).plan.numbers[0]?.parameters).toEqual([
      { parameter: 1, value: 'a' },
      { parameter: 3, value: 'c' },
    ]);
    const bad = [{ parameter: 1, value: 'a' }, { parameter: 1, value: 'b' }, { parameter: 10, value: 'c' }, { parameter: 2, value: ' ' }];
    expect(Object.keys(errorsOf(check({ body: body({ phoneNumbers: [{ number: '07722123456', parameters: bad }] }) })))).toEqual([
      'PhoneNumbers[0].Parameters[1].Parameter',
      'PhoneNumbers[0].Parameters[2].Parameter',
      'PhoneNumbers[0].Parameters[3].Value',
    ]);
  });
});

describe('checkCampaignRequest: countries', () => {
  const abroad = [{ number: '07722123456' }, { number: '+33 6 12 34 56 78' }, { number: '+1 202 555 0123' }, { number: '07624 123456' }];

  it('refuses numbers outside the UK by default, naming the country; the Crown Dependencies are the UK', () => {
    expect(errorsOf(check({ body: body({ phoneNumbers: abroad }) }))).toEqual({
      'PhoneNumbers[1].Number': ['+33 6 12 34 56 78 is in France (FR): calls outside the UK are not allowed for this client; the operator can allow FR.'],
      'PhoneNumbers[2].Number': ['+1 202 555 0123 is in United States (US): calls outside the UK are not allowed for this client; the operator can allow US.'],
    });
  });

  it('leaves them out with ignoreInvalidPhoneNumbers, like any invalid number', () => {
    const result = planOf(check({ body: body({ phoneNumbers: abroad }), ignoreInvalidPhoneNumbers: true }));
    expect(result.plan.numbers.map((n) => n.e164)).toEqual(['+447722123456', '+447624123456']);
    expect(result.leftOut.map((n) => [n.index, n.number])).toEqual([
      [1, '+33 6 12 34 56 78'],
      [2, '+1 202 555 0123'],
    ]);
  });

  it('accepts the allowed countries only', () => {
    const errors = errorsOf(check({ body: body({ phoneNumbers: abroad }), allowedCountries: ['FR'] }));
    expect(Object.keys(errors)).toEqual(['PhoneNumbers[2].Number']);
    const result = planOf(check({ body: body({ phoneNumbers: abroad }), allowedCountries: ['FR', 'US'] }));
    expect(result.plan.numbers.map((n) => n.e164)).toEqual(['+447722123456', '+33612345678', '+12025550123', '+447624123456']);
  });

  it('applies to numbers added later too (checkPhoneNumbersRequest)', () => {
    const refused = checkPhoneNumbersRequest({ body: { phoneNumbers: abroad }, schemaErrors: {}, ignoreInvalidPhoneNumbers: false });
    expect(refused.ok || Object.keys(refused.errors)).toEqual(['PhoneNumbers[1].Number', 'PhoneNumbers[2].Number']);
    const allowed = checkPhoneNumbersRequest({ body: { phoneNumbers: abroad }, schemaErrors: {}, ignoreInvalidPhoneNumbers: false, allowedCountries: ['FR', 'US'] });
    expect(allowed.ok && allowed.numbers).toHaveLength(4);
  });
});

describe('checkCampaignRequest: long lists, a chunk at a time', () => {
  // Three and a half chunks: good, bad, repeated and foreign entries on both sides of every chunk boundary.
  const count = PHONE_NUMBER_CHUNK * 3.5;
  const phoneNumbers = Array.from({ length: count }, (_, i) =>
    i % 7 === 0 ? { number: '0909 876 5432' } : i % 11 === 0 ? { number: '+33612345678' } : { number: `077${String(i % 2000).padStart(8, '0')}` },
  );

  it.each([false, true])('gives the same answer paused between chunks as at once (ignoreInvalidPhoneNumbers %s)', async (ignoreInvalidPhoneNumbers) => {
    let pauses = 0;
    const pause = async () => {
      pauses++;
    };
    const input = { body: body({ phoneNumbers }), schemaErrors: {}, now: NOW, ignoreInvalidPhoneNumbers };
    expect(await checkCampaignRequestPausing(input, pause)).toEqual(checkCampaignRequest(input));
    expect(pauses).toBe(Math.ceil(count / PHONE_NUMBER_CHUNK) - 1);
    const addInput = { body: { phoneNumbers }, schemaErrors: {}, ignoreInvalidPhoneNumbers };
    expect(await checkPhoneNumbersRequestPausing(addInput, pause)).toEqual(checkPhoneNumbersRequest(addInput));
  });

  it('reports 100,000 bad numbers in well under a second (it was quadratic in the number of errors)', () => {
    const bad = Array.from({ length: 100_000 }, () => ({ number: '0909 876 5432' }));
    const startedAtMs = performance.now();
    const errors = errorsOf(check({ body: body({ phoneNumbers: bad }) }));
    expect(Object.keys(errors)).toHaveLength(100_000);
    expect(performance.now() - startedAtMs).toBeLessThan(3000);
  });
});

describe('checkCampaignRequest: text PostgreSQL cannot store', () => {
  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
  ])('refuses %s in the name, a customer name and a parameter value', (_case, text) => {
    const errors = errorsOf(
      check({ body: body({ name: text, phoneNumbers: [{ number: '07722123456', name: text, parameters: [{ parameter: 1, value: text }] }] }) }),
    );
    expect(Object.keys(errors)).toEqual(['Name', 'PhoneNumbers[0].Name', 'PhoneNumbers[0].Parameters[0].Value']);
  });

  it('accepts a properly paired surrogate (an emoji)', () => {
    expect(planOf(check({ body: body({ name: 'Party 🎉' }) })).plan.name).toBe('Party 🎉');
  });
});

describe('checkCampaignRequest: any input', () => {
  it('answers a body that is not an object with one error at "body"', () => {
    for (const value of [null, undefined, [], 'text', 42]) {
      expect(errorsOf(check({ body: value }))).toEqual({ body: ['The request body must be a JSON object.'] });
    }
  });

  it('never throws, whatever the values (seeded random bodies)', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const values: unknown[] = [null, undefined, true, 0, -1, 1.5, '', 'x', '09:00', '2027-01-15', [], [null], [{}], {}, { number: 1 }, [{ date: null }]];
    const keys = Object.keys(body()).concat(['runoverDays', 'attempts', 'timeZone']);
    for (let i = 0; i < 2000; i++) {
      const candidate = body();
      for (const key of keys) if (random() < 0.3) candidate[key] = values[Math.floor(random() * values.length)];
      expect(() => check({ body: candidate, ignoreInvalidPhoneNumbers: random() < 0.5 })).not.toThrow();
    }
  });
});
