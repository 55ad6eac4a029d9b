// Debian's chromium driven by playwright-core for the web app's tests (issue 11): no browser is downloaded; the
// tests use the one `.ci/run` installs (apt-get install chromium) and skip with a notice without it, as other peers.
import { join, delimiter } from 'node:path';
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type Page, type Request, type Response } from 'playwright-core';

/** The binary the tests need, as describeWithPeer looks it up. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? 'chromium';

function resolveOnPath(binary: string): string {
  if (binary.includes('/')) return binary;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return binary;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: resolveOnPath(CHROMIUM),
    headless: true,
    // As root (CI containers) chromium refuses to start with its sandbox; the pages are our own on loopback.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** Signs in on the web app's form (client API key or operator token) and waits for the signed-in header. */
export async function signIn(page: Page, baseUrl: string, token: string, role: 'client' | 'operator' = 'client'): Promise<void> {
  await page.goto(`${baseUrl}/app/`);
  if (role === 'operator') await page.getByLabel('The operator (ADMIN_TOKEN)').check();
  await page.getByLabel(role === 'operator' ? 'Operator token' : 'API key', { exact: true }).fill(token);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Clicks (or presses) what `act` does and waits for the page to reach `url`. When it does not, the failure says what
 * the page showed instead (where it is, its alerts) and which of the requests made meanwhile failed or were answered
 * with an error status, where a bare waitForURL timeout said only that it timed out.
 */
export async function actAndWaitForUrl(page: Page, act: () => Promise<void>, url: RegExp, timeoutMs = 30_000): Promise<void> {
  const requests: string[] = [];
  const onResponse = (response: Response) => {
    if (response.status() >= 400) requests.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
  };
  const onFailed = (request: Request) => {
    requests.push(`${request.method()} ${request.url()}: failed (${request.failure()?.errorText ?? 'no reason given'})`);
  };
  page.on('response', onResponse);
  page.on('requestfailed', onFailed);
  try {
    await act();
    await page.waitForURL(url, { timeout: timeoutMs });
  } catch (error) {
    const alerts = await page
      .getByRole('alert')
      .allTextContents()
      .catch(() => ['(could not be read)']);
    const said = [
      `the page stayed at ${page.url()}`,
      `its alerts: ${alerts.length > 0 ? alerts.map((text) => JSON.stringify(text)).join(', ') : 'none'}`,
      `requests that failed or were refused meanwhile: ${requests.length > 0 ? requests.join('; ') : 'none'}`,
    ];
    throw new Error(`${(error as Error).message}\n${said.join('\n')}`, { cause: error });
  } finally {
    page.off('response', onResponse);
    page.off('requestfailed', onFailed);
  }
}
