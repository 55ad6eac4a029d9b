/**
 * Registering to a trunk (RFC 3261 section 10): many providers take calls only from a user agent that has bound its
 * Contact to the trunk account's address-of-record with REGISTER, and keeps that binding refreshed.
 *
 *   unregistered --start()--> registering --2xx--> registered --refresh timer: REGISTER (state stays registered)
 *                                  |  ^                |  ^            |
 *                 failure/timeout  |  | backoff timer  |  +---2xx-----+
 *                                  v  |                v failure/timeout of a refresh
 *                               retrying <-------------+
 *   any state --stop()--> unregistering (REGISTER Expires: 0, only when a binding may exist; bounded wait) --> stopped
 *
 * One REGISTER "attempt" answers 401/407 with the RequestAuthorizer (a fresh one per attempt: registrars hand out a
 * new nonce each time; stale=true is answered again, a second plain challenge means the credentials were refused)
 * and 423 Interval Too Brief by asking again for the Min-Expires (section 10.2.8). Every REGISTER to the registrar
 * shares one Call-ID and From tag, with the CSeq going up by one each time (section 10.2: the registrar orders them
 * by it). The lifetime granted is our Contact's `expires` in the 2xx, else its Expires header, else what we asked
 * for (section 10.2.4); we refresh at the earlier of 90 % of it and 30 s before it ends. Failures are retried after
 * 5 s, doubling to 5 min (or after the Retry-After the registrar gives, within that cap), and reported through
 * onStateChange. Nothing from the network throws.
 */
import type { Clock } from '../../../domain/clock.js';
import { DigestNonceCounter } from '../auth/digest.js';
import { parseContact, parseCSeq, type NameAddr } from '../message/headers.js';
import { getHeader, getHeaders, type SipHeader, type SipRequest, type SipResponse } from '../message/types.js';
import type { ClientTransaction, ClientTransactionHandlers, SipStack, SipTarget, SipTransportName } from '../transaction/types.js';
import { newCallId, newTag } from './ids.js';
import { RequestAuthorizer } from './request-auth.js';
import { startTimer, type TimerHandle } from './timer.js';
import { ALLOW_HEADER_VALUE, callListener } from './ua-context.js';

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'retrying' | 'unregistering' | 'stopped';

/** Why the state is what it is, for logs and operators. */
export interface RegistrationDetail {
  reason: string;
  /** The SIP status of the response that decided it, when one did. */
  status?: number;
  /** registered: the lifetime the registrar granted, in seconds. */
  expiresS?: number;
  /** retrying: when the next attempt goes, in ms from now. */
  retryInMs?: number;
}

export interface TrunkRegistrationOptions {
  stack: SipStack;
  clock: Clock;
  /** The registrar's domain: Request-URI sip:host[:port], address-of-record sip:username@host. */
  host: string;
  port?: number;
  transport: SipTransportName;
  /** Where REGISTER goes: asked before each attempt that follows a failure (the first target is used). */
  resolveTarget: () => Promise<readonly SipTarget[]>;
  username: string;
  password?: string;
  /** The lifetime we ask for (Expires), in seconds. */
  expiresS: number;
  /** User-Agent header value. Default 'Ringcast'. */
  userAgent?: string;
  /** Called on every state change (not on each successful refresh). Its exceptions do not reach us. */
  onStateChange?: (state: RegistrationState, detail: RegistrationDetail) => void;
  /** First retry delay after a failure, doubled per failure up to retryMaxMs. Default 5 s. */
  retryInitialMs?: number;
  /** Default 5 min. */
  retryMaxMs?: number;
  /** How long stop() waits for the answer to the REGISTER that removes the binding. Default 2 s. */
  unregisterTimeoutMs?: number;
}

export const DEFAULT_REGISTER_RETRY_INITIAL_MS = 5_000;
export const DEFAULT_REGISTER_RETRY_MAX_MS = 300_000;
export const DEFAULT_UNREGISTER_TIMEOUT_MS = 2_000;
/** Challenges answered per attempt: one per realm plus stale nonces; more is a registrar going round in circles. */
const MAX_AUTH_RESENDS = 4;
const MAX_INTERVAL_RESENDS = 2;
/** RFC 3261 section 20.19: delta-seconds; 2**32-1 is the largest a registrar may say, we cap lower. */
const MAX_GRANTED_S = 2 ** 31 / 1000;

/** The result of one REGISTER attempt (with its auth and 423 re-sends). */
type AttemptResult =
  | { ok: true; grantedS: number; status: number }
  | { ok: false; reason: string; status?: number; retryAfterS?: number };

