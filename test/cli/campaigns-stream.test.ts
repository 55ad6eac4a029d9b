// The streaming commands of `ringcast campaigns` against a real server on a loopback port whose campaigns the real
// dialer runs on the simulated carrier in virtual time: create --csv and add-csv (a multipart body streamed from a
// file on disk, with the progress bar on a terminal's stderr), watch until the campaign completes or is cancelled,
// and export, compared byte for byte with the API's own answer.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignStatus } from '../../src/domain/enums.js';
import { formatUploadProgress, formatWatchLine, type CampaignSummary } from '../../src/cli/progress.js';
import { BACKENDS } from '../helpers/backends.js';
import { mobileNumbers, type HarnessTenant } from '../helpers/dialer-harness.js';
import { MIXED_NUMBERS, openSummaryApp, UNPACED, type SummaryTestApp } from '../api/campaign-summary.helpers.js';
import { cliAgainst, listen } from './campaigns-cli.helpers.js';

const VOICE = '/api/campaigns/voice';

describe('progress text', () => {
  it('shows bytes, rows (header not counted) and rows per second of an upload', () => {
    const text = formatUploadProgress({ bytes: 512 * 1024, totalBytes: 1024 * 1024, lines: 2001 }, 2000);
    expect(text).toBe('[##########----------]  50% 512.0 KiB/1.0 MiB 2,000 rows 1,000 rows/s');
    // Under 80 columns for a 999 MiB file of ten million rows sent at a million rows a second.
    expect(formatUploadProgress({ bytes: 999 * 1024 ** 2, totalBytes: 999 * 1024 ** 2, lines: 10_000_000 }, 10_000).length).toBeLessThan(80);
  });
});

