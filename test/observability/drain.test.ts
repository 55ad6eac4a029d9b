// SIGTERM's drain as a load balancer sees it, on the real server (API and dialer in one process, simulated carrier):
// while a call is still ringing, stop() turns /readyz 503 at once, the API keeps answering (/healthz 200) until the
// dialer has drained, and only then does the port close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { startServer } from '../../src/server.js';
import { ADMIN_TOKEN } from '../helpers/app.js';
import { testNumber } from '../helpers/dialer-harness.js';
import { addOpenCampaign, createOpenClient } from '../helpers/processes.js';
import { parseExposition, total } from './exposition.js';

describe('drain on SIGTERM', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-drain-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('readyz turns 503 at once while a call in progress drains, and the API answers until the drain ends', async () => {
    const settings = loadSettings({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ADMIN_TOKEN, DEMO_CLIENT: 'false', DRAIN_TIMEOUT_S: '3' });
    const server = await startServer(settings, { api: true, dialer: true });
    let stopped: Promise<void> | undefined;
    try {
      // A campaign whose window is open now whatever the hour (a zone where it is daytime, opened an hour ago), made
      // through the repository: the API only takes future starts, and a start at the next minute of London's day
      // had no such minute after 23:58.
      const db = server.database.db;
      await addOpenCampaign(db, await createOpenClient(db), {
        // 020 7946 0002 never answers: it rings for RING_TIMEOUT_S (30 s), far past the 3 s drain.
        numbers: [testNumber('0002')],
        attempts: [{ interval: 0, attemptNumber: 1 }],
      });
      // What the API's create does: tell the dialer, so it claims now rather than at its next idle poll.
      server.dialer!.numbersAdded();

      const inFlight = async () => {
        const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        return total(parseExposition(await response.text()), 'ringcast_calls_in_flight');
      };
      const deadline = Date.now() + 30_000;
      while ((await inFlight()) === 0) {
        if (Date.now() > deadline) throw new Error('the call never started');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

      const stopAt = Date.now();
      stopped = server.stop();
      const readyz = await fetch(`${server.url}/readyz`);
      expect(readyz.status).toBe(503);
      const body = (await readyz.json()) as { checks: { name: string; ok: boolean }[] };
      expect(body.checks.find((check) => check.name === 'draining')).toMatchObject({ ok: false });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(await inFlight()).toBe(1);
      await stopped;
      // The drain waited for the call (DRAIN_TIMEOUT_S) before hanging it up and closing the port.
      expect(Date.now() - stopAt).toBeGreaterThanOrEqual(2_500);
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    } finally {
      await (stopped ?? server.stop()).catch(() => {});
    }
  }, 120_000);
});