/** URI host: IPv6 literals in brackets. */
function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** RFC 3261 section 25.1: user = 1*( unreserved / escaped / user-unreserved ); anything else is %-escaped. */
function escapeUser(user: string): string {
  return Array.from(Buffer.from(user, 'utf8'))
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function parseDeltaSeconds(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*([0-9]{1,10})\s*(?:[;(].*)?$/.exec(value);
  if (!m || m[1] === undefined) return undefined;
  return Math.min(Number(m[1]), MAX_GRANTED_S);
}

/**
 * When to refresh a binding granted for `grantedS` seconds: at the earlier of 90 % of it and 30 s before it ends,
 * but not before half of it has passed (a registrar granting a few seconds would otherwise make us spin).
 */
export function refreshDelayMs(grantedS: number): number {
  const s = Math.max(Math.min(grantedS * 0.9, grantedS - 30), grantedS / 2);
  return Math.round(s * 1000);
}

export class TrunkRegistration {
  private stateValue: RegistrationState = 'unregistered';
  private detailValue: RegistrationDetail = { reason: 'not started' };
  private readonly callId = newCallId();
  private readonly fromTag = newTag();
  private readonly aor: string;
  private readonly requestUri: string;
  private readonly nonceCounter = new DigestNonceCounter(64);
  private cseq = 0;
  /** Bumped by every REGISTER sent and by stop(): responses to anything older are ignored. */
  private sendGeneration = 0;
  /** Bumped per attempt and by stop(): an attempt that outlived its turn (e.g. while resolving) gives up. */
  private attemptGeneration = 0;
  private expiresS: number;
  private target: SipTarget | undefined;
  private transaction: ClientTransaction | undefined;
  private timer: TimerHandle | undefined;
  private nextRetryMs: number;
  private everRegistered = false;
  private grantedUntilMs: number | undefined;
  private stopping: Promise<void> | undefined;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: TrunkRegistrationOptions) {
    if (!Number.isInteger(options.expiresS) || options.expiresS < 1) {
      throw new RangeError(`expiresS must be a positive integer, got ${options.expiresS}`);
    }
    if (options.username.length === 0) throw new RangeError('registering needs a username');
    const hostPart = uriHost(options.host);
    this.aor = `sip:${escapeUser(options.username)}@${hostPart}`;
    this.requestUri = `sip:${hostPart}${options.port !== undefined ? `:${options.port}` : ''}`;
    this.expiresS = options.expiresS;
    this.retryInitialMs = options.retryInitialMs ?? DEFAULT_REGISTER_RETRY_INITIAL_MS;
    this.retryMaxMs = options.retryMaxMs ?? DEFAULT_REGISTER_RETRY_MAX_MS;
    this.nextRetryMs = this.retryInitialMs;
  }

  get state(): RegistrationState {
    return this.stateValue;
  }

  /** Why the registration is in its state (the last change's detail). */
  get detail(): RegistrationDetail {
    return this.detailValue;
  }

  /**
   * When our binding runs out unless refreshed: the time of the last 2xx plus the lifetime it granted. Undefined
   * before the first 2xx and after stop().
   */
  get registeredUntil(): Date | undefined {
    return this.grantedUntilMs === undefined ? undefined : new Date(this.grantedUntilMs);
  }

  /** The Contact we bind: where the registrar sends calls for the account. */
  get contactUri(): string {
    const { stack } = this.options;
    return `sip:${escapeUser(this.options.username)}@${uriHost(stack.localAddress)}:${stack.localPort};transport=${this.options.transport}`;
  }

  /** Sends the first REGISTER. Returns at once: the outcome comes through onStateChange and `state`. */
  start(): void {
    if (this.stateValue !== 'unregistered') return;
    this.setState('registering', { reason: 'registering' });
    this.attempt(false);
  }

  /**
   * Stops refreshing. When the registrar may hold a binding of ours, removes it with a REGISTER Expires: 0 and waits
   * for the answer at most unregisterTimeoutMs (best effort). Resolves in state 'stopped'; never rejects.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    this.attemptGeneration += 1;
    this.sendGeneration += 1;
    this.terminateTransaction();
    const target = this.target;
    if (this.stateValue === 'unregistered' || !this.everRegistered || target === undefined) {
      this.setState('stopped', { reason: 'stopped' });
      return;
    }
    this.setState('unregistering', { reason: 'removing the binding (Expires: 0)' });
    const wait = new AbortController();
    const generation = this.attemptGeneration;
    const result = await Promise.race([
      new Promise<AttemptResult>((resolve) => this.runRegister(target, 0, generation, resolve)),
      this.options.clock
        .sleep(this.options.unregisterTimeoutMs ?? DEFAULT_UNREGISTER_TIMEOUT_MS, wait.signal)
        .then((): AttemptResult => ({ ok: false, reason: 'no answer to the REGISTER that removes the binding' }))
        .catch((): AttemptResult => ({ ok: false, reason: 'aborted' })),
    ]);
    wait.abort();
    this.sendGeneration += 1;
    this.terminateTransaction();
    this.grantedUntilMs = undefined;
    const detail: RegistrationDetail = result.ok ? { reason: 'unregistered' } : { reason: result.reason };
    if (result.status !== undefined) detail.status = result.status;
    this.setState('stopped', detail);
  }

  /**
   * One REGISTER attempt, then what follows: the refresh timer, or the retry timer. A refresh goes to the target of
   * the binding it refreshes; any other attempt resolves the registrar again first.
   */
  private attempt(refresh: boolean): void {
    const generation = ++this.attemptGeneration;
    const known = refresh ? this.target : undefined;
    if (known !== undefined) return this.registerAt(known, generation);
    void Promise.resolve()
      .then(() => this.options.resolveTarget())
      .then(
        (targets) => targets[0],
        () => undefined,
      )
      .then((target) => {
        if (generation !== this.attemptGeneration) return;
        if (target === undefined) return this.failed({ ok: false, reason: `${this.options.host} did not resolve` });
        this.registerAt(target, generation);
      });
  }

  private registerAt(target: SipTarget, generation: number): void {
    this.target = target;
    this.runRegister(target, this.expiresS, generation, (result) => {
      if (generation !== this.attemptGeneration) return;
      if (!result.ok) return this.failed(result);
      if (result.grantedS <= 0) return this.failed({ ok: false, reason: 'the registrar granted no time', status: result.status });
      this.everRegistered = true;
      this.nextRetryMs = this.retryInitialMs;
      this.grantedUntilMs = this.options.clock.now().getTime() + result.grantedS * 1000;
      if (this.stateValue !== 'registered') {
        this.setState('registered', { reason: 'registered', status: result.status, expiresS: result.grantedS });
      } else {
        this.detailValue = { reason: 'refreshed', status: result.status, expiresS: result.grantedS };
      }
      this.schedule(refreshDelayMs(result.grantedS), () => this.attempt(true));
    });
  }

  private failed(result: Extract<AttemptResult, { ok: false }>): void {
    let delay = this.nextRetryMs;
    if (result.retryAfterS !== undefined) delay = Math.max(delay, result.retryAfterS * 1000);
    delay = Math.min(delay, this.retryMaxMs);
    this.nextRetryMs = Math.min(this.nextRetryMs * 2, this.retryMaxMs);
    const detail: RegistrationDetail = { reason: result.reason, retryInMs: delay };
    if (result.status !== undefined) detail.status = result.status;
    this.setState('retrying', detail);
    this.schedule(delay, () => {
      this.setState('registering', { reason: 'registering again' });
      this.attempt(false);
    });
  }

  private schedule(delayMs: number, onFire: () => void): void {
    this.timer?.cancel();
    this.timer = startTimer(this.options.clock, delayMs, () => {
      this.timer = undefined;
      onFire();
    });
  }

  /**
   * Sends REGISTER asking for `expiresS` and follows it through challenges and 423 until a result, passed to
   * `onResult` once (synchronously with the response that decided it; a transport error from a stack that refused
   * to send comes a microtask later). Nothing more happens once the attempt is superseded.
   */
  private runRegister(target: SipTarget, expiresS: number, generation: number, onResult: (result: AttemptResult) => void): void {
    const authorizer = new RequestAuthorizer({ username: this.options.username, password: this.options.password ?? '' }, this.nonceCounter);
    let authResends = 0;
    let intervalResends = 0;
    let askFor = expiresS;
    let decided = false;
    const resolve = (result: AttemptResult) => {
      if (decided) return;
      decided = true;
      this.transaction = undefined;
      onResult(result);
    };
    const send = () => {
      const { seq, sendGeneration } = this.sendRegister(target, askFor, authorizer, {
        onResponse: (response) => {
          if (sendGeneration !== this.sendGeneration || generation !== this.attemptGeneration) return;
          if (!this.isOurs(response, seq) || response.status < 200) return;
          if (response.status < 300) {
            return resolve({ ok: true, status: response.status, grantedS: expiresS === 0 ? 0 : this.grantedOf(response, askFor) });
          }
          if (response.status === 401 || response.status === 407) {
            const verdict = authorizer.accept(response);
            if (!verdict.ok) return resolve({ ok: false, reason: `${response.status} ${response.reason}: ${verdict.reason}`, status: response.status });
            if (++authResends > MAX_AUTH_RESENDS) return resolve({ ok: false, reason: 'challenged too many times', status: response.status });
            return send();
          }
          if (response.status === 423 && expiresS > 0) {
            const minExpires = parseDeltaSeconds(getHeader(response.headers, 'Min-Expires'));
            if (minExpires === undefined || minExpires <= askFor || ++intervalResends > MAX_INTERVAL_RESENDS) {
              return resolve({ ok: false, reason: `${response.status} ${response.reason} without a usable Min-Expires`, status: response.status });
            }
            // Section 10.2.8: ask again for at least Min-Expires; later refreshes ask for it too.
            askFor = minExpires;
            this.expiresS = Math.max(this.expiresS, minExpires);
            return send();
          }
          const failure: AttemptResult = { ok: false, reason: `${response.status} ${response.reason}`.trim(), status: response.status };
          const retryAfter = parseDeltaSeconds(getHeader(response.headers, 'Retry-After'));
          if (retryAfter !== undefined) failure.retryAfterS = retryAfter;
          return resolve(failure);
        },
        onTimeout: () => {
          if (sendGeneration !== this.sendGeneration || generation !== this.attemptGeneration) return;
          resolve({ ok: false, reason: 'no response from the registrar (timeout)', status: 408 });
        },
        onTransportError: (error) => {
          if (sendGeneration !== this.sendGeneration || generation !== this.attemptGeneration) return;
          resolve({ ok: false, reason: `could not reach the registrar: ${error.message}`, status: 503 });
        },
      });
    };
    send();
  }

  private sendRegister(
    target: SipTarget,
    expiresS: number,
    authorizer: RequestAuthorizer,
    handlers: ClientTransactionHandlers,
  ): { seq: number; sendGeneration: number } {
    this.cseq += 1;
    this.sendGeneration += 1;
    const seq = this.cseq;
    const sendGeneration = this.sendGeneration;
    const body = Buffer.alloc(0);
    const headers: SipHeader[] = [
      ['Max-Forwards', '70'],
      ['From', `<${this.aor}>;tag=${this.fromTag}`],
      ['To', `<${this.aor}>`],
      ['Call-ID', this.callId],
      ['CSeq', `${seq} REGISTER`],
      ['Contact', `<${this.contactUri}>;expires=${expiresS}`],
      ['Expires', String(expiresS)],
      ['User-Agent', this.options.userAgent ?? 'Ringcast'],
      ['Allow', ALLOW_HEADER_VALUE],
      ...authorizer.headersFor('REGISTER', this.requestUri, body),
    ];
    const request: SipRequest = { kind: 'request', method: 'REGISTER', uri: this.requestUri, version: 'SIP/2.0', headers, body };
    try {
      this.transaction = this.options.stack.sendRequest(request, target, handlers);
    } catch (error) {
      // The stack is closing or the target is unusable: a transport failure, reported after we return.
      queueMicrotask(() => handlers.onTransportError(error instanceof Error ? error : new Error(String(error))));
    }
    return { seq, sendGeneration };
  }

  /** The transaction matched it by branch; a response that names another Call-ID or CSeq is broken: ignored. */
  private isOurs(response: SipResponse, seq: number): boolean {
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 699) return false;
    if (getHeader(response.headers, 'Call-ID')?.trim() !== this.callId) return false;
    const cseq = parseCSeq(getHeader(response.headers, 'CSeq') ?? '');
    return cseq.ok && cseq.value.seq === seq && cseq.value.method.toUpperCase() === 'REGISTER';
  }

  /**
   * Section 10.2.4: the lifetime of our binding is the `expires` of our Contact in the 2xx (the registrar lists
   * every binding of the address-of-record), else the Expires header, else what we asked for. A 2xx that lists one
   * Contact unlike ours (a registrar that rewrote our address, e.g. behind NAT) is taken to be ours.
   */
  private grantedOf(response: SipResponse, askedS: number): number {
    const contacts = parseContact(getHeaders(response.headers, 'Contact'));
    if (contacts.ok && contacts.value !== 'star') {
      const ours = contacts.value.find((c) => this.isOurContact(c)) ?? (contacts.value.length === 1 ? contacts.value[0] : undefined);
      const expires = ours ? parseDeltaSeconds(ours.params.find(([name]) => name === 'expires')?.[1]) : undefined;
      if (expires !== undefined) return expires;
    }
    return parseDeltaSeconds(getHeader(response.headers, 'Expires')) ?? askedS;
  }

  private isOurContact(contact: NameAddr): boolean {
    const { uri } = contact;
    const { stack } = this.options;
    const localHost = stack.localAddress.replace(/^\[|\]$/g, '').toLowerCase();
    return uri.user === escapeUser(this.options.username) && uri.host.toLowerCase() === localHost && (uri.port ?? 5060) === stack.localPort;
  }

  /** Forgets the REGISTER in flight (its retransmissions stop; a late answer is ignored by generation). */
  private terminateTransaction(): void {
    this.transaction?.terminate();
    this.transaction = undefined;
  }

  private setState(state: RegistrationState, detail: RegistrationDetail): void {
    this.stateValue = state;
    this.detailValue = detail;
    const listener = this.options.onStateChange;
    if (listener) callListener(() => listener(state, detail));
  }
}
