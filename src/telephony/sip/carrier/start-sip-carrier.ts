// Wires a SIP carrier from the settings: the SIP stack on SIP_ADDRESS:SIP_PORT, the user agent above it, the media
// worker threads, and espeak-ng text-to-speech with its disk cache. `ringcast serve` and `ringcast dialer` call this
// when CARRIER=sip; tests call it with their own ports.
import path from 'node:path';
import type { Clock } from '../../../domain/clock.js';
import type { AmdParams } from '../../../media/session/types.js';
import { startMediaEngine } from '../../../media/session/media-engine.js';
import { createEspeakTts, ttsAvailable } from '../../../media/tts/espeak-tts.js';
import { createSipStack, type SipTraceEvent } from '../transaction/stack.js';
import { resolveSipTarget } from '../transport/resolve.js';
import { SipUserAgent } from '../ua/user-agent.js';
import { SipCarrier, type SipCarrierLogger } from './sip-carrier.js';
import type { SipTrunk } from './trunk-config.js';

export interface StartSipCarrierOptions {
  trunks: readonly SipTrunk[];
  clock: Clock;
  /** Bound and advertised for SIP and RTP. */
  address: string;
  sipPort: number;
  rtpPortRange: { min: number; max: number };
  mediaWorkers: number;
  ttsCacheDir: string;
  ttsVoice: string;
  sessionExpiresS: number;
  amdParams?: Partial<AmdParams>;
  log?: SipCarrierLogger;
  /** Sees every SIP message sent and received (tests, and SIP_TRACE-style debugging). */
  trace?: (event: SipTraceEvent) => void;
}

export async function startSipCarrier(options: StartSipCarrierOptions): Promise<SipCarrier> {
  // Every answered call speaks: without the engine each one would fail at its first word, so refuse to start.
  if (!(await ttsAvailable())) {
    throw new Error('CARRIER=sip speaks with espeak-ng, which is not installed (Debian: apt-get install espeak-ng)');
  }
  const stack = await createSipStack({
    bindAddress: options.address,
    port: options.sipPort,
    clock: options.clock,
    ...(options.trace ? { trace: options.trace } : {}),
  });
  let media;
  try {
    media = await startMediaEngine({ workers: options.mediaWorkers, portRange: options.rtpPortRange });
  } catch (error) {
    await stack.close();
    throw error;
  }
  const ua = new SipUserAgent({ stack, clock: options.clock, sessionExpiresS: options.sessionExpiresS });
  const tts = createEspeakTts({ cacheDir: path.resolve(options.ttsCacheDir), defaultVoice: options.ttsVoice });
  return new SipCarrier({
    trunks: options.trunks,
    ua,
    media,
    tts,
    clock: options.clock,
    mediaAddress: options.address,
    resolveTrunk: (trunk) => resolveSipTarget(trunk.host, trunk.port, trunk.transport),
    defaultVoice: options.ttsVoice,
    ...(options.amdParams ? { amdParams: options.amdParams } : {}),
    ...(options.log ? { log: options.log } : {}),
    onClose: async () => {
      await ua.close();
      await media.close();
      await stack.close();
    },
  });
}
