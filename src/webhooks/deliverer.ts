// The deliverer: every Ringcast process runs one (src/server.ts). It claims due deliveries (lease, FOR UPDATE SKIP
// LOCKED), posts them with a timeout, several at a time, and records the attempts and what comes next (backoff.ts)
// a batch at a time, in one statement. At least once: a process that dies after the receiver answered but before
// the attempt is recorded leaves a lease that expires, and the delivery is sent again with the same event id and
// body; receivers deduplicate on the event id. In order per number: the claim never takes an event while an earlier
// one of its number is pending (in flight, waiting to be recorded, or retrying), so however many are in flight, they
// are of different numbers.
//
// The running loop keeps up to WEBHOOK_BATCH_SIZE deliveries claimed and not yet recorded: it claims again as soon
// as room frees, while the posts of the last claim are in flight and their records are being written, and records
// whatever has been answered since the last record went out (group commit). Bounding what is claimed and unrecorded
// bounds what a crash sends twice.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Clock } from '../domain/clock.js';
import type { Settings } from '../config/settings.js';
import { WebhookRepository, type AttemptRecord, type ClaimedDelivery } from '../store/repositories/webhooks.js';
import { signatureHeader, SIGNATURE_HEADER } from './signature.js';
import { nextStep, parseRetryAfter, shouldDisableEndpoint, type AttemptOutcome } from './backoff.js';
import { checkEndpointUrl, resolveDeliveryAddress, systemResolver, type Resolver } from './url-guard.js';
import { DeliveryState } from './event-types.js';
import { renderBodies } from './render.js';
import { WebhookHttpClient } from './http-post.js';
import type { FailedAttemptReason } from './event-types.js';

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
/**
 * Record statements one process writes at once. One, to which answers queue while it is written: two halved the rows
 * a statement carried and did not raise the bench's rate beyond its run-to-run spread.
 */
const RECORDS_IN_FLIGHT = 1;
/** The loop claims again once this share of WEBHOOK_BATCH_SIZE is free (a claim statement per few records, not per record). */
const CLAIM_WHEN_FREE_SHARE = 1 / 4;


function failureReason(outcome: AttemptOutcome): FailedAttemptReason | undefined {
  if (outcome.kind === 'response') return outcome.statusCode >= 200 && outcome.statusCode < 300 ? undefined : 'status';
  return outcome.kind;
}

/** An attempt made and not yet recorded. */
interface Answered {
  delivery: ClaimedDelivery;
  /** The body sent; stored with the record when the delivery had none yet (frozen for every retry). */
  body: string;
  startedAt: Date;
  answeredAt: Date;
  latencyMs: number;
  outcome: AttemptOutcome;
}

/** Where a claim's deliveries to one URL go: the checked URL and address, or why it is refused. */
type Target = { ok: true; url: URL; address: string } | { ok: false; outcome: AttemptOutcome };

export class WebhookDeliverer {
  readonly id: string;
  private readonly repository: WebhookRepository;
  private readonly http = new WebhookHttpClient();
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  /** Deliveries claimed by the running loop and not yet recorded. */
  private held = 0;
  /** Answered, waiting for the record statement in progress to finish. */
  private readonly answered: Answered[] = [];
  /** Record statements being written (at most RECORDS_IN_FLIGHT). */
  private recording = 0;
  /** Wakes the running loop when a record is written (room, and numbers whose next event may now be claimed). */
  private wake: () => void = () => {};

  constructor(private readonly options: DelivererOptions) {
    this.id = options.id ?? `webhooks-${randomUUID().slice(0, 8)}`;
    this.repository = new WebhookRepository(options.db);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming; attempts in flight finish (each is bounded by the timeout) and are recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort(new Error('deliverer stopped'));
    this.wake();
    await this.loop;
    this.http.close();
  }

