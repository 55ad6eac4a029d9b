// The summary tests' setup: the real app on the database of a DialerHarness (so the simulated dialer runs campaigns
// that the API then reads), with the app's clock following the virtual clock of the latest run, and clients that
// have an API key as well as the harness's call flow and CLI.
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { VirtualClock, type Clock } from '../../src/domain/clock.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { DialerHarness, mobileNumbers, testNumber, type HarnessTenant } from '../helpers/dialer-harness.js';
import type { BackendKind } from '../helpers/backends.js';

export interface SummaryTestApp {
  harness: DialerHarness;
  app: App;
  /** The clock the app reads; each run's VirtualClock is made here and becomes the app's. */
  clockAt(start: string): VirtualClock;
  tenant(): Promise<HarnessTenant & { headers: Record<string, string> }>;
  close(): Promise<void>;
}

export async function openSummaryApp(kind: BackendKind, env: Record<string, string> = {}): Promise<SummaryTestApp> {
  const harness = await DialerHarness.open(kind);
  let current = new VirtualClock('2027-01-14T12:00:00Z');
  const clock: Clock = { now: () => current.now(), sleep: (ms, signal) => current.sleep(ms, signal) };
  const settings = loadSettings({ LOG_LEVEL: 'silent', ...env });
  const app = await buildApp({ settings, database: harness.testDb.database, clock });
  return {
    harness,
    app,
    clockAt(start) {
      current = new VirtualClock(start);
      return current;
    },
    async tenant() {
      const tenant = await harness.tenant();
      const { apiKey } = await new TenantRepository(harness.db).createApiKey(tenant.clientId);
      return { ...tenant, headers: { authorization: `Bearer ${apiKey}` } };
    },
    async close() {
      await app.close();
      await harness.dispose();
    },
  };
}

/**
 * A campaign whose calls end every way: the simulated carrier's scripted test numbers (busy, no answer, machine,
 * person, declined, invalid, failed, abandoned) and mobile numbers that follow its default mix.
 */
export const MIXED_NUMBERS = [
  ...['0001', '0002', '0003', '0005', '0007', '0008', '0009', '0010', '0011', '0014', '0018'].map(testNumber),
  ...mobileNumbers(40, 70_000),
];

/** Room for every number at once: calls spread over a few minutes rather than one a second. */
export const UNPACED = {
  campaign: { maxConcurrentCalls: 50, maxCallsPerSecond: 5 },
  client: { maxConcurrentCalls: 50, maxCallsPerSecond: 5 },
  carrier: { maxConcurrentCalls: 50, maxCallsPerSecond: 5 },
};
