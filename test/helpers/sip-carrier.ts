// The SIP carrier as the peer tests use it: started on loopback (any free SIP port, RTP below the ephemeral port
// range so it never takes a port a peer was just given), stopped after each test with everything else the test
// started. One place, so every peer test dials through the same production wiring (startSipCarrier).
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { startSipCarrier, type StartSipCarrierOptions } from '../../src/telephony/sip/carrier/start-sip-carrier.js';
import { parseTrunk } from '../../src/telephony/sip/carrier/trunk-config.js';
import type { SipCarrier } from '../../src/telephony/sip/carrier/sip-carrier.js';
import type { SippPeer } from './sipp.js';

/** Linux hands out ephemeral ports from 32768; test peers get theirs there, our RTP stays below. */
export const TEST_RTP_PORT_RANGE = { min: 20000, max: 31999 };

const ttsCacheDir = mkdtempSync(path.join(os.tmpdir(), 'ringcast-test-tts-'));

/** Registers an afterEach that runs the returned function's cleanups, last first; failures in cleanup are ignored. */
export function cleanupAfterEach(): (cleanup: () => Promise<unknown>) => void {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });
  return (cleanup) => cleanups.push(cleanup);
}

/** `trunks`: plain trunk objects as in SIP_TRUNKS_JSON (validated the same way). */
export async function startTestSipCarrier(
  defer: (cleanup: () => Promise<unknown>) => void,
  trunks: Array<Record<string, unknown>>,
  options: Partial<Pick<StartSipCarrierOptions, 'sessionExpiresS' | 'ttsVoice' | 'trace' | 'amdParams' | 'log' | 'observer'>> = {},
): Promise<SipCarrier> {
  const carrier = await startSipCarrier({
    trunks: trunks.map((trunk, i) => parseTrunk(trunk, `trunk ${i}`)),
    clock: systemClock,
    address: '127.0.0.1',
    sipPort: 0,
    rtpPortRange: TEST_RTP_PORT_RANGE,
    mediaWorkers: 1,
    ttsCacheDir,
    ttsVoice: options.ttsVoice ?? 'en-gb',
    sessionExpiresS: options.sessionExpiresS ?? 1800,
    ...(options.trace ? { trace: options.trace } : {}),
    ...(options.amdParams ? { amdParams: options.amdParams } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
  });
  defer(() => carrier.close());
  return carrier;
}

/** sipp's exit code once it has finished its calls (null if still running after `waitMs`); prints its log if not 0. */
export async function sippExitCode(peer: SippPeer, waitMs = 8000): Promise<number | null> {
  const code = await Promise.race([peer.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), waitMs))]);
  if (code !== 0) console.error(`sipp ${String(code)}:\n${peer.output().slice(-3000)}\n${peer.messages().slice(-6000)}`);
  return code === 'running' ? null : code;
}
