// The dialer's compliance guards (issue 9), kept out of the dialer loop itself: before a campaign's numbers are
// claimed, it may be blocked (a marketing campaign without fresh TPS/CTPS screening), paused or slowed (its own
// abandoned-call rate, or its client's over all its campaigns), and its due numbers are screened (do-not-call lists,
// repeat-call embargoes). After a call, an opt-out and a repeat-call embargo are handed to the store to record with
// the call.
//
// Every guard explains itself: a campaign's compliance_note says what was done and why (shown by the API), a number
// a guard finished carries its status and statusReason, and a call's endReason names the 2-second rule.
import type { DialerComplianceStore } from '../store/repositories/dialer-compliance.js';
import type { CampaignForDialing, CallResultRecord } from '../store/repositories/dialer-store.js';
import { CampaignStatus, NumberStatus } from '../domain/enums.js';
import {
  abandonedRate,
  abandonedRateAction,
  SLOW_PACING_FACTOR,
  stricterAction,
  type AbandonedCounts,
  type AbandonedRate,
  type AbandonedRateAction,
  type AbandonedRateScope,
  type AbandonedRateSettings,
} from '../domain/compliance/abandoned-rate.js';
import { checkScreening } from '../domain/compliance/suppression.js';
import { REPEAT_RULE_TEXT, repeatEmbargo } from '../domain/compliance/repeat-calls.js';
import { nextCallableInstant, type CallingWindow } from '../domain/calling-windows.js';

const DAY_MS = 86_400_000;
const NO_CALLS: AbandonedCounts = { live: 0, abandoned: 0, machine: 0 };
/** How often a campaign's abandoned-call rate is recomputed (one aggregate query over its last 24 hours). */
const RATE_CHECK_EVERY_MS = 10_000;
/**
 * How often a campaign's due numbers are screened; the claim refuses listed and embargoed numbers meanwhile, so this
 * only sets how soon they leave the queue with their reason. Every second cost a screening (two queries, ~1 ms on
 * PGlite) on most passes of a busy dialer in virtual time.
 */
const SCREEN_EVERY_MS = 5_000;
/** How often the TPS/CTPS download dates are read again. */
const REGISTERS_EVERY_MS = 60_000;

export interface GuardVerdict {
  callable: boolean;
  suppressionListIds: number[];
  /** Below 1 while the abandoned-call guard slows the campaign. */
  pacingFactor?: number;
}

export interface GuardActions {
  /** Moves the campaign to Paused (from any live status); true when it did. */
  pause(campaignId: number, reason: string): Promise<boolean>;
  log(campaignId: number, message: string): void;
}

interface CampaignGuardState {
  listIds?: number[];
  lastRateCheckMs: number;
  lastScreenMs: number;
  pacingFactor?: number;
  note: string | null | undefined;
  /**
   * The campaign's and its client's rates when this process last paused the campaign: after the client resumes, only
   * a higher one pauses it again.
   */
  pausedAt?: Record<AbandonedRateScope, number>;
}

export class ComplianceGuard {
  private readonly states = new Map<number, CampaignGuardState>();
  private registers: { at: number; dates: { tps: Date | null; ctps: Date | null } } | undefined;
  private readonly clientLists = new Map<number, number>();
  private readonly clientRates = new Map<number, { atMs: number; rate: AbandonedRate }>();

  constructor(
    private readonly store: DialerComplianceStore,
    private readonly settings: AbandonedRateSettings,
    private readonly actions: GuardActions,
  ) {}

  forget(campaignId: number): void {
    this.states.delete(campaignId);
  }

