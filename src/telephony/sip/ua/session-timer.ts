/**
 * Session timers for an answered call (RFC 4028): who refreshes the session, and when, and when a session nobody
 * refreshed is declared dead. Pure decisions (which role, which headers) plus one small state machine that owns the
 * two timers of a call.
 *
 * Roles, seen from us:
 *   'refresher' - we send a re-INVITE every half interval (section 10: "the refresh SHOULD be sent ... half the
 *                 session interval");
 *   'watcher'   - the callee refreshes; if no refresh arrives, we send BYE "the lesser of 32 seconds or one third of
 *                 the session interval" before it expires (section 10);
 *   'off'       - no session timer was negotiated.
 */
import {
  formatSessionExpires,
  sessionExpiresOf,
  MIN_SESSION_EXPIRES_S,
  type SessionExpires,
} from '../message/session-timer.js';
import { getHeaders, type SipHeader, type SipRequest, type SipResponse } from '../message/types.js';
import type { TimerGroup, TimerHandle } from './timer.js';
import { listsOptionTag } from './ua-context.js';

export type SessionTimerRole = 'off' | 'refresher' | 'watcher';

export interface SessionTimerPlan {
  role: SessionTimerRole;
  intervalS: number;
}

export const NO_SESSION_TIMER: SessionTimerPlan = Object.freeze({ role: 'off', intervalS: 0 });

/**
 * Section 7.2: the 2xx to an INVITE we sent decides. No Session-Expires: no session expiration. refresher=uac: we
 * (the UAC) refresh. refresher=uas: the callee does and we watch. A 2xx must name the refresher (section 9); if it
 * does not, refreshing ourselves is the safe reading: a needless refresh costs one re-INVITE, a missing one the call.
 */
export function planFromAnswer(response: SipResponse): SessionTimerPlan {
  const se = sessionExpiresOf(response.headers);
  if (!se || !se.ok || se.value.deltaSeconds === 0) return NO_SESSION_TIMER;
  return { role: se.value.refresher === 'uas' ? 'watcher' : 'refresher', intervalS: se.value.deltaSeconds };
}

export type IncomingRefreshDecision =
  | { kind: 'accept'; plan: SessionTimerPlan; responseHeaders: SipHeader[] }
  | { kind: 'reject'; status: number; reason: string; responseHeaders: SipHeader[] };

/**
 * Section 9: our answer to a re-INVITE from the callee (the callee is the UAC of that transaction, so "uac" means
 * the callee). An interval below our Min-SE gets 422 with Min-SE (section 9, "Session Interval Too Small"). With a
 * Session-Expires we keep its refresher, or pick "uac" when the callee supports timers (it asked for the timer, it
 * can run it) and "uas" (us) otherwise; refresher=uac needs Require: timer in the 2xx. Without one, we keep a timer
 * only if we want one (`ourIntervalS` > 0), refreshed by us.
 */
export function decideIncomingRefresh(
  request: SipRequest,
  settings: { minSessionExpiresS: number; ourIntervalS: number },
): IncomingRefreshDecision {
  const se = sessionExpiresOf(request.headers);
  if (se && !se.ok) return { kind: 'reject', status: 400, reason: 'Bad Session-Expires', responseHeaders: [] };
  const minSeS = Math.max(MIN_SESSION_EXPIRES_S, settings.minSessionExpiresS);
  const callerSupportsTimer = listsOptionTag(getHeaders(request.headers, 'Supported'), 'timer');
  if (se) {
    if (se.value.deltaSeconds < minSeS) {
      return { kind: 'reject', status: 422, reason: 'Session Interval Too Small', responseHeaders: [['Min-SE', String(minSeS)]] };
    }
    const refresher = se.value.refresher ?? (callerSupportsTimer ? 'uac' : 'uas');
    const answer: SessionExpires = { deltaSeconds: se.value.deltaSeconds, refresher };
    const headers: SipHeader[] = [['Session-Expires', formatSessionExpires(answer)]];
    if (refresher === 'uac') headers.push(['Require', 'timer']);
    return { kind: 'accept', plan: { role: refresher === 'uac' ? 'watcher' : 'refresher', intervalS: answer.deltaSeconds }, responseHeaders: headers };
  }
  if (settings.ourIntervalS <= 0) return { kind: 'accept', plan: NO_SESSION_TIMER, responseHeaders: [] };
  const intervalS = Math.max(minSeS, settings.ourIntervalS);
  return {
    kind: 'accept',
    plan: { role: 'refresher', intervalS },
    responseHeaders: [['Session-Expires', formatSessionExpires({ deltaSeconds: intervalS, refresher: 'uas' })]],
  };
}

/** Section 10: the refresher refreshes at half the interval. */
export function refreshDelayMs(intervalS: number): number {
  return (intervalS * 1000) / 2;
}

/**
 * Section 10: the side that does not refresh gives up "the lesser of 32 seconds or one third of the session interval"
 * before the expiry; the refresher whose refreshes keep failing gives up at the expiry itself.
 */
export function expiryDelayMs(plan: SessionTimerPlan): number {
  if (plan.role === 'watcher') return (plan.intervalS - Math.min(32, plan.intervalS / 3)) * 1000;
  return plan.intervalS * 1000;
}

/** The two timers of one call's session timer; `apply` restarts them after each successful refresh. */
export class SessionTimer {
  private current: SessionTimerPlan = NO_SESSION_TIMER;
  private refreshTimer: TimerHandle | undefined;
  private expiryTimer: TimerHandle | undefined;

  constructor(
    private readonly timers: TimerGroup,
    private readonly handlers: { onRefreshDue(): void; onExpired(): void },
  ) {}

  get plan(): SessionTimerPlan {
    return this.current;
  }

  apply(plan: SessionTimerPlan): void {
    this.stop();
    this.current = plan;
    if (plan.role === 'off' || plan.intervalS <= 0) return;
    if (plan.role === 'refresher') this.refreshTimer = this.timers.start(refreshDelayMs(plan.intervalS), () => this.handlers.onRefreshDue());
    this.expiryTimer = this.timers.start(expiryDelayMs(plan), () => this.handlers.onExpired());
  }

  /** Retries a refresh later (after a 491, RFC 3261 section 14.1) without moving the expiry. */
  retryRefreshIn(delayMs: number): void {
    this.refreshTimer?.cancel();
    this.refreshTimer = this.timers.start(delayMs, () => this.handlers.onRefreshDue());
  }

  stop(): void {
    this.refreshTimer?.cancel();
    this.expiryTimer?.cancel();
    this.refreshTimer = undefined;
    this.expiryTimer = undefined;
  }
}
