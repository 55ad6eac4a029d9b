// The deliverer: every Ringcast process runs one (src/server.ts). It claims due deliveries (lease, FOR UPDATE SKIP
// LOCKED), posts each with a timeout, and records the attempt and what comes next (backoff.ts). At least once: a
// process that dies after the receiver answered but before the attempt is recorded leaves a lease that expires, and
// the delivery is sent again with the same event id and body; receivers deduplicate on the event id.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Clock } from '../domain/clock.js';
import type { Settings } from '../config/settings.js';
import { WebhookRepository, type ClaimedDelivery } from '../store/repositories/webhooks.js';
import { signatureHeader, SIGNATURE_HEADER } from './signature.js';
import { nextStep, parseRetryAfter, shouldDisableEndpoint, type AttemptOutcome } from './backoff.js';
import { checkEndpointUrl, resolveDeliveryAddress, systemResolver, type Resolver } from './url-guard.js';
import { DeliveryState } from './event-types.js';
import { renderBodies } from './render.js';

export type DelivererSettings = Pick<
  Settings,
  'WEBHOOK_TIMEOUT_MS' | 'WEBHOOK_LEASE_S' | 'WEBHOOK_BATCH_SIZE' | 'WEBHOOK_POLL_MS' | 'WEBHOOK_ALLOW_PRIVATE_URLS'
>;

export interface DelivererOptions {
  db: Db;
  settings: DelivererSettings;
  clock: Clock;
  log?: Pick<Logger, 'warn' | 'info'>;
  /** Default: the system's DNS. */
  resolve?: Resolver;
  /** Told of every attempt that did not deliver (the metrics' ringcast_webhook_delivery_failures_total). */
  onFailedAttempt?: (reason: FailedAttemptReason) => void;
  /** Default: Math.random (the backoff jitter). */
  random?: () => number;
  id?: string;
}

const USER_AGENT = 'Ringcast-Webhooks/1';

/** Why an attempt did not deliver: no answer in time, no connection, an answer other than 2xx, a URL refused. */
export type FailedAttemptReason = 'timeout' | 'network' | 'status' | 'refused';

function failureReason(outcome: AttemptOutcome): FailedAttemptReason | undefined {
  if (outcome.kind === 'response') return outcome.statusCode >= 200 && outcome.statusCode < 300 ? undefined : 'status';
  return outcome.kind;
}

export class WebhookDeliverer {
  readonly id: string;
  private readonly repository: WebhookRepository;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly stopController = new AbortController();

  constructor(private readonly options: DelivererOptions) {
    this.id = options.id ?? `webhooks-${randomUUID().slice(0, 8)}`;
    this.repository = new WebhookRepository(options.db);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming; attempts in flight finish (each is bounded by the timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort(new Error('deliverer stopped'));
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      try {
        sent = await this.deliverDue();
      } catch (error) {
        this.options.log?.warn({ err: error }, 'webhook delivery round failed');
      }
      if (sent === 0 && this.running) await this.options.clock.sleep(this.options.settings.WEBHOOK_POLL_MS, this.stopController.signal).catch(() => {});
    }
  }

  /** One round: claims due deliveries and sends them all; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const { settings, clock } = this.options;
    const now = clock.now();
    const batch = await this.repository.claim(this.id, now, new Date(now.getTime() + settings.WEBHOOK_LEASE_S * 1000), settings.WEBHOOK_BATCH_SIZE);
    const bodies = await renderBodies(this.options.db, batch);
    await Promise.all(batch.map((delivery) => this.attempt(delivery, delivery.body ?? bodies.get(delivery.id)!)));
    return batch.length;
  }

  private async attempt(delivery: ClaimedDelivery, body: string): Promise<void> {
    const { clock } = this.options;
    const started = clock.now();
    const startedMs = performance.now();
    const outcome = await this.post(delivery, body, started);
    const latencyMs = Math.round(performance.now() - startedMs);
    const failure = failureReason(outcome);
    if (failure) this.options.onFailedAttempt?.(failure);
    const now = clock.now();
    const step = nextStep(outcome, delivery.attempts + 1, delivery.firstAttemptAt ?? started, now, (this.options.random ?? Math.random)());
    let disableReason: string | null = null;
    if (step.kind !== 'delivered') {
      const run = await this.repository.failureRun(delivery.endpointId);
      if (shouldDisableEndpoint(run.consecutiveFailures + 1, run.failingSince ?? now, now)) {
        disableReason = `Disabled automatically: ${run.consecutiveFailures + 1} failed attempts in a row since ${(run.failingSince ?? now).toISOString()}`;
      }
    }
    const recorded = await this.repository.recordAttempt({
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      leasedBy: this.id,
      attemptedAt: started,
      body,
      statusCode: outcome.kind === 'response' ? outcome.statusCode : null,
      latencyMs,
      error: outcome.kind === 'response' ? (outcome.statusCode >= 300 ? `HTTP ${outcome.statusCode}` : null) : `${outcome.kind}${'message' in outcome ? `: ${outcome.message}` : ''}`,
      state: step.kind === 'delivered' ? DeliveryState.Delivered : step.kind === 'failed' ? DeliveryState.Failed : DeliveryState.Pending,
      nextRetryAt: step.kind === 'retry' ? step.at : null,
      disableReason,
    });
    if (!recorded) this.options.log?.warn({ deliveryId: delivery.id }, 'webhook lease lost before the attempt was recorded (it will be sent again)');
    if (disableReason) this.options.log?.warn({ endpointId: delivery.endpointId }, disableReason);
  }

  private async post(delivery: ClaimedDelivery, body: string, now: Date): Promise<AttemptOutcome> {
    const { settings } = this.options;
    const checked = checkEndpointUrl(delivery.url, settings.WEBHOOK_ALLOW_PRIVATE_URLS);
    if (!checked.ok) return { kind: 'refused', message: checked.message };
    let resolved;
    try {
      resolved = await resolveDeliveryAddress(checked.url, settings.WEBHOOK_ALLOW_PRIVATE_URLS, this.options.resolve ?? systemResolver);
    } catch (error) {
      return { kind: 'network', message: `DNS: ${(error as Error).message}` };
    }
    if (!resolved.ok) return { kind: 'refused', message: resolved.message };
    const timestampS = Math.floor(now.getTime() / 1000);
    const secrets = [delivery.secret];
    if (delivery.previousSecret && delivery.previousSecretUntil && delivery.previousSecretUntil > now) secrets.push(delivery.previousSecret);
    try {
      const response = await fetch(checked.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [SIGNATURE_HEADER]: signatureHeader(secrets, timestampS, body),
          'Ringcast-Event-Id': delivery.eventId,
          'Ringcast-Event-Type': delivery.type,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.WEBHOOK_TIMEOUT_MS),
      });
      // The body is not needed; reading it frees the connection for reuse.
      await response.arrayBuffer().catch(() => undefined);
      return { kind: 'response', statusCode: response.status, retryAfterS: parseRetryAfter(response.headers.get('retry-after'), now) };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') return { kind: 'timeout' };
      return { kind: 'network', message: err.cause?.code ?? err.cause?.message ?? err.message };
    }
  }
}

/** The process's deliverer, from the settings. */
export function delivererFromSettings(
  db: Db,
  settings: Settings,
  clock: Clock,
  log?: DelivererOptions['log'],
  onFailedAttempt?: DelivererOptions['onFailedAttempt'],
): WebhookDeliverer {
  return new WebhookDeliverer({ db, settings, clock, ...(log ? { log } : {}), ...(onFailedAttempt ? { onFailedAttempt } : {}) });
}