describe.each(BACKENDS)('ringcast campaigns uploads, watch and export on $kind', ({ kind }) => {
  let t: SummaryTestApp;
  let url: string;
  let tenant: HarnessTenant & { headers: Record<string, string> };
  let cli: ReturnType<typeof cliAgainst>;
  let dir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  // Months after the watched campaign's day: the dialer that runs it leaves these alone.
  const campaignFile = (name: string, extra: Record<string, unknown> = {}) =>
    file(
      `${name}.json`,
      // phoneNumbers in the file are left out of the campaign part: the CSV's rows are the numbers.
      JSON.stringify({ name, startDate: '2027-06-01', startTime: '09:00', finishTime: '17:00', callflow_Id: tenant.callFlowId, defaultCli_Id: tenant.cliId, answerMachineDetected: 0, smsOnBusy: 0, phoneNumbers: [{ number: '07722999999' }], ...extra }),
    );
  const get = async (path: string) => {
    const response = await t.app.inject({ method: 'GET', url: path, headers: tenant.headers });
    expect(response.statusCode, response.body).toBe(200);
    return response;
  };
  const summaryOf = async (id: number) => (await get(`${VOICE}/${id}/summary`)).json() as CampaignSummary;

  beforeAll(async () => {
    t = await openSummaryApp(kind);
    t.clockAt('2027-01-14T12:00:00Z');
    url = await listen(t.app);
    tenant = await t.tenant();
    cli = cliAgainst(url, tenant.headers.authorization!.replace('Bearer ', ''));
    dir = mkdtempSync(join(tmpdir(), 'ringcast-cli-stream-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a campaign from a CSV of 4,000 rows with a column mapping, drawing the progress bar on a terminal', async () => {
    const numbers = mobileNumbers(4000, 300_000);
    const csv = `Phone,Customer,Amount\n${numbers.map((number, i) => `${number},Customer ${i},£${i}.00`).join('\n')}\n`;
    const run = await cli(
      ['create', '--file', campaignFile('From CSV'), '--csv', file('numbers.csv', csv), '--columns', 'number=Phone,name=Customer,parameter1=Amount'],
      { stderrTTY: true },
    );
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout) as { id: number; rows: number; numbersAdded: number; columns: Record<string, string> };
    expect(created).toMatchObject({ name: 'From CSV', rows: 4000, numbersAdded: 4000, columns: { number: 'Phone', name: 'Customer', parameter1: 'Amount' } });
    expect((await summaryOf(created.id)).numbers.total).toBe(4000);
    const [last] = (await get(`${VOICE}/${created.id}/phonenumbers/1/4000`)).json() as { number: string; name: string; parameters: unknown[] }[];
    expect(last).toMatchObject({ number: `+44${numbers[3999]!.slice(1)}`, name: 'Customer 3999', parameters: [{ parameter: 1, value: '£3999.00' }] });

    // The bar: redrawn in place, ending on the whole file (every row counted, the header not) and a line feed.
    const draws = run.stderr.split('\r\x1b[K').filter((draw) => draw !== '');
    expect(draws.length).toBeGreaterThanOrEqual(2);
    const size = Buffer.byteLength(csv);
    const final = draws.at(-1)!;
    expect(final).toMatch(new RegExp(`^\\[#{20}\\] 100% ${(size / 1024).toFixed(1)} KiB/${(size / 1024).toFixed(1)} KiB 4,000 rows [\\d,]+ rows/s\\n$`));
    expect(draws.some((draw) => /^Sent [\d.]+ KiB, 4,000 rows \([\d,]+ rows\/s\); the server is checking them\.\.\.$/.test(draw))).toBe(true);

    // Not a terminal: no progress at all.
    const quiet = await cli(['create', '--file', campaignFile('From CSV quietly'), '--csv', file('numbers.csv', csv)]);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
  });

  it('answers a CSV with bad rows by row and path (exit 1), or leaves them out with --ignore-invalid', async () => {
    const csv = 'number,name\n07722 100001,Ann\n12345,Bad\n07722 100001,Again\nnot a number,Worse';
    const refused = await cli(['create', '--file', campaignFile('Bad rows'), '--csv', file('bad.csv', csv)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ringcast: the server answered 400 One or more validation errors occurred\.$/m);
    expect(refused.stderr).toMatch(/^ {2}PhoneNumbers\[1\]\.Number: Row 3: /m);
    expect(refused.stderr).toMatch(/^ {2}PhoneNumbers\[3\]\.Number: Row 5: /m);

    const kept = await cli(['create', '--ignore-invalid', '--file', campaignFile('Bad rows left out'), '--csv', file('bad.csv', csv)], { stdoutTTY: true });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/^Rows read: +4$/m);
    expect(kept.stdout).toMatch(/^Numbers added: +1$/m);
    expect(kept.stdout).toMatch(/^Columns: +number=number, name=name$/m);
    expect(kept.stdout).toMatch(/^Left out \(invalid\): 2\n {2}row 3 12345: .+\n {2}row 5 not a number: .+$/m);
    expect(kept.stdout).toMatch(/^Duplicates merged: 1\n {2}row 4 \+447722100001 = row 2$/m);
  });

  it('adds the numbers of a CSV to a campaign; numbers it has are skipped', async () => {
    const first = await cli(['create', '--file', campaignFile('Added to'), '--csv', file('first.csv', `number\n${mobileNumbers(50, 400_000).join('\n')}\n`)]);
    const { id } = JSON.parse(first.stdout) as { id: number };
    const csv = `Mobile,Who\n${mobileNumbers(100, 400_000).map((n) => `${n},W${n.slice(-3)}`).join('\n')}\n`;
    const run = await cli(['add-csv', String(id), '--csv', file('more.csv', csv), '--columns', '{"number":"Mobile","name":"Who"}']);
    expect(run.code, run.stderr).toBe(0);
    const added = JSON.parse(run.stdout) as { added: number; alreadyInCampaign: string[]; rows: number };
    expect(added).toMatchObject({ added: 50, rows: 100, columns: { number: 'Mobile', name: 'Who' } });
    expect(added.alreadyInCampaign).toHaveLength(50);
    expect((await summaryOf(id)).numbers.total).toBe(100);
  });

  it('gets the 409 of a cancelled campaign for a 6 MB upload, not a broken-connection error', async () => {
    const created = await cli(['create', '--file', campaignFile('Cancelled first'), '--csv', file('one.csv', 'number\n07722 100001\n')]);
    const { id } = JSON.parse(created.stdout) as { id: number };
    expect((await cli(['cancel', String(id)])).code).toBe(0);
    // About 6 MB: far more than the socket buffers hold, so the answer comes while the body is still going out.
    const big = file('big.csv', `number\n${mobileNumbers(400_000, 100_000).join('\n')}\n`);
    const run = await cli(['add-csv', String(id), '--csv', big], { stderrTTY: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ringcast: the server answered 409 Conflict\.\n {2}\S.*/);
  });

  it('watches a campaign the dialer runs until it completes, a JSON line per change; then exports it as the API does', async () => {
    const clock = t.clockAt('2027-01-15T08:00:00Z');
    const id = await t.harness.campaign(tenant, { name: 'Watched', startDate: '2027-01-15', startTime: '09:00', finishTime: '17:00', phoneNumbers: MIXED_NUMBERS }, clock.now());
    const lines: CampaignSummary[] = [];
    const watching = cli(['watch', String(id), '--interval-ms', '5'], {
      onStdout: (text) => lines.push(...text.trim().split('\n').map((line) => JSON.parse(line) as CampaignSummary)),
    });
    let steps = 0;
    await t.harness.run({
      clock,
      campaignIds: [id],
      config: { pacing: UNPACED },
      // Real time between virtual steps, so the watch's polls see the campaign midway.
      onStep: async () => {
        if (++steps % 10 === 0) await sleep(15);
      },
    });
    const watched = await watching;
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stderr).toBe('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.some((line) => line.numbers.finished > 0 && line.numbers.finished < line.numbers.total)).toBe(true);
    for (const [i, line] of lines.entries()) if (i > 0) expect(line.numbers.finished).toBeGreaterThanOrEqual(lines[i - 1]!.numbers.finished);
    const final = await summaryOf(id);
    expect(lines.at(-1)).toEqual(final);
    expect(final).toMatchObject({ campaignStatus: CampaignStatus.Completed, numbers: { finished: MIXED_NUMBERS.length } });

    // On a terminal: the one line, left with a line feed once the campaign is over.
    const onTerminal = await cli(['watch', String(id)], { stdoutTTY: true });
    expect(onTerminal.stdout).toBe(`\r\x1b[K${formatWatchLine(final)}\n`);
    expect(onTerminal.stdout).toMatch(new RegExp(`Completed +\\[#{12}\\] ${MIXED_NUMBERS.length}/${MIXED_NUMBERS.length} numbers  calls \\d+  answered \\d+  in flight 0/10`));

    const expected = (await get(`${VOICE}/${id}/export`)).body;
    expect(expected.split('\n').length).toBeGreaterThan(MIXED_NUMBERS.length);
    const output = join(dir, 'export.csv');
    const exported = await cli(['export', String(id), '--output', output]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(expected);
    const rows = expected.trimEnd().split('\n').length - 1;
    expect(JSON.parse(exported.stdout)).toEqual({ id, output, bytes: Buffer.byteLength(expected), rows });
    const toStdout = await cli(['export', String(id)]);
    expect(toStdout).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    const told = await cli(['export', String(id), '-o', output], { stdoutTTY: true });
    expect(told.stdout).toMatch(new RegExp(`^Rows: +${rows.toLocaleString('en-GB')}$`, 'm'));

    // Another client's campaign (or none): the 404, and no file left behind.
    const missing = join(dir, 'missing.csv');
    const refused = await cli(['export', '999999', '--output', missing]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('404 Not found.');
    expect(existsSync(missing)).toBe(false);
  }, 60_000);

  it('stops watching when the campaign is cancelled', async () => {
    const clock = t.clockAt('2027-03-01T08:00:00Z');
    const id = await t.harness.campaign(tenant, { name: 'Cancelled while watched', startDate: '2027-06-01', startTime: '09:00', finishTime: '17:00', phoneNumbers: mobileNumbers(5, 500_000) }, clock.now());
    const lines: CampaignSummary[] = [];
    let cancelled: Promise<unknown> | undefined;
    const watched = await cli(['watch', String(id), '--interval-ms', '10'], {
      onStdout: (text) => {
        lines.push(JSON.parse(text) as CampaignSummary);
        cancelled ??= cli(['cancel', String(id)]);
      },
    });
    await cancelled;
    expect(watched.code, watched.stderr).toBe(0);
    expect(lines.map((line) => line.campaignStatus)).toEqual([CampaignStatus.Scheduled, CampaignStatus.Cancelled]);
    expect(lines[1]!.numbers.byStatus.Cancelled).toBe(5);
  });
});
