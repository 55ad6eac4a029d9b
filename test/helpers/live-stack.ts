// A whole Ringcast as a person meets it, for the browser tests (issue 11): the HTTP app listening on a loopback port
// and an in-process dialer with the simulated carrier, both on one VirtualClock that a ClockDriver moves forward in
// real time at a chosen speed (virtual milliseconds per real second), settling the dialer at each tick. The clock stands
// still until the test starts the driver, so a test can act on a campaign before its window opens.
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { dialerFromSettings } from '../../src/dialer/from-settings.js';
import type { Dialer } from '../../src/dialer/dialer.js';
import { settle } from '../../src/dialer/virtual-time.js';
import { createTestDatabase, type TestDatabase } from './backends.js';
import { ADMIN_TOKEN } from './app.js';

/** Real milliseconds between two moves of the clock. */
const TICK_MS = 50;

export class ClockDriver {
  private speed = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: VirtualClock,
    private readonly dialer: Dialer,
  ) {}

  /** Moves the clock `virtualMsPerSecond` per real second from now on (0 stops it). */
  run(virtualMsPerSecond: number): void {
    this.speed = virtualMsPerSecond;
    if (this.timer === undefined && virtualMsPerSecond > 0) this.schedule();
  }

  /** Stops, then moves the clock straight to `instant` (waking and settling every sleeper on the way). */
  async jumpTo(instant: Date | number): Promise<void> {
    await this.stop();
    await this.clock.runTo(instant, () => settle(this.dialer));
  }

  async stop(): Promise<void> {
    this.speed = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        if (this.speed > 0) this.schedule();
        else this.timer = undefined;
      });
    }, TICK_MS);
  }

  private async tick(): Promise<void> {
    const to = this.clock.now().getTime() + (this.speed * TICK_MS) / 1000;
    await this.clock.runTo(to, () => settle(this.dialer));
  }
}

export interface LiveStack {
  url: string;
  app: App;
  clock: VirtualClock;
  driver: ClockDriver;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function startLiveStack(options: { start: string; env?: Record<string, string> }): Promise<LiveStack> {
  const db = await createTestDatabase('pglite');
  const clock = new VirtualClock(options.start);
  const settings = loadSettings({ ADMIN_TOKEN, LOG_LEVEL: 'silent', ...(options.env ?? {}) });
  const app = await buildApp({ settings, database: db.database, clock });
  const dialer = await dialerFromSettings(settings, db.database, app.log.child({ component: 'dialer' }), clock);
  app.services.campaignEvents.on('changed', () => dialer.numbersAdded());
  dialer.start();
  const driver = new ClockDriver(clock, dialer);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    clock,
    driver,
    db,
    async close() {
      await driver.stop();
      // The dialer's drain waits on the virtual clock: none is left to wait for once the driver stops.
      await dialer.stop(0);
      await app.close();
      await db.dispose();
    },
  };
}
