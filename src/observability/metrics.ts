// Every Prometheus figure Ringcast exports, defined once, in one registry per process: the server makes one
// RingcastMetrics and hands it to the app, the dialer and the carrier (Node's own figures sit in a registry of their
// own, collected once per process: processRegistry below). Names follow Prometheus conventions: the ringcast_
// prefix, units in the name (_seconds, _total), and bounded labels only: carrier kind, campaign status, outcome, SIP
// status code, HTTP method, route pattern and status class; never a phone number, a campaign's name or any id.
//
// Figures that already live elsewhere (calls in flight, the database pool, the webhook backlog) are read when
// Prometheus scrapes, through sources set with the set* methods, rather than mirrored on every change.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CallOutcome, CampaignStatus } from '../domain/enums.js';
import type { DialerObserver } from '../dialer/dialer-observer.js';
import type { CarrierObserver } from '../telephony/carrier-observer.js';
import type { MediaSessionStats } from '../media/session/types.js';
import { FAILED_ATTEMPT_REASONS, type FailedAttemptReason } from '../webhooks/event-types.js';

/** A database's connections as the pool sees them (node-postgres totalCount / idleCount / waitingCount). */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
}

/** The calls a dialer has up now, by their campaign's status as the dialer last saw it. */
export type InFlightSource = () => ReadonlyMap<CampaignStatus, number>;

/** Undelivered webhook events (one cheap count, read at scrape time). */
export type BacklogSource = () => Promise<number>;

/** Seconds from a call's claim to its recorded result: ring time plus the call flow, so minutes at most. */
const ATTEMPT_DURATION_BUCKETS_S = [1, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600];
/** Seconds from a call's claim to its dial: normally milliseconds; seconds mean the first prompt was being rendered. */
const DIAL_DELAY_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** RFC 3550 interarrival jitter: a few ms on a good path; tens of ms is what jitter buffers start to struggle with. */
const RTP_JITTER_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2];
const HTTP_DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** SIP status codes are three digits from 100 to 699 (RFC 3261 section 7.2): anything else is one label value. */
export function sipCodeLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 699 ? String(status) : 'other';
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Methods outside the usual set share one label value, so a client cannot mint label values. */
export function httpMethodLabel(method: string): string {
  return HTTP_METHODS.has(method) ? method : 'OTHER';
}

/** 200 -> "2xx". */
export function statusClassLabel(statusCode: number): string {
  return statusCode >= 100 && statusCode <= 599 ? `${Math.floor(statusCode / 100)}xx` : 'other';
}

export interface MetricsOptions {
  /** Node's process figures (CPU, memory, event-loop lag, GC) as prom-client defines them, in the exposition. Default true. */
  defaultMetrics?: boolean;
}

let processFigures: Registry | undefined;

/**
 * Node's figures are the process's, whatever the number of RingcastMetrics (tests build many apps in one process):
 * they are collected once, in a registry of their own, because each collection starts an event-loop delay monitor
 * and a GC observer that are never stopped.
 */
function processRegistry(): Registry {
  if (!processFigures) {
    processFigures = new Registry();
    collectDefaultMetrics({ register: processFigures });
  }
  return processFigures;
}

export class RingcastMetrics {
  readonly registry = new Registry();

  private readonly callsStarted: Counter<'carrier' | 'campaign_status'>;
  private readonly callOutcomes: Counter<'carrier' | 'outcome'>;
  private readonly attemptDuration: Histogram<'carrier'>;
  private readonly dialDelay: Histogram<'carrier'>;
  private readonly claims: Counter<never>;
  private readonly numbersClaimed: Counter<never>;
  private readonly leaseExpiries: Counter<never>;
  private readonly leasesLost: Counter<never>;
  private readonly sipResponses: Counter<'code'>;
  private readonly rtpPacketsReceived: Counter<never>;
  private readonly rtpPacketsLost: Counter<never>;
  private readonly rtpSessions: Counter<never>;
  private readonly rtpJitter: Histogram<never>;
  private readonly ttsCacheLookups: Counter<'result'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_class'>;
  private readonly webhookFailures: Counter<'reason'>;

