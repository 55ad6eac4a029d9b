// Builds a dialer, its carrier (CARRIER: simulated or sip) and its SMS provider from the settings, for `ringcast serve` and `ringcast dialer`.
import { mediaWorkerCount, type Settings } from '../config/settings.js';
import type { Database } from '../store/database.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { parseRateTable, DEFAULT_RATES_GBP_PER_MINUTE } from '../domain/pricing.js';
import { DialerStore } from '../store/repositories/dialer-store.js';
import { SimulatedCarrier } from '../telephony/simulated/simulated-carrier.js';
import { parseOutcomeMix } from '../telephony/simulated/callee-plan.js';
import { smsProviderFromSettings } from '../sms/from-settings.js';
import { SmsOutboxSender } from '../sms/outbox.js';
import type { SmsProvider } from '../sms/sms-port.js';
import { ReceiptApplier } from '../sms/receipt-applier.js';
import { Dialer, newDialerId, type DialerLogger } from './dialer.js';
import { ttsCacheDirOf } from '../media/tts/server-speech.js';
import type { Carrier } from '../telephony/carrier.js';
import { startSipCarrier } from '../telephony/sip/carrier/start-sip-carrier.js';
import { describeSipTrace } from '../telephony/sip/transaction/trace.js';
import { trunksFromSettings } from '../telephony/sip/carrier/trunk-config.js';
import { parseAmdJson } from '../media/amd/amd-settings.js';
import type { CarrierObserver } from '../telephony/carrier-observer.js';
import type { DialerObserver } from './dialer-observer.js';

/** A clock whose waits are shortened by `scale`: the simulated network runs fast while windows keep real time. */
function scaledSleeps(clock: Clock, scale: number): Clock {
  return { now: () => clock.now(), sleep: (ms, signal) => clock.sleep(ms * scale, signal) };
}

/** The carrier CARRIER names: the simulated network, or SIP trunks with real audio. */
export async function carrierFromSettings(
  settings: Settings,
  log: DialerLogger,
  clock: Clock = systemClock,
  observer?: CarrierObserver,
): Promise<Carrier> {
  if (settings.CARRIER === 'sip') {
    return startSipCarrier({
      trunks: trunksFromSettings(settings),
      clock,
      address: settings.SIP_ADDRESS,
      sipPort: settings.SIP_PORT,
      rtpPortRange: { min: settings.RTP_PORT_MIN, max: settings.RTP_PORT_MAX },
      mediaWorkers: mediaWorkerCount(settings),
      mediaWorkerNice: settings.MEDIA_WORKER_NICE,
      ttsCacheDir: ttsCacheDirOf(settings),
      ttsVoice: settings.TTS_VOICE,
      sessionExpiresS: settings.SIP_SESSION_EXPIRES_S,
      ...(settings.AMD_JSON ? { amdParams: parseAmdJson(settings.AMD_JSON) } : {}),
      ...(settings.SIP_TRACE ? { trace: (event) => log.info(describeSipTrace(event), 'sip') } : {}),
      log,
      ...(observer ? { observer } : {}),
    });
  }
  const carrierClock = settings.SIMULATED_TIME_SCALE === 1 ? clock : scaledSleeps(clock, settings.SIMULATED_TIME_SCALE);
  return new SimulatedCarrier({
    clock: carrierClock,
    seed: settings.SIMULATED_SEED,
    ...(settings.SIMULATED_MIX_JSON ? { mix: parseOutcomeMix(settings.SIMULATED_MIX_JSON) } : {}),
  });
}

/** `carrier`: one the caller started already (carrierFromSettings), to keep a read-only view of it; else one is started. */
export async function dialerFromSettings(
  settings: Settings,
  database: Database,
  log: DialerLogger,
  clock: Clock = systemClock,
  carrier?: Carrier,
  observer?: DialerObserver,
): Promise<Dialer> {
  carrier ??= await carrierFromSettings(settings, log, clock);
  const store = new DialerStore(database.db, newDialerId());
  return new Dialer({
    store,
    carrier,
    sms: smsFromSettings(settings, store, log, clock),
    clock,
    log,
    ...(observer ? { observer } : {}),
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

/**
 * The SMS provider SMS_PROVIDER names, its delivery receipts written to the texts' parts and status, and this
 * process's SMS outbox sender (texts whose process died before the provider's answer was written), stopped with it.
 */
function smsFromSettings(settings: Settings, store: DialerStore, log: DialerLogger, clock: Clock): SmsProvider {
  const outbox = store.smsOutbox();
  // `receipts` is set on the next line, before the provider can have bound and received anything.
  const { provider } = smsProviderFromSettings(settings, { clock, log, onReceipt: (receipt) => receipts.apply(receipt) });
  // Receipt times are wall-clock times, whatever clock the dialer runs on; the parts are the provider's, by its name.
  const receipts = new ReceiptApplier({ store: store.smsParts(), provider: provider.name, clock: systemClock });
  const sender = new SmsOutboxSender({ outbox, provider, owner: store.dialerId, clock, log });
  sender.start();
  return {
    name: provider.name,
    send: (request) => provider.send(request),
    close: async () => {
      await sender.stop();
      await provider.close?.();
      await receipts.settled();
    },
  };
}
