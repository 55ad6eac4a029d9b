// One dialer process of the throughput benchmark (bench/dialer-throughput.ts): the real Dialer on the system clock
// with the simulated carrier at zero talk time, against DATABASE_URL. Prints "ready" once its loop runs; SIGTERM
// stops it (drain, then exit 0). The pacing limits come from BENCH_PACING_JSON; everything else is the default.
//
// The dialer is the built one (dist/, made by the parent when stale), as `npm start` runs it: run from the sources
// through tsx, every function carries esbuild's keepNames wrapper (a __name defineProperty per function created,
// closures included): 4% of this process's profile at zero talk time, ~6% of its busy time (--cpu-prof), which
// production never pays. Only types come from src/; nothing of it is loaded here.
import type * as ClockModule from '../../src/domain/clock.js';
import type * as DatabaseModule from '../../src/store/database.js';
import type * as DialerStoreModule from '../../src/store/repositories/dialer-store.js';
import type * as DialerModule from '../../src/dialer/dialer.js';
import type * as SimulatedCarrierModule from '../../src/telephony/simulated/simulated-carrier.js';
import type * as SimulatedSmsModule from '../../src/sms/simulated-sms.js';
import type { PacingLimits } from '../../src/dialer/pacing.js';
import { ZERO_TALK, ZERO_TALK_MIX } from './zero-talk.js';

const built = <Module>(path: string): Promise<Module> => import(new URL(`../../dist/${path}`, import.meta.url).href) as Promise<Module>;
const { systemClock } = await built<typeof ClockModule>('domain/clock.js');
const { openDatabase } = await built<typeof DatabaseModule>('store/database.js');
const { DialerStore } = await built<typeof DialerStoreModule>('store/repositories/dialer-store.js');
const { Dialer, newDialerId } = await built<typeof DialerModule>('dialer/dialer.js');
const { SimulatedCarrier } = await built<typeof SimulatedCarrierModule>('telephony/simulated/simulated-carrier.js');
const { SimulatedSmsProvider } = await built<typeof SimulatedSmsModule>('sms/simulated-sms.js');

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is needed');
const pacing = JSON.parse(process.env.BENCH_PACING_JSON ?? 'null') as PacingLimits | null;
if (!pacing) throw new Error('BENCH_PACING_JSON is needed');
const mix = process.env.BENCH_MIX_JSON ? (JSON.parse(process.env.BENCH_MIX_JSON) as typeof ZERO_TALK_MIX) : ZERO_TALK_MIX;
/** When set, the process prints its RSS this often ("rss <MB>"), for the memory benchmark. */
const rssEveryMs = Number(process.env.BENCH_RSS_EVERY_MS ?? 0);

const database = await openDatabase({ databaseUrl: url });
// BENCH_TIMINGS=1: time every store call and print the totals on exit (where the loop's wall time goes).
const timings = new Map<string, { calls: number; ms: number }>();
if (process.env.BENCH_TIMINGS) {
  const prototype = DialerStore.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const original = prototype[name];
    if (name === 'constructor' || typeof original !== 'function') continue;
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      const started = performance.now();
      const result = original.apply(this, args);
      if (!(result instanceof Promise)) return result;
      return result.finally(() => {
        const entry = timings.get(name) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += performance.now() - started;
        timings.set(name, entry);
      });
    };
  }
}
const dialer = new Dialer({
  store: new DialerStore(database.db, newDialerId()),
  carrier: new SimulatedCarrier({ clock: systemClock, seed: 10, mix, talk: ZERO_TALK }),
  sms: new SimulatedSmsProvider({ clock: systemClock }),
  clock: systemClock,
  // A campaign made once every process runs is noticed within 100 ms, so that all start together.
  config: { pacing, idlePollMs: 100 },
  log: { info() {}, warn: (o, m) => console.error(m, o), error: (o, m) => console.error(m, o) },
});
dialer.start();
console.log('ready');
if (rssEveryMs > 0) setInterval(() => console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)}`), rssEveryMs).unref();
process.once('SIGTERM', () => {
  void dialer
    .stop(5_000)
    .then(() => database.close())
    .then(() => {
      for (const [name, { calls, ms }] of [...timings].sort((a, b) => b[1].ms - a[1].ms)) {
        console.error(`${name}: ${calls} calls, ${ms.toFixed(0)} ms, ${(ms / calls).toFixed(2)} ms each`);
      }
      if (process.env.BENCH_TIMINGS) {
        const { user, system } = process.cpuUsage();
        console.error(`process CPU since start: ${((user + system) / 1000).toFixed(0)} ms (${(performance.now()).toFixed(0)} ms alive)`);
      }
    })
    .then(() => process.exit(0));
});
