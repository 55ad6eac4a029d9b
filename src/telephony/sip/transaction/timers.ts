// The timers of one transaction (RFC 3261 section 17, table 4 in appendix A), run on the injected Clock so that tests
// and `ringcast demo` drive them in virtual time. Each timer is a clock sleep with its own AbortController: stopping
// a timer or ending the transaction aborts the sleep, so nothing is left pending when a transaction ends.
import type { Clock } from '../../../domain/clock.js';

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'cancel' | 'unanswered';

export class TransactionTimers {
  private readonly pending = new Map<TimerName, AbortController>();

  constructor(
    private readonly clock: Clock,
    /** Called if a timer's callback throws: a bug, reported rather than left as an unhandled rejection. */
    private readonly onBug: (error: unknown) => void,
  ) {}

  /** (Re)starts a timer: a running timer of the same name is replaced. */
  start(name: TimerName, delayMs: number, fire: () => void): void {
    this.stop(name);
    const controller = new AbortController();
    this.pending.set(name, controller);
    this.clock.sleep(delayMs, controller.signal).then(
      () => {
        // A timer stopped in the same instant it became due must not fire.
        if (this.pending.get(name) !== controller) return;
        this.pending.delete(name);
        try {
          fire();
        } catch (error) {
          this.onBug(error);
        }
      },
      () => {
        // Aborted: the timer was stopped. Nothing to do.
      },
    );
  }

  stop(name: TimerName): void {
    const controller = this.pending.get(name);
    if (controller === undefined) return;
    this.pending.delete(name);
    controller.abort();
  }

  isRunning(name: TimerName): boolean {
    return this.pending.has(name);
  }

  stopAll(): void {
    for (const name of [...this.pending.keys()]) this.stop(name);
  }
}
