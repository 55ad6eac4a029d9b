// The dialer: one loop per process that supervises live campaigns (status by calling window), recovers numbers whose
// dialer died (expired leases), claims due numbers within the pacing limits and runs their calls. Any number of
// processes can run it against one PostgreSQL; the database decides who calls what.
//
// States: idle -> running -> draining -> stopped. `stop()` stops claiming, lets calls in progress finish for at most
// `drainTimeoutMs`, hangs up the rest (recording them), and hands back anything claimed but not dialled.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { Cancellation, type CancelSignal } from '../domain/cancellation.js';
import type { Carrier, PlayableAudio } from '../telephony/carrier.js';
import type { PlayAudio } from '../callflow/steps/index.js';
import { decodeStoredWav } from '../media/audio/encode-wav.js';
import type { SmsProvider, SmsRequest } from '../sms/sms-port.js';
import type { SmsOutboxRepository } from '../store/repositories/sms-outbox.js';
import { CallOutcome, CampaignStatus, NumberStatus, type AttemptSelector } from '../domain/enums.js';
import { lastClosing, type CallingWindow } from '../domain/calling-windows.js';
import { envelopedWindows } from '../domain/compliance/campaign-envelope.js';
import { DEFAULT_ABANDONED_RATE_SETTINGS, type AbandonedRateSettings } from '../domain/compliance/abandoned-rate.js';
import { ComplianceGuard, PAUSABLE_STATUSES } from './compliance-guard.js';
import { attemptDueAt, checkCallStart } from '../domain/attempt-schedule.js';
import { decideAfterCall, sendSmsOnBusy } from '../domain/outcome-policy.js';
import { callPrice, DEFAULT_RATES_GBP_PER_MINUTE, type RateTable } from '../domain/pricing.js';
import { smsParts } from '../domain/sms-parts.js';
import { checkCalleeNumber } from '../domain/phone-number.js';
import { renderPlaceholders } from '../domain/placeholders.js';
import { CALLS_PER_SECOND_SPAN_MS, DEFAULT_PACING, type PacingLimits } from './pacing.js';
import { failedBeforeAnswer, runCall, type CallReport } from './call-runner.js';
import { CallRecorder } from './call-recorder.js';
import { UNOBSERVED_DIALER, type DialerObserver } from './dialer-observer.js';
import type { CallableCampaign, CallResultRecord, CampaignForDialing, ClaimedNumber, DialerStore, InterruptedCall } from '../store/repositories/dialer-store.js';
import { ClientCallQuotas } from './client-call-quotas.js';

export interface DialerConfig {
  /** How long a claim holds a number without renewal; a dead process's numbers come back after this. */
  leaseMs: number;
  /** Ofcom: let an unanswered call ring at least 15 s. */
  ringTimeoutMs: number;
  pacing: PacingLimits;
  /** Loop period while calls are running or due. */
  busyPollMs: number;
  /** Longest sleep when nothing is due (also how soon a campaign created elsewhere is noticed). */
  idlePollMs: number;
  /** Most numbers claimed in one transaction. */
  maxClaimBatch: number;
  /** How long `stop()` lets calls in progress finish before hanging them up. */
  drainTimeoutMs: number;
  /**
   * A pass woken by a call ending starts at least this long after the previous pass started, so that the lines freed
   * meanwhile are claimed in one go rather than one claim each. 0: at once.
   */
  minPassIntervalMs: number;
  /** How long a finished call's result waits for others to be written with it (call-recorder.ts). 0: no wait. */
  recordLingerMs: number;
  /**
   * Numbers that fall due one by one (retries, each an interval after its own call ended) are claimed together: when
   * nothing claimable is left due, the loop looks again when the next number falls due, but not sooner than this
   * after the claim. Calling-window boundaries stay exact.
   */
  dueBatchMs: number;
  rates: RateTable;
  /** The abandoned-call guard (Ofcom: 3% over 24 hours). */
  abandonedRate: AbandonedRateSettings;
}

export const DEFAULT_DIALER_CONFIG: DialerConfig = {
  leaseMs: 60_000,
  ringTimeoutMs: 30_000,
  pacing: DEFAULT_PACING,
  busyPollMs: 250,
  idlePollMs: 1_000,
  // 100 per claim made the claim's fixed round trips (lock, counts, commit) most of the cost at zero talk time.
  maxClaimBatch: 500,
  drainTimeoutMs: 30_000,
  minPassIntervalMs: 0,
  recordLingerMs: 0,
  dueBatchMs: 250,
  rates: DEFAULT_RATES_GBP_PER_MINUTE,
  abandonedRate: DEFAULT_ABANDONED_RATE_SETTINGS,
};

export const MIN_RING_TIMEOUT_MS = 15_000;

/** How long a text this process queued is its own to send; past it, any process's outbox sender may send it. */
export const SMS_LEASE_MS = 5 * 60_000;

