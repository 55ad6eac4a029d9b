// Wires a SIP carrier from the settings: the SIP stack on SIP_ADDRESS:SIP_PORT, the user agent above it, the media
// worker threads, espeak-ng text-to-speech with its disk cache, and a registration (ua/registration.ts) for each trunk
// with register: true. `ringcast serve` and `ringcast dialer` call this when CARRIER=sip; tests call it with their own
// ports.
import path from 'node:path';
import type { Clock } from '../../../domain/clock.js';
import type { AmdParams } from '../../../media/session/types.js';
import { startMediaEngine } from '../../../media/session/media-engine.js';
import { createEspeakTts, ttsAvailable } from '../../../media/tts/espeak-tts.js';
import { createSipStack, type SipTraceEvent } from '../transaction/stack.js';
import type { SipStack } from '../transaction/types.js';
import { resolveSipTarget } from '../transport/resolve.js';
import { TrunkRegistration } from '../ua/registration.js';
import { SipUserAgent } from '../ua/user-agent.js';
import { SipCarrier, type ResolveTrunk, type SipCarrierLogger, type TrunkRegistrationEntry } from './sip-carrier.js';
import type { SipTrunk } from './trunk-config.js';
import type { CarrierObserver } from '../../carrier-observer.js';
import { priorityWarning } from '../../../media/session/thread-priority.js';

export interface StartSipCarrierOptions {
  trunks: readonly SipTrunk[];
  clock: Clock;
  /** Bound and advertised for SIP and RTP. */
  address: string;
  sipPort: number;
  rtpPortRange: { min: number; max: number };
  mediaWorkers: number;
  /** The nice value each media worker thread asks for (MEDIA_WORKER_NICE; default 0: as started). */
  mediaWorkerNice?: number;
  ttsCacheDir: string;
  ttsVoice: string;
  sessionExpiresS: number;
  amdParams?: Partial<AmdParams>;
  log?: SipCarrierLogger;
  /** Sees every SIP message sent and received (tests, and SIP_TRACE-style debugging). */
  trace?: (event: SipTraceEvent) => void;
  /** Told of SIP responses, RTP totals and TTS cache lookups (Prometheus metrics). */
  observer?: CarrierObserver;
}

export async function startSipCarrier(options: StartSipCarrierOptions): Promise<SipCarrier> {
  // Every answered call speaks: without the engine each one would fail at its first word, so refuse to start.
  if (!(await ttsAvailable())) {
    throw new Error('CARRIER=sip speaks with espeak-ng, which is not installed (Debian: apt-get install espeak-ng)');
  }
  const unreachable = trunksBeyondLoopback(options.address, options.trunks);
  if (unreachable.length > 0) {
    options.log?.warn(
      { address: options.address, trunks: unreachable },
      `SIP_ADDRESS ${options.address} is a loopback address: trunk ${unreachable.join(', ')} cannot send answers or audio back to it`,
    );
  }
  const stack = await createSipStack({
    bindAddress: options.address,
    port: options.sipPort,
    clock: options.clock,
    ...(options.trace ? { trace: options.trace } : {}),
  });
  let media;
  try {
    media = await startMediaEngine({ workers: options.mediaWorkers, portRange: options.rtpPortRange, niceness: options.mediaWorkerNice ?? 0 });
  } catch (error) {
    await stack.close();
    throw error;
  }
  const priorityProblem = priorityWarning(media.priority);
  if (priorityProblem) options.log?.warn({ asked: media.priority.asked, niceness: media.priority.niceness }, priorityProblem);
  const ua = new SipUserAgent({ stack, clock: options.clock, sessionExpiresS: options.sessionExpiresS });
  const observer = options.observer;
  const tts = createEspeakTts({
    cacheDir: path.resolve(options.ttsCacheDir),
    defaultVoice: options.ttsVoice,
    ...(observer ? { onCacheLookup: (hit: boolean) => observer.ttsCacheLookup(hit) } : {}),
  });
  const resolveTrunk: ResolveTrunk = (trunk) => resolveSipTarget(trunk.host, trunk.port, trunk.transport);
  const registrations = registrationsFor(options, stack, resolveTrunk);
  const carrier = new SipCarrier({
    trunks: options.trunks,
    ua,
    media,
    tts,
    clock: options.clock,
    mediaAddress: options.address,
    resolveTrunk,
    defaultVoice: options.ttsVoice,
    registrations,
    ...(options.amdParams ? { amdParams: options.amdParams } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(observer ? { observer } : {}),
    onClose: async () => {
      // Remove our bindings while the stack can still send (each waits a bounded time for the registrar's answer).
      await Promise.all(registrations.map(({ registration }) => registration.stop()));
      await ua.close();
      await media.close();
      await stack.close();
    },
  });
  // The user agent already answers what the registrar sends us; dialling does not wait for the registrations.
  for (const { registration } of registrations) registration.start();
  return carrier;
}

/** One registration per trunk with register: true, logging each state change through the carrier's logger. */
function registrationsFor(
  options: StartSipCarrierOptions,
  stack: SipStack,
  resolveTrunk: ResolveTrunk,
): TrunkRegistrationEntry[] {
  const entries: TrunkRegistrationEntry[] = [];
  for (const trunk of options.trunks) {
    if (!trunk.register || trunk.username === undefined) continue;
    const registration = new TrunkRegistration({
      stack,
      clock: options.clock,
      host: trunk.host,
      ...(trunk.port !== undefined ? { port: trunk.port } : {}),
      transport: trunk.transport,
      resolveTarget: () => resolveTrunk(trunk),
      username: trunk.username,
      ...(trunk.password !== undefined ? { password: trunk.password } : {}),
      expiresS: trunk.registerExpiresS,
      onStateChange: (state, detail) => {
        const fields = { trunk: trunk.name, registration: state, ...detail };
        if (state === 'retrying') options.log?.warn(fields, `trunk ${trunk.name}: registration failed, retrying`);
        else options.log?.info(fields, `trunk ${trunk.name}: registration ${state}`);
      },
    });
    entries.push({ trunk: trunk.name, registration });
  }
  return entries;
}

const LOOPBACK_HOST = /^(127\.|::1$|localhost$)/i;

/** Trunks on other machines when we advertise a loopback address: their calls would connect with no way back. */
export function trunksBeyondLoopback(address: string, trunks: readonly SipTrunk[]): string[] {
  if (!LOOPBACK_HOST.test(address)) return [];
  return trunks.filter((trunk) => !LOOPBACK_HOST.test(trunk.host)).map((trunk) => trunk.name);
}
