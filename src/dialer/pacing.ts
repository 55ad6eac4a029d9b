// Pacing limits: concurrent calls and call starts per second, per campaign, per client and per carrier (counted by the
// carrier name the dialer dials under, so processes on different carriers have a limit each). The claim
// transaction holds a lock while it counts, so the limits hold across any number of dialer processes; it reads the
// clock for the calls' start time under that lock, after counting (src/store/repositories/dialer-store.ts, claim), so
// the recorded [start_time, end_time) of calls never overlap more than a limit allows.

export interface PacingLimit {
  maxConcurrentCalls: number;
  maxCallsPerSecond: number;
}

export interface PacingLimits {
  campaign: PacingLimit;
  client: PacingLimit;
  carrier: PacingLimit;
}

/** Defaults chosen below common carrier quotas (Twilio 1 CPS, Plivo 2 CPS per number; trunks often 10 CPS). */
export const DEFAULT_PACING: PacingLimits = {
  campaign: { maxConcurrentCalls: 10, maxCallsPerSecond: 2 },
  client: { maxConcurrentCalls: 30, maxCallsPerSecond: 5 },
  carrier: { maxConcurrentCalls: 60, maxCallsPerSecond: 10 },
};

/** The span over which calls per second are counted: a claim at `now` counts the starts in (now - 1 s, now]. */
export const CALLS_PER_SECOND_SPAN_MS = 1_000;

export interface PacingUsage {
  inFlight: number;
  startedLastSecond: number;
}

/** How many more calls may start now under one limit. */
export function headroom(limit: PacingLimit, usage: PacingUsage): number {
  return Math.max(0, Math.min(limit.maxConcurrentCalls - usage.inFlight, limit.maxCallsPerSecond - usage.startedLastSecond));
}
