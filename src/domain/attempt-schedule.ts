// When each attempt on a number is due, and whether a call may start now (issue 3, "When to dial"). A retry is
// computed as a due time and then clamped into the calling windows, rather than counted down on a timer: a countdown
// that never re-checks the window is how other diallers end up calling outside calling hours (landscape.md).
// Pure: the caller passes the instants.
import { nextCallableInstant, windowContaining, type CallingWindow } from './calling-windows.js';

const MINUTE_MS = 60_000;

export interface AttemptDueArgs {
  windows: readonly CallingWindow[];
  /** The interval of the attempt being scheduled (AttemptPlan.intervalMinutes). */
  intervalMinutes: number;
  /** When the previous attempt's call ended; undefined for attempt 1. */
  previousEndedAt: Date | undefined;
  /** The campaign's start (StartDate StartTime in its zone): attempt 1 counts its interval from here. */
  campaignStartsAt: Date;
}

/**
 * Attempt N is due `interval` minutes after attempt N-1 ended (attempt 1: `interval` minutes after the campaign's
 * start); a due time outside every window moves to the next window's opening; undefined when no window is left.
 * Throws on a negative or non-finite interval (the campaign was validated, so that is a bug).
 */
export function attemptDueAt(args: AttemptDueArgs): Date | undefined {
  if (!Number.isFinite(args.intervalMinutes) || args.intervalMinutes < 0) {
    throw new RangeError(`attemptDueAt: intervalMinutes must be a finite number >= 0, got ${args.intervalMinutes}`);
  }
  const from = args.previousEndedAt ?? args.campaignStartsAt;
  return nextCallableInstant(args.windows, new Date(from.getTime() + args.intervalMinutes * MINUTE_MS));
}

export type CallStartCheck =
  | {
      allowed: true;
      window: CallingWindow;
      /** Time left before the window closes; the caller may use it to bound the call's ring time. */
      msUntilClose: number;
    }
  | {
      allowed: false;
      reason: 'outside_window' | 'closing_soon';
      /** When a call may next start, or undefined when no window is left. */
      nextCallableAt: Date | undefined;
    };

export interface CallStartArgs {
  windows: readonly CallingWindow[];
  now: Date;
  /**
   * Refuse to start a call when less than this is left in the window (default 0: any instant before closesAt is
   * allowed). A dialer may set it to its ring timeout so that no call is still ringing when the window closes.
   */
  minimumMsBeforeClose?: number;
}

/**
 * Whether a call may START at `now`: only inside a window (opensAt <= now < closesAt) and with more than
 * `minimumMsBeforeClose` left. A call already running when its window closes is not cut off: the window limits
 * when calls start, not how long they last.
 */
export function checkCallStart(args: CallStartArgs): CallStartCheck {
  const minimumMs = args.minimumMsBeforeClose ?? 0;
  if (!Number.isFinite(minimumMs) || minimumMs < 0) {
    throw new RangeError(`checkCallStart: minimumMsBeforeClose must be a finite number >= 0, got ${minimumMs}`);
  }
  const window = windowContaining(args.windows, args.now);
  if (!window) {
    return { allowed: false, reason: 'outside_window', nextCallableAt: nextCallableInstant(args.windows, args.now) };
  }
  const msUntilClose = window.closesAt.getTime() - args.now.getTime();
  if (msUntilClose <= minimumMs) {
    // The next chance is the next window's opening (this one is as good as closed).
    const nextCallableAt = nextCallableInstant(args.windows, window.closesAt);
    return { allowed: false, reason: 'closing_soon', nextCallableAt };
  }
  return { allowed: true, window, msUntilClose };
}
