// The SIP carrier: the carrier port (src/telephony/carrier.ts) over our own SIP user agent and RTP media engine.
// One dial: take a trunk slot, open an RTP port, INVITE with an SDP offer, cancel at the ring timeout, and on answer
// start the media and run answering-machine detection before handing the call to the call flow.
import { randomInt } from 'node:crypto';
import type { Carrier, DialRequest, DialResult, PreparedSpeech } from '../../carrier.js';
import type { Clock } from '../../../domain/clock.js';
import type { CancelSignal } from '../../../domain/cancellation.js';
import type { AmdParams, MediaEngine, MediaSession, MediaSessionStats } from '../../../media/session/types.js';
import type { TextToSpeech } from '../../../media/tts/types.js';
import type { SipTarget } from '../transaction/types.js';
import type { InviteOutcome, SipUserAgent } from '../ua/user-agent.js';
import type { RegistrationDetail, RegistrationState, TrunkRegistration } from '../ua/registration.js';
import { buildSdpOffer, parseSdpAnswer } from '../sdp/sdp.js';
import { clockTimeout } from '../clock-timeout.js';
import { failureForStatus, isTrunkFailure } from './failure-map.js';
import { TrunkPool, type TrunkLease } from './trunk-pool.js';
import type { SipTrunk } from './trunk-config.js';
import { SipAnsweredCall } from './sip-answered-call.js';
import { formatTrunkNumber, trunkRequestUri } from './trunk-uri.js';
import type { CarrierObserver } from '../../carrier-observer.js';

export type ResolveTrunk = (trunk: SipTrunk) => Promise<SipTarget[]>;

export interface SipCarrierLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** A trunk's registration (trunks with register: true), started and stopped by whoever built the carrier. */
export interface TrunkRegistrationEntry {
  trunk: string;
  registration: TrunkRegistration;
}

/** What SipCarrier.registrations() reports per registering trunk. */
export interface TrunkRegistrationStatus {
  trunk: string;
  state: RegistrationState;
  detail: RegistrationDetail;
  /** When the binding the registrar last granted runs out. */
  registeredUntil?: Date;
}

export interface SipCarrierOptions {
  trunks: readonly SipTrunk[];
  ua: SipUserAgent;
  media: MediaEngine;
  tts: TextToSpeech;
  clock: Clock;
  /** Local address RTP binds to and the SDP offer names. */
  mediaAddress: string;
  resolveTrunk: ResolveTrunk;
  amdParams?: Partial<AmdParams>;
  defaultVoice?: string;
  log?: SipCarrierLogger;
  /** The trunks' registrations, for registrations(); their life is the caller's (stop them in onClose). */
  registrations?: readonly TrunkRegistrationEntry[];
  /** Closed with the carrier (the stack, engine and user agent it was started with). */
  onClose?: () => Promise<void>;
  /** Told of INVITE final responses and each answered call's RTP totals (Prometheus metrics). */
  observer?: Pick<CarrierObserver, 'inviteFinalResponse' | 'mediaSessionClosed'>;
}

/** The voice a call speaks with when neither the step nor the settings name one (as SipAnsweredCall is given). */
const DEFAULT_TTS_VOICE = 'en-gb';

const SILENT_LOG: SipCarrierLogger = { info: () => {}, warn: () => {} };

/** How long a call waits for a registering trunk to register when no other trunk can take it. */
export const REGISTRATION_WAIT_MS = 10_000;
const REGISTRATION_POLL_MS = 250;

export class SipCarrier implements Carrier {
  readonly name = 'sip';
  private readonly pool: TrunkPool;
  private readonly log: SipCarrierLogger;
  private closed = false;

  constructor(private readonly options: SipCarrierOptions) {
    this.pool = new TrunkPool(options.trunks, options.clock.now().getTime());
    this.log = options.log ?? SILENT_LOG;
  }

  /** Renders into the TTS cache, so the call's first say() reads it back instead of running the engine. */
  async prepare(speech: readonly PreparedSpeech[]): Promise<void> {
    await Promise.all(
      speech.map(({ text, options }) =>
        this.options.tts.render(text, {
          voice: options?.voice ?? this.options.defaultVoice ?? DEFAULT_TTS_VOICE,
          ...(options?.language !== undefined ? { language: options.language } : {}),
        }),
      ),
    );
  }

