// Spreads calls over the configured trunks within each trunk's limits: concurrent calls and call starts per second.
// Pure bookkeeping on times the caller passes in (no clock of its own), so it is tested without waiting.
//
// The limits hold per dialer process. Across processes the dialer's CARRIER_MAX_CALLS / CARRIER_MAX_CPS, counted in
// the database under the claim lock, are the global bound: set them to the sum of the trunks' limits.
import type { SipTrunk } from './trunk-config.js';

interface TrunkState {
  trunk: SipTrunk;
  inFlight: number;
  /** Token bucket for call starts: holds up to max(1, maxCps) starts, refilled at maxCps per second. */
  tokens: number;
  refilledAtMs: number;
}

export type TrunkLease = { trunk: SipTrunk; release: () => void };

export type AcquireResult = { kind: 'acquired'; lease: TrunkLease } | { kind: 'wait'; waitMs: number } | { kind: 'none' };

export class TrunkPool {
  private readonly states: TrunkState[];
  private next = 0;

  constructor(trunks: readonly SipTrunk[], nowMs: number) {
    if (trunks.length === 0) throw new Error('TrunkPool needs at least one trunk');
    this.states = trunks.map((trunk) => ({ trunk, inFlight: 0, tokens: Math.max(1, trunk.maxCps), refilledAtMs: nowMs }));
  }

  get trunks(): SipTrunk[] {
    return this.states.map((s) => s.trunk);
  }

  inFlight(name: string): number {
    return this.states.find((s) => s.trunk.name === name)?.inFlight ?? 0;
  }

  /**
   * Takes a start on the next trunk in turn that has room, skipping those in `exclude` (trunks that already failed
   * this call). `wait` says when the earliest one will have room; `none` means every eligible trunk is excluded.
   */
  acquire(nowMs: number, exclude: ReadonlySet<string> = new Set()): AcquireResult {
    let earliestMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.states.length; i++) {
      const index = (this.next + i) % this.states.length;
      const state = this.states[index]!;
      if (exclude.has(state.trunk.name)) continue;
      this.refill(state, nowMs);
      if (state.inFlight >= state.trunk.maxCalls) {
        // Room comes when a call ends, which we cannot predict: poll again shortly.
        earliestMs = Math.min(earliestMs, 100);
        continue;
      }
      if (state.tokens < 1) {
        earliestMs = Math.min(earliestMs, Math.ceil(((1 - state.tokens) / state.trunk.maxCps) * 1000));
        continue;
      }
      state.tokens -= 1;
      state.inFlight += 1;
      this.next = (index + 1) % this.states.length;
      let released = false;
      return {
        kind: 'acquired',
        lease: {
          trunk: state.trunk,
          release: () => {
            if (released) return;
            released = true;
            state.inFlight -= 1;
          },
        },
      };
    }
    return Number.isFinite(earliestMs) ? { kind: 'wait', waitMs: Math.max(1, earliestMs) } : { kind: 'none' };
  }

  private refill(state: TrunkState, nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - state.refilledAtMs);
    state.tokens = Math.min(Math.max(1, state.trunk.maxCps), state.tokens + (elapsedMs / 1000) * state.trunk.maxCps);
    state.refilledAtMs = nowMs;
  }
}
