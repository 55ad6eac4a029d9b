// The dialer's reads and writes. The database is the source of truth: a number is claimed under a lease, its call
// row is written before dialling (so a crash mid-call is visible), and every transition is guarded by the lease
// owner so a process that lost its lease cannot overwrite what another recorded.
import { AudioRepository, type AudioFileData } from './audio.js';
import { DialerComplianceStore } from './dialer-compliance.js';
import { rowsOf } from './rows.js';
import { constant, FixedStatement, runFixed, runPrepared, type StoreTransaction } from '../prepared-statements.js';
import { queueSmsIn, SmsOutboxRepository, type SmsToQueue } from './sms-outbox.js';
import { SmsPartsStore } from './sms-parts-store.js';
import { changeCampaignStatus } from '../campaign-status-change.js';
import { outboxInsertFrom } from '../../webhooks/outbox.js';
import { keepNumberCounts, movedFrom, moveNumbers } from '../number-status-counts.js';
import { keepCallCounts } from '../call-outcome-counts.js';
import { analyzeNow, needsAnalyze } from '../table-maintenance.js';
import { and, eq, getTableName, lt, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
import type { Flow } from '../../callflow/schema.js';
import {
  callFlowVersions,
  calls,
  callStarts,
  campaignAttempts,
  campaignRunoverDays,
  campaigns,
  clients,
  clis,
  linesInUse,
  phoneNumbers,
  repeatEmbargoes,
  suppressedNumbers,
  suppressionLists,
} from '../schema.js';
import { DEFAULT_CALLING_HOURS, type CallingHoursProfile } from '../../domain/compliance/calling-hours.js';
import type { RepeatRule } from '../../domain/compliance/repeat-calls.js';
import { CallOutcome, CallStage, CampaignStatus, NumberStatus } from '../../domain/enums.js';
import { CALLS_PER_SECOND_SPAN_MS, callsAllowed, clientLimitOf, minusCalls, plusCalls, roomUnder, tightest, type PacingLimits, type PacingUsage, type Room } from '../../dialer/pacing.js';
import { ClientLimitsRepository } from './client-limits.js';
import type { Clock } from '../../domain/clock.js';
import { arrayLiteral, type ArrayElementType } from '../array-literal.js';

/** Serialises claim transactions of all dialer processes, so pacing counts are exact. */
const CLAIM_LOCK_KEY = 7_123_002;
/** pg_try_advisory_xact_lock(int, int) namespace of a campaign's scheduling (scheduleNewNumbers), keyed by campaign. */
export const SCHEDULE_LOCK_NAMESPACE = 7_123_004;

export interface CampaignForDialing {
  id: number;
  clientId: number;
  status: number;
  timeZone: string;
  startDate: string;
  startTime: string;
  finishTime: string;
  startsAt: Date;
  answerPhoneMessage: number;
  smsOnBusy: number;
  runoverDays: { date: string; startTime: string; finishTime: string }[];
  attempts: { attemptNumber: number; intervalMinutes: number }[];
  flow: Flow;
  cliNumber: string;
  /** The envelope the campaign runs in: its own, else its client's current profile, else the default. */
  callingHours: CallingHoursProfile;
  /** A marketing campaign (PECR reg 21): TPS/CTPS apply. */
  marketing: boolean;
  /** Ofcom's 24-hour rule after a machine that got no message (off only by the operator, with a reason). */
  machineRuleOn: boolean;
}

/** A campaign a claim may take numbers of (its window is open and the guards let it call). */
export interface CallableCampaign {
  campaignId: number;
  clientId: number;
  /** The do-not-call lists that apply to it (checked in the claim itself: a list can change after the create). */
  suppressionListIds: number[];
  /** Below 1 when the abandoned-call guard slows the campaign. */
  pacingFactor?: number;
  /** The client's maxConcurrentCalls quota (client_limits) when the operator set one; else the settings' client limit. */
  clientMaxConcurrentCalls?: number;
}

export interface ClaimResult {
  numbers: ClaimedNumber[];
  /** The instant the claim used: the calls' start time. */
  at: Date;
  /**
   * Whether a line limit (concurrent calls of a campaign, its client or the carrier) may be what keeps a campaign's
   * due numbers waiting: then a call ending is worth claiming again for. False when only calls per second, the
   * numbers due or nothing held the claim back: a call ending frees no start, so the dialer need not wake for it.
   */
  linesBound: boolean;
  /**
   * Whether every callable campaign had fewer due numbers it could take than its budget: nothing claimable is left
   * due at `at`, and the dialer need not look again before the next number falls due.
   */
  drained: boolean;
}

export interface ClaimedNumber {
  phoneNumberId: number;
  campaignId: number;
  attemptNumber: number;
  callId: number;
  number: string;
  name: string;
  parameters: { parameter: number; value: string }[];
}

export interface CallResultRecord {
  callId: number;
  phoneNumberId: number;
  endedAt: Date;
  stage: number;
  outcome: number;
  userInput: string;
  price: number;
  isTransferCall: boolean;
  secondsDuration: number;
  answeredBy: string | null;
  voicemailLeft: boolean;
  endReason: string;
  sipCode: number | null;
  q850Cause: number | null;
  /** What happens to the number next; statusReason when a compliance rule decided it. */
  next: { status: number; nextAttempt: number; dueAt: Date | null; statusReason?: string };
  /** The callee opted out during the call: the number goes on this do-not-call list in the same transaction. */
  optOutListId?: number;
  /** From answer to our first audio (Ofcom's 2 s rule). */
  firstAudioMs?: number | null;
  /** Ofcom's repeat-call embargo this call sets on the number across the client's campaigns. */
  embargo?: { clientId: number; number: string; notBefore: Date; rule: RepeatRule };
  /** A text this result sends (SMS on busy): queued in the same transaction, leased to this dialer to send next. */
  sms?: Omit<SmsToQueue, 'phoneNumberId' | 'owner'>;
}

export interface InterruptedCall {
  phoneNumberId: number;
  campaignId: number;
  attemptNumber: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date;
}

/** A number's status after a call; a retry of a campaign cancelled while the call ran becomes Cancelled instead. */
function nextStatus(status: number) {
  if (status !== NumberStatus.Pending) return sql`${status}::smallint`;
  return sql`case when (select ${campaigns.status} from ${campaigns} where ${campaigns.id} = ${phoneNumbers.campaignId}) = ${CampaignStatus.Cancelled} then ${NumberStatus.Cancelled}::smallint else ${NumberStatus.Pending}::smallint end`;
}

export class DialerStore {
  /** The last claim had no room for any of its campaigns: the next one glances before it locks (claim()). */
  private lastClaimHadNoRoom = false;
  /** finishCalls' statement (finishStatement), made on first use. */
  private finish: FixedStatement | undefined;
  /** claim()'s statements (claimStatement), made on first use. */
  private claimPlain: FixedStatement | undefined;
  private claimWithLists: FixedStatement | undefined;

  constructor(
    private readonly db: Db,
    readonly dialerId: string,
  ) {}

  /** The compliance guards' reads and writes, on the same database. */
  complianceStore(): DialerComplianceStore {
    return new DialerComplianceStore(this.db);
  }

  /** The SMS outbox, where texts wait until the provider's answer is written (issue 13). */
  smsOutbox(): SmsOutboxRepository {
    return new SmsOutboxRepository(this.db);
  }

  /** SMS parts, where delivery receipts are written. */
  smsParts(): SmsPartsStore {
    return new SmsPartsStore(this.db);
  }

  /** The client's audio files among `ids` (a flow's play steps), with their data; deleted ones are left out. */
  /** The maxConcurrentCalls overrides of these clients (src/dialer/client-call-quotas.ts refreshes them). */
  clientCallQuotas(clientIds: readonly number[]): Promise<Map<number, number>> {
    return new ClientLimitsRepository(this.db).concurrentCallQuotas(clientIds);
  }

  loadAudio(clientId: number, ids: readonly number[]): Promise<AudioFileData[]> {
    return new AudioRepository(this.db).loadForPlayback(clientId, ids);
  }

  /** Campaigns that may still need the dialer's attention. */
  async liveCampaignIds(): Promise<{ id: number; status: number }[]> {
    const rows = await runFixed<{ id: number; status: number }>(this.db, LOOP_STATEMENTS.liveCampaigns, {});
    return rows.map((row) => ({ id: Number(row.id), status: Number(row.status) }));
  }

  async loadCampaign(id: number): Promise<CampaignForDialing | undefined> {
    const [row] = await this.db
      .select({
        campaign: campaigns,
        flow: callFlowVersions.document,
        cliNumber: clis.number,
        clientCallingHours: clients.callingHours,
        machineRuleOffReason: clients.machineRuleOffReason,
      })
      .from(campaigns)
      // The version the campaign was created with, not the flow's current one.
      .innerJoin(callFlowVersions, eq(callFlowVersions.id, campaigns.callFlowVersionId))
      .innerJoin(clis, eq(clis.id, campaigns.cliId))
      .innerJoin(clients, eq(clients.id, campaigns.clientId))
      .where(eq(campaigns.id, id));
    if (!row) return undefined;
    const [attempts, runoverDays] = await Promise.all([
      this.db
        .select({ attemptNumber: campaignAttempts.attemptNumber, intervalMinutes: campaignAttempts.intervalMinutes })
        .from(campaignAttempts)
        .where(eq(campaignAttempts.campaignId, id))
        .orderBy(campaignAttempts.attemptNumber),
      this.db
        .select({ date: campaignRunoverDays.date, startTime: campaignRunoverDays.startTime, finishTime: campaignRunoverDays.finishTime })
        .from(campaignRunoverDays)
        .where(eq(campaignRunoverDays.campaignId, id))
        .orderBy(campaignRunoverDays.date),
    ]);
    const c = row.campaign;
    return {
      id: c.id,
      clientId: c.clientId,
      status: c.status,
      timeZone: c.timeZone,
      startDate: c.startDate,
      startTime: c.startTime,
      finishTime: c.finishTime,
      startsAt: c.startsAt,
      answerPhoneMessage: c.answerPhoneMessage,
      smsOnBusy: c.smsOnBusy,
      runoverDays,
      attempts,
      flow: row.flow,
      cliNumber: row.cliNumber,
      callingHours: c.callingHours ?? row.clientCallingHours ?? DEFAULT_CALLING_HOURS,
      marketing: c.marketing,
      machineRuleOn: row.machineRuleOffReason === null,
    };
  }

  /** Moves a campaign between statuses, only from one it is in (so two processes cannot both act on it). */
  /** With `complianceReason` (a guard pausing it), a compliance.campaign_paused webhook event goes with the change. */
  async transitionCampaign(id: number, from: number[], to: number, now: Date, complianceReason?: string): Promise<boolean> {
    const finished = to === CampaignStatus.Completed || to === CampaignStatus.Cancelled;
    // One statement with its webhook events (campaign-status-change.ts).
    const changed = await changeCampaignStatus(this.db, { campaignId: id, from, to, now, finished, ...(complianceReason ? { complianceReason } : {}) });
    // A completed campaign has no call in flight and will claim no more: its empty rows leave the claim's reading.
    // (Deleting a row at zero is always safe: a later claim's upsert makes it again.)
    if (changed && to === CampaignStatus.Completed) {
      await this.db.delete(linesInUse).where(and(eq(linesInUse.campaignId, id), eq(linesInUse.calls, 0)));
    }
    return changed;
  }

  /**
   * Gives the campaign's numbers that were never scheduled their first due time: numbers stored before the create and
   * the add wrote it with each number (firstDueAt in campaigns.ts); otherwise it finds none, through the due index.
   * One process at a time per campaign: while another is scheduling it (and holds its lock), this one skips it this
   * pass rather than wait on the rows that process is updating, serving none of its other campaigns meanwhile (four
   * dialer processes starting a 20,000-number campaign waited 0.4-0.9 s each, auto_explain; the update took 0.4 s, so
   * about 20 s for 1,000,000 numbers). The numbers are due once that process commits; the next pass sees them.
   */
  async scheduleNewNumbers(campaignId: number, dueAt: Date): Promise<void> {
    const row = await this.db.transaction(async (tx) => {
      const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${SCHEDULE_LOCK_NAMESPACE}, ${campaignId}) as locked`));
      if (lock?.locked !== true) return undefined;
      return rowsOf<{ scheduled: number | string; estimated: number | string | null }>(
        await tx.execute(sql`
          with scheduled as (
            update ${phoneNumbers} set due_at = ${dueAt}
            where ${phoneNumbers.campaignId} = ${campaignId} and ${phoneNumbers.status} = ${NumberStatus.Pending} and ${phoneNumbers.dueAt} is null
            returning 1
          )
          select count(*)::int as scheduled, (select reltuples from pg_class where oid = ${getTableName(phoneNumbers)}::regclass) as estimated
          from scheduled`),
      )[0];
    });
    // The numbers' first claims come next, planned on phone_numbers' statistics. Taken before the upload, or after a
    // campaign's numbers were deleted (pages counted with no rows in them), they made the claim's plans those of an
    // empty table: 3.4 s for a claim of 500 of 20,000 numbers (bench/dialer-throughput.ts, auto_explain).
    if (row && needsAnalyze(Number(row.scheduled), Number(row.estimated ?? 0))) await analyzeNow(this.db, getTableName(phoneNumbers));
  }

  /** Gives every still-pending number a final status (the campaign completed or was cancelled). */
  async finishPendingNumbers(campaignId: number, status: number, now?: Date): Promise<number> {
    return moveNumbers(this.db, {
      from: NumberStatus.Pending,
      set: sql`status = ${status}, due_at = null`,
      where: sql`${phoneNumbers.campaignId} = ${campaignId}`,
      // number.completed webhook events, stamped with the dialer's clock.
      ...(now ? { eventsAt: now } : {}),
    });
  }

  /**
   * Whether the campaign still has pending and dialling numbers: two index probes (the partial indexes on status 0
   * and 1), where counting them read every open row of a 100,000-number campaign on each pass of the loop.
   */
  async openNumbers(campaignId: number): Promise<{ pending: boolean; dialling: boolean }> {
    const [row] = rowsOf<{ pending: boolean; dialling: boolean }>(
      await this.db.execute(sql`
        select exists (select 1 from ${phoneNumbers} where ${phoneNumbers.campaignId} = ${campaignId} and ${phoneNumbers.status} = ${NumberStatus.Pending}) as pending,
               exists (select 1 from ${phoneNumbers} where ${phoneNumbers.campaignId} = ${campaignId} and ${phoneNumbers.status} = ${NumberStatus.Dialling}) as dialling`),
    );
    return { pending: row?.pending === true, dialling: row?.dialling === true };
  }

  /** The earliest due time of a pending number in these campaigns. */
  async nextDueAt(campaignIds: number[]): Promise<Date | undefined> {
    if (campaignIds.length === 0) return undefined;
    const [row] = await runFixed<{ due_at: Date | string | null }>(this.db, LOOP_STATEMENTS.nextDue, { campaignIds });
    return row?.due_at ? new Date(row.due_at) : undefined;
  }

  /**
   * Claims due numbers of the callable campaigns, within every pacing limit, under one lock shared by all dialer
   * processes. Each claimed number gets a lease and a call row (stage Queued) before any dialling happens.
   *
   * The claim reads the clock itself, under the lock and after counting the calls in flight, and returns the instant
   * it used (`at`): the calls' start_time, the leases, which numbers are due and the one-second span of calls per
   * second are all that instant. A time read before the transaction (at the start of the dialer's loop) is stale by
   * the loop's round trips and the wait for the lock: calls recorded as starting then would overlap calls whose lines
   * were only freed afterwards, and claims of different processes would count different seconds.
   */
  async claim(args: {
    /** Read once, inside the transaction; the dialer's injected clock (virtual in tests). */
    clock: Pick<Clock, 'now'>;
    leaseMs: number;
    carrier: string;
    limits: PacingLimits;
    /** Campaigns whose window is open now (CallableCampaign). */
    callable: CallableCampaign[];
    maxBatch: number;
  }): Promise<ClaimResult> {
    if (args.callable.length === 0) return { numbers: [], at: args.clock.now(), linesBound: false, drained: true };
    // After a claim that found no room, glance first: one unlocked statement instead of a transaction of four round
    // trips. A dialer bound by its lines looks again every pass (another process's call may have freed one); in the
    // virtual-time campaign 1,731 of 4,055 claims on PostgreSQL had no room at all (pg_stat_statements). The glance
    // only ever skips a claim, and what it misses the next pass takes: the claim itself counts again under the lock.
    if (this.lastClaimHadNoRoom) {
      const at = args.clock.now();
      const { inFlight, started } = await this.glanceAtUsage(new Date(at.getTime() - CALLS_PER_SECOND_SPAN_MS));
      const budgets = new ClaimBudgets(args, inFlight, started);
      if (args.callable.every((campaign) => budgets.next(campaign, 0) <= 0)) return { numbers: [], at, linesBound: budgets.linesBound, drained: false };
    }
    const result = await this.db.transaction(async (tx) => {
      // The claim keeps its custom plans (planned with each run's values). Its generic plan, tried in session 19, was
      // faster on PGlite (no planning: 31 -> 11 fstat calls a claim) but read the do-not-call lists with a sequential
      // scan to learn whether any of the campaign's lists has a number: 49-173 ms a claim beside a TPS register of
      // 1,000,000 numbers, where the custom plan probes the (list_id, number) index (0.3-2 ms).
      await runFixed(this.db, LOOP_STATEMENTS.claimLock, {}, tx);
      // The calls in flight per campaign and carrier, as kept in lines_in_use by every transaction that moves a number
      // into or out of dialling (this claim, finishCalls, recoverInterrupted): a few rows, where counting the numbers
      // being dialled cost a lookup per call in flight (2.4 ms a claim on PGlite with 1,000 lines, issue 10). The
      // carrier is the one the call row names, so the carrier limit counts only that carrier's calls when processes
      // with different carriers share a database. In the same statement (one round trip, where they were two), the
      // claims' starts of the last second as kept in call_starts (a row per claim and campaign, where reading the
      // calls themselves looked up each one's number for its campaign), from a second before the lock was had.
      const lockedAtMs = args.clock.now().getTime();
      const usage = await runFixed<UsageRow>(
        this.db,
        LOOP_STATEMENTS.usageUnderLock,
        { spanStart: new Date(lockedAtMs - CALLS_PER_SECOND_SPAN_MS), prunedBefore: new Date(lockedAtMs - CALLS_PER_SECOND_SPAN_MS - CALL_STARTS_KEPT_MS) },
        tx,
      );
      // Now, not earlier: the count above (a statement of its own, READ COMMITTED) saw every line freed before it
      // started, and a freed line's end_time is before that: finishCall records a time read before it commits, and
      // recoverInterrupted a lease expiry already past when it recovers. A line still held was counted. Calls
      // starting at this instant therefore overlap, over [start_time, end_time), only calls that were counted. Every
      // earlier claim committed before this one got the lock, so every start recorded so far is at or before it
      // too; of the starts read, those of the second up to this instant count (the span read began earlier).
      const now = args.clock.now();
      const { inFlight, started } = usageGroups(usage, now.getTime() - CALLS_PER_SECOND_SPAN_MS);
      const leaseExpiresAt = new Date(now.getTime() + args.leaseMs);
      const budgets = new ClaimBudgets(args, inFlight, started);
      const claimed: ClaimedNumber[] = [];
      let drained = true;
      let hadRoom = false;
      for (const campaign of args.callable) {
        const { campaignId, clientId, suppressionListIds } = campaign;
        if (claimed.length >= args.maxBatch) {
          drained = false;
          break;
        }
        const budget = budgets.next(campaign, claimed.length);
        if (budget <= 0) {
          drained = false;
          continue;
        }
        hadRoom = true;
        // One statement per campaign (one round trip): lock the due numbers (SKIP LOCKED), lease them, write their
        // call rows and count the calls on the campaign.
        const hasLists = suppressionListIds.length > 0;
        const statement = hasLists ? (this.claimWithLists ??= claimStatement(this.dialerId, true)) : (this.claimPlain ??= claimStatement(this.dialerId, false));
        const due = await runFixed<{ id: string | number; next_attempt: number; number: string; name: string; parameters: ClaimedNumber['parameters'] | string; call_id: string | number }>(
          this.db,
          statement,
          { campaignId, clientId, now, budget, leaseExpiresAt, carrier: args.carrier, ...(hasLists ? { listIds: [...suppressionListIds] } : {}) },
          tx,
        );
        // The whole budget went: the campaign may have more due, held back by whichever limit gave the budget.
        if (due.length === budget) {
          budgets.spentAll();
          drained = false;
        }
        if (due.length === 0) continue;
        for (const row of due) {
          claimed.push({
            phoneNumberId: Number(row.id),
            campaignId,
            attemptNumber: Number(row.next_attempt),
            callId: Number(row.call_id),
            number: row.number,
            name: row.name,
            parameters: typeof row.parameters === 'string' ? (JSON.parse(row.parameters) as ClaimedNumber['parameters']) : row.parameters,
          });
        }
        budgets.took(clientId, due.length);
      }
      await takeLines(this.db, tx, claimed, args.carrier);
      return { result: { numbers: claimed, at: now, linesBound: budgets.linesBound, drained }, hadRoom };
    });
    this.lastClaimHadNoRoom = !result.hadRoom;
    return result.result;
  }

  /**
   * The calls in flight and those started since `spanStart`, per campaign and carrier, in one unlocked statement: a
   * glance that may be a moment stale (claim() counts again under its lock before it claims anything).
   */
  private async glanceAtUsage(spanStart: Date): Promise<{ inFlight: UsageGroup[]; started: UsageGroup[] }> {
    return usageGroups(await runFixed<UsageRow>(this.db, LOOP_STATEMENTS.usageGlance, { spanStart }), spanStart.getTime());
  }

  /**
   * Extends this process's leases on numbers whose calls are still running; returns the ids it extended. A number
   * left out is no longer this process's: its call was recorded, or its lease lapsed and another process recovered
   * it (and so freed its line for the pacing limits).
   */
  async renewLeases(phoneNumberIds: number[], until: Date): Promise<number[]> {
    if (phoneNumberIds.length === 0) return [];
    const renewed = await this.db
      .update(phoneNumbers)
      .set({ leaseExpiresAt: until })
      // One array parameter, not one parameter per number: a list of 1,000 placeholders cost 9.5 ms a renewal on
      // PGlite, most of it parsing and planning the list (virtual-time bench).
      .where(and(sql`${phoneNumbers.id} = any(${sql.param(phoneNumberIds)}::bigint[])`, eq(phoneNumbers.leaseOwner, this.dialerId), eq(phoneNumbers.status, NumberStatus.Dialling)))
      .returning({ id: phoneNumbers.id });
    return renewed.map((row) => row.id);
  }

  /**
   * Records a finished call and moves its number on, in one transaction. Returns false (and writes nothing) when
   * this process no longer holds the number's lease: another process has recovered it.
   */
  async finishCall(record: CallResultRecord): Promise<boolean> {
    const [recorded] = await this.finishCalls([record]);
    return recorded!;
  }

  /**
   * Records finished calls and moves their numbers on, all in one statement (one round trip for the batch; a
   * transaction only when an opt-out, an embargo or a text goes with them). Each record is guarded by its own lease, as
   * finishCall: says, per record in order, whether it was recorded (false: another process recovered the number,
   * and nothing of that record was written).
   */
  async finishCalls(records: readonly CallResultRecord[]): Promise<boolean[]> {
    if (records.length === 0) return [];
    const values: Record<string, string> = {};
    for (const [name, type, pick] of RESULT_COLUMNS) values[name] = arrayLiteral(records.map(pick), type);
    const statement = (this.finish ??= finishStatement(this.dialerId));
    const withExtras = records.some((r) => r.optOutListId !== undefined || r.embargo !== undefined || r.sms !== undefined);
    const write = async (db: Db) => {
      const moved = new Set((await runFixed<{ id: string | number }>(this.db, statement, values, db)).map((row) => Number(row.id)));
      // In the same transaction as the call: an opt-out, an embargo or a text is lost only with the call record itself.
      for (const record of records) {
        if (!moved.has(record.phoneNumberId)) continue;
        if (record.optOutListId !== undefined) await addOptOut(db, record.optOutListId, record.phoneNumberId, record.endedAt);
        if (record.embargo) await setEmbargo(db, record.embargo);
        if (record.sms) await queueSmsIn(db, { ...record.sms, phoneNumberId: record.phoneNumberId, owner: this.dialerId });
      }
      return records.map((record) => moved.has(record.phoneNumberId));
    };
    return withExtras ? this.db.transaction((tx) => write(tx as unknown as Db)) : write(this.db);
  }

  /** Numbers whose lease expired while dialling: their process died or stalled mid-call. */
  async expiredLeases(now: Date, limit = 500): Promise<InterruptedCall[]> {
    const rows = await this.db
      .select({
        phoneNumberId: phoneNumbers.id,
        campaignId: phoneNumbers.campaignId,
        attemptNumber: phoneNumbers.nextAttempt,
        leaseOwner: phoneNumbers.leaseOwner,
        leaseExpiresAt: phoneNumbers.leaseExpiresAt,
      })
      .from(phoneNumbers)
      .where(and(eq(phoneNumbers.status, NumberStatus.Dialling), lt(phoneNumbers.leaseExpiresAt, now)))
      .limit(limit);
    return rows.map((row) => ({ ...row, leaseExpiresAt: row.leaseExpiresAt! }));
  }

  /**
   * Records an attempt whose dialer vanished as Interrupted (never repeated: the attempt counts as used) and moves
   * the number on. Guarded by the expired lease, so two recovering processes cannot both do it.
   */
  async recoverInterrupted(call: InterruptedCall, now: Date, next: CallResultRecord['next']): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const status = nextStatus(next.status);
      const moved = await moveNumbers(tx, {
        from: NumberStatus.Dialling,
        set: sql`status = ${status}, next_attempt = ${next.nextAttempt}, due_at = ${next.dueAt}, lease_owner = null, lease_expires_at = null, last_ended_at = ${now}`,
        where: sql`${phoneNumbers.id} = ${call.phoneNumberId} and ${phoneNumbers.nextAttempt} = ${call.attemptNumber} and ${phoneNumbers.leaseExpiresAt} < ${now}`,
        eventsAt: now,
      });
      if (moved === 0) return false;
      const endReason = `dialer ${call.leaseOwner ?? '?'} stopped mid-call (lease expired at ${call.leaseExpiresAt.toISOString()}); not repeated`;
      // The call's result is counted by this statement itself (call-outcome-counts.ts).
      await tx.execute(sql`
        with recorded as (
          update ${calls} set end_time = ${call.leaseExpiresAt}, outcome = ${CallOutcome.Interrupted}, end_reason = ${endReason}
          where ${calls.phoneNumberId} = ${call.phoneNumberId} and ${calls.attemptNumber} = ${call.attemptNumber} and ${calls.endTime} is null
          returning ${calls.startTime} as start_time, ${calls.outcome} as outcome, ${calls.answeredBy} as answered_by, ${calls.price} as price,
                    ${calls.secondsDuration} as seconds_duration
        ),
        ${keepCallCounts(sql`select ${call.campaignId}::int, start_time, outcome, answered_by, price, seconds_duration from recorded`)}
        select 1`);
      await tx.execute(sql`
        with recorded as (
          select ${phoneNumbers.campaignId} as campaign_id, ${calls.carrier} as carrier
          from ${calls} join ${phoneNumbers} on ${phoneNumbers.id} = ${calls.phoneNumberId}
          where ${calls.phoneNumberId} = ${call.phoneNumberId} and ${calls.attemptNumber} = ${call.attemptNumber}
        ),
        ${FREE_RECORDED_LINES}
        select 1`);
      return true;
    });
  }
}

/**
 * The claim's statement for one campaign (one round trip): lock the due numbers (SKIP LOCKED), lease them to `dialerId`,
 * write their call rows, keep the calls-per-second starts and count the calls on the campaign. Rendered once per
 * dialer (FixedStatement); without do-not-call lists (`hasLists` false) the list check is left out. Placeholders:
 * campaignId, clientId, now, budget, leaseExpiresAt, carrier, and listIds with lists.
 */
function claimStatement(dialerId: string, hasLists: boolean): FixedStatement {
  const p = (name: string) => sql.placeholder(name);
  return new FixedStatement(sql`
            with due as (
              select ${phoneNumbers.id} as id from ${phoneNumbers}
              where ${phoneNumbers.campaignId} = ${p('campaignId')}
                and ${phoneNumbers.status} = ${constant(NumberStatus.Pending)}
                and ${phoneNumbers.dueAt} <= ${p('now')}
                -- Checked again here, in the claim itself, however recently the screening ran: never dialled.
                and ${hasLists ? notSuppressed(p('listIds')) : sql`true`}
                and ${notEmbargoed(p('clientId'), p('now'))}
              order by ${phoneNumbers.dueAt}, ${phoneNumbers.id}
              limit ${p('budget')}
              for update skip locked
            ),
            claimed as (
              update ${phoneNumbers} set status = ${constant(NumberStatus.Dialling)}, lease_owner = ${dialerId}, lease_expires_at = ${p('leaseExpiresAt')}
              -- The locked ids as an array and each claimed number's call id drawn here, so that nothing is joined.
              -- A table's statistics can be far from its rows: taken before a campaign's upload, or after a
              -- campaign's numbers were deleted (no rows in the table's pages), on a server whose autovacuum is off
              -- or has not come round yet. With 'one row' estimates the claim joined due to every number in a nested
              -- loop (3.4 s for 500 of 20,000, auto_explain) and the result to the inserted calls the same way (500 x
              -- 500 comparisons, 50 ms). Now the worst such plan reads this campaign's index entries once (73 ms for
              -- 20,000), and with the statistics scheduleNewNumbers refreshes claims of up to 500 took 37 ms on average.
              where ${phoneNumbers.campaignId} = ${p('campaignId')} and ${phoneNumbers.id} = any(array(select id from due))
              returning ${phoneNumbers.id} as id, ${phoneNumbers.nextAttempt} as next_attempt, ${phoneNumbers.number} as number,
                        ${phoneNumbers.name} as name, ${phoneNumbers.parameters} as parameters, ${phoneNumbers.dueAt} as due_at,
                        nextval('calls_id_seq') as call_id
            ),
            -- The unique (number, attempt) index makes a second dial of the same attempt impossible, whatever happens.
            inserted as (
              insert into ${calls} (id, phone_number_id, attempt_number, start_time, stage, outcome, carrier, dialer_id)
              select call_id, id, next_attempt, ${p('now')}, ${CallStage.FlowNotReached}, ${CallOutcome.InProgress}, ${p('carrier')}, ${dialerId} from claimed
            ),
            -- The calls-per-second limits' count (call_starts): one row for the claim's calls of this campaign.
            started as (
              insert into ${callStarts} (started_at, campaign_id, carrier, calls)
              select ${p('now')}, ${p('campaignId')}, ${p('carrier')}, count(*)::int from claimed having count(*) > 0
              on conflict (started_at, campaign_id, carrier) do update set calls = ${callStarts}.calls + excluded.calls
            ),
            counted as (
              update ${campaigns} set call_count = call_count + (select count(*) from claimed)
              where ${campaigns.id} = ${p('campaignId')} and exists (select 1 from claimed)
            ),
            ${keepNumberCounts(sql`select ${p('campaignId')}::int, ${NumberStatus.Dialling}::smallint, count(*)::int from claimed
                                   union all select ${p('campaignId')}::int, ${NumberStatus.Pending}::smallint, -count(*)::int from claimed`)}
            select id, next_attempt, number, name, parameters, call_id from claimed order by due_at, id`);
}

/** The campaign's concurrency and calls-per-second limit scaled by the abandoned-call guard (at least 1 each). */
function slowed(limit: PacingLimits['campaign'], factor: number | undefined): PacingLimits['campaign'] {
  if (factor === undefined || factor >= 1) return limit;
  return {
    maxConcurrentCalls: Math.max(1, Math.floor(limit.maxConcurrentCalls * factor)),
    maxCallsPerSecond: Math.max(1, Math.floor(limit.maxCallsPerSecond * factor)),
  };
}

// The claim's usage counts: calls by campaign (and its client) and carrier, in one statement (usageUnderLock and the
// glance): the calls in flight with a null started_ms, then the claims' starts, each with its instant.

/** The calls in flight, as kept in lines_in_use. */
const LINES_HELD = sql`
    select null::float8 as started_ms, ${linesInUse.campaignId} as campaign_id, ${campaigns.clientId} as client_id, ${linesInUse.carrier} as carrier,
           ${linesInUse.calls} as count
    from ${linesInUse} join ${campaigns} on ${campaigns.id} = ${linesInUse.campaignId}
    where ${linesInUse.calls} <> 0`;

/** The claims' starts after the placeholder `spanStart`, from their rows in call_starts, each with its instant. */
const STARTED_SINCE = sql`
    select (extract(epoch from s.started_at) * 1000)::float8 as started_ms, s.campaign_id, ${campaigns.clientId} as client_id, s.carrier, s.calls as count
    from ${callStarts} s join ${campaigns} on ${campaigns.id} = s.campaign_id
    where s.started_at > ${sql.placeholder('spanStart')}`;

/**
 * Under the claim's lock, rows of call_starts up to the placeholder `prunedBefore` (a minute older than the span) go:
 * a process whose clock runs a little behind still finds the starts of its second.
 */
const PRUNE_STARTS = sql`with pruned as (delete from ${callStarts} where ${callStarts.startedAt} <= ${sql.placeholder('prunedBefore')})`;

/** The usage rows split: the calls in flight, and the starts after `spanStartMs` (a start at it is out of the span). */
function usageGroups(rows: readonly UsageRow[], spanStartMs: number): { inFlight: UsageGroup[]; started: UsageGroup[] } {
  const inFlight = rows.filter((row) => row.started_ms === null);
  const started = rows.filter((row) => row.started_ms !== null && Number(row.started_ms) > spanStartMs);
  return { inFlight: groupsOf(inFlight), started: groupsOf(started) };
}

/** How long call_starts keeps a claim's row past the one-second span that counts it. */
const CALL_STARTS_KEPT_MS = 60_000;

/**
 * How many numbers each campaign of a claim may take, in the claim's order: the tightest room under the carrier's,
 * the client's and the campaign's limits (the campaign's slowed by its pacing factor), less what the claim has taken
 * so far. Also tells whether lines, not starts, may be what holds a campaign back (linesBound).
 */
class ClaimBudgets {
  private carrierRoom: Room;
  /** Each client's calls in flight and started, plus what this claim took; its room depends on the campaign's figure. */
  private readonly clientUsage = new Map<number, PacingUsage>();
  linesBound = false;
  /** Whether the campaign last asked about is held back by lines, should its budget run out. */
  private linesLimit = false;

  constructor(
    private readonly args: { carrier: string; limits: PacingLimits; maxBatch: number },
    private readonly inFlight: UsageGroup[],
    private readonly started: UsageGroup[],
  ) {
    this.carrierRoom = roomUnder(args.limits.carrier, this.usageOf((row) => row.carrier === args.carrier));
  }

  private usageOf(match: (row: UsageGroup) => boolean): PacingUsage {
    const sum = (rows: UsageGroup[]) => rows.filter(match).reduce((total, row) => total + row.count, 0);
    return { inFlight: sum(this.inFlight), startedLastSecond: sum(this.started) };
  }

  /** The campaign's budget, given how many numbers the claim holds already; a budget of zero or less is noted. */
  next(campaign: Omit<CallableCampaign, 'suppressionListIds'>, claimedSoFar: number): number {
    const { campaignId, clientId, pacingFactor, clientMaxConcurrentCalls } = campaign;
    if (!this.clientUsage.has(clientId)) this.clientUsage.set(clientId, this.usageOf((row) => row.clientId === clientId));
    const room = tightest(
      this.carrierRoom,
      roomUnder(clientLimitOf(this.args.limits, clientMaxConcurrentCalls), this.clientUsage.get(clientId)!),
      roomUnder(slowed(this.args.limits.campaign, pacingFactor), this.usageOf((row) => row.campaignId === campaignId)),
    );
    const left = this.args.maxBatch - claimedSoFar;
    // Lines, not starts, may be what holds this campaign back (unknown whether it has more due: assume it has).
    this.linesLimit = room.lines <= room.starts && room.lines < left;
    const budget = Math.min(callsAllowed(room), left);
    if (budget <= 0) this.spentAll();
    return budget;
  }

  /** The campaign last asked about used its whole budget. */
  spentAll(): void {
    this.linesBound ||= this.linesLimit;
  }

  took(clientId: number, calls: number): void {
    this.carrierRoom = minusCalls(this.carrierRoom, calls);
    this.clientUsage.set(clientId, plusCalls(this.clientUsage.get(clientId)!, calls));
  }
}

interface UsageGroup {
  campaignId: number;
  clientId: number;
  carrier: string | null;
  count: number;
}

/** A row of LINES_HELD or STARTED_SINCE, as the driver gives it. */
interface UsageRow {
  started_ms: number | string | null;
  campaign_id: string | number;
  client_id: string | number;
  carrier: string | null;
  count: string | number;
}

function groupsOf(rows: readonly UsageRow[]): UsageGroup[] {
  return rows.map((row) => ({
    campaignId: Number(row.campaign_id),
    clientId: Number(row.client_id),
    carrier: row.carrier,
    count: Number(row.count),
  }));
}

/*
 * The claim's do-not-call and embargo checks each start with an uncorrelated test (run once per statement, an
 * InitPlan) of whether the lists, or the client's embargoes, hold anything at all; only then is each due number
 * looked up. Same answer, but with nothing to find the number-by-number probes are skipped: on an empty or tiny table
 * they were sequential-scan restarts, and on PGlite every restart asks the file system for the table's size (an
 * fstat): 162 a claim of 81 numbers, 70% of the fstat calls of the virtual-time campaign (9% of its profile).
 */
function notSuppressed(listIds: SQL | Placeholder) {
  const lists = sql`${suppressedNumbers.listId} = any(${listIds}::int[])`;
  return sql`(not exists (select 1 from ${suppressedNumbers} where ${lists})
              or not exists (select 1 from ${suppressedNumbers} where ${lists} and ${suppressedNumbers.number} = ${phoneNumbers.number}))`;
}

function notEmbargoed(clientId: SQL | Placeholder, now: SQL | Placeholder) {
  const inForce = sql`${repeatEmbargoes.clientId} = ${clientId} and ${repeatEmbargoes.notBefore} > ${now}`;
  return sql`(not exists (select 1 from ${repeatEmbargoes} where ${inForce})
              or not exists (select 1 from ${repeatEmbargoes} where ${inForce} and ${repeatEmbargoes.number} = ${phoneNumbers.number}))`;
}

/**
 * Adds the calls just claimed to lines_in_use, in one statement in (campaign, carrier) order: every writer of these
 * rows (claims, finishCalls, recoveries) locks them in that order, so two transactions never wait on each other.
 */
async function takeLines(db: Db, tx: StoreTransaction, claimed: readonly ClaimedNumber[], carrier: string): Promise<void> {
  if (claimed.length === 0) return;
  const perCampaign = new Map<number, number>();
  for (const number of claimed) perCampaign.set(number.campaignId, (perCampaign.get(number.campaignId) ?? 0) + 1);
  await runPrepared(db, sql`
    insert into ${linesInUse} (campaign_id, carrier, calls)
    select t.campaign_id, ${carrier}, t.calls from unnest(${sql.param([...perCampaign.keys()])}::int[], ${sql.param([...perCampaign.values()])}::int[]) as t(campaign_id, calls)
    order by t.campaign_id
    ${ADD_TO_LINE_COUNT}`, tx);
}

/** The insert's rows are added to a (campaign, carrier) row already there. */
const ADD_TO_LINE_COUNT = sql`on conflict (campaign_id, carrier) do update set calls = ${linesInUse}.calls + excluded.calls`;

/**
 * A common table that takes the calls of the statement's `recorded` table (campaign_id, carrier) off lines_in_use,
 * in key order (see takeLines).
 */
const FREE_RECORDED_LINES = sql`
      freed as (
        insert into ${linesInUse} (campaign_id, carrier, calls)
        select campaign_id, coalesce(carrier, ''), -count(*)::int from recorded group by 1, 2 order by 1, 2
        ${ADD_TO_LINE_COUNT}
      )`;

/**
 * finishCalls' columns, one array each (unnest): the name of the row's column and of the statement's placeholder, its
 * SQL type, and its value in a record. Each array goes as its literal's text (array-literal.ts).
 */
const RESULT_COLUMNS: readonly (readonly [string, ArrayElementType, (record: CallResultRecord) => unknown])[] = [
  ['phone_number_id', 'bigint', (r) => r.phoneNumberId],
  ['call_id', 'bigint', (r) => r.callId],
  ['status', 'smallint', (r) => r.next.status],
  ['next_attempt', 'smallint', (r) => r.next.nextAttempt],
  ['due_at', 'timestamptz', (r) => r.next.dueAt],
  ['ended_at', 'timestamptz', (r) => r.endedAt],
  ['status_reason', 'text', (r) => r.next.statusReason ?? null],
  ['stage', 'smallint', (r) => r.stage],
  ['outcome', 'smallint', (r) => r.outcome],
  ['user_input', 'text', (r) => r.userInput],
  ['price', 'float8', (r) => r.price],
  ['is_transfer_call', 'boolean', (r) => r.isTransferCall],
  ['seconds_duration', 'int', (r) => r.secondsDuration],
  ['answered_by', 'text', (r) => r.answeredBy],
  ['voicemail_left', 'boolean', (r) => r.voicemailLeft],
  ['end_reason', 'text', (r) => r.endReason],
  ['sip_code', 'int', (r) => r.sipCode],
  ['q850_cause', 'int', (r) => r.q850Cause],
  ['opted_out', 'boolean', (r) => r.optOutListId !== undefined],
  ['first_audio_ms', 'int', (r) => r.firstAudioMs ?? null],
];

/**
 * finishCalls' one statement for this dialer's leases, with its webhook events (CALL_EVENTS): rendered once per
 * dialer, its columns placeholders (RESULT_COLUMNS).
 *
 * The events are always in it. A read of whether any endpoint was enabled chose between this statement and one
 * without the events, when planning them on every run cost ~10% of a virtual-time campaign; prepared, the statement
 * is planned once, and with no endpoint enabled its one-time filter leaves the events' part unrun (on PGlite 2.69 ms
 * a write against 2.54 + 0.14 ms for the write and the read, 30,000-number virtual-time campaign). That read was a
 * round trip of its own before every result write, and an endpoint enabled between it and the write missed that
 * batch's events.
 */
function finishStatement(dialerId: string): FixedStatement {
  const arrays = sql.join(RESULT_COLUMNS.map(([name, type]) => sql`${sql.placeholder(name)}::${sql.raw(type)}[]`), sql`, `);
  return new FixedStatement(sql`
      with v as (
        select * from unnest(${arrays}) as v(${sql.raw(RESULT_COLUMNS.map(([name]) => name).join(', '))})
      ),
      moved as (
        update ${phoneNumbers} set
          -- A retry of a campaign cancelled while the call ran becomes Cancelled instead (nextStatus).
          status = case when v.status = ${NumberStatus.Pending}
                          and (select ${campaigns.status} from ${campaigns} where ${campaigns.id} = ${phoneNumbers.campaignId}) = ${CampaignStatus.Cancelled}
                        then ${NumberStatus.Cancelled}::smallint else v.status end,
          next_attempt = v.next_attempt, due_at = v.due_at, lease_owner = null, lease_expires_at = null,
          last_ended_at = v.ended_at, status_reason = v.status_reason
        from v
        where ${phoneNumbers.id} = v.phone_number_id and ${phoneNumbers.leaseOwner} = ${dialerId} and ${phoneNumbers.status} = ${NumberStatus.Dialling}
        returning ${phoneNumbers.id} as id, ${phoneNumbers.campaignId} as campaign_id, ${phoneNumbers.status} as status
      ),
      ${keepNumberCounts(movedFrom(NumberStatus.Dialling))},
      recorded as (
        update ${calls} set
          end_time = v.ended_at, stage = v.stage, outcome = v.outcome, user_input = v.user_input, price = v.price,
          is_transfer_call = v.is_transfer_call, seconds_duration = v.seconds_duration, answered_by = v.answered_by,
          voicemail_left = v.voicemail_left, end_reason = v.end_reason, sip_code = v.sip_code, q850_cause = v.q850_cause,
          opted_out = v.opted_out, first_audio_ms = v.first_audio_ms
        from v join moved on moved.id = v.phone_number_id
        where ${calls.id} = v.call_id
        returning moved.campaign_id, ${calls.carrier} as carrier, ${calls.startTime} as start_time, v.outcome, v.answered_by, v.price,
                  v.seconds_duration
      ),
      ${FREE_RECORDED_LINES},
      ${keepCallCounts(sql`select campaign_id, start_time, outcome, answered_by, price, seconds_duration from recorded`)},
      ${CALL_EVENTS}
      select id from moved`);
}

/**
 * The small statements of the dialer's every pass and claim, rendered once (FixedStatement): rendering a drizzle SQL
 * tree on each run (runPrepared) was 0.6 s of a 20 s virtual-time campaign on PGlite (--cpu-prof: drizzle's
 * buildQueryFromSourceParams and its `is` checks), for statements whose text never changes.
 */
const LOOP_STATEMENTS = {
  // Asked on every pass of the loop, its statuses written in (prepared-statements.ts). A campaign still being filled
  // by its create (PGlite) is not ready: its numbers are not all in yet.
  liveCampaigns: new FixedStatement(
    sql`select ${campaigns.id} as id, ${campaigns.status} as status from ${campaigns}
        where ${campaigns.status} in (${sql.join([CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Waiting, CampaignStatus.Paused].map(constant), sql`, `)})
          and not ${campaigns.filling}`,
  ),
  // nextDueAt, asked by every claim: one array parameter whatever the number of campaigns, the status written in so
  // that the plan can use the partial due index (prepared-statements.ts). Each campaign's first due number is read
  // from the head of that index: the generic plan of min() over `campaign_id = any($1)` read every pending number
  // (20 ms a call with 100,000, the virtual-time campaign).
  nextDue: new FixedStatement(
    sql`select min(first.due_at) as due_at from unnest(${sql.placeholder('campaignIds')}::int[]) as c(id)
        cross join lateral (
          select ${phoneNumbers.dueAt} as due_at from ${phoneNumbers}
          where ${phoneNumbers.campaignId} = c.id and ${phoneNumbers.status} = ${constant(NumberStatus.Pending)} and ${phoneNumbers.dueAt} is not null
          order by ${phoneNumbers.dueAt} limit 1
        ) as first`,
  ),
  claimLock: new FixedStatement(sql`select pg_advisory_xact_lock(${constant(CLAIM_LOCK_KEY)})`),
  usageUnderLock: new FixedStatement(sql`${PRUNE_STARTS} ${LINES_HELD} union all ${STARTED_SINCE}`),
  usageGlance: new FixedStatement(sql`${LINES_HELD} union all ${STARTED_SINCE}`),
};

/**
 * finishCalls' webhook events, in its statement: call.completed for every recorded call and number.completed when the
 * number reached a final status, in that order. Joined to the client's subscribed endpoints: none, no row.
 */
const CALL_EVENTS = sql`
      call_events as (${outboxInsertFrom({
        type: sql`ev.type`,
        from: sql`(
          select c.client_id, v.phone_number_id, v.ended_at, kind.ord, kind.type, kind.subject
          from v join moved on moved.id = v.phone_number_id join ${campaigns} c on c.id = moved.campaign_id
          cross join lateral (values
            (1, 'call.completed', jsonb_build_object('callId', v.call_id, 'numberId', v.phone_number_id, 'campaignId', moved.campaign_id)),
            (2, case when moved.status <> ${NumberStatus.Pending} then 'number.completed' end,
              jsonb_build_object('numberId', v.phone_number_id, 'campaignId', moved.campaign_id, 'status', moved.status, 'statusReason', v.status_reason))
          ) as kind(ord, type, subject)
          -- Uncorrelated, so planned as a one-time filter: with no enabled endpoint at all the rest is never run.
          where kind.type is not null and exists (select 1 from webhook_endpoints where enabled)) as ev`,
        clientId: sql`ev.client_id`,
        subject: sql`ev.subject`,
        numberId: sql`ev.phone_number_id`,
        now: sql`ev.ended_at`,
        orderBy: sql`ev.phone_number_id, ev.ord`,
      })})`;

/** The number called goes on the client's list (source opt-out); the list's kept count follows. */
async function addOptOut(db: Db, listId: number, phoneNumberId: number, at: Date): Promise<void> {
  const inserted = await db.execute(sql`
    insert into ${suppressedNumbers} (list_id, number, source, reason, added_at)
    select ${listId}, ${phoneNumbers.number}, 'opt-out', 'asked during a call', ${at} from ${phoneNumbers} where ${phoneNumbers.id} = ${phoneNumberId}
    on conflict do nothing returning 1`);
  const added = rowsOf(inserted).length;
  if (added > 0) {
    await db
      .update(suppressionLists)
      .set({ numberCount: sql`${suppressionLists.numberCount} + ${added}`, updatedAt: at })
      .where(eq(suppressionLists.id, listId));
  }
}

/** Records an embargo, keeping the later one when the number already has one. */
async function setEmbargo(db: Db, embargo: NonNullable<CallResultRecord['embargo']>): Promise<void> {
  await db
    .insert(repeatEmbargoes)
    .values(embargo)
    .onConflictDoUpdate({
      target: [repeatEmbargoes.clientId, repeatEmbargoes.number],
      set: {
        notBefore: sql`greatest(${repeatEmbargoes.notBefore}, excluded.not_before)`,
        rule: sql`case when excluded.not_before > ${repeatEmbargoes.notBefore} then excluded.rule else ${repeatEmbargoes.rule} end`,
      },
    });
}
