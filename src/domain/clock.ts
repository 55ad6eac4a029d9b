// Time is injected everywhere so that tests and `ringcast demo` can run in virtual time.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests. */
export class ManualClock implements Clock {
  private epochMs: number;
  constructor(start: Date | string) {
    this.epochMs = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.epochMs);
  }
  set(to: Date | string): void {
    this.epochMs = new Date(to).getTime();
  }
  advanceMs(ms: number): void {
    this.epochMs += ms;
  }
}
