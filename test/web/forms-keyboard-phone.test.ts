// The web app's editors, keyboard use and phone width in a real browser (issue 11, second part): the new-campaign
// form's calling-hours editor with the server's messages beside the interval they name; the operator editing a
// client's call flow (a new version) with the client's editor; binary answers (the export) sharing the JSON requests'
// auth and problem handling; a walk through the pages with the keyboard only, every focused element visibly
// outlined; and every page at 375 px without sideways scrolling (wide tables scroll in their own box).
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeWithPeer } from '../helpers/peers.js';
import { CHROMIUM, launchChromium, signIn as signInAt } from '../helpers/browser.js';
import { startLiveStack, type LiveStack } from '../helpers/live-stack.js';
import { ADMIN_TOKEN, adminOf, createTenantThrough, type Tenant } from '../helpers/app.js';
import { buildWebAppIfNeeded } from '../../scripts/build-if-needed.mjs';
import { CampaignStatus } from '../../src/domain/enums.js';

/** Tuesday 12 January 2027, 08:50 in London: the "Finished run" campaign's window opens at 09:00. */
const START = '2027-01-12T08:50:00Z';

describeWithPeer([CHROMIUM], 'the web app: editors, keyboard and phone width', () => {
  let stack: LiveStack;
  let browser: Browser;
  let tenant: Tenant;
  /** A campaign run to completion (its calls fill the log) and one scheduled for later (to pause). */
  let finishedId: number;
  let laterId: number;

  const createCampaign = async (name: string, startDate: string, numbers: string[]) => {
    const response = await fetch(`${stack.url}/api/campaigns/voice`, {
      method: 'POST',
      headers: { ...tenant.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        name, startDate, startTime: '09:00', finishTime: '17:00', callflow_Id: tenant.callFlowId, defaultCli_Id: tenant.cliId,
        answerMachineDetected: 0, smsOnBusy: 0, phoneNumbers: numbers.map((number) => ({ number })),
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: number }).id;
  };
  const statusOf = async (id: number) =>
    ((await (await fetch(`${stack.url}/api/campaigns/voice/${id}`, { headers: tenant.headers })).json()) as { campaignStatus: number }).campaignStatus;

  beforeAll(async () => {
    buildWebAppIfNeeded();
    stack = await startLiveStack({ start: START, env: { CAMPAIGN_MAX_CALLS: '3', CAMPAIGN_MAX_CPS: '1' } });
    tenant = await createTenantThrough(adminOf(stack.app), 'Keyboard Ltd');
    finishedId = await createCampaign('Finished run', '2027-01-12', ['07722 400001', '07722 400002', '07722 400003']);
    laterId = await createCampaign('Later campaign', '2027-02-02', ['07722 400011']);
    await stack.driver.jumpTo(Date.parse('2027-01-12T09:00:01Z'));
    stack.driver.run(600_000);
    // (expect.poll is for tests only; a hook waits by hand.)
    const deadline = Date.now() + 60_000;
    while ((await statusOf(finishedId)) !== CampaignStatus.Completed) {
      if (Date.now() > deadline) throw new Error('the "Finished run" campaign did not complete within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await stack.driver.stop();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const signIn = (page: Page, token: string, role: 'client' | 'operator' = 'client') => signInAt(page, stack.url, token, role);

  /** What the focused element is, as text a test can match, and whether its focus ring shows. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return { name: '', visible: false };
      const label =
        element.getAttribute('aria-label') ?? (element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : undefined) ?? element.closest('label')?.textContent ?? '';
      const style = getComputedStyle(element);
      return {
        name: `${element.tagName.toLowerCase()}.${element.className} ${label.trim()} ${(element.textContent ?? '').trim().slice(0, 80)}`,
        visible: element.matches(':focus, :focus-within') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        outline: `${style.outlineStyle} ${style.outlineWidth}`,
      };
    });

  /** Presses Tab (or Shift+Tab) until the focused element matches, checking that each element on the way shows its focus. */
  async function tabTo(page: Page, wanted: RegExp, key: 'Tab' | 'Shift+Tab' = 'Tab') {
    const seen: string[] = [];
    for (let presses = 0; presses < 80; presses++) {
      await page.keyboard.press(key);
      const now = await focused(page);
      if (now.name === '') continue;
      expect(now.visible, `focus ring on ${now.name} (${now.outline})`).toBe(true);
      if (wanted.test(now.name)) return;
      seen.push(now.name);
    }
    throw new Error(`${wanted} was not reached with ${key}; focused on the way: ${seen.join(' | ')}`);
  }

  it('edits calling hours: a widening is refused beside its interval, then the narrowed hours are sent and accepted', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await signIn(page, tenant.apiKey);
    await page.getByRole('link', { name: 'New campaign' }).first().click();
    await page.getByLabel('Name').fill('Narrow hours');
    await page.getByLabel('Start date').fill('2027-01-13');
    await page.getByLabel('Type them').check();
    await page.getByLabel('One number per line').fill('07722 500001');

    const monday = page.getByRole('group', { name: 'Monday' });
    expect(await monday.textContent()).toContain("the client's hours");
    await page.getByRole('button', { name: 'Add hours on Monday' }).click();
    await page.getByLabel('Monday hours 1 from').fill('07:00');
    await page.getByLabel('Monday hours 1 to').fill('10:00');
    await page.getByRole('button', { name: 'No calls on Saturday' }).click();
    expect(await page.getByRole('group', { name: 'Saturday' }).textContent()).toContain('no calls');
    await page.getByLabel('Dates without calls').fill('2027-01-14');
    await page.getByLabel('Scotland').check();

    // Monday 07:00 is before the client's 08:00: the server's message sits beside that interval, nowhere else.
    const [refusedRequest] = await Promise.all([page.waitForRequest((request) => request.url().endsWith('/api/campaigns/voice') && request.method() === 'POST'), page.getByRole('button', { name: 'Create campaign' }).click()]);
    expect(refusedRequest.postDataJSON().callingHours).toEqual({
      weekdays: { monday: [{ start: '07:00', finish: '10:00' }], saturday: [] },
      holidays: ['scotland'],
      excludedDates: ['2027-01-14'],
    });
    const mondayError = monday.locator('small.error');
    await expect.poll(() => mondayError.textContent()).toContain("is outside this client's calling hours on Mondays");
    expect(await page.getByLabel('Monday hours 1 from').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('group', { name: 'Tuesday' }).locator('small.error').count()).toBe(0);
    expect(await page.getByRole('alert').filter({ hasText: 'field(s) need changing' }).count()).toBe(1);

    // Within the client's hours it is created with them.
    await page.getByLabel('Monday hours 1 from').fill('09:30');
    const [acceptedRequest] = await Promise.all([page.waitForRequest((request) => request.url().endsWith('/api/campaigns/voice') && request.method() === 'POST'), page.getByRole('button', { name: 'Create campaign' }).click()]);
    expect(acceptedRequest.postDataJSON().callingHours).toMatchObject({ weekdays: { monday: [{ start: '09:30', finish: '10:00' }] }, holidays: ['scotland'] });
    await page.waitForURL(/#\/campaigns\/\d+$/);
    await page.getByRole('heading', { name: 'Narrow hours' }).waitFor();

    // Clear puts every day back to the client's hours, and nothing narrows them any more.
    await page.getByRole('link', { name: 'New campaign' }).first().click();
    await page.getByRole('button', { name: 'Add hours on Friday' }).click();
    await page.getByRole('button', { name: "Clear: use the client's hours" }).click();
    expect(await page.getByRole('group', { name: 'Friday' }).textContent()).toContain("the client's hours");
    expect(await page.getByRole('button', { name: "Clear: use the client's hours" }).isDisabled()).toBe(true);
    await page.close();
  });

  it("lets the operator edit a client's call flow as a new version, with the server's messages beside the document", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await signIn(page, ADMIN_TOKEN, 'operator');
    await page.getByRole('link', { name: 'Keyboard Ltd' }).click();
    await page.getByRole('table', { name: 'Call flows' }).getByRole('link', { name: 'Flow', exact: true }).click();
    const editor = page.getByLabel('Flow document (JSON)');
    await expect.poll(() => editor.inputValue()).toContain('"start"');
    const original = await editor.inputValue();
    const versions = page.getByRole('table', { name: 'Versions' }).locator('tbody tr');
    await expect.poll(() => versions.count()).toBe(1);

    await editor.fill(JSON.stringify({ ...(JSON.parse(original) as object), start: 'nowhere' }));
    await page.getByRole('button', { name: 'Save a new version' }).click();
    const documentError = page.locator('.field', { has: editor }).locator('small.error');
    await expect.poll(() => documentError.first().textContent()).toMatch(/^flow\.start: /i);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    // Not JSON at all is said beside the document before anything is sent.
    await editor.fill('{"start": ');
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await expect.poll(() => documentError.first().textContent()).toMatch(/^flow: is not valid JSON: /);

    await editor.fill(original);
    await page.getByLabel('Flow name').fill('Flow (operator edit)');
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Saved as version 2');
    await expect.poll(() => versions.count()).toBe(2);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Flow (operator edit)');
    const stored = await adminOf(stack.app)({ method: 'GET', url: `/api/admin/clients/${tenant.clientId}/callflows/${tenant.callFlowId}` });
    expect(stored.json()).toMatchObject({ name: 'Flow (operator edit)', version: 2 });
    await page.close();
  });

  it("plays a flow's speech through the shared request, and shows the server's problem when it refuses", async () => {
    const admin = adminOf(stack.app);
    const spare = await admin({ method: 'POST', url: `/api/admin/clients/${tenant.clientId}/callflows`, payload: { name: 'Spare flow' } });
    expect(spare.statusCode).toBe(201);
    const spareId = (spare.json() as { id: number }).id;
    const page = await browser.newPage();
    await signIn(page, tenant.apiKey);
    await page.goto(`${stack.url}/app/#/flows/${spareId}`);
    await page.getByRole('button', { name: 'Preview' }).click();
    const listen = page.locator('ol.preview button', { hasText: 'Listen' }).first();
    await listen.waitFor();
    // The flow is deleted meanwhile: the speech request's 404 problem is read by api.ts and its detail shown.
    expect((await admin({ method: 'DELETE', url: `/api/admin/clients/${tenant.clientId}/callflows/${spareId}` })).statusCode).toBe(204);
    const [speech] = await Promise.all([page.waitForResponse((response) => response.url().endsWith('/speech')), listen.click()]);
    expect(speech.status()).toBe(404);
    await expect.poll(() => page.locator('ol.preview small.hint').first().textContent()).toBe(`(Call flow ${spareId} does not exist.)`);
    await page.close();
  });

  it('downloads the export through the shared request: a key revoked meanwhile signs the page out', async () => {
    const admin = adminOf(stack.app);
    const issued = await admin({ method: 'POST', url: `/api/admin/clients/${tenant.clientId}/apikeys`, payload: {} });
    expect(issued.statusCode).toBe(201);
    const { id: keyId, apiKey } = issued.json() as { id: number; apiKey: string };
    const page = await browser.newPage({ acceptDownloads: true });
    await signIn(page, apiKey);
    await page.getByRole('link', { name: 'Finished run' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download results (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe(`campaign-${finishedId}.csv`);

    expect((await admin({ method: 'DELETE', url: `/api/admin/apikeys/${keyId}` })).statusCode).toBe(204);
    await page.getByRole('button', { name: 'Download results (CSV)' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ringcast.session'))).toBeNull();
    await page.close();
  });

  it('goes through every page with the keyboard only, focus always visible', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    await page.goto(`${stack.url}/app/`);
    await tabTo(page, /^input\..* API key/);
    await page.keyboard.type(tenant.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    // The list's rows come with its fetch, after the heading: tabbing before they arrive walks a page without them
    // (seen once in CI). Waiting is not an interaction; the keyboard still does everything.
    await page.getByRole('link', { name: 'Later campaign' }).waitFor();

    // Open the later campaign and pause it with the space bar.
    await tabTo(page, /^a\. .*Later campaign/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Later campaign' }).waitFor();
    await tabTo(page, /^button\. .*Pause$/);
    await page.keyboard.press(' ');
    await expect.poll(() => statusOf(laterId)).toBe(CampaignStatus.Paused);
    await expect.poll(() => page.locator('.title-row .status').textContent()).toBe('Paused');

    // Back to the list (the header's link, behind the focus), the finished campaign, its calls and one call's detail.
    await tabTo(page, /^a\. +Campaigns$/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Finished run' }).waitFor();
    await tabTo(page, /^a\. .*Finished run/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Finished run' }).waitFor();
    await tabTo(page, /^a\.button secondary +Calls$/);
    await page.keyboard.press('Enter');
    await page.locator('table.calls tbody tr').first().waitFor();
    await tabTo(page, /^button\.link /);
    await page.keyboard.press('Enter');
    await page.locator('dl.call').first().waitFor();
    expect(await page.locator('table.calls button.link[aria-expanded="true"]').count()).toBe(1);

    // The new-campaign form, numbers typed (the radio group is moved with an arrow key), sent without a name.
    await tabTo(page, /^a\. +New campaign$/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    await tabTo(page, /^input\. .*Upload a CSV file/);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByLabel('Type them').isChecked()).toBe(true);
    await tabTo(page, /^textarea\. .*One number per line/);
    await page.keyboard.type('07722 600001');
    // Calling hours: adding an interval puts the focus in it, and its times are typed (24-hour in en-GB).
    await tabTo(page, /Add hours on Monday/, 'Shift+Tab');
    await page.keyboard.press(' ');
    await expect.poll(async () => (await focused(page)).name).toMatch(/^input\. Monday hours 1 from/);
    await page.keyboard.type('0700');
    await tabTo(page, /^input\. Monday hours 1 to/);
    await page.keyboard.type('1000');
    expect(await page.getByLabel('Monday hours 1 from').inputValue()).toBe('07:00');
    // A button that goes away with its change leaves the focus on the day's Add, not lost on the page.
    await tabTo(page, /No calls on Tuesday/);
    await page.keyboard.press(' ');
    await expect.poll(async () => (await focused(page)).name).toMatch(/Add hours on Tuesday/);
    await tabTo(page, /Tuesday: the client's hours/);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).name).toMatch(/Add hours on Tuesday/);
    expect(await page.getByRole('group', { name: 'Tuesday' }).textContent()).toContain("the client's hours");
    await tabTo(page, /^button\. .*Create campaign$/);
    await page.keyboard.press('Enter');
    const nameError = page.locator('.field', { has: page.locator('#name') }).locator('small.error');
    await expect.poll(() => nameError.count()).toBeGreaterThan(0);
    expect(await page.locator('#name').evaluate((input) => input.closest('.field')!.classList.contains('invalid'))).toBe(true);
    expect(await page.getByRole('group', { name: 'Monday' }).locator('small.error').textContent()).toContain('outside this client');

    // Call flows: the list, one flow, and its preview.
    await tabTo(page, /^a\. +Call flows$/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await tabTo(page, /^a\. +Flow/);
    await page.keyboard.press('Enter');
    await page.getByLabel('Flow document (JSON)').waitFor();
    await tabTo(page, /^button\. +Preview$/);
    await page.keyboard.press('Enter');
    await page.locator('ol.preview li').first().waitFor();

    // Signed out, then in as the operator (the role chosen with an arrow key): a client and its call flow.
    await tabTo(page, /^button\.secondary +Sign out$/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await tabTo(page, /^input\. .*A client \(API key\)/);
    await page.keyboard.press('ArrowDown');
    await tabTo(page, /^input\. .*Operator token/);
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    await tabTo(page, /^a\. +Keyboard Ltd$/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^a\. +Flow/);
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Versions' }).locator('tbody tr').first().waitFor();
    await tabTo(page, /^button\. +Save a new version$/);
    await page.close();
  });

  it('has no sideways scrolling at 375 px on any page (wide tables scroll in their own box)', async () => {
    const noSidewaysScroll = async (page: Page, where: string) => {
      const sizes = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, client: document.scrollingElement!.clientWidth }));
      // The elements that stick out (outside a box that scrolls on its own), named so that a failure says what to fix.
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > document.scrollingElement!.clientWidth + 0.5 && !element.closest('.table-wrap, pre'))
          .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)
          .slice(0, 8),
      );
      expect(sizes.scroll, `${where}: page width ${sizes.scroll} > ${sizes.client}: ${wide.join(', ')}`).toBeLessThanOrEqual(sizes.client);
    };
    const visit = async (page: Page, hash: string, ready: (page: Page) => Promise<unknown>) => {
      await page.goto(`${stack.url}/app/#${hash}`);
      await ready(page);
      await noSidewaysScroll(page, hash);
    };

    const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await phone.goto(`${stack.url}/app/`);
    await phone.getByRole('form', { name: 'Sign in' }).waitFor();
    await noSidewaysScroll(phone, 'sign in');
    await signIn(phone, tenant.apiKey);
    await visit(phone, '/campaigns', (page) => page.getByRole('link', { name: 'Finished run' }).waitFor());
    await visit(phone, `/campaigns/${finishedId}`, (page) => page.locator('.chart canvas').first().waitFor());
    await visit(phone, `/campaigns/${finishedId}/calls`, async (page) => {
      await page.locator('table.calls tbody button.link').first().click();
      await page.locator('dl.call').first().waitFor();
    });
    await visit(phone, '/new', async (page) => {
      await page.getByRole('button', { name: 'Add hours on Monday' }).click();
      await page.getByRole('button', { name: 'Add hours on Monday' }).click();
      await page.getByLabel('CSV file with a header row').setInputFiles({ name: 'n.csv', mimeType: 'text/csv', buffer: Buffer.from('Phone,Name,Amount,Reference,Due date\n07722 700001,Ann,1,A1,2027-01-01\n12345,Bad,2,A2,2027-01-02\n') });
      await page.locator('.preview-problems').waitFor();
    });
    await visit(phone, '/flows', (page) => page.getByRole('link', { name: /^Flow/ }).first().waitFor());
    await visit(phone, `/flows/${tenant.callFlowId}`, (page) => page.getByLabel('Flow document (JSON)').waitFor());

    await phone.getByRole('button', { name: 'Sign out' }).click();
    await signIn(phone, ADMIN_TOKEN, 'operator');
    await visit(phone, '/clients', (page) => page.locator('.card', { hasText: 'Carrier' }).waitFor());
    await visit(phone, `/clients/${tenant.clientId}`, (page) => page.getByRole('table', { name: 'Call flows' }).locator('a').first().waitFor());
    await visit(phone, `/clients/${tenant.clientId}/flows/${tenant.callFlowId}`, (page) => page.getByRole('table', { name: 'Versions' }).locator('tbody tr').first().waitFor());
    await phone.close();
  });
});
