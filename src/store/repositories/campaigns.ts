// Campaigns and their phone numbers. Numbers are inserted in batches through unnest(), one statement per batch, so a
// 100,000-number campaign is tens or hundreds of statements rather than 100,000.
//
// A large insert must not stall every other client. On PostgreSQL the numbers go in one transaction: other requests
// use other pool connections and are not held up by it, and between batches the event loop is free. PGlite is one
// connection running in WebAssembly on the event-loop thread, and it queues every query while a transaction is open,
// so a 100,000-number transaction (4-6 s of PGlite time) held up every request of every client. There the campaign row
// and the first batch are one transaction and the rest follow as short statements of PGLITE_BATCH_SIZE rows, with the
// event loop handed back between them; if a batch fails the campaign is deleted again. Numbers arriving after the
// campaign row are what adding numbers to a campaign already does (no due time yet: the dialer schedules them on its
// next pass). While it is filled the campaign is marked `filling`: the dialer leaves it alone, and a start that finds
// one (the process died mid-create, before it answered 201) deletes it, so a crash still leaves no half campaign.
import { PGlite } from '@electric-sql/pglite';
import { and, asc, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
import { callFlows, callFlowVersions, calls, campaignAttempts, campaignRunoverDays, campaigns, phoneNumbers, smsMessages } from '../schema.js';
import type { CampaignCompliancePlan, CampaignPlan, PhoneNumberPlan } from '../../domain/campaign-request.js';
import { CampaignStatus, CampaignType } from '../../domain/enums.js';
import type { CampaignListField } from '../../domain/campaign-list.js';
import { yieldToEventLoop } from '../../domain/stepwise.js';

export type CampaignRow = typeof campaigns.$inferSelect;
export type CallRow = typeof calls.$inferSelect;
export type SmsRow = typeof smsMessages.$inferSelect;

/**
 * Rows per INSERT ... SELECT FROM unnest(...) statement on PostgreSQL: the parameters are encoded on the event loop
 * (a few ms per 5,000 rows), the insert runs in the server.
 */
export const PHONE_NUMBER_BATCH_SIZE = 5_000;
/**
 * Rows per statement on PGlite, which runs each statement on the event loop: 40-50 µs a row on an idle machine, so
 * about 10 ms (500 rows took 30-70 ms on a busy 2-CPU machine).
 */
export const PGLITE_BATCH_SIZE = 250;

export type CampaignSortColumn = CampaignListField;

export interface CampaignListQuery {
  pageIndex: number;
  pageSize: number;
  sortColumn: CampaignSortColumn;
  descending: boolean;
  nameContains?: string | undefined;
  statuses?: number[] | undefined;
  types?: number[] | undefined;
  callFlowIds?: number[] | undefined;
  cliIds?: number[] | undefined;
  ids?: number[] | undefined;
  callCounts?: number[] | undefined;
  /** Inclusive bounds on the list's startDate text, `YYYY-MM-DDTHH:mm:ss`. */
  startDateFrom?: string | undefined;
  startDateTo?: string | undefined;
}

export interface CampaignDetail {
  campaign: CampaignRow;
  attempts: { attemptNumber: number; intervalMinutes: number }[];
  runoverDays: { date: string; startTime: string; finishTime: string }[];
}

export interface PhoneNumberWithOutcomes {
  id: number;
  number: string;
  name: string;
  status: number;
  statusReason: string | null;
  parameters: { parameter: number; value: string }[];
  calls: CallRow[];
  sms: SmsRow[];
}

/** The list's `startDate` as SQL text, `YYYY-MM-DDTHH:mm:ss`, for range filters that match what clients see. */
const startDateText = sql<string>`(to_char(${campaigns.startDate}, 'YYYY-MM-DD') || 'T' || ${campaigns.startTime} || ':00')`;

const SORT_EXPRESSIONS: Record<CampaignSortColumn, SQL[]> = {
  id: [sql`${campaigns.id}`],
  name: [sql`lower(${campaigns.name})`],
  startDate: [sql`${campaigns.startDate}`, sql`${campaigns.startTime}`],
  starttime: [sql`${campaigns.startTime}`],
  finishtime: [sql`${campaigns.finishTime}`],
  type: [sql`${campaigns.type}`],
  callFlow_Id: [sql`${campaigns.callFlowId}`],
  campaignStatus: [sql`${campaigns.status}`],
  callCount: [sql`${campaigns.callCount}`],
  cli_id: [sql`${campaigns.cliId}`],
};

export class CampaignRepository {
  /** True when the database runs on this thread (PGlite): see the top of this file. */
  private readonly onEventLoop: boolean;

  constructor(private readonly db: Db) {
    this.onEventLoop = (db as unknown as { $client?: unknown }).$client instanceof PGlite;
  }

  async nameExists(clientId: number, name: string): Promise<boolean> {
    const rows = await this.db
      .select({ id: campaigns.id })
      .from(campaigns)
      .where(and(eq(campaigns.clientId, clientId), sql`lower(${campaigns.name}) = lower(${name})`))
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Stores a validated campaign and all its numbers; returns the new id. `compliance`: its calling hours (null: the
   * client's current profile) and marketing flag (issue 9). One transaction on PostgreSQL; on PGlite the
   * numbers after the first batch follow in short statements (top of this file).
   */
  async create(
    clientId: number,
    plan: CampaignPlan,
    compliance: Pick<CampaignCompliancePlan, 'callingHours' | 'marketing'> = { callingHours: null, marketing: false },
  ): Promise<number> {
    const batchSize = this.onEventLoop ? PGLITE_BATCH_SIZE : PHONE_NUMBER_BATCH_SIZE;
    const inTransaction = this.onEventLoop ? plan.numbers.slice(0, batchSize) : plan.numbers;
    const campaignId = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(campaigns)
        .values({
          clientId,
          name: plan.name,
          type: CampaignType.Voice,
          status: CampaignStatus.Scheduled,
          timeZone: plan.timeZone,
          startDate: plan.startDate,
          startTime: plan.startTime,
          finishTime: plan.finishTime,
          startsAt: plan.startsAt,
          callFlowId: plan.callFlowId,
          // The flow's current version: later edits make new versions and leave this campaign's alone.
          callFlowVersionId: sql`(select v.id from ${callFlowVersions} v join ${callFlows} f on f.id = v.call_flow_id and v.version = f.current_version where f.id = ${plan.callFlowId})`,
          cliId: plan.cliId,
          answerPhoneMessage: plan.answerPhoneMessage,
          smsOnBusy: plan.smsOnBusy,
          callingHours: compliance.callingHours,
          marketing: compliance.marketing,
          filling: inTransaction.length < plan.numbers.length,
        })
        .returning({ id: campaigns.id });
      const campaignId = row!.id;
      await tx.insert(campaignAttempts).values(plan.attempts.map((attempt) => ({ campaignId, ...attempt })));
      if (plan.runoverDays.length > 0) {
        await tx.insert(campaignRunoverDays).values(plan.runoverDays.map((day) => ({ campaignId, ...day })));
      }
      await insertNumbers(tx as unknown as Db, campaignId, inTransaction, batchSize);
      return campaignId;
    });
    if (inTransaction.length < plan.numbers.length) {
      try {
        await insertNumbers(this.db, campaignId, plan.numbers.slice(inTransaction.length), batchSize);
        await this.db.update(campaigns).set({ filling: false }).where(eq(campaigns.id, campaignId));
      } catch (error) {
        await this.db.delete(campaigns).where(eq(campaigns.id, campaignId));
        throw error;
      }
    }
    return campaignId;
  }

  /**
   * Deletes campaigns whose create was cut short while their numbers were still being added (PGlite: the one process
   * of a data folder died mid-create; it never answered 201). Run at start, before any request; returns their ids.
   */
  async removeUnfinishedCreates(): Promise<number[]> {
    const removed = await this.db.delete(campaigns).where(eq(campaigns.filling, true)).returning({ id: campaigns.id });
    return removed.map((row) => row.id);
  }

  /**
   * Adds numbers to an existing campaign; a number it already has is skipped. Returns the E.164 numbers added.
   * New numbers have no due time: the dialer schedules them on its next pass.
   */
  async addNumbers(campaignId: number, numbers: PhoneNumberPlan[]): Promise<Set<string>> {
    // On PGlite without a transaction, for the reason at the top of this file. A failure part-way leaves the batches
    // before it added; sending the same numbers again skips them, so a retry completes the request.
    const added = new Set<string>();
    if (this.onEventLoop) await insertNumbers(this.db, campaignId, numbers, PGLITE_BATCH_SIZE, added);
    else await this.db.transaction((tx) => insertNumbers(tx as unknown as Db, campaignId, numbers, PHONE_NUMBER_BATCH_SIZE, added));
    return added;
  }

  async list(clientId: number): Promise<CampaignRow[]> {
    return this.db.select().from(campaigns).where(eq(campaigns.clientId, clientId)).orderBy(asc(campaigns.id));
  }

  async page(clientId: number, query: CampaignListQuery): Promise<{ rows: CampaignRow[]; totalRecords: number }> {
    const conditions: SQL[] = [eq(campaigns.clientId, clientId)];
    if (query.nameContains) conditions.push(ilike(campaigns.name, `%${escapeLike(query.nameContains)}%`));
    if (query.statuses) conditions.push(inArray(campaigns.status, query.statuses));
    if (query.types) conditions.push(inArray(campaigns.type, query.types));
    if (query.callFlowIds) conditions.push(inArray(campaigns.callFlowId, query.callFlowIds));
    if (query.cliIds) conditions.push(inArray(campaigns.cliId, query.cliIds));
    if (query.ids) conditions.push(inArray(campaigns.id, query.ids));
    if (query.callCounts) conditions.push(inArray(campaigns.callCount, query.callCounts));
    if (query.startDateFrom) conditions.push(sql`${startDateText} >= ${query.startDateFrom}`);
    if (query.startDateTo) conditions.push(sql`${startDateText} <= ${query.startDateTo}`);
    const where = and(...conditions);
    const direction = query.descending ? desc : asc;
    const [rows, [count]] = await Promise.all([
      this.db
        .select()
        .from(campaigns)
        .where(where)
        .orderBy(...SORT_EXPRESSIONS[query.sortColumn].map((expression) => direction(expression)), direction(campaigns.id))
        .limit(query.pageSize)
        .offset((query.pageIndex - 1) * query.pageSize),
      this.db.select({ total: sql<number>`count(*)::int` }).from(campaigns).where(where),
    ]);
    return { rows, totalRecords: Number(count?.total ?? 0) };
  }

  async get(clientId: number, id: number): Promise<CampaignDetail | undefined> {
    const [campaign] = await this.db
      .select()
      .from(campaigns)
      .where(and(eq(campaigns.clientId, clientId), eq(campaigns.id, id)));
    if (!campaign) return undefined;
    const [attempts, runoverDays] = await Promise.all([
      this.db
        .select({ attemptNumber: campaignAttempts.attemptNumber, intervalMinutes: campaignAttempts.intervalMinutes })
        .from(campaignAttempts)
        .where(eq(campaignAttempts.campaignId, id))
        .orderBy(asc(campaignAttempts.attemptNumber)),
      this.db
        .select({ date: campaignRunoverDays.date, startTime: campaignRunoverDays.startTime, finishTime: campaignRunoverDays.finishTime })
        .from(campaignRunoverDays)
        .where(eq(campaignRunoverDays.campaignId, id))
        .orderBy(asc(campaignRunoverDays.date)),
    ]);
    return { campaign, attempts, runoverDays };
  }

  /** One page of a campaign's numbers (in upload order) with their calls and SMS, in three queries. */
  async phoneNumbersPage(campaignId: number, pageSize: number, pageNumber: number): Promise<PhoneNumberWithOutcomes[]> {
    const numbers = await this.db
      .select({
        id: phoneNumbers.id,
        number: phoneNumbers.number,
        name: phoneNumbers.name,
        status: phoneNumbers.status,
        statusReason: phoneNumbers.statusReason,
        parameters: phoneNumbers.parameters,
      })
      .from(phoneNumbers)
      .where(eq(phoneNumbers.campaignId, campaignId))
      .orderBy(asc(phoneNumbers.id))
      .limit(pageSize)
      .offset((pageNumber - 1) * pageSize);
    if (numbers.length === 0) return [];
    const ids = numbers.map((n) => n.id);
    const [callRows, smsRows] = await Promise.all([
      this.db.select().from(calls).where(inArray(calls.phoneNumberId, ids)).orderBy(asc(calls.attemptNumber)),
      this.db.select().from(smsMessages).where(inArray(smsMessages.phoneNumberId, ids)).orderBy(asc(smsMessages.sentAt)),
    ]);
    const callsByNumber = groupBy(callRows, (call) => call.phoneNumberId);
    const smsByNumber = groupBy(smsRows, (sms) => sms.phoneNumberId);
    return numbers.map((n) => ({ ...n, calls: callsByNumber.get(n.id) ?? [], sms: smsByNumber.get(n.id) ?? [] }));
  }
}

/**
 * Inserts numbers in batches through unnest(), one statement per batch, handing the event loop back between batches;
 * existing numbers are left as they are. With `added`, the numbers that went in are collected there (adding to a
 * campaign reports them); a create, whose numbers are all new, asks for none, and no row comes back to be decoded.
 */
async function insertNumbers(db: Db, campaignId: number, numbers: PhoneNumberPlan[], batchSize: number, added?: Set<string>): Promise<void> {
  for (let start = 0; start < numbers.length; start += batchSize) {
    // A query's promise may settle without the event loop turning (PGlite answers in the same tick), so without this
    // the batches would run back to back.
    if (start > 0) await yieldToEventLoop();
    const batch = numbers.slice(start, start + batchSize);
    const result = (await db.execute(sql`
      insert into ${phoneNumbers} (campaign_id, number, name, parameters)
      select ${campaignId}, n.number, n.name, n.parameters::jsonb
      from unnest(${sql.param(batch.map((n) => n.e164))}::text[], ${sql.param(batch.map((n) => n.name))}::text[],
                  ${sql.param(batch.map((n) => JSON.stringify(n.parameters)))}::text[]) as n(number, name, parameters)
      on conflict (campaign_id, number) do nothing
      ${added ? sql`returning number` : sql``}`)) as unknown as { rows: { number: string }[] };
    if (added) for (const row of result.rows) added.add(row.number);
  }
}

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