  private async run(): Promise<void> {
    const { settings, clock } = this.options;
    const batchSize = settings.WEBHOOK_BATCH_SIZE;
    while (this.running) {
      const room = batchSize - this.held;
      let claimed = 0;
      let full = false;
      if (this.held === 0 || room >= Math.max(1, Math.floor(batchSize * CLAIM_WHEN_FREE_SHARE))) {
        try {
          const batch = await this.claim(room);
          claimed = batch.length;
          full = claimed === room;
          // Not awaited: the next claim goes out while these are in flight.
          if (claimed > 0) {
            this.held += claimed;
            void this.send(batch, (answered) => this.queueRecord(answered)).catch((error: unknown) => {
              // Only the render fails this way, before anything was sent: the leases expire and the batch is claimed again.
              this.held -= claimed;
              this.options.log?.warn({ err: error }, 'webhook batch could not be rendered (its leases will expire and it is claimed again)');
              this.wake();
            });
          }
        } catch (error) {
          this.options.log?.warn({ err: error }, 'webhook delivery round failed');
        }
      }
      if (full || !this.running) continue;
      const recorded = this.nextRecord();
      if (this.held > 0) await recorded;
      else await clock.sleep(settings.WEBHOOK_POLL_MS, this.stopController.signal).catch(() => {});
    }
    while (this.held > 0) await this.nextRecord();
  }

  /** One round, start to end: claims due deliveries, sends them all, records them; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const batch = await this.claim(this.options.settings.WEBHOOK_BATCH_SIZE);
    const answered: Answered[] = [];
    await this.send(batch, (one) => answered.push(one));
    await this.record(answered);
    return batch.length;
  }

  private claim(limit: number): Promise<ClaimedDelivery[]> {
    const { settings, clock } = this.options;
    const now = clock.now();
    return this.repository.claim(this.id, now, new Date(now.getTime() + settings.WEBHOOK_LEASE_S * 1000), limit);
  }

  /**
   * Renders and posts a claimed batch, all at once; `onAnswered` is told of each attempt as it ends. Rejects only
   * when the render fails, before anything is sent.
   */
  private async send(batch: readonly ClaimedDelivery[], onAnswered: (answered: Answered) => void): Promise<void> {
    if (batch.length === 0) return;
    const bodies = await renderBodies(this.options.db, batch);
    // One URL check (and DNS lookup) per endpoint per claim, not per event.
    const targets = new Map<string, Promise<Target>>();
    const targetOf = (url: string) => {
      let target = targets.get(url);
      if (!target) targets.set(url, (target = this.target(url)));
      return target;
    };
    await Promise.all(
      batch.map(async (delivery) => {
        const body = delivery.body ?? bodies.get(delivery.id)!;
        onAnswered(await this.attempt(delivery, body, await targetOf(delivery.url)));
      }),
    );
  }

  private async target(text: string): Promise<Target> {
    const { settings } = this.options;
    const checked = checkEndpointUrl(text, settings.WEBHOOK_ALLOW_PRIVATE_URLS);
    if (!checked.ok) return { ok: false, outcome: { kind: 'refused', message: checked.message } };
    try {
      const resolved = await resolveDeliveryAddress(checked.url, settings.WEBHOOK_ALLOW_PRIVATE_URLS, this.options.resolve ?? systemResolver);
      if (!resolved.ok) return { ok: false, outcome: { kind: 'refused', message: resolved.message } };
      return { ok: true, url: checked.url, address: resolved.address };
    } catch (error) {
      return { ok: false, outcome: { kind: 'network', message: `DNS: ${(error as Error).message}` } };
    }
  }

  private async attempt(delivery: ClaimedDelivery, body: string, target: Target): Promise<Answered> {
    const { clock } = this.options;
    const startedAt = clock.now();
    const startedMs = performance.now();
    const outcome = target.ok ? await this.post(delivery, body, target, startedAt) : target.outcome;
    const latencyMs = Math.round(performance.now() - startedMs);
    const failure = failureReason(outcome);
    if (failure) this.options.onFailedAttempt?.(failure);
    return { delivery, body, startedAt, answeredAt: clock.now(), latencyMs, outcome };
  }

