// The simulated SMS provider: the default provider until real ones are added. It sends nothing; it records what
// would have been sent, so tests and the demo can check it.
//
// - Provider ids are deterministic: `<idPrefix>-<n>`, n counting sends by this instance from 1 (failures included),
//   zero-padded to 6 digits, so a run in virtual time prints the same ids every time.
// - Numbers in `failFor` fail with a stable reason, as an undeliverable number would at a real provider.
// - `latencyMs` (default 0) is waited on the given clock before answering.
// - Bad input (no recipient, no sender, empty text) is answered with a failure, not thrown.
// - Only the last `historyLimit` messages (default 10,000) are kept, so a long-running process does not grow.

import type { SmsProvider, SmsRequest, SmsResult } from './sms-port.js';
import type { Clock } from '../domain/clock.js';

export interface SimulatedSmsOptions {
  /** Needed only with latencyMs > 0. */
  clock?: Clock;
  latencyMs?: number;
  /** E.164 numbers whose messages fail. */
  failFor?: Iterable<string>;
  /** Default 'simulated-sms'. */
  name?: string;
  /** Default 'simsms'. */
  idPrefix?: string;
  historyLimit?: number;
}

export interface SimulatedSms {
  readonly providerId: string;
  readonly to: string;
  readonly from: string;
  readonly text: string;
  /** The clock's time when the message was accepted (after the latency); undefined without a clock. */
  readonly sentAt: Date | undefined;
}

export interface FailedSms {
  readonly request: Readonly<SmsRequest>;
  readonly reason: string;
}

export class SimulatedSmsProvider implements SmsProvider {
  readonly name: string;
  private readonly clock: Clock | undefined;
  private readonly latencyMs: number;
  private readonly failFor: ReadonlySet<string>;
  private readonly idPrefix: string;
  private readonly historyLimit: number;
  private readonly sentMessages: SimulatedSms[] = [];
  private readonly failedMessages: FailedSms[] = [];
  private sends = 0;

  constructor(options: SimulatedSmsOptions = {}) {
    this.name = options.name ?? 'simulated-sms';
    this.clock = options.clock;
    this.latencyMs = options.latencyMs ?? 0;
    this.failFor = new Set(options.failFor ?? []);
    this.idPrefix = options.idPrefix ?? 'simsms';
    this.historyLimit = options.historyLimit ?? 10_000;
    if (!Number.isFinite(this.latencyMs) || this.latencyMs < 0) throw new RangeError('latencyMs must be >= 0');
    if (this.latencyMs > 0 && !this.clock) throw new RangeError('latencyMs needs a clock');
    if (!Number.isInteger(this.historyLimit) || this.historyLimit < 0) throw new RangeError('historyLimit must be an integer >= 0');
  }

  /** Messages accepted, oldest first (the last historyLimit of them). */
  get sent(): readonly SimulatedSms[] {
    return [...this.sentMessages];
  }

  /** Messages refused, oldest first (the last historyLimit of them). */
  get failed(): readonly FailedSms[] {
    return [...this.failedMessages];
  }

  async send(request: SmsRequest): Promise<SmsResult> {
    const sequence = ++this.sends;
    // Copied before any wait, so a caller that reuses its request object cannot change what is recorded.
    const copy = Object.freeze({ to: request.to, from: request.from, text: request.text });
    if (this.latencyMs > 0 && this.clock) await this.clock.sleep(this.latencyMs);

    const reason = this.refusal(copy);
    if (reason !== undefined) {
      this.keep(this.failedMessages, Object.freeze({ request: copy, reason }));
      return { status: 'failed', reason };
    }
    const providerId = `${this.idPrefix}-${String(sequence).padStart(6, '0')}`;
    this.keep(this.sentMessages, Object.freeze({ providerId, ...copy, sentAt: this.clock?.now() }));
    return { status: 'sent', providerId };
  }

  private refusal(request: SmsRequest): string | undefined {
    if (request.to.trim() === '') return 'no recipient number';
    if (request.from.trim() === '') return 'no sender';
    if (request.text === '') return 'empty message';
    if (this.failFor.has(request.to)) return `simulated delivery failure to ${request.to}`;
    return undefined;
  }

  private keep<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.historyLimit) list.splice(0, list.length - this.historyLimit);
  }
}