  private readonly inFlightSources = new Map<string, InFlightSource>();
  private poolSource: (() => PoolUse) | undefined;
  private backlogSource: BacklogSource | undefined;
  private readonly withProcessFigures: boolean;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    // Captured for the collect callbacks below, which prom-client calls with `this` bound to the metric.
    const metrics = this;
    new Gauge({
      name: 'ringcast_calls_in_flight',
      help: 'Calls this process has up now (dialling, ringing or connected), by carrier and their campaign\'s status now',
      labelNames: ['carrier', 'campaign_status'],
      registers,
      collect() {
        this.reset();
        for (const [carrier, source] of metrics.inFlightSources) {
          for (const [status, count] of source()) this.labels(carrier, statusName(status)).set(count);
        }
      },
    });
    this.callsStarted = new Counter({
      name: 'ringcast_calls_started_total',
      help: 'Calls this process started, by carrier and the status their campaign had at the claim',
      labelNames: ['carrier', 'campaign_status'],
      registers,
    });
    this.callOutcomes = new Counter({
      name: 'ringcast_call_outcomes_total',
      help: 'Calls recorded by this process, by carrier and outcome (the call outcome names of the API)',
      labelNames: ['carrier', 'outcome'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'ringcast_call_attempt_duration_seconds',
      help: 'From a call\'s claim to its recorded result: ringing, the call flow and the write',
      labelNames: ['carrier'],
      buckets: ATTEMPT_DURATION_BUCKETS_S,
      registers,
    });
    this.dialDelay = new Histogram({
      name: 'ringcast_call_dial_delay_seconds',
      help: 'From a call\'s claim to its dial on the carrier (the first prompt is rendered in between)',
      labelNames: ['carrier'],
      buckets: DIAL_DELAY_BUCKETS_S,
      registers,
    });
    this.claims = new Counter({ name: 'ringcast_dialer_claims_total', help: 'Claim transactions this process ran', registers });
    this.numbersClaimed = new Counter({ name: 'ringcast_dialer_numbers_claimed_total', help: 'Numbers this process claimed to call', registers });
    this.leaseExpiries = new Counter({
      name: 'ringcast_dialer_lease_expiries_total',
      help: 'Numbers whose lease ran out (their dialer died or stalled) recovered by this process',
      registers,
    });
    this.leasesLost = new Counter({
      name: 'ringcast_dialer_leases_lost_total',
      help: 'Calls of this process hung up because their lease was lost mid-call',
      registers,
    });
    this.sipResponses = new Counter({
      name: 'ringcast_sip_invite_responses_total',
      help: 'Final responses to our INVITEs by SIP status code (408 includes trunks that never answered)',
      labelNames: ['code'],
      registers,
    });
    this.rtpSessions = new Counter({ name: 'ringcast_rtp_sessions_total', help: 'Answered calls whose RTP media closed', registers });
    this.rtpPacketsReceived = new Counter({ name: 'ringcast_rtp_packets_received_total', help: 'RTP packets received on answered calls', registers });
    this.rtpPacketsLost = new Counter({
      name: 'ringcast_rtp_packets_lost_total',
      help: 'RTP packets missing from received streams (sequence gaps never filled)',
      registers,
    });
    this.rtpJitter = new Histogram({
      name: 'ringcast_rtp_jitter_seconds',
      help: 'RFC 3550 interarrival jitter of each answered call\'s received audio, as it stood when the call ended',
      buckets: RTP_JITTER_BUCKETS_S,
      registers,
    });
    this.ttsCacheLookups = new Counter({
      name: 'ringcast_tts_cache_lookups_total',
      help: 'Text-to-speech prompts looked up in the disk cache: hit (read back) or miss (rendered)',
      labelNames: ['result'],
      registers,
    });
    this.httpRequestDuration = new Histogram({
      name: 'ringcast_http_request_duration_seconds',
      help: 'HTTP API requests by method, route pattern (not the raw URL) and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: HTTP_DURATION_BUCKETS_S,
      registers,
    });
    new Gauge({
      name: 'ringcast_db_pool_connections',
      help: 'Database connections by state (open: all, idle: free); PGlite is one embedded connection, always open',
      labelNames: ['state'],
      registers,
      collect() {
        const use = metrics.poolSource?.();
        if (!use) return;
        this.labels('open').set(use.total);
        this.labels('idle').set(use.idle);
      },
    });
    new Gauge({
      name: 'ringcast_db_pool_waiting_requests',
      help: 'Queries waiting for a free database connection',
      registers,
      collect() {
        const use = metrics.poolSource?.();
        if (use) this.set(use.waiting);
      },
    });
    new Gauge({
      name: 'ringcast_webhook_backlog_events',
      help: 'Webhook deliveries not yet made (pending or waiting to retry), across all endpoints',
      registers,
      async collect() {
        if (metrics.backlogSource) this.set(await metrics.backlogSource());
      },
    });
    this.webhookFailures = new Counter({
      name: 'ringcast_webhook_delivery_failures_total',
      help: 'Webhook delivery attempts that failed, by reason (timeout, network, status: an answer other than 2xx, refused: a private or malformed URL)',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of FAILED_ATTEMPT_REASONS) this.webhookFailures.labels(reason).inc(0);
    this.withProcessFigures = options.defaultMetrics ?? true;
    // Started now, so that the event-loop delay monitor has samples by the first scrape.
    if (this.withProcessFigures) processRegistry();
  }

  /** The Prometheus text exposition (format 0.0.4): Ringcast's figures, then the process's. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const own = await this.registry.metrics();
    const body = this.withProcessFigures ? `${own}\n${await processRegistry().metrics()}` : own;
    return { contentType: this.registry.contentType, body };
  }

  /** Reads a dialer's calls in flight at scrape time. */
  setInFlightSource(carrier: string, source: InFlightSource): void {
    this.inFlightSources.set(carrier, source);
  }

  setPoolSource(source: () => PoolUse): void {
    this.poolSource = source;
  }

  setWebhookBacklogSource(source: BacklogSource): void {
    this.backlogSource = source;
  }

  /** Counts a failed webhook delivery attempt (for the webhook deliverer). */
  webhookDeliveryFailed(reason: FailedAttemptReason): void {
    this.webhookFailures.labels(reason).inc();
  }

  /** An observer for a dialer on `carrier`, with every label set bound up front (nothing is looked up per call). */
  dialerObserver(carrier: string): DialerObserver {
    const started = byStatus((status) => this.callsStarted.labels(carrier, status));
    const outcomes = new Map(CallOutcome.members.map((member) => [member.value as number, this.callOutcomes.labels(carrier, member.name)]));
    const attemptDuration = this.attemptDuration.labels(carrier);
    const dialDelay = this.dialDelay.labels(carrier);
    const { claims, numbersClaimed, leaseExpiries, leasesLost } = this;
    // Every series of a bounded label set exists from the start, at 0 (Prometheus' advice): a rate() or an alert on
    // a series that appears only at its first increment misses that increment.
    for (const counter of [...started.values(), ...outcomes.values()]) counter.inc(0);
    return {
      claimed(count) {
        claims.inc();
        if (count > 0) numbersClaimed.inc(count);
      },
      callStarted(status) {
        started.get(status)?.inc();
      },
      dialing(delayMs) {
        dialDelay.observe(delayMs / 1000);
      },
      callRecorded(outcome, durationMs) {
        outcomes.get(outcome)?.inc();
        attemptDuration.observe(durationMs / 1000);
      },
      leaseExpiryRecovered() {
        leaseExpiries.inc();
      },
      leaseLost() {
        leasesLost.inc();
      },
    };
  }

  /** An observer for a carrier's SIP, RTP and text-to-speech figures. */
  carrierObserver(): CarrierObserver {
    const { sipResponses, rtpSessions, rtpPacketsReceived, rtpPacketsLost, rtpJitter } = this;
    const hits = this.ttsCacheLookups.labels('hit');
    const misses = this.ttsCacheLookups.labels('miss');
    hits.inc(0);
    misses.inc(0);
    return {
      inviteFinalResponse(status) {
        sipResponses.labels(sipCodeLabel(status)).inc();
      },
      mediaSessionClosed(stats: MediaSessionStats) {
        rtpSessions.inc();
        rtpPacketsReceived.inc(stats.packetsReceived);
        rtpPacketsLost.inc(stats.packetsLost);
        // Jitter needs two packets; a call that received fewer has no figure to add.
        if (stats.jitterMs !== undefined && stats.packetsReceived >= 2) rtpJitter.observe(stats.jitterMs / 1000);
      },
      ttsCacheLookup(hit) {
        (hit ? hits : misses).inc();
      },
    };
  }
}

function statusName(status: CampaignStatus): string {
  return CampaignStatus.members.find((member) => member.value === status)?.name ?? 'Unknown';
}

function byStatus<T>(make: (statusName: string) => T): Map<number, T> {
  return new Map(CampaignStatus.members.map((member) => [member.value as number, make(member.name)]));
}
