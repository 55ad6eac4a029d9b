// `ringcast campaigns list|show|create|pause|resume|cancel` against a real server on a loopback port: the JSON output
// (stdout not a terminal) is exactly what the API answers, a terminal gets text, server errors print their problem
// and exit 1, usage errors exit 2, and a server that is not there is named in a clear message.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGNS_USAGE } from '../../src/cli/campaigns.js';
import { CampaignStatus } from '../../src/domain/enums.js';
import { createTestApp, documentExampleBody, validCampaign, type Tenant, type TestApp } from '../helpers/app.js';
import { BACKENDS } from '../helpers/backends.js';
import { cliAgainst, listen, type CliRun } from './campaigns-cli.helpers.js';

const VOICE = '/api/campaigns/voice';

describe.each(BACKENDS)('ringcast campaigns on $kind', ({ kind }) => {
  let t: TestApp;
  let url: string;
  let tenant: Tenant;
  let dir: string;
  let cli: ReturnType<typeof cliAgainst>;
  const api = async (url: string) => {
    const response = await t.app.inject({ method: 'GET', url, headers: tenant.headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as unknown;
  };
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const created = async (overrides: Record<string, unknown> = {}) => {
    const run = await cli(['create', '--file', file(`c-${Math.random()}.json`, JSON.stringify(validCampaign(tenant, overrides)))]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { id: number; name: string };
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    url = await listen(t.app);
    tenant = await t.createTenant('CLI client');
    dir = mkdtempSync(join(tmpdir(), 'ringcast-cli-'));
    cli = cliAgainst(url, tenant.apiKey);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a campaign from the document example file (comment line and all), printing the API answer as JSON', async () => {
    const path = file('example.json', documentExampleBody({ callflowId: tenant.callFlowId, cliId: tenant.cliId, name: 'Example' }));
    const run = await cli(['create', '--file', path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const answer = JSON.parse(run.stdout) as { id: number; name: string; phoneNumbers: unknown[] };
    expect(answer).toMatchObject({ name: 'Example', startDate: '2027-10-01', attempts: [{ interval: 0 }, { interval: 15 }, { interval: 30 }] });
    expect(answer.phoneNumbers).toHaveLength(2);
    // One JSON document and nothing else.
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(await api(`${VOICE}/${answer.id}`)).toMatchObject({ id: answer.id, name: 'Example', campaignStatus: CampaignStatus.Scheduled });
  });

  it('shows a created campaign as text on a terminal, with invalid numbers left out when asked', async () => {
    const body = validCampaign(tenant, { name: 'Terminal', phoneNumbers: [{ number: '07722123456' }, { number: '12' }, { number: '07722123456' }] });
    const run = await cli(['create', '--ignore-invalid', '--file', file('terminal.json', JSON.stringify(body))], { stdoutTTY: true });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Created campaign: +\d+ "Terminal"$/m);
    expect(run.stdout).toMatch(/^Numbers added: +1$/m);
    expect(run.stdout).toMatch(/^Left out \(invalid\): 1\n {2}entry 1 12: /m);
    expect(run.stdout).toMatch(/^Duplicates merged: 1\n {2}entry 2 \+447722123456 = entry 0$/m);
  });

  it('prints each failing field of a 400 with its path and exits 1; stdout gets the problem document', async () => {
    const body = validCampaign(tenant, { name: '', phoneNumbers: [{ number: '12345' }] });
    const run = await cli(['create', '--file', file('bad.json', JSON.stringify(body))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ringcast: the server answered 400 One or more validation errors occurred\.$/m);
    expect(run.stderr).toMatch(/^ {2}Name: .+$/m);
    expect(run.stderr).toMatch(/^ {2}PhoneNumbers\[0\]\.Number: .+$/m);
    const problem = JSON.parse(run.stdout) as { status: number; errors: Record<string, string[]> };
    expect(problem.status).toBe(400);
    expect(Object.keys(problem.errors)).toEqual(expect.arrayContaining(['Name', 'PhoneNumbers[0].Number']));
    // Sixty bad numbers: fifty lines, then how many more there are; the JSON output has them all.
    const many = validCampaign(tenant, { phoneNumbers: Array.from({ length: 60 }, (_, i) => ({ number: `1${i}` })) });
    const long = await cli(['create', '--file', file('many.json', JSON.stringify(many))]);
    expect(long.code).toBe(1);
    expect(long.stderr.trimEnd().split('\n')).toHaveLength(1 + 50 + 1);
    expect(long.stderr).toMatch(/^ {2}\.\.\. and 10 more \(the whole problem is the JSON output when stdout is not a terminal\)$/m);
    expect(Object.keys((JSON.parse(long.stdout) as { errors: object }).errors)).toHaveLength(60);
    // On a terminal the problem is printed only once, on stderr.
    const onTerminal = await cli(['create', '--file', file('bad.json', JSON.stringify(body))], { stdoutTTY: true });
    expect(onTerminal).toMatchObject({ code: 1, stdout: '' });
  });

  it('lists a page of campaigns exactly as the API answers it, and as a table on a terminal', async () => {
    const mine = await created({ name: 'Listed alpha' });
    await created({ name: 'Listed beta' });
    const args = ['list', '--size', '1', '--page', '2', '--sort', 'name', '--order', 'desc', '--filter', 'name=Listed'];
    const run = await cli(args);
    expect(run.code, run.stderr).toBe(0);
    const expected = await api(`${VOICE}/p?pageSize=1&pageIndex=2&sortColumn=name&sortOrder=desc&name=Listed`);
    expect(JSON.parse(run.stdout)).toEqual(expected);
    expect(expected).toMatchObject({ pageIndex: 2, totalRecords: 2, items: [{ id: mine.id, name: 'Listed alpha' }] });

    const table = await cli(['list', '--filter', 'name=Listed', '--sort', 'name'], { stdoutTTY: true });
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +STATUS +STARTS +FINISHED +CALLS +ANSWERED +COST$/);
    expect(lines[1]).toMatch(new RegExp(`^ *${mine.id}  Listed alpha +Scheduled +2027-01-15 09:00-17:00 +0/1 +0 +0 +£0\\.00$`));
    expect(lines[2]).toContain('Listed beta');
    expect(lines[3]).toBe('Page 1 of 1 (2 campaigns)');

    // A filter the server refuses is its 400, with the parameter named.
    const refused = await cli(['list', '--filter', 'campaignStatus=42']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ {2}campaignStatus: campaignStatus must be one of 0, 1, 2, 3, 4, 5/m);
  });

  it('shows a campaign: the detail as JSON, key: value lines with its numbers on a terminal', async () => {
    const mine = await created({ name: 'Shown', phoneNumbers: [{ number: '07722123456' }, { number: '07722123457' }] });
    const run = await cli(['show', String(mine.id)]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(await api(`${VOICE}/${mine.id}`));

    const text = await cli(['show', String(mine.id)], { stdoutTTY: true });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^ID: +${mine.id}$`, 'm'));
    expect(text.stdout).toMatch(/^Status: +Scheduled \(0\)$/m);
    expect(text.stdout).toMatch(/^Starts: +2027-01-15 09:00, calls 09:00-17:00 \(Europe\/London\)$/m);
    expect(text.stdout).toMatch(/^Numbers: +0\/2 finished \(Pending 2\)$/m);
    expect(text.stdout).toMatch(/^Lines in use: +0\/10/m);

    const missing = await cli(['show', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ringcast: the server answered 404 Not found.\n  Campaign 999999 does not exist.');
  });

  it('pauses, resumes and cancels; an action the status does not allow is the 409 with its detail, exit 1', async () => {
    const mine = await created({ name: 'Lifecycle' });
    const id = String(mine.id);
    const paused = await cli(['pause', id]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ id: mine.id, campaignStatus: CampaignStatus.Paused });

    const again = await cli(['pause', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^ringcast: the server answered 409 Conflict\.\n {2}\S.*$/m);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 409, detail: expect.any(String) });
    expect(again.stderr).toContain((JSON.parse(again.stdout) as { detail: string }).detail);

    const resumed = await cli(['resume', id], { stdoutTTY: true });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe(`Campaign ${id} "Lifecycle": resumed; status now Scheduled (0).\n`);

    const cancelled = await cli(['cancel', id]);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ campaignStatus: CampaignStatus.Cancelled });
    const late = await cli(['resume', id]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('409 Conflict');
    expect(await api(`${VOICE}/${id}`)).toMatchObject({ campaignStatus: CampaignStatus.Cancelled });
  });

  it('refuses bad command lines with exit 2 and a message, before asking the server', async () => {
    const usage = async (args: string[], pattern: RegExp, env: Record<string, string | undefined> = {}) => {
      const run: CliRun = await cli(args, { env });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(pattern);
      expect(run.stdout).toBe('');
    };
    await usage(['list'], /no API key: set RINGCAST_API_KEY \(or pass --key KEY\)/, { RINGCAST_API_KEY: undefined });
    await usage(['list'], /no API key/, { RINGCAST_API_KEY: '  ' });
    await usage(['frobnicate'], /unknown campaigns command "frobnicate"/);
    await usage(['show'], /ID is missing\nusage: ringcast campaigns show ID/);
    await usage(['show', '1', '2'], /unexpected "2"/);
    await usage(['show', 'abc'], /the campaign id must be a positive whole number \(got "abc"\)/);
    await usage(['pause', '0'], /positive whole number/);
    await usage(['list', '--colour'], /Unknown option '--colour'/);
    await usage(['list', '--page', 'two'], /--page must be a positive whole number/);
    await usage(['list', '--order', 'sideways'], /--order must be asc or desc/);
    await usage(['list', '--filter', 'Listed'], /--filter takes NAME=VALUE/);
    await usage(['list', '--url', 'ftp://example.com'], /--url must be http:\/\/ or https:\/\//);
    await usage(['list'], /is not a URL/, { RINGCAST_URL: 'not a url' });
    await usage(['create'], /--file is required/);
    await usage(['create', '--file', join(dir, 'missing.json')], /--file .*missing\.json: ENOENT/);
    await usage(['create', '--file', file('ok.json', '{}'), '--columns', 'number=Phone'], /--columns goes with --csv/);
    await usage(['create', '--file', file('notjson.json', '{ nope'), '--csv', file('n.csv', 'number\n')], /is not valid JSON/);
    await usage(['watch', '1', '--interval-ms', '-5'], /--interval-ms|ambiguous/);
    await usage(['export', '1', '--output', join(dir, 'no-such-dir', 'x.csv')], /--output .*: ENOENT/);

    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: 0, stdout: `${CAMPAIGNS_USAGE}\n` });
    expect((await cli(['show', '--help'])).code).toBe(0);
  });

  it('takes --url and --key over the environment; a bad key is the 401, exit 1', async () => {
    const flags = await cli(['list', '--url', url, '--key', tenant.apiKey], { env: { RINGCAST_URL: 'http://127.0.0.1:9', RINGCAST_API_KEY: 'rc_wrong' } });
    expect(flags.code, flags.stderr).toBe(0);
    const wrong = await cli(['list'], { env: { RINGCAST_API_KEY: 'rc_not_a_key' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^ringcast: the server answered 401 Authentication is required\.\n {2}The API key is not valid or has been revoked\.$/m);
  });

  it('prints an error answer that is not a problem document (a proxy\'s 502 page) as its status and text', async () => {
    const proxy = createServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const run = await cli(['list'], { env: { RINGCAST_URL: `http://127.0.0.1:${(proxy.address() as { port: number }).port}` } });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('ringcast: the server answered 502 Bad Gateway\n  <html><body>502 Bad Gateway</body></html>\n');
      expect(JSON.parse(run.stdout)).toEqual({ status: 502, title: 'Bad Gateway', detail: '<html><body>502 Bad Gateway</body></html>' });
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('names the server that cannot be reached and exits 1', async () => {
    // A port that was just free: nothing listens there.
    const closed = t.app.server.address() as { port: number };
    const other = await import('node:net').then(
      (net) =>
        new Promise<number>((resolve) => {
          const server = net.createServer().listen(0, '127.0.0.1', () => {
            const port = (server.address() as { port: number }).port;
            server.close(() => resolve(port));
          });
        }),
    );
    expect(other).not.toBe(closed.port);
    const run = await cli(['list'], { env: { RINGCAST_URL: `http://127.0.0.1:${other}` } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `ringcast: cannot reach the Ringcast server at http://127.0.0.1:${other} (ECONNREFUSED); is it running? Set --url or RINGCAST_URL.\n`,
    );
  });

  it('exits with the status as a process: 0, 1 for a server error, 2 for usage', async () => {
    const mine = await created({ name: 'Child process' });
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<CliRun>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'campaigns', ...args], {
          env: { ...process.env, RINGCAST_URL: url, RINGCAST_API_KEY: tenant.apiKey, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    const [shown, missing, noKey] = await Promise.all([
      run(['show', String(mine.id)], {}),
      run(['cancel', '999999'], {}),
      run(['list'], { RINGCAST_API_KEY: '' }),
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: mine.id, name: 'Child process' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404 Not found.');
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('no API key');
  }, 30_000);
});
