// The timers of one transaction (RFC 3261 section 17, table 4 in appendix A), run on the injected Clock so that tests
// and `ringcast demo` drive them in virtual time. Each timer is a clockTimeout (a plain setTimeout on the system
// clock): stopping a timer or ending the transaction cancels it, so nothing is left pending when a transaction ends.
import type { Clock } from '../../../domain/clock.js';
import { clockTimeout } from '../clock-timeout.js';

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'cancel' | 'unanswered';

export class TransactionTimers {
  /** The cancel function of each running timer. */
  private readonly pending = new Map<TimerName, () => void>();

  constructor(
    private readonly clock: Clock,
    /** Called if a timer's callback throws: a bug, reported rather than left as an unhandled rejection. */
    private readonly onBug: (error: unknown) => void,
  ) {}

  /** (Re)starts a timer: a running timer of the same name is replaced. */
  start(name: TimerName, delayMs: number, fire: () => void): void {
    this.stop(name);
    const cancel = clockTimeout(this.clock, delayMs, () => {
      // A timer stopped in the same instant it became due must not fire.
      if (this.pending.get(name) !== cancel) return;
      this.pending.delete(name);
      try {
        fire();
      } catch (error) {
        this.onBug(error);
      }
    });
    this.pending.set(name, cancel);
  }

  stop(name: TimerName): void {
    const cancel = this.pending.get(name);
    if (cancel === undefined) return;
    this.pending.delete(name);
    cancel();
  }

  isRunning(name: TimerName): boolean {
    return this.pending.has(name);
  }

  stopAll(): void {
    for (const name of [...this.pending.keys()]) this.stop(name);
  }
}
