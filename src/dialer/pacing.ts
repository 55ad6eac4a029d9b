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

/**
 * What one limit leaves: lines (concurrent calls) and starts (calls per second) apart, because the dialer waits for
 * them differently: a line comes free when a call ends, a start when the one-second span moves on.
 */
export interface Room {
  lines: number;
  starts: number;
}

/**
 * A client's limit: the settings' client limit, with its concurrent calls replaced by the client's own
 * maxConcurrentCalls quota when the operator set one (client_limits). The carrier's limit still applies on top: a
 * quota above it changes nothing beyond the carrier's.
 */
export function clientLimitOf(limits: PacingLimits, clientMaxConcurrentCalls: number | undefined): PacingLimit {
  return clientMaxConcurrentCalls === undefined ? limits.client : { ...limits.client, maxConcurrentCalls: clientMaxConcurrentCalls };
}

/** After `calls` started: each holds a line and used a start. */
export function plusCalls(usage: PacingUsage, calls: number): PacingUsage {
  return { inFlight: usage.inFlight + calls, startedLastSecond: usage.startedLastSecond + calls };
}

export function roomUnder(limit: PacingLimit, usage: PacingUsage): Room {
  return { lines: Math.max(0, limit.maxConcurrentCalls - usage.inFlight), starts: Math.max(0, limit.maxCallsPerSecond - usage.startedLastSecond) };
}

/** The room left under every one of several limits. */
export function tightest(...rooms: Room[]): Room {
  return { lines: Math.min(...rooms.map((room) => room.lines)), starts: Math.min(...rooms.map((room) => room.starts)) };
}

/** Calls that may start now. */
export function callsAllowed(room: Room): number {
  return Math.min(room.lines, room.starts);
}

/** After `calls` started: each holds a line and used a start. */
export function minusCalls(room: Room, calls: number): Room {
  return { lines: room.lines - calls, starts: room.starts - calls };
}
