// Builds a dialer, its carrier and its SMS provider from the settings, for `ringcast serve` and `ringcast dialer`.
import type { Settings } from '../config/settings.js';
import type { Database } from '../store/database.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { parseRateTable, DEFAULT_RATES_GBP_PER_MINUTE } from '../domain/pricing.js';
import { DialerStore } from '../store/repositories/dialer-store.js';
import { SimulatedCarrier } from '../telephony/simulated/simulated-carrier.js';
import { parseOutcomeMix } from '../telephony/simulated/callee-plan.js';
import { SimulatedSmsProvider } from '../sms/simulated-sms.js';
import { Dialer, newDialerId, type DialerLogger } from './dialer.js';

/** A clock whose waits are shortened by `scale`: the simulated network runs fast while windows keep real time. */
function scaledSleeps(clock: Clock, scale: number): Clock {
  return { now: () => clock.now(), sleep: (ms, signal) => clock.sleep(ms * scale, signal) };
}

export function dialerFromSettings(settings: Settings, database: Database, log: DialerLogger, clock: Clock = systemClock): Dialer {
  const carrierClock = settings.SIMULATED_TIME_SCALE === 1 ? clock : scaledSleeps(clock, settings.SIMULATED_TIME_SCALE);
  const carrier = new SimulatedCarrier({
    clock: carrierClock,
    seed: settings.SIMULATED_SEED,
    ...(settings.SIMULATED_MIX_JSON ? { mix: parseOutcomeMix(settings.SIMULATED_MIX_JSON) } : {}),
  });
  return new Dialer({
    store: new DialerStore(database.db, newDialerId()),
    carrier,
    sms: new SimulatedSmsProvider({ clock }),
    clock,
    log,
    config: {
      leaseMs: settings.LEASE_S * 1000,
      ringTimeoutMs: settings.RING_TIMEOUT_S * 1000,
      drainTimeoutMs: settings.DRAIN_TIMEOUT_S * 1000,
      rates: settings.RATES_JSON ? parseRateTable(settings.RATES_JSON) : DEFAULT_RATES_GBP_PER_MINUTE,
      pacing: {
        campaign: { maxConcurrentCalls: settings.CAMPAIGN_MAX_CALLS, maxCallsPerSecond: settings.CAMPAIGN_MAX_CPS },
        client: { maxConcurrentCalls: settings.CLIENT_MAX_CALLS, maxCallsPerSecond: settings.CLIENT_MAX_CPS },
        carrier: { maxConcurrentCalls: settings.CARRIER_MAX_CALLS, maxCallsPerSecond: settings.CARRIER_MAX_CPS },
      },
    },
  });
}
