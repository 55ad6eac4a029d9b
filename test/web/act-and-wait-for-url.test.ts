// The browser tests' navigation helper (test/helpers/browser.ts actAndWaitForUrl): when a click does not lead where
// the test expects, its failure says where the page stayed, what the page's alerts said and which requests failed or
// were refused meanwhile, so that a failure seen once in CI names its cause. A bare page on loopback: a button whose
// request is answered 500 under an alert, and one that navigates.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeWithPeer } from '../helpers/peers.js';
import { actAndWaitForUrl, CHROMIUM, launchChromium } from '../helpers/browser.js';

const PAGE = `<!doctype html><title>t</title><div role="alert">Nothing was saved</div>
<button onclick="fetch('/refused')">Save</button><button onclick="location.hash = '#/done'">Go</button>`;

describeWithPeer([CHROMIUM], 'actAndWaitForUrl in chromium', () => {
  let server: Server;
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/refused') {
        response.statusCode = 500;
        response.end('no');
        return;
      }
      response.setHeader('content-type', 'text/html');
      response.end(PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('returns once the page reaches the address', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await actAndWaitForUrl(page, () => page.getByRole('button', { name: 'Go' }).click(), /#\/done$/);
    await page.close();
  });

  it('fails with the address the page stayed at, its alerts and the refused request', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const failure = await actAndWaitForUrl(page, () => page.getByRole('button', { name: 'Save' }).click(), /#\/done$/, 1_500).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toContain(`the page stayed at ${url}`);
    expect(failure?.message).toContain('its alerts: "Nothing was saved"');
    expect(failure?.message).toContain(`GET ${url}refused: 500`);
    await page.close();
  });
});