  async dial(request: DialRequest): Promise<DialResult> {
    if (this.closed) return { kind: 'failed', failure: 'failed', reason: 'SIP carrier is closed' };
    const tried = new Set<string>();
    let last: DialResult = { kind: 'failed', failure: 'failed', reason: 'no SIP trunk could take the call' };
    // A trunk that answers 5xx or cannot be reached is the trunk's fault, not the callee's: try the next one.
    for (;;) {
      const got = await this.acquire(tried, request.signal);
      if ('unavailable' in got) return tried.size > 0 ? last : { kind: 'failed', failure: 'failed', reason: got.unavailable };
      const lease = got;
      tried.add(lease.trunk.name);
      const { result, retryable } = await this.dialVia(lease, request);
      if (!retryable || request.signal?.aborted) return result;
      last = result;
      this.log.warn({ trunk: lease.trunk.name, callId: request.callId, reason: result.kind === 'failed' ? result.reason : '' }, 'trunk failed; trying the next');
    }
  }

  /** The state of each trunk registration (trunks with register: true), in trunk order. */
  registrations(): TrunkRegistrationStatus[] {
    return (this.options.registrations ?? []).map(({ trunk, registration }) => {
      const status: TrunkRegistrationStatus = { trunk, state: registration.state, detail: registration.detail };
      const until = registration.registeredUntil;
      if (until !== undefined) status.registeredUntil = until;
      return status;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.onClose?.();
  }

  /**
   * A slot on the next trunk that may take the call: not tried for it yet, within its limits, and registered when it
   * registers. When only unregistered trunks are left, waits up to REGISTRATION_WAIT_MS for one to register (at
   * start-up the first REGISTER is still on its way) before giving up with the registrar's last word.
   */
  private async acquire(tried: Set<string>, signal: CancelSignal | undefined): Promise<TrunkLease | { unavailable: string }> {
    const clock = this.options.clock;
    const startedMs = clock.now().getTime();
    for (;;) {
      if (signal?.aborted) return { unavailable: 'cancelled before a trunk was free' };
      if (this.closed) return { unavailable: 'SIP carrier is closed' };
      const unregistered = this.unregisteredTrunks();
      const got = this.pool.acquire(clock.now().getTime(), new Set([...tried, ...unregistered.keys()]));
      if (got.kind === 'acquired') return got.lease;
      let waitMs: number;
      if (got.kind === 'wait') {
        waitMs = got.waitMs;
      } else {
        const waiting = [...unregistered.keys()].some((name) => !tried.has(name));
        if (!waiting || clock.now().getTime() - startedMs >= REGISTRATION_WAIT_MS) {
          const why = [...unregistered].filter(([name]) => !tried.has(name)).map(([name, reason]) => `trunk ${name} is not registered (${reason})`);
          return { unavailable: why.length > 0 ? why.join('; ') : 'no SIP trunk could take the call' };
        }
        waitMs = REGISTRATION_POLL_MS;
      }
      await clock.sleep(waitMs, signal).catch(() => {});
    }
  }

  /** Trunks that register and are not registered now, with why. */
  private unregisteredTrunks(): Map<string, string> {
    const out = new Map<string, string>();
    for (const { trunk, registration } of this.options.registrations ?? []) {
      if (registration.state !== 'registered') out.set(trunk, `${registration.state}: ${registration.detail.reason}`);
    }
    return out;
  }

  private async dialVia(lease: TrunkLease, request: DialRequest): Promise<{ result: DialResult; retryable: boolean }> {
    const { trunk } = lease;
    let media: MediaSession | undefined;
    let handedOver = false;
    try {
      const targets = await this.options.resolveTrunk(trunk);
      const target = targets[0];
      if (target === undefined) {
        return { result: { kind: 'failed', failure: 'failed', reason: `trunk ${trunk.name}: ${trunk.host} did not resolve` }, retryable: true };
      }
      media = await this.options.media.openSession({ bindAddress: this.options.mediaAddress });
      const offer = buildSdpOffer({
        address: media.localAddress,
        port: media.localPort,
        sessionId: String(randomInt(1, 2 ** 31)),
        sessionVersion: 1,
        codecs: ['PCMU', 'PCMA'],
      });
      const domain = trunk.fromDomain ?? trunk.host;
      const hostPort = trunk.port !== undefined ? `${trunk.host}:${trunk.port}` : trunk.host;
      const requestUri = trunkRequestUri(request.to, trunk);
      const cliUri = `sip:${formatTrunkNumber(request.from, trunk)}@${domain}`;
      const invite = this.options.ua.invite({
        target,
        requestUri,
        fromUri: cliUri,
        toUri: `sip:${formatTrunkNumber(request.to, trunk)}@${hostPort}`,
        assertedIdentity: `<${cliUri}>`,
        ...(trunk.username !== undefined ? { credentials: { username: trunk.username, password: trunk.password ?? '' } } : {}),
        sdpOffer: offer,
        onProgress: (status) => request.onProgress?.(status === 100 ? { kind: 'trying' } : { kind: 'ringing' }),
      });

      // The ring timeout and our own shutdown both CANCEL; which one it was decides the outcome.
      let ringTimedOut = false;
      const cancelRingTimer = clockTimeout(this.options.clock, request.ringTimeoutMs, () => {
        ringTimedOut = true;
        invite.cancel();
      });
      const onAbort = () => invite.cancel();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      let outcome: InviteOutcome;
      try {
        outcome = await invite.outcome;
      } finally {
        cancelRingTimer();
        request.signal?.removeEventListener('abort', onAbort);
      }

      if (outcome.kind === 'cancelled') {
        const reason = ringTimedOut ? `no answer within ${Math.round(request.ringTimeoutMs / 1000)} s` : 'cancelled by shutdown';
        return { result: { kind: 'failed', failure: ringTimedOut ? 'no_answer' : 'failed', reason }, retryable: false };
      }
      if (outcome.kind === 'failed') {
        this.options.observer?.inviteFinalResponse(outcome.status);
        const result: DialResult = {
          kind: 'failed',
          failure: failureForStatus(outcome.status),
          sipCode: outcome.status,
          reason: outcome.timedOut ? `no response from trunk ${trunk.name}` : `${outcome.status} ${outcome.reason}`.trim(),
        };
        if (outcome.q850Cause !== undefined) result.q850Cause = outcome.q850Cause;
        return { result, retryable: isTrunkFailure(outcome.status) || outcome.timedOut };
      }

      this.options.observer?.inviteFinalResponse(200);
      const answer = parseSdpAnswer(outcome.remoteSdp);
      if (!answer.ok) {
        await outcome.call.hangup();
        return { result: { kind: 'failed', failure: 'failed', sipCode: 200, reason: `unusable SDP answer: ${answer.error}` }, retryable: false };
      }
      const remote = answer.value;
      media.start({
        address: remote.address,
        port: remote.port,
        codec: remote.codec,
        payloadType: remote.payloadType,
        ...(remote.dtmfPayloadType !== undefined ? { dtmfPayloadType: remote.dtmfPayloadType } : {}),
      });
      const session = media;
      const amd = await Promise.race([
        session.detectAnsweringMachine(this.options.amdParams),
        outcome.call.ended.then(() => ({ result: 'notsure' as const, reason: 'callee hung up during detection', afterMs: 0 })),
      ]);
      this.log.info({ callId: request.callId, trunk: trunk.name, amd }, 'call answered');
      handedOver = true;
      const call = new SipAnsweredCall({
        sipCall: outcome.call,
        media: session,
        tts: this.options.tts,
        clock: this.options.clock,
        amd,
        defaultVoice: this.options.defaultVoice ?? DEFAULT_TTS_VOICE,
        trunk,
        onEnded: () => lease.release(),
        ...(this.options.observer ? { onMediaStats: (stats: MediaSessionStats) => this.options.observer?.mediaSessionClosed(stats) } : {}),
      });
      return { result: { kind: 'answered', call }, retryable: false };
    } catch (error) {
      return { result: { kind: 'failed', failure: 'failed', reason: `SIP error: ${(error as Error).message}` }, retryable: true };
    } finally {
      if (!handedOver) {
        await media?.close().catch(() => {});
        lease.release();
      }
    }
  }
}
