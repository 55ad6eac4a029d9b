// The dialer's compliance reads and writes (issue 9): which do-not-call lists apply to a campaign, the TPS/CTPS
// download dates, and the screening that finishes or postpones due numbers before they are claimed. The claim itself
// also refuses listed and embargoed numbers (dialer-store.ts), so screening only moves them out of the way, with
// their reason, and never races a call.
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { campaigns, phoneNumbers, repeatEmbargoes, suppressedNumbers, suppressionLists } from '../schema.js';
import { NumberStatus } from '../../domain/enums.js';
import { SuppressionRepository, type ListRef } from './suppression.js';
import { moveNumbers } from '../number-status-counts.js';
import { ComplianceRepository, type CampaignAbandonedCounts } from './compliance.js';
import type { RepeatRule } from '../../domain/compliance/repeat-calls.js';
import { sumAbandonedCounts, type AbandonedCounts } from '../../domain/compliance/abandoned-rate.js';

const SCREEN_BATCH = 500;
/**
 * Screening reads only the head of a campaign's due queue: its first SCREEN_WINDOW due numbers in the claim's order
 * (due_at, id, the due index's order), which are the ones the next claims take. Joining every due number to the
 * lists and the embargoes cost 33 ms a screening on a 100,000-number campaign whose first attempts were all due
 * (issue 10, virtual-time bench), once a second; the head costs the same whatever the campaign's size. A number
 * further back is screened when it nears the head, and the claim refuses it meanwhile in any case.
 */
const SCREEN_WINDOW = 5_000;

export interface EmbargoedNumber {
  phoneNumberId: number;
  notBefore: Date;
  rule: RepeatRule;
}

export class DialerComplianceStore {
  private readonly suppression: SuppressionRepository;
  private readonly compliance: ComplianceRepository;

  constructor(private readonly db: Db) {
    this.suppression = new SuppressionRepository(db);
    this.compliance = new ComplianceRepository(db);
  }

  /** The lists a campaign is screened against: its client's and the operator's, and TPS/CTPS when it is marketing. */
  async listIdsFor(clientId: number, marketing: boolean): Promise<number[]> {
    const refs: ListRef[] = [{ kind: 'client', clientId }, { kind: 'operator' }, ...(marketing ? [{ kind: 'tps' as const }, { kind: 'ctps' as const }] : [])];
    return Promise.all(refs.map((ref) => this.suppression.listId(ref)));
  }

  clientListId(clientId: number): Promise<number> {
    return this.suppression.listId({ kind: 'client', clientId });
  }

  /** When the TPS and CTPS files in force were downloaded (null: never imported). */
  async registerDates(): Promise<{ tps: Date | null; ctps: Date | null }> {
    const [tps, ctps] = await Promise.all([this.suppression.info({ kind: 'tps' }), this.suppression.info({ kind: 'ctps' })]);
    return { tps: tps.downloadedAt, ctps: ctps.downloadedAt };
  }

  /**
   * Finishes due numbers of the campaign that are on one of the lists as Suppressed, naming the lists; returns how
   * many. At most SCREEN_BATCH a call: the rest follow on the next pass (the claim skips them meanwhile).
   */
  async finishSuppressedDue(campaignId: number, listIds: readonly number[], now: Date): Promise<number> {
    if (listIds.length === 0) return 0;
    const head = this.dueHead(campaignId, now);
    const onLists = sql`${suppressedNumbers.listId} = any(${sql.param([...listIds])}::int[])`;
    const rows = await this.db
      .with(head)
      .select({ id: head.id, kinds: sql<string[]>`array_agg(distinct ${suppressionLists.kind})` })
      .from(head)
      .innerJoin(suppressedNumbers, eq(suppressedNumbers.number, head.number))
      .innerJoin(suppressionLists, eq(suppressionLists.id, suppressedNumbers.listId))
      // The first test runs once (uncorrelated): with the lists empty the join is not run at all, where it restarted a
      // scan of the empty table for every due number (on PGlite an fstat each: see notSuppressed in dialer-store.ts).
      .where(sql`exists (select 1 from ${suppressedNumbers} where ${onLists}) and ${onLists}`)
      .groupBy(head.id)
      .limit(SCREEN_BATCH);
    const byReason = new Map<string, number[]>();
    for (const row of rows) {
      const reason = `not dialled: on the ${[...row.kinds].sort().map(listName).join(' and ')} when it was due`;
      byReason.set(reason, [...(byReason.get(reason) ?? []), row.id]);
    }
    let finished = 0;
    for (const [reason, ids] of byReason) {
      finished += await moveNumbers(this.db, {
        from: NumberStatus.Pending,
        set: sql`status = ${NumberStatus.Suppressed}, due_at = null, status_reason = ${reason}`,
        where: sql`${phoneNumbers.id} = any(${sql.param(ids)}::bigint[])`,
        eventsAt: now,
      });
    }
    return finished;
  }