export interface DialerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

const silentLogger: DialerLogger = { info() {}, warn() {}, error() {} };

export interface DialerDeps {
  store: DialerStore;
  carrier: Carrier;
  sms: SmsProvider;
  clock: Clock;
  config?: Partial<DialerConfig>;
  log?: DialerLogger;
  /** Told of claims, call starts and results (Prometheus metrics); default: nobody. */
  observer?: DialerObserver;
}

interface InFlightCall {
  number: ClaimedNumber;
  abort: Cancellation;
  done: Promise<void>;
  /** The call is over on the carrier (it is being recorded, or was): its line is free whatever the lease says. */
  lineFreed: boolean;
  /** When the number's lease runs out, as last set by the claim or a renewal of this process. */
  leaseExpiresAtMs: number;
}

interface CampaignPlanCache {
  campaign: CampaignForDialing;
  windows: CallingWindow[];
  /** The audio of the flow's play steps, by id; an id missing here was deleted after the flow was saved. */
  audio: Map<number, PlayableAudio>;
}

export type DialerState = 'idle' | 'running' | 'draining' | 'stopped';

export function newDialerId(): string {
  return `dialer-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export class Dialer {
  readonly config: DialerConfig;
  private state: DialerState = 'idle';
  private readonly inFlight = new Map<number, InFlightCall>();
  /** Calls of each campaign this process has in flight (a campaign with one cannot have completed). */
  private readonly inFlightByCampaign = new Map<number, number>();
  private readonly campaigns = new Map<number, CampaignPlanCache>();
  private readonly clientCallQuotas: ClientCallQuotas;
  private wakeController = new AbortController();
  private loop: Promise<void> | undefined;
  private lastRenewMs = 0;
  private lastRecoveryMs = Number.NEGATIVE_INFINITY;
  /** When this process last started calls (a calls-per-second limit counts starts in the last second). */
  private lastClaimMs = Number.NEGATIVE_INFINITY;
  /** When each campaign's unscheduled numbers were last given due times (numbers can be added to a live campaign). */
  private readonly lastScheduledMs = new Map<number, number>();
  private readonly log: DialerLogger;
  /** Decoded audio by id, shared by every campaign that plays it (stored audio never changes; a deleted id stays
   * playable for campaigns already loaded). */
  private readonly audioCache = new Map<number, PlayableAudio>();
  /** When the loop's current or last pass started (clock ms). */
  private lastPassStartMs = Number.NEGATIVE_INFINITY;
  /** When the sleeping loop wakes by itself (clock ms); NaN while a pass runs. */
  private plannedWakeMs = Number.NaN;
  /** The earliest instant a call that ended while the current pass ran wants a pass at (see afterCallEnded). */
  private wantedDuringPassMs = Number.POSITIVE_INFINITY;
  /** When the wake asked for by a call ending fires (clock ms); infinite when none is waiting. */
  private callEndWakeAtMs = Number.POSITIVE_INFINITY;
  /** The last claim's linesBound (DialerStore.claim). */
  private lastClaimLinesBound = true;
  /** Store operations in progress: the virtual-time runner waits for this to reach zero before moving the clock. */
  pendingOps = 0;
  /** Resolved when pendingOps next reaches zero (whenNoPendingOps). */
  private noPendingOpsWaiters: (() => void)[] = [];
  private readonly guard: ComplianceGuard;
  private readonly recorder: CallRecorder;
  private readonly observer: DialerObserver;
  /** Each live campaign's status as the last pass left it (callsInFlightByCampaignStatus). */
  private readonly campaignStatusNow = new Map<number, CampaignStatus>();

  constructor(private readonly deps: DialerDeps) {
    this.config = { ...DEFAULT_DIALER_CONFIG, ...deps.config };
    if (this.config.ringTimeoutMs < MIN_RING_TIMEOUT_MS) {
      throw new RangeError(`ringTimeoutMs must be at least ${MIN_RING_TIMEOUT_MS} (Ofcom: ring at least 15 s)`);
    }
    this.log = deps.log ?? silentLogger;
    this.observer = deps.observer ?? UNOBSERVED_DIALER;
    this.clientCallQuotas = new ClientCallQuotas((clientIds) => deps.store.clientCallQuotas(clientIds));
    // Only the write counts as a store operation in flight: a linger is a sleep on the clock, which the virtual-time
    // runner must be free to move past.
    this.recorder = new CallRecorder((records) => this.track(deps.store.finishCalls(records)), {
      clock: deps.clock,
      lingerMs: this.config.recordLingerMs,
    });
    this.guard = new ComplianceGuard(deps.store.complianceStore(), this.config.abandonedRate, {
      pause: (campaignId, reason) => deps.store.transitionCampaign(campaignId, PAUSABLE_STATUSES, CampaignStatus.Paused, deps.clock.now(), reason),
      log: (campaignId, message) => this.log.warn({ campaignId }, message),
    });
  }

  get id(): string {
    return this.deps.store.dialerId;
  }
  get status(): DialerState {
    return this.state;
  }
  get callsInProgress(): number {
    return this.inFlight.size;
  }

  /**
   * The calls up now by their campaign's status as the last pass saw it (read when metrics are scraped). A campaign
   * no longer live with calls still up here was cancelled: one with calls in flight cannot have completed.
   */
  callsInFlightByCampaignStatus(): Map<CampaignStatus, number> {
    const counts = new Map<CampaignStatus, number>();
    for (const [campaignId, calls] of this.inFlightByCampaign) {
      const status = this.campaignStatusNow.get(campaignId) ?? CampaignStatus.Cancelled;
      counts.set(status, (counts.get(status) ?? 0) + calls);
    }
    return counts;
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`dialer cannot start from ${this.state}`);
    this.state = 'running';
    this.loop = this.run();
  }

  /** Wakes the loop now (a call ended, a campaign was created, resumed or cancelled). */
  wake(): void {
    this.wakeController.abort();
  }

  /**
   * A call ended. A pass is worth its queries only when the call's end can change what it does: its line is free
   * while a line limit holds due numbers back, its number's retry falls due before the loop would wake anyway, or it
   * was its campaign's last call here (the campaign may have completed). Waking for every call end otherwise cost a
   * pass (four queries and a claim of one or two numbers) per call while retries trickled in (issue 10: 15,000
   * passes for a 160,000-call campaign in virtual time). A pass starts no sooner than minPassIntervalMs after the
   * last one.
   */
  private afterCallEnded(campaignCallsLeft: number, retryDueMs: number | undefined): void {
    const nowMs = this.deps.clock.now().getTime();
    const wantedAtMs = campaignCallsLeft === 0 || this.lastClaimLinesBound ? nowMs : (retryDueMs ?? Number.POSITIVE_INFINITY);
    if (wantedAtMs === Number.POSITIVE_INFINITY) return;
    // During a pass the sleep that follows is not known yet: the pass's end weighs it (run()).
    if (Number.isNaN(this.plannedWakeMs)) {
      this.wantedDuringPassMs = Math.min(this.wantedDuringPassMs, wantedAtMs);
      return;
    }
    const atMs = this.passAtMs(wantedAtMs);
    if (atMs < this.plannedWakeMs) this.wakeAt(atMs);
  }

  /** The pass wanted at `wantedAtMs` starts then, but no sooner than minPassIntervalMs after the last one started. */
  private passAtMs(wantedAtMs: number): number {
    return Math.max(wantedAtMs, this.lastPassStartMs + this.config.minPassIntervalMs);
  }

  /** Wakes the sleeping loop at a clock instant (now if it has passed), unless a wake no later is already waiting. */
  private wakeAt(atMs: number): void {
    const waitMs = atMs - this.deps.clock.now().getTime();
    if (waitMs <= 0) return this.wake();
    if (atMs >= this.callEndWakeAtMs) return;
    this.callEndWakeAtMs = atMs;
    const scheduledAfterPass = this.lastPassStartMs;
    void this.deps.clock.sleep(waitMs).then(() => {
      if (this.callEndWakeAtMs === atMs) this.callEndWakeAtMs = Number.POSITIVE_INFINITY;
      // A pass that started meanwhile (another wake, or the loop's own timer) has already seen what this was for.
      if (this.lastPassStartMs === scheduledAfterPass && this.state === 'running') this.wake();
    });
  }

  /** Numbers were added to a live campaign: schedule them on the next pass rather than within idlePollMs. */
  numbersAdded(): void {
    this.lastScheduledMs.clear();
    this.wake();
  }

  /**
   * Stops claiming, lets calls in progress finish for at most `drainTimeoutMs`, then hangs up what is left; every
   * call is recorded before this resolves.
   */
  async stop(drainTimeoutMs = this.config.drainTimeoutMs): Promise<void> {
    if (this.state === 'stopped') return;
    if (this.state === 'idle') {
      this.state = 'stopped';
      await this.closeCarrier();
      return;
    }
    this.state = 'draining';
    this.recorder.stopLingering();
    this.wake();
    await this.loop;
    const calls = [...this.inFlight.values()];
    if (calls.length > 0) {
      const drained = Promise.all(calls.map((call) => call.done)).then(() => true);
      const timedOut = this.deps.clock.sleep(drainTimeoutMs).then(() => false);
      if (!(await Promise.race([drained, timedOut]))) {
        this.log.warn({ calls: this.inFlight.size }, 'drain timeout: hanging up calls still in progress');
        for (const call of this.inFlight.values()) call.abort.abort(new Error('dialer shutting down'));
        await Promise.all([...this.inFlight.values()].map((call) => call.done));
      }
    }
    this.state = 'stopped';
    await this.closeCarrier();
  }

  private async closeCarrier(): Promise<void> {
    try {
      await this.deps.carrier.close?.();
    } catch (error) {
      this.log.warn({ err: error }, 'carrier did not close cleanly');
    }
    try {
      await this.deps.sms.close?.();
    } catch (error) {
      this.log.warn({ err: error }, 'SMS provider did not close cleanly');
    }
  }

  private async run(): Promise<void> {
    while (this.state === 'running') {
      let sleepMs = this.config.idlePollMs;
      // Made before the tick: a call that ends while the tick runs wakes the next sleep at once (its line is free),
      // where a controller made after the tick lost that wake and the line stood idle for up to busyPollMs.
      this.wakeController = new AbortController();
      this.plannedWakeMs = Number.NaN;
      this.wantedDuringPassMs = Number.POSITIVE_INFINITY;
      this.callEndWakeAtMs = Number.POSITIVE_INFINITY;
      this.lastPassStartMs = this.deps.clock.now().getTime();
      try {
        sleepMs = await this.tick();
      } catch (error) {
        // A database hiccup must not kill the loop: log and retry after a pause.
        this.log.error({ err: error }, 'dialer tick failed');
        this.lastClaimLinesBound = true;
      }
      if (this.state !== 'running') break;
      // Leases are renewed only from this loop: while calls run, wake at least every leaseMs / 3 (renewLeases'
      // period), or a sleep up to idlePollMs lets them expire and another process recovers a live call as dead.
      if (this.inFlight.size > 0) sleepMs = Math.min(sleepMs, this.config.leaseMs / 3);
      // A call that ended during the pass and wants a pass sooner (afterCallEnded), as if it had ended just after.
      const nowMs = this.deps.clock.now().getTime();
      if (this.wantedDuringPassMs < Number.POSITIVE_INFINITY) {
        sleepMs = Math.min(sleepMs, Math.max(0, this.passAtMs(this.wantedDuringPassMs) - nowMs));
      }
      this.plannedWakeMs = nowMs + Math.max(1, sleepMs);
      // Zero: a full batch was claimed and more may be due at this instant; claim again without waiting.
      if (sleepMs <= 0 && !this.wakeController.signal.aborted) continue;
      await this.deps.clock.sleep(Math.max(1, sleepMs), this.wakeController.signal).catch(() => {});
    }
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.pendingOps++;
    return operation.finally(() => {
      if (--this.pendingOps > 0) return;
      const waiters = this.noPendingOpsWaiters;
      this.noPendingOpsWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  /** Resolves once no store operation is in progress: at once when none is, else when the last one ends. */
  whenNoPendingOps(): Promise<void> {
    if (this.pendingOps === 0) return Promise.resolve();
    return new Promise((resolve) => this.noPendingOpsWaiters.push(resolve));
  }

  /** One pass of the loop; returns how long to sleep before the next. Public for tests that step it by hand. */
  async tick(): Promise<number> {
    const { store, clock } = this.deps;
    const now = clock.now();
    await this.track(this.renewLeases(now));
    // Leases expire after leaseMs; looking for expired ones a few times per lease period is enough.
    if (now.getTime() - this.lastRecoveryMs >= this.config.leaseMs / 4) {
      this.lastRecoveryMs = now.getTime();
      await this.track(this.recoverExpired(now));
    }
    const live = await this.track(store.liveCampaignIds());
    this.campaignStatusNow.clear();
    for (const id of this.campaigns.keys()) {
      if (!live.some((c) => c.id === id)) {
        this.campaigns.delete(id);
        this.guard.forget(id);
      }
    }
    const callable: CallableCampaign[] = [];
    let nextEventMs = now.getTime() + this.config.idlePollMs;
    for (const { id, status } of live) {
      const plan = await this.track(this.planFor(id));
      if (!plan) continue;
      const verdict = await this.track(this.supervise(plan, status, now));
      // supervise moves a callable campaign to Running, and a Running one outside its windows to Waiting.
      this.campaignStatusNow.set(id, verdict.callable ? CampaignStatus.Running : status === CampaignStatus.Running ? CampaignStatus.Waiting : (status as CampaignStatus));
      if (verdict.callable) {
        // The compliance guards may block, pause or slow a campaign whose window is open, and screen its numbers.
        const guarded = await this.track(this.guard.beforeClaim(plan.campaign, plan.windows, now));
        if (guarded.callable) {
          callable.push({
            campaignId: id,
            clientId: plan.campaign.clientId,
            suppressionListIds: guarded.suppressionListIds,
            ...(guarded.pacingFactor !== undefined ? { pacingFactor: guarded.pacingFactor } : {}),
          });
        }
      }
      if (verdict.nextBoundaryMs !== undefined) nextEventMs = Math.min(nextEventMs, verdict.nextBoundaryMs);
    }
    if (this.state !== 'running') return 0;
    // Each client's own concurrent-calls quota, where the operator set one (re-read every few seconds, not per claim).
    const callQuotas = await this.track(this.clientCallQuotas.of(callable.map((c) => c.clientId), now.getTime()));
    for (const campaign of callable) {
      const quota = callQuotas.get(campaign.clientId);
      if (quota !== undefined) campaign.clientMaxConcurrentCalls = quota;
    }
    // The claim reads the clock itself, under its lock: `now` above is stale by this tick's round trips, and calls
    // recorded as starting then would overlap calls whose lines were freed since (see DialerStore.claim). What
    // follows measures from the instant the claim used (`claimedAt`), the latest this tick knows.
    const { numbers: claimed, at: claimedAt, linesBound, drained } = await this.track(
      store.claim({
        clock,
        leaseMs: this.config.leaseMs,
        carrier: this.deps.carrier.name,
        limits: this.config.pacing,
        callable,
        maxBatch: this.config.maxClaimBatch,
      }),
    );
    this.lastClaimLinesBound = linesBound;
    const claimedAtMs = claimedAt.getTime();
    this.observer.claimed(claimed.length);
    for (const number of claimed) this.startCall(number, claimedAtMs);
    if (claimed.length > 0) this.lastClaimMs = claimedAtMs;
    // A full batch: the batch size, not a limit, stopped the claim, and more may be due now: claim again at once.
    if (claimed.length >= this.config.maxClaimBatch) return 0;
    // More may be due at once, held back by a limit: look again shortly (a call ending wakes sooner).
    if (claimed.length > 0 && !drained) return this.config.busyPollMs;
    const nextDue = await this.track(store.nextDueAt(callable.map((c) => c.campaignId)));
    if (nextDue && nextDue.getTime() <= claimedAtMs) {
      // Due numbers this claim could not take (a screening or another transaction held them): look again shortly.
      if (claimed.length > 0 || this.inFlight.size === 0) return this.config.busyPollMs;
      // Due but no room. A calls-per-second limit frees up one second after our last start, with no call ending to
      // wake the loop: look again then, or lines stay idle (with a long idlePollMs, a campaign allowed 2 lines at
      // 1 call/s ran one line at a time). Otherwise concurrency is the limit, and a call ending wakes the loop.
      const callsPerSecondFreeAtMs = this.lastClaimMs + CALLS_PER_SECOND_SPAN_MS;
      if (callsPerSecondFreeAtMs > claimedAtMs) return Math.min(this.config.idlePollMs, callsPerSecondFreeAtMs - claimedAtMs);
      return this.config.idlePollMs;
    }
    // Numbers fall due one by one (retries, each an interval after its own call ended): a pass for each would claim
    // one number at a time (issue 10: a claim per call). A retry due less than dueBatchMs after this claim waits for
    // the pass dueBatchMs on and goes with the others due by then; calling-window boundaries stay exact.
    if (nextDue) nextEventMs = Math.min(nextEventMs, Math.max(nextDue.getTime(), claimedAtMs + this.config.dueBatchMs));
    return Math.max(1, nextEventMs - claimedAtMs);
  }

  private async planFor(campaignId: number): Promise<CampaignPlanCache | undefined> {
    const cached = this.campaigns.get(campaignId);
    if (cached) return cached;
    const campaign = await this.deps.store.loadCampaign(campaignId);
    if (!campaign) return undefined;
    // The campaign's windows cut to its calling hours: no call starts outside them, retries move into them.
    const plan = { campaign, windows: envelopedWindows(campaign, campaign.callingHours), audio: await this.loadAudio(campaign) };
    this.campaigns.set(campaignId, plan);
    return plan;
  }

  /** Loads (once per id) the audio of the campaign's play steps. */
  private async loadAudio(campaign: CampaignForDialing): Promise<Map<number, PlayableAudio>> {
    const ids = [...new Set(campaign.flow.steps.flatMap((step) => (step.type === 'play' ? [step.audioId] : [])))];
    const missing = ids.filter((id) => !this.audioCache.has(id));
    for (const file of await this.deps.store.loadAudio(campaign.clientId, missing)) {
      try {
        this.audioCache.set(file.id, { durationMs: file.durationMs, pcm8kMono: decodeStoredWav(file.data) });
      } catch (error) {
        this.log.error({ err: error, audioId: file.id }, 'stored audio could not be decoded');
      }
    }
    const audio = new Map<number, PlayableAudio>();
    for (const id of ids) {
      const found = this.audioCache.get(id);
      if (found) audio.set(id, found);
      else this.log.warn({ campaignId: campaign.id, audioId: id }, 'audio of a play step is missing: the step will be skipped');
    }
    return audio;
  }

  /** Plays a play step's audio; audio deleted since the flow was saved is skipped (the flow goes on). */
  private playerFor(plan: CampaignPlanCache): PlayAudio {
    return async (call, audioId) => {
      const audio = plan.audio.get(audioId);
      if (!audio) return { hungUp: false };
      return call.play(audio);
    };
  }

  /** Moves a campaign to the status its windows and numbers call for; says whether it may be dialled now. */
  private async supervise(plan: CampaignPlanCache, status: number, now: Date): Promise<{ callable: boolean; nextBoundaryMs?: number }> {
    const { store } = this.deps;
    const { campaign, windows } = plan;
    const closing = lastClosing(windows);
    const live = [CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Waiting, CampaignStatus.Paused] as number[];

    if (!closing || now.getTime() >= closing.getTime()) {
      // The last window has closed: numbers still pending are finished with the reason, then the campaign completes
      // once its last calls have ended.
      await store.finishPendingNumbers(campaign.id, NumberStatus.WindowsClosed, now);
      const open = await store.openNumbers(campaign.id);
      if (!open.dialling && (await store.transitionCampaign(campaign.id, live, CampaignStatus.Completed, now))) {
        this.log.info({ campaignId: campaign.id }, 'campaign completed: last window closed');
        this.campaigns.delete(campaign.id);
      }
      return { callable: false };
    }
    if (status === CampaignStatus.Paused) return { callable: false, nextBoundaryMs: closing.getTime() };

    const firstAttempt = campaign.attempts[0]!;
    const firstDue = attemptDueAt({ windows, intervalMinutes: firstAttempt.intervalMinutes, previousEndedAt: undefined, campaignStartsAt: campaign.startsAt });
    if (firstDue && now.getTime() - (this.lastScheduledMs.get(campaign.id) ?? Number.NEGATIVE_INFINITY) >= this.config.idlePollMs) {
      this.lastScheduledMs.set(campaign.id, now.getTime());
      await store.scheduleNewNumbers(campaign.id, firstDue);
    }

    // A call of ours in flight holds its number Dialling: the campaign is not complete, and asking costs a round
    // trip on every pass of a busy loop.
    if (now.getTime() >= campaign.startsAt.getTime() && !this.inFlightByCampaign.get(campaign.id)) {
      const open = await store.openNumbers(campaign.id);
      if (!open.pending && !open.dialling) {
        if (await store.transitionCampaign(campaign.id, live, CampaignStatus.Completed, now)) {
          this.log.info({ campaignId: campaign.id }, 'campaign completed: every number finished');
          this.campaigns.delete(campaign.id);
        }
        return { callable: false };
      }
    }
    const start = checkCallStart({ windows, now });
    if (start.allowed) {
      if (status !== CampaignStatus.Running) await store.transitionCampaign(campaign.id, [status], CampaignStatus.Running, now);
      return { callable: true, nextBoundaryMs: start.window.closesAt.getTime() };
    }
    if (status === CampaignStatus.Running) await store.transitionCampaign(campaign.id, [status], CampaignStatus.Waiting, now);
    return { callable: false, nextBoundaryMs: (start.nextCallableAt ?? closing).getTime() };
  }

  private startCall(number: ClaimedNumber, claimedAtMs: number): void {
    const abort = new Cancellation();
    const entry: InFlightCall = { number, abort, done: Promise.resolve(), lineFreed: false, leaseExpiresAtMs: claimedAtMs + this.config.leaseMs };
    // A claim takes numbers only of the campaigns this pass found callable, which supervise moved to Running.
    this.observer.callStarted(CampaignStatus.Running);
    entry.done = this.runAndRecord(number, claimedAtMs, abort.signal, () => (entry.lineFreed = true))
      .catch((error) => {
        this.log.error({ err: error, callId: number.callId }, 'call failed unexpectedly');
        return undefined;
      })
      .then((retryDueMs) => {
        this.inFlight.delete(number.callId);
        const left = (this.inFlightByCampaign.get(number.campaignId) ?? 1) - 1;
        if (left > 0) this.inFlightByCampaign.set(number.campaignId, left);
        else this.inFlightByCampaign.delete(number.campaignId);
        this.afterCallEnded(left, retryDueMs);
      });
    this.inFlight.set(number.callId, entry);
    this.inFlightByCampaign.set(number.campaignId, (this.inFlightByCampaign.get(number.campaignId) ?? 0) + 1);
  }

  /** Runs the call and records it; resolves to when its number's retry falls due (clock ms), if it has one. */
  private async runAndRecord(number: ClaimedNumber, claimedAtMs: number, signal: CancelSignal, lineFreed: () => void): Promise<number | undefined> {
    const { clock, carrier } = this.deps;
    const plan = await this.track(this.planFor(number.campaignId));
    if (!plan) return undefined;
    let report: CallReport;
    try {
      report = await runCall({
        carrier,
        clock,
        campaign: plan.campaign,
        number,
        ringTimeoutMs: this.config.ringTimeoutMs,
        signal,
        sendSms: (text) => this.track(this.sendSms(plan.campaign, number, text)),
        playAudio: this.playerFor(plan),
        onDialing: () => this.observer.dialing(clock.now().getTime() - claimedAtMs),
      });
    } catch (error) {
      report = failedBeforeAnswer(clock, `carrier error: ${(error as Error).message}`);
    }
    lineFreed();
    const { campaign, windows } = plan;
    const next = this.nextFor(campaign, windows, number.attemptNumber, report);
    const compliance = await this.track(
      this.guard.afterCall(campaign, number, { outcome: report.outcome, endedAt: report.endedAt, voicemailLeft: report.voicemailLeft, optedOut: report.optedOut === true }),
    );
    const numberType = checkCalleeNumber(number.number);
    const record: CallResultRecord = {
      callId: number.callId,
      phoneNumberId: number.phoneNumberId,
      endedAt: report.endedAt,
      stage: report.stage,
      outcome: report.outcome,
      userInput: report.userInput,
      price: callPrice({
        e164: number.number,
        numberType: numberType.ok ? numberType.number.type : 'UNKNOWN',
        billableSeconds: report.answeredSeconds,
        rates: this.config.rates,
      }),
      isTransferCall: report.isTransferCall,
      // The whole seconds billed (a part second counts as one, as in callPrice), so price = rate * secondsDuration.
      secondsDuration: Math.ceil(report.answeredSeconds),
      answeredBy: report.answeredBy,
      voicemailLeft: report.voicemailLeft,
      endReason: report.endReason,
      sipCode: report.sipCode,
      q850Cause: report.q850Cause,
      next,
      firstAudioMs: report.firstAudioMs ?? null,
      ...compliance,
    };
    // SMS on busy: queued with the result (same transaction), sent once the result is written.
    const busyText =
      report.outcome === CallOutcome.Busy && sendSmsOnBusy(campaign.smsOnBusy as AttemptSelector, number.attemptNumber, campaign.attempts.length)
        ? this.busyText(campaign, number)
        : undefined;
    if (busyText !== undefined) record.sms = this.smsToQueue(campaign, number, busyText);
    const recorded = await this.recorder.record(record);
    if (recorded) this.observer.callRecorded(report.outcome, clock.now().getTime() - claimedAtMs);
    if (!recorded) {
      this.log.warn({ callId: number.callId }, 'lease lost before the call was recorded; another dialer recovered it');
      return undefined;
    }
    if (busyText !== undefined) await this.track(this.sendQueuedFor(campaign, number, busyText));
    return next.status === NumberStatus.Pending && next.dueAt ? next.dueAt.getTime() : undefined;
  }

  /**
   * Where the number goes after an attempt: its next attempt's due time (held back by Ofcom's repeat-call rules where
   * they apply), or a final status.
   */
  private nextFor(
    campaign: CampaignForDialing,
    windows: CallingWindow[],
    attemptNumber: number,
    call: { outcome: CallOutcome; endedAt: Date; voicemailLeft: boolean },
  ): CallResultRecord['next'] {
    const decision = decideAfterCall({ outcome: call.outcome, attemptNumber, totalAttempts: campaign.attempts.length });
    if (decision.kind === 'finished') return { status: decision.status, nextAttempt: attemptNumber, dueAt: null };
    const nextAttempt = campaign.attempts.find((a) => a.attemptNumber === attemptNumber + 1)!;
    const dueAt = attemptDueAt({ windows, intervalMinutes: nextAttempt.intervalMinutes, previousEndedAt: call.endedAt, campaignStartsAt: campaign.startsAt });
    // No window left for the next attempt: finished now, with the reason.
    if (!dueAt) return { status: NumberStatus.WindowsClosed, nextAttempt: attemptNumber + 1, dueAt: null };
    const held = this.guard.retryUnder(campaign, windows, dueAt, call);
    if (held && 'status' in held) return { status: held.status, nextAttempt: attemptNumber + 1, dueAt: null, statusReason: held.statusReason };
    return { status: NumberStatus.Pending, nextAttempt: attemptNumber + 1, dueAt: held?.dueAt ?? dueAt };
  }

  private busyText(campaign: CampaignForDialing, number: ClaimedNumber): string {
    return renderPlaceholders(campaign.flow.smsOnBusy, {
      name: number.name,
      parameters: new Map(number.parameters.map((p) => [p.parameter, p.value])),
    });
  }

  private smsToQueue(campaign: CampaignForDialing, number: ClaimedNumber, text: string): NonNullable<CallResultRecord['sms']> {
    const parts = smsParts(text);
    const now = this.deps.clock.now();
    return {
      attemptNumber: number.attemptNumber,
      sentAt: now,
      text,
      parts: parts.parts,
      encoding: parts.encoding,
      to: number.number,
      from: campaign.cliNumber,
      leaseUntil: new Date(now.getTime() + SMS_LEASE_MS),
    };
  }

  /** Sends the text a call's result queued (SMS on busy: a busy call ran no flow, so it is the attempt's only one). */
  private async sendQueuedFor(campaign: CampaignForDialing, number: ClaimedNumber, text: string): Promise<void> {
    const outbox = this.deps.store.smsOutbox();
    for (const smsMessageId of await outbox.queuedFor(number.phoneNumberId, number.attemptNumber, this.deps.store.dialerId)) {
      await this.handToProvider(outbox, smsMessageId, { to: number.number, from: campaign.cliNumber, text });
    }
  }

  /**
   * Sends a text (SMS on busy, or a flow's sms step): queued in the SMS outbox first (its row on the number, status
   * queued, leased to this process), then handed to the provider, then the answer written and the outbox row
   * removed. If this process dies in between, another process's outbox sender sends it after the lease.
   */
  private async sendSms(campaign: CampaignForDialing, number: ClaimedNumber, text: string): Promise<void> {
    const outbox = this.deps.store.smsOutbox();
    const smsMessageId = await outbox.queue({ ...this.smsToQueue(campaign, number, text), phoneNumberId: number.phoneNumberId, owner: this.deps.store.dialerId });
    await this.handToProvider(outbox, smsMessageId, { to: number.number, from: campaign.cliNumber, text });
  }

  private async handToProvider(outbox: SmsOutboxRepository, smsMessageId: number, request: SmsRequest): Promise<void> {
    const sent = await this.deps.sms.send(request).catch((error: Error) => ({ status: 'failed' as const, reason: error.message }));
    await outbox.handOver(smsMessageId, sent, this.deps.sms.name, this.deps.clock.now());
  }

  private async renewLeases(now: Date): Promise<void> {
    if (this.inFlight.size === 0 || now.getTime() - this.lastRenewMs < this.config.leaseMs / 3) return;
    this.lastRenewMs = now.getTime();
    // Only leases with less than two thirds left (at least a third of a lease old): passes come every third of a
    // lease, so a lease is renewed while a third to two thirds of it remains, and a call that ended within its first
    // third was never renewed at all. Renewing every call in flight on every pass wrote more row versions of the
    // numbers than the claims and the results did (the virtual-time campaign: 221 renewals of its calls in flight,
    // up to 1,000, each an update of every index of phone_numbers, for 159,911 calls).
    const dueBeforeMs = now.getTime() + (this.config.leaseMs * 2) / 3;
    const inFlight = [...this.inFlight.values()].filter((call) => call.leaseExpiresAtMs < dueBeforeMs);
    if (inFlight.length === 0) return;
    const leaseExpiresAtMs = now.getTime() + this.config.leaseMs;
    const renewed = new Set(
      await this.deps.store.renewLeases(
        inFlight.map((call) => call.number.phoneNumberId),
        new Date(leaseExpiresAtMs),
      ),
    );
    for (const call of inFlight) {
      if (renewed.has(call.number.phoneNumberId)) call.leaseExpiresAtMs = leaseExpiresAtMs;
      // A call still up whose lease was not renewed lost it: this loop stalled past the lease, and another process
      // recovered the number, recorded the attempt as interrupted and freed its line, which the pacing limits may
      // already have given to another call. Hang up, so that the calls really up stay within the limits. (A call
      // recorded by this process has its line freed before its record is written, so it is never taken for one.)
      if (renewed.has(call.number.phoneNumberId) || call.lineFreed) continue;
      this.log.warn({ phoneNumberId: call.number.phoneNumberId, callId: call.number.callId }, 'lease lost mid-call: hanging up');
      this.observer.leaseLost();
      call.abort.abort(new Error('lease lost: another dialer recovered the number'));
    }
  }

  private async recoverExpired(now: Date): Promise<void> {
    const expired = await this.deps.store.expiredLeases(now);
    for (const call of expired) await this.recoverOne(call, now);
  }

  private async recoverOne(call: InterruptedCall, now: Date): Promise<void> {
    const plan = await this.planFor(call.campaignId);
    if (!plan) return;
    const next = this.nextFor(plan.campaign, plan.windows, call.attemptNumber, { outcome: CallOutcome.Interrupted, endedAt: call.leaseExpiresAt, voicemailLeft: false });
    if (await this.deps.store.recoverInterrupted(call, now, next)) {
      this.observer.leaseExpiryRecovered();
      this.log.warn({ phoneNumberId: call.phoneNumberId, attempt: call.attemptNumber, owner: call.leaseOwner }, 'recovered a number from an expired lease');
    }
  }
}
