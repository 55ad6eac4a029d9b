// The rules of a gather, apart from any I/O: keys arrive (RFC 4733 or in-band) while the prompt plays and after it;
// input ends at maxDigits, at the finish key (not included), or when no key comes for timeoutMs after the prompt or
// the last key. The same rules as the simulated carrier (src/telephony/simulated/simulated-call.ts), so a call flow
// behaves alike on both.

export type CollectorState = 'prompting' | 'waiting' | 'done';

export class DigitCollector {
  private digits = '';
  private stateValue: CollectorState;
  private deadlineMs: number | undefined;

  constructor(
    private readonly options: { maxDigits: number; timeoutMs: number; finishOnKey?: string | undefined },
    hasPrompt: boolean,
    nowMs: number,
  ) {
    this.stateValue = hasPrompt ? 'prompting' : 'waiting';
    if (!hasPrompt) this.deadlineMs = nowMs + options.timeoutMs;
  }

  get state(): CollectorState {
    return this.stateValue;
  }

  get result(): string {
    return this.digits;
  }

  /** When input ends for lack of a key, or undefined while the prompt plays. */
  get deadline(): number | undefined {
    return this.deadlineMs;
  }

  /** The prompt finished playing (or was cut by a key): the wait for the next key starts now. */
  promptEnded(nowMs: number): void {
    if (this.stateValue !== 'prompting') return;
    this.stateValue = 'waiting';
    this.deadlineMs = nowMs + this.options.timeoutMs;
  }

  /** A key arrived; returns true when input is complete. */
  key(digit: string, nowMs: number): boolean {
    if (this.stateValue === 'done') return true;
    if (this.options.finishOnKey !== undefined && digit === this.options.finishOnKey) {
      this.stateValue = 'done';
      return true;
    }
    this.digits += digit;
    if (this.digits.length >= Math.max(1, Math.floor(this.options.maxDigits))) {
      this.stateValue = 'done';
      return true;
    }
    // A key during the prompt is barge-in: the prompt stops and the inter-key timeout runs from this key.
    this.stateValue = 'waiting';
    this.deadlineMs = nowMs + this.options.timeoutMs;
    return false;
  }

  /** The clock passed the deadline with no key: input is complete. */
  expire(nowMs: number): boolean {
    if (this.stateValue === 'waiting' && this.deadlineMs !== undefined && nowMs >= this.deadlineMs) this.stateValue = 'done';
    return this.stateValue === 'done';
  }
}
