// Debian's chromium driven by playwright-core for the web app's tests (issue 11): no browser is downloaded; the
// tests use the one `.ci/run` installs (apt-get install chromium) and skip with a notice without it, as other peers.
import { join, delimiter } from 'node:path';
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

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
