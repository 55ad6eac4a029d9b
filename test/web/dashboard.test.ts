// The web app in a real browser (issue 11): Debian's chromium driven by playwright-core against a whole Ringcast
// (test/helpers/live-stack.ts: the HTTP app and an in-process dialer with the simulated carrier on a virtual clock the
// test speeds up). A person signs in, uploads a CSV with a bad row and sees that row named, creates the campaign,
// pauses and resumes it, watches it run to completion live, and downloads the results, which match the API. The
// README's screenshots are taken here (written to docs/screenshots when UPDATE_SCREENSHOTS=1).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { describeWithPeer } from '../helpers/peers.js';
import { actAndWaitForUrl, CHROMIUM, launchChromium, signIn as signInAt } from '../helpers/browser.js';
import { startLiveStack, type LiveStack } from '../helpers/live-stack.js';
import { ADMIN_TOKEN, adminOf, createTenantThrough, type Tenant } from '../helpers/app.js';
import { buildWebAppIfNeeded } from '../../scripts/build-if-needed.mjs';

/** Tuesday 12 January 2027, 08:50 in London (GMT): ten minutes before the campaign's window opens. */
const START = '2027-01-12T08:50:00Z';
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '../../docs/screenshots') : mkdtempSync(join(tmpdir(), 'ringcast-shots-'));
/** The bad row: row 4 of the file (the header is row 1). */
const CSV = [
  'Phone,Name,Amount',
  '07722 100001,Ann,£12.50',
  '07722 100002,Ben,£8.00',
  '12345,Bad Row,£1.00',
  '07722 100003,Cat,£3.20',
  '07722 100004,Dan,£4.10',
  '07722 100005,Eve,£5.00',
  '07722 100002,Ben again,£8.00',
  '07722 100006,Fay,£6.60',
].join('\n');

