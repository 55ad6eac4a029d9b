// GET /api/campaigns/voice/:id/export (issue 11): a campaign run by the real dialer on the simulated carrier (virtual
// time, real database) exported as CSV and compared row by row with what the phone-number listing and the stored
// calls say: one row per call in number then attempt order, never-called numbers with empty call columns, times with
// the campaign zone's offset, RFC 4180 quoting and the formula guard; 404 for another client's campaign.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, NumberStatus } from '../../src/domain/enums.js';
import { EXPORT_COLUMNS } from '../../src/domain/csv/export-rows.js';
import { CampaignRepository } from '../../src/store/repositories/campaigns.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { BACKENDS } from '../helpers/backends.js';
import { DialerHarness, testE164, testNumber, type HarnessTenant } from '../helpers/dialer-harness.js';

const VOICE = '/api/campaigns/voice';
const ZONE = 'America/New_York';
const DAY = '2027-01-15';

const nameOf = (members: readonly { value: number; name: string }[], value: number) => members.find((m) => m.value === value)!.name;

interface ListedNumber {
  id: number;
  number: string;
  name: string;
  status: string | number;
  statusReason: string | null;
  parameters: { parameter: number; value: string }[];
  calls: {
    startTime: string;
    endTime: string | null;
    stage: number;
    outcome: number;
    userInput: string;
    price: number;
    attemptNumber: number;
    secondsDuration: number;
    answeredBy: string | null;
    voicemailLeft: boolean;
    endReason: string | null;
  }[];
}

describe.each(BACKENDS)('CSV export on $kind', ({ kind }) => {
  let harness: DialerHarness;
  let app: App;
  let tenant: HarnessTenant;
  let headers: Record<string, string>;
  let campaignId: number;
  let neverCalledId: number;

  beforeAll(async () => {
    harness = await DialerHarness.open(kind);
    tenant = await harness.tenant();
    const clock = new VirtualClock('2027-01-14T12:00:00Z');
    campaignId = await harness.campaign(
      tenant,
      {
        timeZone: ZONE,
        startDate: DAY,
        startTime: '09:00',
        finishTime: '17:00',
        attempts: [{ interval: 0 }, { interval: 5 }],
        phoneNumbers: [
          { number: testNumber('0001'), name: 'Busy Bee' },
          { number: testNumber('0005'), name: '=SUM(A1)', parameters: [{ parameter: 2, value: '@ref' }] },
          { number: testNumber('0003'), name: 'Smith, "Jo"\nline two', parameters: [{ parameter: 1, value: '+44 ref' }] },
          { number: testNumber('0009'), name: '-minus' },
        ],
      },
      clock.now(),
    );
    await harness.run({ clock, campaignIds: [campaignId] });
    // A number that came after the run (straight into the store): it was never called.
    await new CampaignRepository(harness.db).addNumbers(campaignId, [{ index: 0, e164: testE164('0042'), name: 'Late', parameters: [] }]);
    app = await buildApp({ settings: loadSettings({ LOG_LEVEL: 'silent' }), database: harness.testDb.database, clock });
    const { apiKey } = await new TenantRepository(harness.db).createApiKey(tenant.clientId);
    headers = { authorization: `Bearer ${apiKey}` };
    neverCalledId = (await harness.numberByE164(campaignId, testE164('0042'))).id;
  });
  afterAll(async () => {
    await app?.close();
    await harness?.dispose();
  });

  const exportOf = (id: number, as = headers) => app.inject({ method: 'GET', url: `${VOICE}/${id}/export`, headers: as });

  it('answers text/csv as an attachment with the documented header row', async () => {
    const response = await exportOf(campaignId);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="campaign-${campaignId}.csv"`);
    expect(response.body.split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(response.body.endsWith('\r\n')).toBe(true);
  });

  it('has one row per call, and one per number never called, matching the phone-number listing and the stored calls', async () => {
    const rows = parse((await exportOf(campaignId)).body, { columns: true }) as Record<string, string>[];
    const listed = (await app.inject({ method: 'GET', url: `${VOICE}/${campaignId}/phonenumbers/1000/1`, headers })).json<ListedNumber[]>();
    const stored = await harness.calls(campaignId);
    const expected: Record<string, string>[] = [];
    const guard = (text: string) => (/^[=+\-@]/.test(text) ? `'${text}` : text);
    for (const number of listed) {
      const base = {
        number_id: String(number.id),
        number: number.number,
        name: guard(number.name),
        ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`parameter${i + 1}`, guard(number.parameters.find((p) => p.parameter === i + 1)?.value ?? '')])),
        status: typeof number.status === 'number' ? nameOf(NumberStatus.members, number.status) : number.status,
        status_reason: number.statusReason ?? '',
      };
      const noCall = { attempt: '', start_time: '', end_time: '', duration_s: '', outcome: '', stage: '', keys: '', answered_by: '', voicemail_left: '', sip_code: '', end_reason: '', price: '' };
      if (number.calls.length === 0) expected.push({ ...base, ...noCall });
      for (const call of number.calls) {
        const storedCall = stored.find((c) => c.phoneNumberId === number.id && c.attemptNumber === call.attemptNumber)!;
        expected.push({
          ...base,
          attempt: String(call.attemptNumber),
          // The listing shows the zone's wall clock; the export adds New York's offset in January.
          start_time: `${call.startTime}-05:00`,
          end_time: call.endTime === null ? '' : `${call.endTime}-05:00`,
          duration_s: String(call.secondsDuration),
          outcome: nameOf(CallOutcome.members, call.outcome),
          stage: String(call.stage),
          keys: call.userInput,
          answered_by: call.answeredBy ?? '',
          voicemail_left: String(call.voicemailLeft),
          sip_code: storedCall.sipCode === null ? '' : String(storedCall.sipCode),
          end_reason: guard(call.endReason ?? ''),
          price: String(call.price),
        });
      }
    }
    expect(rows).toEqual(expected);
    expect(rows.length).toBe(stored.length + 1);
    // Number id then attempt order; the busy number was called twice.
    const busy = rows.filter((row) => row.number === testE164('0001'));
    expect(busy.map((row) => [row.attempt, row.outcome])).toEqual([['1', 'Busy'], ['2', 'Busy']]);
    expect(rows.at(-1)).toMatchObject({ number_id: String(neverCalledId), name: 'Late', status: nameOf(NumberStatus.members, NumberStatus.Pending), attempt: '', start_time: '' });
  });

  it('quotes as RFC 4180 says and guards text a spreadsheet would run as a formula', async () => {
    const text = (await exportOf(campaignId)).body;
    expect(text).toContain(`,"Smith, ""Jo""\nline two",'+44 ref,`);
    expect(text).toContain(`,'=SUM(A1),,'@ref,`);
    expect(text).toContain(`,'-minus,`);
    // The E.164 numbers are not text from outside: no apostrophe.
    expect(text).toContain(`,${testE164('0005')},`);
    for (const row of parse(text, { columns: true }) as Record<string, string>[]) {
      expect(row.start_time === '' || /^2027-01-15T\d\d:\d\d:\d\d\.\d{3}-05:00$/.test(row.start_time!)).toBe(true);
    }
  });

  it("answers 404 for another client's campaign and for one that does not exist", async () => {
    const other = await harness.tenant();
    const { apiKey } = await new TenantRepository(harness.db).createApiKey(other.clientId);
    const foreign = await exportOf(campaignId, { authorization: `Bearer ${apiKey}` });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await exportOf(2_000_000_000)).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `${VOICE}/${campaignId}/export` })).statusCode).toBe(401);
  });
});