  private async post(delivery: ClaimedDelivery, body: string, target: { url: URL; address: string }, now: Date): Promise<AttemptOutcome> {
    const timestampS = Math.floor(now.getTime() / 1000);
    const secrets = [delivery.secret];
    if (delivery.previousSecret && delivery.previousSecretUntil && delivery.previousSecretUntil > now) secrets.push(delivery.previousSecret);
    const result = await this.http.post({
      url: target.url,
      address: target.address,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        [SIGNATURE_HEADER]: signatureHeader(secrets, timestampS, body),
        'Ringcast-Event-Id': delivery.eventId,
        'Ringcast-Event-Type': delivery.type,
      },
      body,
      timeoutMs: this.options.settings.WEBHOOK_TIMEOUT_MS,
    });
    if (result.kind !== 'response') return result;
    return { kind: 'response', statusCode: result.statusCode, retryAfterS: parseRetryAfter(result.retryAfter, now) };
  }

  /** Queues an answered attempt for the next record statement, and starts one when none is being written. */
  private queueRecord(answered: Answered): void {
    this.answered.push(answered);
    if (this.recording < RECORDS_IN_FLIGHT) void this.recordQueued();
  }

  private async recordQueued(): Promise<void> {
    this.recording += 1;
    while (this.answered.length > 0) {
      const batch = this.answered.splice(0);
      try {
        await this.record(batch);
      } catch (error) {
        // Not recorded: the leases expire and these are sent again (at least once).
        this.options.log?.warn({ err: error, deliveries: batch.length }, 'webhook attempts could not be recorded (they will be sent again)');
      }
      this.held -= batch.length;
      this.wake();
    }
    this.recording -= 1;
  }

  private nextRecord(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /**
   * Records answered attempts (in the order they were answered) in one statement: each delivery's next step, and
   * each endpoint's failure run, disabling an endpoint whose run has gone on long enough (backoff.ts).
   */
  private async record(answered: readonly Answered[]): Promise<void> {
    if (answered.length === 0) return;
    const random = this.options.random ?? Math.random;
    const steps = answered.map((one) => nextStep(one.outcome, one.delivery.attempts + 1, one.delivery.firstAttemptAt ?? one.startedAt, one.answeredAt, random()));
    const failingEndpoints = answered.filter((_, i) => steps[i]!.kind !== 'delivered').map((one) => one.delivery.endpointId);
    const runs = await this.repository.failureRuns(failingEndpoints);
    const disableReasons = new Map<number, string>();
    answered.forEach((one, i) => {
      const endpointId = one.delivery.endpointId;
      const run = runs.get(endpointId);
      if (!run) return;
      if (steps[i]!.kind === 'delivered') {
        runs.set(endpointId, { consecutiveFailures: 0, failingSince: null });
        return;
      }
      const next = { consecutiveFailures: run.consecutiveFailures + 1, failingSince: run.failingSince ?? one.answeredAt };
      runs.set(endpointId, next);
      if (!disableReasons.has(endpointId) && shouldDisableEndpoint(next.consecutiveFailures, next.failingSince, one.answeredAt)) {
        disableReasons.set(endpointId, `Disabled automatically: ${next.consecutiveFailures} failed attempts in a row since ${next.failingSince.toISOString()}`);
      }
    });
    const records: AttemptRecord[] = answered.map((one, i) => {
      const { outcome } = one;
      const step = steps[i]!;
      return {
        deliveryId: one.delivery.id,
        endpointId: one.delivery.endpointId,
        leasedBy: this.id,
        attemptedAt: one.startedAt,
        body: one.delivery.body === null ? one.body : null,
        statusCode: outcome.kind === 'response' ? outcome.statusCode : null,
        latencyMs: one.latencyMs,
        error: outcome.kind === 'response' ? (outcome.statusCode >= 300 ? `HTTP ${outcome.statusCode}` : null) : `${outcome.kind}${'message' in outcome ? `: ${outcome.message}` : ''}`,
        state: step.kind === 'delivered' ? DeliveryState.Delivered : step.kind === 'failed' ? DeliveryState.Failed : DeliveryState.Pending,
        nextRetryAt: step.kind === 'retry' ? step.at : null,
        disableReason: disableReasons.get(one.delivery.endpointId) ?? null,
      };
    });
    const recorded = await this.repository.recordAttempts(records);
    const lost = records.filter((record) => !recorded.has(record.deliveryId)).map((record) => record.deliveryId);
    if (lost.length > 0) this.options.log?.warn({ deliveryIds: lost }, 'webhook lease lost before the attempt was recorded (it will be sent again)');
    for (const [endpointId, reason] of disableReasons) this.options.log?.warn({ endpointId }, reason);
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