  /** Due numbers of the campaign under a repeat-call embargo of its client (Ofcom's 72 h / 24 h rules). */
  async embargoedDue(campaignId: number, clientId: number, now: Date): Promise<EmbargoedNumber[]> {
    const head = this.dueHead(campaignId, now);
    const rows = await this.db
      .with(head)
      .select({ phoneNumberId: head.id, notBefore: repeatEmbargoes.notBefore, rule: repeatEmbargoes.rule })
      .from(head)
      .innerJoin(repeatEmbargoes, and(eq(repeatEmbargoes.number, head.number), eq(repeatEmbargoes.clientId, clientId)))
      // Runs once (uncorrelated), as in finishSuppressedDue: no embargo of the client in force, no join.
      .where(sql`exists (select 1 from ${repeatEmbargoes} where ${repeatEmbargoes.clientId} = ${clientId} and ${repeatEmbargoes.notBefore} > ${now})
                 and ${repeatEmbargoes.notBefore} > ${now}`)
      .limit(SCREEN_BATCH);
    return rows.map((row) => ({ ...row, rule: row.rule as RepeatRule }));
  }

  /** The campaign's first SCREEN_WINDOW due numbers, in the claim's order. */
  private dueHead(campaignId: number, now: Date) {
    return this.db.$with('due_head').as(
      this.db
        .select({ id: phoneNumbers.id, number: phoneNumbers.number })
        .from(phoneNumbers)
        .where(and(eq(phoneNumbers.campaignId, campaignId), eq(phoneNumbers.status, NumberStatus.Pending), lte(phoneNumbers.dueAt, now)))
        .orderBy(phoneNumbers.dueAt, phoneNumbers.id)
        .limit(SCREEN_WINDOW),
    );
  }

  /** Moves a pending number's due time (an embargo ends later), or finishes it with the rule when no window is left. */
  async postpone(phoneNumberId: number, next: { dueAt: Date } | { status: number; reason: string }, now: Date): Promise<void> {
    if ('dueAt' in next) {
      await this.db
        .update(phoneNumbers)
        .set({ dueAt: next.dueAt })
        .where(and(eq(phoneNumbers.id, phoneNumberId), eq(phoneNumbers.status, NumberStatus.Pending)));
      return;
    }
    await moveNumbers(this.db, {
      from: NumberStatus.Pending,
      set: sql`status = ${next.status}, due_at = null, status_reason = ${next.reason}`,
      where: sql`${phoneNumbers.id} = ${phoneNumberId}`,
      eventsAt: now,
    });
  }

  async abandonedCounts(campaignId: number, since: Date): Promise<CampaignAbandonedCounts | undefined> {
    const [row] = await this.compliance.abandonedCounts({ campaignId }, since);
    return row;
  }

  /** The client's calls over all its campaigns since `since`. */
  async clientAbandonedCounts(clientId: number, since: Date): Promise<AbandonedCounts> {
    return sumAbandonedCounts(await this.compliance.abandonedCounts({ clientId }, since));
  }

  /** What a guard last did to the campaign, shown with it; null clears it. */
  async setComplianceNote(campaignId: number, note: string | null): Promise<void> {
    await this.db.update(campaigns).set({ complianceNote: note }).where(eq(campaigns.id, campaignId));
  }
}

const listName = (kind: string) =>
  kind === 'client' ? "client's do-not-call list" : kind === 'operator' ? "operator's do-not-call list" : `${kind.toUpperCase()} register`;