  /** Whether a campaign whose window is open may be dialled now, and how. */
  async beforeClaim(campaign: CampaignForDialing, windows: readonly CallingWindow[], now: Date): Promise<GuardVerdict> {
    const state = this.stateOf(campaign.id);
    state.listIds ??= await this.store.listIdsFor(campaign.clientId, campaign.marketing);
    const blocked = await this.screeningBlock(campaign, now);
    if (blocked) {
      await this.note(campaign.id, state, `blocked: ${blocked}`);
      return { callable: false, suppressionListIds: state.listIds };
    }
    if (now.getTime() - state.lastRateCheckMs >= RATE_CHECK_EVERY_MS) {
      state.lastRateCheckMs = now.getTime();
      const campaignRate = abandonedRate((await this.store.abandonedCounts(campaign.id, new Date(now.getTime() - DAY_MS))) ?? NO_CALLS, this.settings);
      const clientRate = await this.clientRate(campaign.clientId, now);
      const action = stricterAction(this.rateAction(campaignRate, state, 'campaign'), this.rateAction(clientRate, state, 'client'));
      if (action.kind === 'pause') {
        state.pausedAt = { campaign: campaignRate.rate, client: clientRate.rate };
        await this.note(campaign.id, state, `paused: ${action.reason}`);
        if (await this.actions.pause(campaign.id, action.reason)) this.actions.log(campaign.id, `campaign paused: ${action.reason}`);
        return { callable: false, suppressionListIds: state.listIds };
      }
      if (action.kind === 'slow') {
        state.pacingFactor = action.pacingFactor;
        await this.note(campaign.id, state, `slowed: ${action.reason}`);
      } else {
        delete state.pacingFactor;
        await this.note(campaign.id, state, null);
      }
    } else if (state.note?.startsWith('blocked:')) {
      await this.note(campaign.id, state, null);
    }
    if (now.getTime() - state.lastScreenMs >= SCREEN_EVERY_MS) {
      state.lastScreenMs = now.getTime();
      await this.screenDue(campaign, windows, state.listIds, now);
    }
    return { callable: true, suppressionListIds: state.listIds, ...(state.pacingFactor !== undefined ? { pacingFactor: state.pacingFactor } : {}) };
  }

  /**
   * What a finished call leaves behind for compliance: the client's list for an opt-out, and the repeat-call embargo
   * (abandoned: 72 h; a machine that got no message: 24 h unless the operator turned that rule off).
   */
  async afterCall(
    campaign: CampaignForDialing,
    number: { number: string },
    call: { outcome: number; endedAt: Date; voicemailLeft: boolean; optedOut: boolean },
  ): Promise<Pick<CallResultRecord, 'optOutListId' | 'embargo'>> {
    const embargo = repeatEmbargo({ outcome: call.outcome, endedAt: call.endedAt, voicemailLeft: call.voicemailLeft }, { machineRuleOn: campaign.machineRuleOn });
    return {
      ...(call.optedOut ? { optOutListId: await this.clientListId(campaign.clientId) } : {}),
      ...(embargo ? { embargo: { clientId: campaign.clientId, number: number.number, ...embargo } } : {}),
    };
  }

  /**
   * A retry's due time under the repeat-call rules: not before the embargo this call set; undefined when none
   * applies. A retry the embargo pushes past the last window ends the number with the rule as its reason.
   */
  retryUnder(
    campaign: CampaignForDialing,
    windows: readonly CallingWindow[],
    dueAt: Date,
    call: { outcome: number; endedAt: Date; voicemailLeft: boolean },
  ): { dueAt: Date } | { status: number; statusReason: string } | undefined {
    const embargo = repeatEmbargo({ outcome: call.outcome, endedAt: call.endedAt, voicemailLeft: call.voicemailLeft }, { machineRuleOn: campaign.machineRuleOn });
    if (!embargo || embargo.notBefore.getTime() <= dueAt.getTime()) return undefined;
    const next = nextCallableInstant(windows, embargo.notBefore);
    if (next) return { dueAt: next };
    return { status: NumberStatus.RepeatRule, statusReason: `not called again: ${REPEAT_RULE_TEXT[embargo.rule]}, and no calling window is left after that` };
  }

