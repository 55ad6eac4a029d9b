// POST /api/campaigns/voice/csv and POST /:id/phonenumbers/csv (issue 11): a CSV upload judged by the JSON create's
// rules, row by row, with the row named in every message and nothing created on any error; malformed files (wrong
// columns, bad encoding, a 50 MB line, missing parts) answered with a clear 400.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { createTestApp, type Tenant, type TestApp } from '../helpers/app.js';
import { expectValidationProblem, uniqueName } from './campaign-create.helpers.js';
import { CSV_CREATE_URL, campaignFields, csvParts, multipartBody, postMultipart } from './campaign-csv.helpers.js';

const VOICE = '/api/campaigns/voice';

describe.each(BACKENDS)('CSV import on $kind', ({ kind }) => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await t.createTenant();
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (campaign: unknown, file: string | Uint8Array, columns?: unknown, query = '') =>
    postMultipart(t, tenant, `${CSV_CREATE_URL}${query}`, csvParts(campaign, file, columns));
  const campaignCount = async () => (await t.app.inject({ method: 'GET', url: VOICE, headers: tenant.headers })).json<unknown[]>().length;
  const numbersOf = async (id: number) =>
    (await t.app.inject({ method: 'GET', url: `${VOICE}/${id}/phonenumbers/1000/1`, headers: tenant.headers })).json<
      { number: string; name: string; parameters: { parameter: number; value: string }[] }[]
    >();
  /** Asserts the 400 created nothing: the client has as many campaigns as before. */
  const expectNothingCreated = async (before: number) => expect(await campaignCount()).toBe(before);

  it('creates a campaign with columns guessed from the headers, and the numbers read back through the API', async () => {
    const name = uniqueName('CSV guessed');
    const csv = 'Phone Number,Full_Name,Param1,parameter 2\n07722 100001,Ann Smith,A-1,x\n"07722 100002","Bob, Jr.",B-2,\n';
    const response = await create(campaignFields(tenant, name), csv);
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(response.headers.location).toBe(`${VOICE}/${created.id}`);
    expect(created).toMatchObject({
      name,
      rows: 2,
      numbersAdded: 2,
      columns: { number: 'Phone Number', name: 'Full_Name', parameter1: 'Param1', parameter2: 'parameter 2' },
      invalidPhoneNumbers: [],
      duplicatePhoneNumbers: [],
      startDate: '2027-01-12',
      callflow_Id: tenant.callFlowId,
    });
    expect(created).not.toHaveProperty('phoneNumbers');
    expect(await numbersOf(created.id)).toMatchObject([
      { number: '+447722100001', name: 'Ann Smith', parameters: [{ parameter: 1, value: 'A-1' }, { parameter: 2, value: 'x' }] },
      { number: '+447722100002', name: 'Bob, Jr.', parameters: [{ parameter: 1, value: 'B-2' }] },
    ]);
  });

  it('reads a BOM, semicolons and CRLF, with an explicit columns part mapping other headers and parameters', async () => {
    const csv = '\uFEFFTel;Customer;Ref;Ignored\r\n07722 100011;Cat;R9;zzz\r\n07722 100012;Dan;;zzz\r\n';
    const response = await create(campaignFields(tenant, uniqueName('CSV explicit')), csv, { number: 'Tel', Name: 'customer', parameter3: 'Ref' });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({ rows: 2, numbersAdded: 2, columns: { number: 'Tel', name: 'Customer', parameter3: 'Ref' } });
    expect(await numbersOf(created.id)).toMatchObject([
      { number: '+447722100011', name: 'Cat', parameters: [{ parameter: 3, value: 'R9' }] },
      { number: '+447722100012', name: 'Dan', parameters: [] },
    ]);
  });

  it('reads tab-delimited files and skips blank rows while keeping the spreadsheet row numbers', async () => {
    const csv = 'number\tname\n07722 100021\tEve\n\n\t\n07722 10002X\tBad\n';
    const before = await campaignCount();
    const response = await create(campaignFields(tenant, uniqueName('CSV tabs')), csv);
    const problem = expectValidationProblem(response, ['PhoneNumbers[1].Number']);
    expect(problem.errors['PhoneNumbers[1].Number']![0]).toMatch(/^Row 5: /);
    await expectNothingCreated(before);
  });

  it('refuses a bad number with a 400 naming its row, and creates nothing', async () => {
    const before = await campaignCount();
    const csv = 'number,name\n07722 100031,Ok\n12345,Bad\n07722 100033,Ok\n';
    const response = await create(campaignFields(tenant, uniqueName('CSV bad row')), csv);
    const problem = expectValidationProblem(response, ['PhoneNumbers[1].Number']);
    expect(problem.errors['PhoneNumbers[1].Number']![0]).toMatch(/^Row 3: /);
    await expectNothingCreated(before);
  });

  it('lists the bad row instead with ignoreInvalidPhoneNumbers=true', async () => {
    const csv = 'number,name\n07722 100041,Ok\n12345,Bad\n';
    const response = await create(campaignFields(tenant, uniqueName('CSV ignore')), csv, undefined, '?ignoreInvalidPhoneNumbers=true');
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({ rows: 2, numbersAdded: 1, invalidPhoneNumbers: [{ index: 1, row: 3, number: '12345', reasons: [expect.any(String)] }] });
    expect((await numbersOf(created.id)).map((n) => n.number)).toEqual(['+447722100041']);
  });

  it('merges repeated numbers into their first row and lists them', async () => {
    const csv = 'number\n07722 100051\n07722 100052\n+447722100051\n';
    const response = await create(campaignFields(tenant, uniqueName('CSV duplicates')), csv);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      rows: 3,
      numbersAdded: 2,
      duplicatePhoneNumbers: [{ index: 2, row: 4, number: '+447722100051', duplicateOfIndex: 0, duplicateOfRow: 2 }],
    });
  });

  it("screens the client's do-not-call list: a 400 naming the row, or left out with ignoreInvalidPhoneNumbers", async () => {
    const listed = await t.app.inject({ method: 'POST', url: '/api/suppression', headers: tenant.headers, payload: { numbers: ['07722 100062'] } });
    expect(listed.statusCode, listed.body).toBeLessThan(300);
    const csv = 'number\n07722 100061\n07722 100062\n';
    const before = await campaignCount();
    const refused = await create(campaignFields(tenant, uniqueName('CSV dnc')), csv);
    const problem = expectValidationProblem(refused, ['PhoneNumbers[1].Number']);
    expect(problem.errors['PhoneNumbers[1].Number']![0]).toMatch(/^Row 3: .*do-not-call/i);
    await expectNothingCreated(before);
    const dropped = await create(campaignFields(tenant, uniqueName('CSV dnc ignore')), csv, undefined, '?ignoreInvalidPhoneNumbers=true');
    expect(dropped.statusCode, dropped.body).toBe(201);
    expect(dropped.json()).toMatchObject({ numbersAdded: 1, invalidPhoneNumbers: [{ row: 3, index: 1 }] });
  });

  it('reports campaign field errors and row errors together in one 400', async () => {
    const before = await campaignCount();
    const csv = 'number,parameter1\n0123,x\n07722 100071,\n';
    const fields = campaignFields(tenant, uniqueName('CSV both'), { startDate: '2020-01-01', callflow_Id: 999_999, smsOnBusy: 7 });
    const response = await create(fields, csv);
    const problem = expectValidationProblem(response, ['StartDate', 'CallFlow_Id', 'SMSOnBusy', 'PhoneNumbers[0].Number']);
    expect(problem.errors['PhoneNumbers[0].Number']![0]).toMatch(/^Row 2: /);
    await expectNothingCreated(before);
  });

  it('answers a name that is taken, like the JSON create', async () => {
    const name = uniqueName('CSV name');
    expect((await create(campaignFields(tenant, name), 'number\n07722 100081\n')).statusCode).toBe(201);
    expectValidationProblem(await create(campaignFields(tenant, name.toUpperCase()), 'number\n07722 100082\n'), ['Name']);
  });

  describe('malformed uploads', () => {
    it('refuses a columns part that names no header, an unknown role, or is not JSON', async () => {
      const before = await campaignCount();
      const csv = 'number,name\n07722 100091,A\n';
      const fields = campaignFields(tenant, uniqueName('CSV columns'));
      const missing = expectValidationProblem(await create(fields, csv, { number: 'Phone' }), ['Columns']);
      expect(missing.errors.Columns![0]).toContain('"Phone"');
      expectValidationProblem(await create(fields, csv, { number: 'number', colour: 'name' }), ['Columns']);
      expectValidationProblem(await create(fields, csv, '{not json'), ['Columns']);
      expectValidationProblem(await create(fields, csv, { name: 'name' }), ['Columns']);
      await expectNothingCreated(before);
    });

    it('refuses a file with no column that reads as the number', async () => {
      const problem = expectValidationProblem(await create(campaignFields(tenant, uniqueName('CSV no number')), 'who,ref\nAnn,1\n'), ['File']);
      expect(problem.errors.File![0]).toMatch(/No column .* phone number/);
    });

    it('refuses rows with another number of fields than the header, naming each row', async () => {
      const before = await campaignCount();
      const csv = 'number,name\n07722 100101,A\n07722 100102,B,extra\n07722 100103\n';
      const problem = expectValidationProblem(await create(campaignFields(tenant, uniqueName('CSV width')), csv), ['File']);
      expect(problem.errors.File).toEqual(['Row 3 has 3 fields; the header row has 2.', 'Row 4 has 1 field; the header row has 2.']);
      await expectNothingCreated(before);
    });

    it('refuses bytes that are not UTF-8, naming the row', async () => {
      const before = await campaignCount();
      const bytes = Buffer.concat([Buffer.from('number,name\n07722 100111,Ann\n07722 100112,Jos'), Buffer.from([0xe9, 0xff]), Buffer.from('\n')]);
      const problem = expectValidationProblem(await create(campaignFields(tenant, uniqueName('CSV latin1')), bytes), ['File']);
      expect(problem.errors.File![0]).toMatch(/^Row 3 is not valid UTF-8/);
      await expectNothingCreated(before);
    });

    it('refuses an unclosed quote, naming the row', async () => {
      const problem = expectValidationProblem(await create(campaignFields(tenant, uniqueName('CSV quote')), 'number,name\n07722 100121,"Ann\n'), ['File']);
      expect(problem.errors.File![0]).toMatch(/^Row 2 is not well-formed CSV/);
    });

    it('refuses missing parts, parts out of order, and a body that is not multipart', async () => {
      const fields = JSON.stringify(campaignFields(tenant, uniqueName('CSV parts')));
      const file = { name: 'file', value: new TextEncoder().encode('number\n07722 100131\n'), filename: 'n.csv' };
      const noFile = await postMultipart(t, tenant, CSV_CREATE_URL, [{ name: 'campaign', value: fields }]);
      expect(expectValidationProblem(noFile, ['File']).errors.File![0]).toContain('missing');
      const noCampaign = await postMultipart(t, tenant, CSV_CREATE_URL, [file]);
      expect(expectValidationProblem(noCampaign, ['Campaign']).errors.Campaign![0]).toContain('before the file part');
      const reversed = await postMultipart(t, tenant, CSV_CREATE_URL, [{ name: 'columns', value: '{"number":"number"}' }, { name: 'campaign', value: fields }, file]);
      expectValidationProblem(reversed, ['Campaign']);
      expectValidationProblem(await postMultipart(t, tenant, CSV_CREATE_URL, [{ name: 'campaign', value: '[1]' }, file]), ['Campaign']);
      expectValidationProblem(await postMultipart(t, tenant, CSV_CREATE_URL, [{ name: 'campaign', value: '{"name":' }, file]), ['Campaign']);
      const json = await t.app.inject({ method: 'POST', url: CSV_CREATE_URL, headers: tenant.headers, payload: { name: 'x' } });
      expect(json.statusCode).toBe(415);
    });

    it('reads JSON parts sent as form fields labelled application/json, as curl and browsers may send them', async () => {
      const boundary = 'json-parts';
      const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\nContent-Type: application/json\r\n\r\n${value}\r\n`;
      const body =
        part('campaign', JSON.stringify(campaignFields(tenant, uniqueName('CSV json parts')))) +
        part('columns', '{"number":"Tel"}') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="n.csv"\r\n\r\nTel\n07722 100161\n\r\n--${boundary}--\r\n`;
      const response = await t.app.inject({ method: 'POST', url: CSV_CREATE_URL, headers: { ...tenant.headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ numbersAdded: 1, columns: { number: 'Tel' } });
    });

    it('needs the client key', async () => {
      const { body, contentType } = await multipartBody(csvParts(campaignFields(tenant, 'x'), 'number\n07722 100141\n'));
      const response = await t.app.inject({ method: 'POST', url: CSV_CREATE_URL, headers: { 'content-type': contentType }, payload: body });
      expect(response.statusCode).toBe(401);
    });

    it('answers a 50 MB line with a 400 naming the row before the upload has finished, and creates nothing', async () => {
      const before = await campaignCount();
      const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as AddressInfo;
      expect(address).toContain(String(port));
      const boundary = 'csv-boundary-50mb';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="campaign"\r\n\r\n${JSON.stringify(campaignFields(tenant, uniqueName('CSV long line')))}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="long.csv"\r\nContent-Type: text/csv\r\n\r\nnumber,name\n07722 100151,`,
      );
      const lineBytes = 50 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sentBytes = 0;
      const answer = await new Promise<{ status: number; body: string; sentWhenAnswered: number }>((resolve, reject) => {
        const request = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: CSV_CREATE_URL,
          headers: { ...tenant.headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + lineBytes) },
        });
        request.on('response', (response) => {
          const sentWhenAnswered = sentBytes;
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (text: string) => (body += text));
          response.on('end', () => resolve({ status: response.statusCode!, body, sentWhenAnswered }));
        });
        // The server closes the connection once it has answered: the rest of the line is never sent.
        request.on('error', (error) => (sentBytes >= lineBytes ? reject(error) : undefined));
        request.write(head);
        const pump = () => {
          while (sentBytes < lineBytes && !request.destroyed) {
            sentBytes += chunk.length;
            if (!request.write(chunk)) return void request.once('drain', pump);
          }
          if (!request.destroyed) request.end();
        };
        pump();
      });
      expect(answer.status, answer.body).toBe(400);
      const problem = JSON.parse(answer.body) as { errors: Record<string, string[]> };
      expect(Object.keys(problem.errors)).toEqual(['File']);
      expect(problem.errors.File![0]).toMatch(/^Row 2 is longer than 64 KiB/);
      // Answered while most of the line was still to come: the server stopped at the row limit, not at the file's end.
      expect(answer.sentWhenAnswered).toBeLessThan(lineBytes / 2);
      await expectNothingCreated(before);
    });
  });

  describe('adding a CSV to a campaign', () => {
    const add = (id: number, file: string, columns?: unknown, who = tenant) =>
      postMultipart(t, who, `${VOICE}/${id}/phonenumbers/csv`, csvParts(undefined, file, columns));

    it('adds the new numbers, skips those the campaign has, and lists rows left out', async () => {
      const created = (await create(campaignFields(tenant, uniqueName('CSV add')), 'number\n07722 100201\n')).json();
      const response = await postMultipart(t, tenant, `${VOICE}/${created.id}/phonenumbers/csv?ignoreInvalidPhoneNumbers=true`, csvParts(undefined, 'Mobile;Name\n07722 100201;A\n07722 100202;B\nnope;C\n07722 100202;D\n'));
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({
        added: 1,
        alreadyInCampaign: ['+447722100201'],
        rows: 4,
        columns: { number: 'Mobile', name: 'Name' },
        invalidPhoneNumbers: [{ row: 4, index: 2, number: 'nope' }],
        duplicatePhoneNumbers: [{ row: 5, duplicateOfRow: 3 }],
      });
      expect((await numbersOf(created.id)).map((n) => n.number)).toEqual(['+447722100201', '+447722100202']);
    });

    it('refuses a bad row with a 400 naming it, adding nothing', async () => {
      const created = (await create(campaignFields(tenant, uniqueName('CSV add bad')), 'number\n07722 100211\n')).json();
      const problem = expectValidationProblem(await add(created.id, 'number\n07722 100212\nbad\n'), ['PhoneNumbers[1].Number']);
      expect(problem.errors['PhoneNumbers[1].Number']![0]).toMatch(/^Row 3: /);
      expect(await numbersOf(created.id)).toHaveLength(1);
    });

    it("answers 404 for another client's campaign and 409 once the campaign has finished", async () => {
      const created = (await create(campaignFields(tenant, uniqueName('CSV add 409')), 'number\n07722 100221\n')).json();
      const other = await t.createTenant();
      expect((await add(created.id, 'number\n07722 100222\n', undefined, other)).statusCode).toBe(404);
      const cancelled = await t.app.inject({ method: 'POST', url: `${VOICE}/${created.id}/cancel`, headers: tenant.headers });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      const refused = await add(created.id, 'number\n07722 100222\n');
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.headers.connection).toBe('close');
      expect(await numbersOf(created.id)).toHaveLength(1);
    });
  });

  describe('a file over CSV_UPLOAD_LIMIT_MB', () => {
    let small: TestApp;
    beforeAll(async () => {
      small = await createTestApp(kind, { CSV_UPLOAD_LIMIT_MB: '0.01' });
    });
    afterAll(async () => {
      await small?.close();
    });

    it('is a 413, and nothing is created', async () => {
      const owner = await small.createTenant();
      const rows = Array.from({ length: 1000 }, (_, i) => `07722 ${String(300_000 + i)},Customer ${i}`).join('\n');
      const response = await postMultipart(small, owner, CSV_CREATE_URL, csvParts(campaignFields(owner, uniqueName('CSV big')), `number,name\n${rows}\n`));
      expect(response.statusCode, response.body).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().detail).toContain('CSV_UPLOAD_LIMIT_MB');
      expect((await small.app.inject({ method: 'GET', url: VOICE, headers: owner.headers })).json()).toEqual([]);
    });
  });
});