describeWithPeer([CHROMIUM], 'the web app in chromium', () => {
  let stack: LiveStack;
  let browser: Browser;
  let tenant: Tenant;
  let downloads: string;

  beforeAll(async () => {
    buildWebAppIfNeeded();
    stack = await startLiveStack({ start: START, env: { CAMPAIGN_MAX_CALLS: '3', CAMPAIGN_MAX_CPS: '1' } });
    tenant = await createTenantThrough(adminOf(stack.app), 'Browser Test Ltd');
    browser = await launchChromium();
    downloads = mkdtempSync(join(tmpdir(), 'ringcast-downloads-'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  const signIn = (page: Page, token: string, role: 'client' | 'operator' = 'client') => signInAt(page, stack.url, token, role);

  it('signs in with the keyboard, refuses a wrong key, and forgets the key on sign-out', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/app/`);
    await page.getByLabel('API key', { exact: true }).fill('rc_not_a_key');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That API key is not accepted');

    await page.getByLabel('API key', { exact: true }).fill(tenant.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ringcast.session'))).toContain(tenant.apiKey);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ringcast.session'))).toBeNull();
    await page.close();
  });

  /** A signed-in page on the new-campaign form, filled in with this name, a date, a window and the CSV. */
  const newCampaignFromCsv = async (name: string) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await signIn(page, tenant.apiKey);
    await page.getByRole('link', { name: 'New campaign' }).first().click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Start date').fill('2027-01-12');
    await page.getByLabel('Daily window opens').fill('09:00');
    await page.getByLabel('Daily window closes').fill('17:00');
    await page.getByLabel('CSV file with a header row').setInputFiles({ name: 'numbers.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    return page;
  };

  it('creates a campaign from a CSV: the bad row is named before and after sending, then left out on request', async () => {
    const page = await newCampaignFromCsv('January reminders');

    // The preview: columns guessed from the headers, the bad row and the repeat listed before anything is sent.
    await expect.poll(() => page.getByLabel('Column for number').inputValue()).toBe('Phone');
    expect(await page.getByLabel('Column for name').inputValue()).toBe('Name');
    await page.getByLabel('Column for parameter1').selectOption('Amount');
    const preview = page.locator('.preview-problems');
    await expect.poll(() => preview.textContent()).toContain('Row 4');
    expect(await preview.textContent()).toContain('6 numbers look valid; 1 invalid; 1 repeated');
    await page.screenshot({ path: join(SCREENSHOTS, 'new-campaign.png'), fullPage: true });

    // Sent as it is: the server refuses the campaign and names the row.
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Numbers the server refused' });
    await refused.waitFor();
    expect((await refused.textContent())!.toLowerCase()).toContain('row 4');
    const list = await adminOf(stack.app)({ method: 'GET', url: '/api/campaigns/voice', headers: tenant.headers });
    expect(list.json()).toEqual([]);

    // Leaving invalid numbers out creates it, and the page moves to the campaign.
    await page.getByLabel('Leave out invalid numbers').check();
    await actAndWaitForUrl(page, () => page.getByRole('button', { name: 'Create campaign' }).click(), /#\/campaigns\/\d+$/);
    await page.getByRole('heading', { name: 'January reminders' }).waitFor();
    await page.close();
  });

  it('says so when an upload gets no usable answer, and the form can be sent again', async () => {
    const page = await newCampaignFromCsv('Never stored');
    await expect.poll(() => page.getByLabel('Column for number').inputValue()).toBe('Phone');
    await page.getByLabel('Leave out invalid numbers').check();
    const create = page.getByRole('button', { name: 'Create campaign' });
    const uploads = '**/api/campaigns/voice/csv**';

    // A 200 that is not JSON (a proxy's page, say): the upload fails with that said, where it used to wait for ever.
    await page.route(uploads, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<html>a proxy page</html>' }));
    await create.click();
    await page.getByRole('alert').filter({ hasText: 'with a body that is not JSON' }).waitFor();
    expect(await create.isEnabled()).toBe(true);
    await page.unroute(uploads);

    // The connection lost: said too, and the button is back.
    await page.route(uploads, (route) => route.abort('connectionreset'));
    await create.click();
    await page.getByRole('alert').filter({ hasText: 'The connection to Ringcast was lost' }).waitFor();
    expect(await create.isEnabled()).toBe(true);
    await page.unroute(uploads);
    expect(page.url()).toMatch(/#\/new$/);
    await page.close();
  });

  it('pauses and resumes the campaign, shows it running live, and downloads results that match the API', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 }, acceptDownloads: true });
    await signIn(page, tenant.apiKey);
    await page.getByRole('link', { name: 'January reminders' }).click();
    const id = Number(page.url().match(/campaigns\/(\d+)/)![1]);
    const status = page.locator('.title-row .status');
    await expect.poll(() => status.textContent()).toBe('Scheduled');
    await expect.poll(() => page.locator('.card').first().textContent()).toContain('0 / 6 finished');

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => status.textContent(), { timeout: 5_000 }).toBe('Paused');
    // A second pause is refused by the server, and the page says why (the button is disabled, so ask the API).
    const again = await fetch(`${stack.url}/api/campaigns/voice/${id}/pause`, { method: 'POST', headers: tenant.headers });
    expect(again.status).toBe(409);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => status.textContent()).not.toBe('Paused');

    // Straight to a second after the window opens, then three times real time to watch the first calls.
    await stack.driver.jumpTo(Date.parse('2027-01-12T09:00:01Z'));
    stack.driver.run(3_000);
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('Running');
    const calls = page.locator('.card').nth(1).locator('.big');
    await expect.poll(async () => Number(await calls.textContent()), { timeout: 20_000 }).toBeGreaterThan(1);
    // The screenshot once some numbers have finished and others are still being called.
    const finished = page.locator('.card').first().locator('.big');
    await expect.poll(() => finished.textContent(), { timeout: 30_000 }).toMatch(/^[2-5] \/ 6 finished/);
    await page.screenshot({ path: join(SCREENSHOTS, 'campaign-live.png'), fullPage: true });
    stack.driver.run(600_000);
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Completed');
    await stack.driver.stop();
    await expect.poll(() => page.locator('.card').first().textContent()).toContain('6 / 6 finished');
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);

    // The results file, as the browser downloads it, against the API's own listing.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download results (CSV)' }).click()]);
    const path = join(downloads, 'results.csv');
    await download.saveAs(path);
    const rows = parse(readFileSync(path), { columns: true }) as Record<string, string>[];
    const api = (await (await fetch(`${stack.url}/api/campaigns/voice/${id}/phonenumbers/100/1`, { headers: tenant.headers })).json()) as {
      number: string;
      calls: { attemptNumber: number; secondsDuration: number }[];
    }[];
    const expected = api.flatMap((entry) => (entry.calls.length === 0 ? [`${entry.number}/`] : entry.calls.map((call) => `${entry.number}/${call.attemptNumber}`)));
    expect(rows.map((row) => `${row.number}/${row.attempt}`).sort()).toEqual(expected.sort());
    await page.close();
  });

  it('edits a call flow with the server\'s errors shown, previews it and plays its speech', async () => {
    const page = await browser.newPage();
    await signIn(page, tenant.apiKey);
    await page.getByRole('link', { name: 'Call flows' }).click();
    await page.getByRole('link', { name: 'Flow', exact: true }).click();
    await page.getByRole('heading', { name: /Flow/ }).waitFor();
    const editor = page.getByLabel('Flow document (JSON)');
    const original = await editor.inputValue();
    const flow = JSON.parse(original) as { start: string };

    // A start step that does not exist: the server's message, by its path, under the editor.
    await editor.fill(JSON.stringify({ ...flow, start: 'nowhere' }));
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Flow\.Start/i);
    await editor.fill(original.replace(/"say":\s*"[^"]*"/, '"say": "Hello {Name}, your balance is {Parameter1}."'));
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved as version 2');

    await page.getByLabel('Name', { exact: true }).fill('Ann');
    await page.getByLabel('Parameters, one per line as 1=value').fill('1=£12.50');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.locator('ol.preview').textContent()).toContain('Hello Ann, your balance is £12.50.');
    // Listening renders the text with the server's text-to-speech (espeak-ng): the page plays it or says why not.
    const [speech] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/speech')),
      page.locator('ol.preview button', { hasText: 'Listen' }).first().click(),
    ]);
    expect(speech.status()).toBe(200);
    expect(speech.headers()['content-type']).toBe('audio/wav');
    // (The WAV itself is checked by test/api/call-flow-speech.test.ts; the devtools protocol does not keep this body.)
    expect(Number(speech.headers()['content-length'])).toBeGreaterThan(8_000);
    // The browser decoded and played it: the button came back, with no error written beside it.
    await expect.poll(() => page.locator('ol.preview button', { hasText: 'Listen' }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.locator('ol.preview small.hint').count()).toBe(0);
    await page.close();
  });

  it('lists campaigns sorted, filtered and paged by the server, with their progress, using the keyboard', async () => {
    // A second campaign, made through the API, so that the list has something to sort and filter out.
    const created = await fetch(`${stack.url}/api/campaigns/voice`, {
      method: 'POST',
      headers: { ...tenant.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'April survey', startDate: '2027-04-01', startTime: '10:00', finishTime: '16:00',
        callflow_Id: tenant.callFlowId, defaultCli_Id: tenant.cliId, answerMachineDetected: 0, smsOnBusy: 0,
        phoneNumbers: [{ number: '07722 200001' }, { number: '07722 200002' }],
      }),
    });
    expect(created.status).toBe(201);
    const page = await browser.newPage();
    await signIn(page, tenant.apiKey);
    const names = () => page.locator('tbody tr td:first-child a').allTextContents();
    await expect.poll(names).toHaveLength(2);
    // The default order is by window, latest first; the Name heading sorts by name, again for the other way.
    await page.getByRole('button', { name: /^Name/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(names).toEqual(['April survey', 'January reminders']);
    await page.keyboard.press('Enter');
    await expect.poll(names).toEqual(['January reminders', 'April survey']);
    // Filtering by name goes to the server (/p) and counts what matches.
    await page.getByLabel('Name contains').fill('surv');
    await expect.poll(names).toEqual(['April survey']);
    expect(await page.locator('.filters .count').textContent()).toBe('1 campaigns');
    await page.getByLabel('Name contains').fill('');
    await page.getByLabel('Status').selectOption({ label: 'Completed' });
    await expect.poll(names).toEqual(['January reminders']);
    const row = page.locator('tbody tr', { hasText: 'January reminders' });
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('6');
    expect(await row.textContent()).toContain('6 / 6');
    await page.close();
  });

  it('lists calls with their detail, reads well on a phone, and the operator issues a key shown once', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(phone, tenant.apiKey);
    await phone.getByRole('link', { name: 'January reminders' }).click();
    await phone.getByRole('link', { name: 'Calls' }).click();
    await phone.getByRole('heading', { name: /^Calls:/ }).waitFor();
    await phone.locator('table.calls tbody tr').first().waitFor();
    expect(await phone.locator('table.calls tbody tr').count()).toBe(6);
    await phone.locator('table.calls tbody button.link').first().click();
    await phone.locator('dl.call').first().waitFor();
    // Wide tables scroll inside their box; the page itself does not scroll sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.close();

    const page = await browser.newPage();
    await signIn(page, ADMIN_TOKEN, 'operator');
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    await expect.poll(() => page.locator('.card', { hasText: 'Carrier' }).textContent()).toContain('Simulated carrier');
    await page.getByRole('link', { name: 'Browser Test Ltd' }).click();
    await page.getByRole('button', { name: 'Issue a new key' }).click();
    const shown = page.locator('.shown-once code');
    await shown.waitFor();
    const key = (await shown.textContent())!;
    const works = await fetch(`${stack.url}/api/callflows`, { headers: { authorization: `Bearer ${key}` } });
    expect(works.status).toBe(200);
    await page.close();
  });
});