  /**
   * What a rate calls for. Resuming is the client's decision: a campaign it resumed after a pause is paused again
   * only if the same rate keeps rising, and is dialled at half pace meanwhile (a 24-hour rate falls only as its
   * abandoned calls age out).
   */
  private rateAction(rate: AbandonedRate, state: CampaignGuardState, scope: AbandonedRateScope): AbandonedRateAction {
    const action = abandonedRateAction(rate, this.settings, scope);
    const pausedAt = state.pausedAt?.[scope];
    if (action.kind !== 'pause' || pausedAt === undefined || rate.rate > pausedAt) return action;
    const what = scope === 'client' ? "the client's abandoned-call rate" : 'abandoned-call rate';
    return {
      kind: 'slow',
      pacingFactor: SLOW_PACING_FACTOR,
      reason: `${what} ${(rate.rate * 100).toFixed(1)}% over the last 24 hours; resumed by the client, so dialled at half pace and paused again only if it rises`,
    };
  }

  /** The client's 24-hour rate over all its campaigns, read once per RATE_CHECK_EVERY_MS for all of them. */
  private async clientRate(clientId: number, now: Date): Promise<AbandonedRate> {
    const cached = this.clientRates.get(clientId);
    if (cached && now.getTime() - cached.atMs < RATE_CHECK_EVERY_MS) return cached.rate;
    const rate = abandonedRate(await this.store.clientAbandonedCounts(clientId, new Date(now.getTime() - DAY_MS)), this.settings);
    this.clientRates.set(clientId, { atMs: now.getTime(), rate });
    return rate;
  }

  private stateOf(campaignId: number): CampaignGuardState {
    let state = this.states.get(campaignId);
    if (!state) {
      state = { lastRateCheckMs: Number.NEGATIVE_INFINITY, lastScreenMs: Number.NEGATIVE_INFINITY, note: undefined };
      this.states.set(campaignId, state);
    }
    return state;
  }

  private async clientListId(clientId: number): Promise<number> {
    let id = this.clientLists.get(clientId);
    if (id === undefined) {
      id = await this.store.clientListId(clientId);
      this.clientLists.set(clientId, id);
    }
    return id;
  }

  /** A marketing campaign needs TPS and CTPS screening no older than 28 days (PECR reg 21). */
  private async screeningBlock(campaign: CampaignForDialing, now: Date): Promise<string | undefined> {
    if (!campaign.marketing) return undefined;
    if (!this.registers || now.getTime() - this.registers.at >= REGISTERS_EVERY_MS) {
      this.registers = { at: now.getTime(), dates: await this.store.registerDates() };
    }
    for (const kind of ['tps', 'ctps'] as const) {
      const check = checkScreening(kind, this.registers.dates[kind], now);
      if (!check.ok) return check.reason;
    }
    return undefined;
  }

  /** Due numbers on a list finish as Suppressed; embargoed ones move to the embargo's end, or finish as RepeatRule. */
  private async screenDue(campaign: CampaignForDialing, windows: readonly CallingWindow[], listIds: number[], now: Date): Promise<void> {
    await this.store.finishSuppressedDue(campaign.id, listIds, now);
    for (const held of await this.store.embargoedDue(campaign.id, campaign.clientId, now)) {
      const next = nextCallableInstant(windows, held.notBefore);
      await this.store.postpone(
        held.phoneNumberId,
        next
          ? { dueAt: next }
          : { status: NumberStatus.RepeatRule, reason: `not called: ${REPEAT_RULE_TEXT[held.rule]} (another campaign), and no calling window is left after that` },
        now,
      );
    }
  }

  /** Writes the campaign's compliance note when it changes. */
  private async note(campaignId: number, state: CampaignGuardState, note: string | null): Promise<void> {
    if (state.note === note) return;
    state.note = note;
    await this.store.setComplianceNote(campaignId, note);
  }
}

/** The live statuses a guard may pause from. */
export const PAUSABLE_STATUSES = [CampaignStatus.Scheduled, CampaignStatus.Running, CampaignStatus.Waiting] as number[];
