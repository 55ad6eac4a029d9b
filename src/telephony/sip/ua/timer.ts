// One-shot timers on the injected clock, so every SIP timer above the transaction layer runs in virtual time in
// tests and the demo.
import type { Clock } from '../../../domain/clock.js';
import { clockTimeout } from '../clock-timeout.js';

export interface TimerHandle {
  cancel(): void;
}

/** Calls `onFire` after `delayMs` of the clock's time unless cancelled first. */
export function startTimer(clock: Clock, delayMs: number, onFire: () => void): TimerHandle {
  return { cancel: clockTimeout(clock, delayMs, onFire) };
}

/** A set of timers disposed together (a call's timers go when the call ends). */
export class TimerGroup {
  private readonly live = new Set<TimerHandle>();
  constructor(private readonly clock: Clock) {}

  start(delayMs: number, onFire: () => void): TimerHandle {
    const handle: TimerHandle = startTimer(this.clock, delayMs, () => {
      this.live.delete(wrapped);
      onFire();
    });
    const wrapped: TimerHandle = {
      cancel: () => {
        this.live.delete(wrapped);
        handle.cancel();
      },
    };
    this.live.add(wrapped);
    return wrapped;
  }

  cancelAll(): void {
    for (const timer of [...this.live]) timer.cancel();
  }
}
