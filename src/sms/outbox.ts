// The SMS outbox sender loop, run in every process that sends texts. Every intervalMs it claims texts whose
// queueing process died before writing the provider's answer (their lease ran out) and sends them.
//
// Guarantee: a text is in the outbox until the provider's answer is written, so a crash loses none. A text is sent
// twice only in one window: the provider accepted it but the process died before handOver wrote the answer; the
// outbox cannot tell that from a text never sent, and sends it again after the lease.
import type { Clock } from '../domain/clock.js';
import type { SmsProvider } from './sms-port.js';
import type { SmsOutboxRepository } from '../store/repositories/sms-outbox.js';

export interface SmsOutboxSenderOptions {
  outbox: SmsOutboxRepository;
  provider: SmsProvider;
  owner: string;
  clock: Clock;
  intervalMs?: number;
  leaseMs?: number;
  batch?: number;
  log?: { warn(obj: object, msg: string): void };
}

export class SmsOutboxSender {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: SmsOutboxSenderOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** One round: claim the texts whose lease ran out and send them; answers how many were handed over. */
  async round(): Promise<number> {
    const now = this.options.clock.now();
    const claimed = await this.options.outbox.claimExpired({
      owner: this.options.owner,
      now,
      leaseUntil: new Date(now.getTime() + (this.options.leaseMs ?? 5 * 60_000)),
      limit: this.options.batch ?? 50,
    });
    const handed = await Promise.all(
      claimed.map(async (text) => {
        const result = await this.options.provider.send({ to: text.to, from: text.from, text: text.text }).catch((error: Error) => ({
          status: 'failed' as const,
          reason: error.message,
        }));
        return this.options.outbox.handOver(text.smsMessageId, result, this.options.provider.name, this.options.clock.now());
      }),
    );
    return handed.filter(Boolean).length;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.round();
      } catch (error) {
        this.options.log?.warn({ err: (error as Error).message }, 'SMS outbox round failed');
      }
      await this.options.clock.sleep(this.options.intervalMs ?? 5000, this.abort.signal).catch(() => {});
    }
  }
}
