// Campaigns and their phone numbers. Numbers are inserted in batches (insertNumbers), one statement per batch, so a
// 100,000-number campaign is tens or hundreds of statements rather than 100,000.
//
// A large insert must not stall every other client. On PostgreSQL the numbers go in one transaction: other requests
// use other pool connections and are not held up by it, and between batches the event loop is free. PGlite is one
// connection running in WebAssembly on the event-loop thread, and it queues every query while a transaction is open,
// so a 100,000-number transaction (4-6 s of PGlite time) held up every request of every client. There the campaign row
// and the first batch are one transaction and the rest follow as short statements of PGLITE_BATCH_SIZE rows, with the
// event loop handed back between them; if a batch fails the campaign is deleted again. Numbers arriving after the
// campaign row are what adding numbers to a campaign already does (each is written with its first due time,
// firstDueAt). While it is filled the campaign is marked `filling`: the dialer leaves it alone, and a start that finds
// one (the process died mid-create, before it answered 201) deletes it, so a crash still leaves no half campaign.
import { and, asc, desc, eq, getTableName, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
import { callFlows, callFlowVersions, calls, campaignAttempts, campaignRunoverDays, campaigns, phoneNumberBatches, phoneNumbers, smsMessages } from '../schema.js';
import type { CampaignCompliancePlan, CampaignPlan, PhoneNumberPlan } from '../../domain/campaign-request.js';
import { CampaignStatus, CampaignType } from '../../domain/enums.js';
import type { CampaignListField } from '../../domain/campaign-list.js';
import { yieldToEventLoop } from '../../domain/stepwise.js';
import { ACTIVE_CAMPAIGN_STATUSES, checkActiveCampaigns, checkNumbersPerCampaign, NO_QUOTAS, type ClientQuotas } from '../../domain/limits/quotas.js';
import { campaignNumberCounts } from '../schema.js';
import { chargeNumbersPerDay, lockClient, refundNumbersPerDay } from './daily-numbers.js';
import { rowsOf } from './rows.js';
import { analyzeIfOutOfDate, DIALER_NUMBER_COLUMNS } from '../table-maintenance.js';
import { pgliteOf, runPrepared, runPreparedArrays } from '../prepared-statements.js';
import { epochMs, PLAIN_COLUMN_PARSERS } from '../plain-rows.js';
import { phoneNumberSearchTerms, type PhoneNumberSearchTerms } from '../../domain/phone-number-search.js';

export type CampaignRow = typeof campaigns.$inferSelect;
export type CallRow = typeof calls.$inferSelect;
export type SmsRow = typeof smsMessages.$inferSelect;

/**
 * Rows per insert statement on PostgreSQL (insertNumbers): the parameters are encoded on the event loop
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

/** The columns of a call the number listing shows. */
export type PageCall = Pick<
  CallRow,
  | 'startTime'
  | 'endTime'
  | 'stage'
  | 'outcome'
  | 'userInput'
  | 'price'
  | 'isTransferCall'
  | 'attemptNumber'
  | 'secondsDuration'
  | 'answeredBy'
  | 'voicemailLeft'
  | 'endReason'
  | 'optedOut'
  | 'firstAudioMs'
>;
/** The columns of an SMS the number listing shows. */
export type PageSms = Pick<SmsRow, 'sentAt' | 'attemptNumber' | 'text' | 'parts' | 'status' | 'statusAt' | 'error'>;

export interface PhoneNumberWithOutcomes {
  id: number;
  number: string;
  name: string;
  status: number;
  statusReason: string | null;
  parameters: { parameter: number; value: string }[];
  calls: PageCall[];
  sms: PageSms[];
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

  /**
   * The detail's statement, prepared: planning it (0.7 ms, the json subqueries) cost more than running it (0.2 ms), on
   * the most polled read of the API.
   */
  private readonly detailStatement;

  constructor(private readonly db: Db) {
    this.onEventLoop = pgliteOf(db) !== undefined;
    this.detailStatement = db
      .select({
        campaign: campaigns,
        attempts: sql<CampaignDetail['attempts'] | null>`(
          select json_agg(json_build_object('attemptNumber', a.attempt_number, 'intervalMinutes', a.interval_minutes) order by a.attempt_number)
          from ${campaignAttempts} a where a.campaign_id = ${campaigns.id})`,
        runoverDays: sql<CampaignDetail['runoverDays'] | null>`(
          select json_agg(json_build_object('date', r.date, 'startTime', r.start_time, 'finishTime', r.finish_time) order by r.date)
          from ${campaignRunoverDays} r where r.campaign_id = ${campaigns.id})`,
      })
      .from(campaigns)
      .where(and(eq(campaigns.clientId, sql.placeholder('clientId')), eq(campaigns.id, sql.placeholder('id'))))
      .prepare('campaign_detail');
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
    quotas: ClientQuotas = NO_QUOTAS,
    /** The clock's instant: its UTC day is the one maxNumbersPerDay counts. */
    now: Date = new Date(),
  ): Promise<number> {
    const batchSize = this.onEventLoop ? PGLITE_BATCH_SIZE : PHONE_NUMBER_BATCH_SIZE;
    const inTransaction = this.onEventLoop ? plan.numbers.slice(0, batchSize) : plan.numbers;
    const campaignId = await this.db.transaction(async (tx) => {
      await chargeNumbersPerDay(tx as unknown as Db, clientId, plan.numbers.length, quotas, now);
      if (quotas.maxActiveCampaigns !== null) {
        // The client's row locked: concurrent creates of one client count one after another, so none races past.
        await lockClient(tx, clientId);
        const [counted] = await tx
          .select({ active: sql<number>`count(*)::int` })
          .from(campaigns)
          .where(and(eq(campaigns.clientId, clientId), inArray(campaigns.status, [...ACTIVE_CAMPAIGN_STATUSES])));
        checkActiveCampaigns(quotas, counted!.active);
      }
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
      await insertNumbers(tx as unknown as Db, campaignId, inTransaction, { onEventLoop: this.onEventLoop });
      return campaignId;
    });
    if (inTransaction.length < plan.numbers.length) {
      try {
        await insertNumbers(this.db, campaignId, plan.numbers.slice(inTransaction.length), { onEventLoop: this.onEventLoop });
        await this.db.update(campaigns).set({ filling: false }).where(eq(campaigns.id, campaignId));
      } catch (error) {
        await this.db.delete(campaigns).where(eq(campaigns.id, campaignId));
        if (quotas.maxNumbersPerDay !== null) await refundNumbersPerDay(this.db, clientId, plan.numbers.length, now);
        throw error;
      }
    }
    await analyzeIfOutOfDate(this.db, getTableName(phoneNumbers), plan.numbers.length, DIALER_NUMBER_COLUMNS);
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
   * New numbers are due from the campaign's first attempt (firstDueAt): a running campaign calls them on its next pass.
   */
  async addNumbers(campaignId: number, numbers: PhoneNumberPlan[], quotas: ClientQuotas = NO_QUOTAS, now: Date = new Date()): Promise<Set<string>> {
    // On PGlite without a transaction, for the reason at the top of this file. A failure part-way leaves the batches
    // before it added; sending the same numbers again skips them, so a retry completes the request.
    const added = new Set<string>();
    const clientOf = async (db: Pick<Db, 'select'>) =>
      (await db.select({ clientId: campaigns.clientId }).from(campaigns).where(eq(campaigns.id, campaignId)))[0]?.clientId;
    if (this.onEventLoop) {
      const fresh = await checkNumbersAfterAdding(this.db, campaignId, numbers, quotas);
      // Charged before the batches, for the numbers the campaign does not have yet, in a transaction of its own.
      if (quotas.maxNumbersPerDay !== null) {
        const clientId = await clientOf(this.db);
        if (clientId !== undefined) {
          const adding = fresh ?? (await freshNumbers(this.db, campaignId, numbers));
          await this.db.transaction((tx) => chargeNumbersPerDay(tx as unknown as Db, clientId, adding, quotas, now));
        }
      }
      await insertNumbers(this.db, campaignId, numbers, { onEventLoop: true, added });
    } else {
      await this.db.transaction(async (tx) => {
        // The client's row first (the order a create takes them in), then the campaign's, so two adds to one campaign
        // count one after the other.
        const clientId = quotas.maxNumbersPerDay !== null ? await clientOf(tx) : undefined;
        if (clientId !== undefined) await lockClient(tx, clientId);
        if (quotas.maxNumbersPerCampaign !== null) await tx.execute(sql`select 1 from ${campaigns} where ${campaigns.id} = ${campaignId} for update`);
        await checkNumbersAfterAdding(tx as unknown as Db, campaignId, numbers, quotas);
        await insertNumbers(tx as unknown as Db, campaignId, numbers, { onEventLoop: false, added });
        // The numbers that went in: a refusal here rolls them back.
        if (clientId !== undefined) await chargeNumbersPerDay(tx as unknown as Db, clientId, added.size, quotas, now);
      });
    }
    await analyzeIfOutOfDate(this.db, getTableName(phoneNumbers), added.size, DIALER_NUMBER_COLUMNS);
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

  /**
   * A campaign with its attempts and runover days, in one statement: the detail is read far more often than it
   * changes, and three round trips were most of its cost (issue 10).
   */
  async get(clientId: number, id: number): Promise<CampaignDetail | undefined> {
    const [row] = await this.detailStatement.execute({ clientId, id });
    if (!row) return undefined;
    return { campaign: row.campaign, attempts: parsedJson(row.attempts) ?? [], runoverDays: parsedJson(row.runoverDays) ?? [] };
  }

  /**
   * One page of a client's campaign's numbers (in upload order) with their calls and SMS, and the campaign's time
   * zone (their times are shown in it); undefined when the client has no such campaign. One statement, one round
   * trip, that reads only the page's rows: the page's first number is found from phone_number_batches (pageStart),
   * never by counting or skipping the numbers before it.
   *
   * On PGlite the calls and SMS come as JSON per number (its driver makes an object and Dates per row otherwise). On
   * PostgreSQL the page is plain rows, one per call with its number's columns, read as arrays (plain-rows.ts): building
   * the calls' JSON was most of the statement's time there (1.9-3.4 ms against 0.8-1.2 ms for the rows, pgbench on a
   * 1,000,000-number campaign), and parsing it back and making each call's Dates most of Node's.
   *
   * With `search` the page is of the numbers it matches (phoneNumberSearchTerms), still in id order: the page's first
   * match is found by walking the campaign's numbers in its (campaign_id, id) index, filtered, past the matches of the
   * pages before (an OFFSET over ids only: the calls and SMS are read for the page's numbers alone), and the page is
   * read from there. A far page or a rare match reads more of the index, never more than the campaign's numbers and
   * never into memory. Without it the statement is exactly the fast one above.
   */
  async phoneNumbersPage(
    clientId: number,
    campaignId: number,
    pageSize: number,
    pageNumber: number,
    search?: string,
  ): Promise<{ timeZone: string; numbers: PhoneNumberWithOutcomes[] } | undefined> {
    const skipped = (pageNumber - 1) * pageSize;
    const terms = search === undefined ? undefined : phoneNumberSearchTerms(search);
    const page = {
      start: terms ? searchStart(campaignId, skipped, terms) : pageStart(campaignId, skipped),
      // A scalar subquery (an InitPlan run once), so the page is an index range from that id: as a join, the planner
      // sorted every number after it.
      where: sql`p.campaign_id = ${campaignId} and p.id >= (select id from start)${terms ? sql` and ${searchCondition(sql`p`, terms)}` : sql``}`,
      pageSize,
      campaignId,
      clientId,
    };
    return pgliteOf(this.db) ? this.jsonPage(page) : this.rowsPage(page);
  }

  /** phoneNumbersPage on PGlite: the calls and SMS of each number as JSON. */
  private async jsonPage(page: PageQuery): Promise<{ timeZone: string; numbers: PhoneNumberWithOutcomes[] } | undefined> {
    // Prepared (prepared-statements.ts): the number page's plan took about as long to make (2-5 ms) as to run.
    const rows = await runPrepared<PageRow & { timeZone: string }>(this.db, sql`
      with ${page.start},
      page as (
        select p.id, p.number, p.name, p.status, p.status_reason as "statusReason", p.parameters,
          coalesce((select json_agg(json_build_object(
              'startTime', c.start_time, 'endTime', c.end_time, 'stage', c.stage, 'outcome', c.outcome, 'userInput', c.user_input,
              'price', c.price, 'isTransferCall', c.is_transfer_call, 'attemptNumber', c.attempt_number,
              'secondsDuration', c.seconds_duration, 'answeredBy', c.answered_by, 'voicemailLeft', c.voicemail_left,
              'endReason', c.end_reason, 'optedOut', c.opted_out, 'firstAudioMs', c.first_audio_ms) order by c.attempt_number)
            from ${calls} c where c.phone_number_id = p.id), '[]') as calls,
          ${SMS_JSON} as sms
        from ${phoneNumbers} p
        where ${page.where}
        order by p.id
        limit ${page.pageSize}
      )
      -- No row: no such campaign for this client; one row with a null id: the page is empty.
      select c.time_zone as "timeZone", page.*
      from ${campaigns} c left join page on true
      where c.id = ${page.campaignId} and c.client_id = ${page.clientId}
      order by page.id`);
    const [first] = rows;
    if (!first) return undefined;
    const numbers = rows
      .filter((row) => row.id !== null)
      .map((row) => ({
        id: Number(row.id),
        number: row.number,
        name: row.name,
        status: row.status,
        statusReason: row.statusReason,
        parameters: parsedJson(row.parameters) ?? [],
        calls: (parsedJson(row.calls) ?? []).map((call) => ({
          ...call,
          startTime: new Date(call.startTime),
          endTime: call.endTime === null ? null : new Date(call.endTime),
          price: Number(call.price),
        })),
        sms: smsOf(row.sms),
      }));
    return { timeZone: first.timeZone, numbers };
  }

  /** phoneNumbersPage on PostgreSQL: a row per call (or per number without calls), read as arrays. */
  private async rowsPage(page: PageQuery): Promise<{ timeZone: string; numbers: PhoneNumberWithOutcomes[] } | undefined> {
    const rows = await runPreparedArrays(
      this.db,
      sql`
        with ${page.start},
        page as (
          select p.id, p.number, p.name, p.status, p.status_reason, p.parameters, ${SMS_JSON} as sms
          from ${phoneNumbers} p
          where ${page.where}
          order by p.id
          limit ${page.pageSize}
        )
        -- No row: no such campaign for this client; one row with a null id: the page is empty.
        select k.time_zone, page.id, page.number, page.name, page.status, page.status_reason, page.parameters, page.sms,
          ${epochMs(sql`c.start_time`)}, ${epochMs(sql`c.end_time`)}, c.stage, c.outcome, c.user_input, c.price,
          c.is_transfer_call, c.attempt_number, c.seconds_duration, c.answered_by, c.voicemail_left, c.end_reason,
          c.opted_out, c.first_audio_ms
        from ${campaigns} k
        left join page on true
        left join ${calls} c on c.phone_number_id = page.id
        where k.id = ${page.campaignId} and k.client_id = ${page.clientId}
        order by page.id, c.attempt_number`,
      PLAIN_COLUMN_PARSERS,
    );
    const [first] = rows;
    if (!first) return undefined;
    const numbers: PhoneNumberWithOutcomes[] = [];
    let current: PhoneNumberWithOutcomes | undefined;
    for (const row of rows) {
      if (row[1] === null) continue;
      const id = row[1] as number;
      if (current?.id !== id) {
        // The number's columns repeat on each of its call rows: its parameters and SMS (JSON text) are parsed once.
        current = {
          id,
          number: row[2] as string,
          name: row[3] as string,
          status: row[4] as number,
          statusReason: row[5] as string | null,
          parameters: JSON.parse(row[6] as string) as PhoneNumberWithOutcomes['parameters'],
          calls: [],
          sms: smsOf(row[7] as string),
        };
        numbers.push(current);
      }
      // A number without calls has one row, its call's columns null.
      if (row[8] === null) continue;
      current.calls.push({
        startTime: new Date(row[8] as number),
        endTime: row[9] === null ? null : new Date(row[9] as number),
        stage: row[10] as number,
        outcome: row[11] as number,
        userInput: row[12] as string,
        price: row[13] as number,
        isTransferCall: row[14] as boolean,
        attemptNumber: row[15] as number,
        secondsDuration: row[16] as number,
        answeredBy: row[17] as string | null,
        voicemailLeft: row[18] as boolean,
        endReason: row[19] as string | null,
        optedOut: row[20] as boolean,
        firstAudioMs: row[21] as number | null,
      });
    }
    return { timeZone: first[0] as string, numbers };
  }
}

/** What both forms of the number page are read with: the page's first id (CTE `start`) and the numbers' condition. */
interface PageQuery {
  start: SQL;
  where: SQL;
  pageSize: number;
  campaignId: number;
  clientId: number;
}

/** A number's texts (`p`) as JSON, in the order they were sent; '[]' when it has none (nearly every number). */
const SMS_JSON = sql`coalesce((select json_agg(json_build_object(
    'sentAt', s.sent_at, 'attemptNumber', s.attempt_number, 'text', s.text, 'parts', s.parts, 'status', s.status,
    'statusAt', s.status_at, 'error', s.error) order by s.sent_at)
  from ${smsMessages} s where s.phone_number_id = p.id), '[]')`;

/** A number's texts as SMS_JSON gives them (parsed already, or its text), with their times as Dates. */
function smsOf(json: PageRow['sms']): PageSms[] {
  return (parsedJson(json) ?? []).map((sms) => ({ ...sms, sentAt: new Date(sms.sentAt), statusAt: new Date(sms.statusAt) }));
}

/** A page row as the statement returns it: timestamps inside the JSON are ISO text. */
interface PageRow {
  id: number | string | null;
  number: string;
  name: string;
  status: number;
  statusReason: string | null;
  parameters: PhoneNumberWithOutcomes['parameters'] | string;
  calls: (Omit<PageCall, 'startTime' | 'endTime'> & { startTime: string; endTime: string | null })[] | string;
  sms: (Omit<PageSms, 'sentAt' | 'statusAt'> & { sentAt: string; statusAt: string })[] | string;
}

/**
 * A CTE `start(id)`: the id of the campaign's number after the first `skipped` (in id order), found from the batch
 * that holds it. Batches in id order with the numbers before each: when the batch's ids are consecutive (the usual
 * case: one statement's nextval()s) the id is arithmetic; when another campaign's insert interleaved with it, a
 * skip within that batch only (at most one statement's rows). Batches of one campaign that overlap (two statements
 * adding to it at the same time) make the positions unknowable from batches, and there it skips from the start.
 * No row: the page is past the end.
 */
function pageStart(campaignId: number, skipped: number): SQL {
  return sql`batches as (
      select first_id, last_id, number_count,
        coalesce(sum(number_count) over (order by first_id rows between unbounded preceding and 1 preceding), 0) as before,
        lag(last_id) over (order by first_id) as previous_last
      from ${phoneNumberBatches} where campaign_id = ${campaignId}
    ),
    start as (
      select case
          when exists (select 1 from batches where previous_last >= first_id) then
            (select id from ${phoneNumbers} where campaign_id = ${campaignId} order by id offset ${skipped} limit 1)
          when b.number_count = b.last_id - b.first_id + 1 then b.first_id + (${skipped} - b.before)
          else (select id from ${phoneNumbers} where campaign_id = ${campaignId} and id >= b.first_id order by id offset ${skipped} - b.before limit 1)
        end as id
      from batches b
      where b.before <= ${skipped} and ${skipped} < b.before + b.number_count
    )`;
}

/**
 * Inserts numbers in batches, one statement per batch, handing the event loop back between batches; existing numbers
 * are left as they are. With `added`, the numbers that went in are collected there (adding to a campaign reports
 * them); a create, whose numbers are all new, asks for none, and no row comes back to be decoded.
 *
 * On PGlite (`onEventLoop`) batches are PGLITE_BATCH_SIZE rows, else PHONE_NUMBER_BATCH_SIZE. On PGlite a batch
 * travels as one JSON text (JSON.stringify: native, nearly garbage-free) read by json_to_recordset: as three array
 * parameters, PGlite's array encoder (an escaping replace() per element) made a
 * third of the 710 MB a 100,000-number create allocated on the event loop (issue 10, allocation sampling profile of
 * bench/create-bulk.ts). On PostgreSQL the arrays stay: the server read them faster than the JSON (the create took
 * x1.50 of the bulk insert with unnest, x1.96 with json_to_recordset).
 */
/**
 * Throws QuotaExceeded (before anything is added) when the campaign would hold more than maxNumbersPerCampaign numbers
 * after the add: its kept count plus the numbers it does not have yet (those it has are skipped by the add).
 */
async function checkNumbersAfterAdding(db: Db, campaignId: number, numbers: PhoneNumberPlan[], quotas: ClientQuotas): Promise<number | undefined> {
  if (quotas.maxNumbersPerCampaign === null) return undefined;
  const [row] = rowsOf<{ held: number | string; fresh: number | string }>(
    await db.execute(sql`
      select (select coalesce(sum(numbers), 0) from ${campaignNumberCounts} where campaign_id = ${campaignId})::int as held,
             ${freshCount(campaignId, numbers)} as fresh`),
  );
  const fresh = Number(row?.fresh ?? 0);
  checkNumbersPerCampaign(quotas, Number(row?.held ?? 0) + fresh);
  return fresh;
}

/** How many of `numbers` the campaign does not have yet. */
function freshCount(campaignId: number, numbers: PhoneNumberPlan[]) {
  return sql`(select count(*) from unnest(${sql.param(numbers.map((n) => n.e164))}::text[]) as n(e164)
              where not exists (select 1 from ${phoneNumbers} where ${phoneNumbers.campaignId} = ${campaignId} and ${phoneNumbers.number} = n.e164))::int`;
}

async function freshNumbers(db: Db, campaignId: number, numbers: PhoneNumberPlan[]): Promise<number> {
  const [row] = rowsOf<{ fresh: number | string }>(await db.execute(sql`select ${freshCount(campaignId, numbers)} as fresh`));
  return Number(row?.fresh ?? 0);
}

async function insertNumbers(
  db: Db,
  campaignId: number,
  numbers: PhoneNumberPlan[],
  options: { onEventLoop: boolean; added?: Set<string> },
): Promise<void> {
  const { onEventLoop, added } = options;
  const batchSize = onEventLoop ? PGLITE_BATCH_SIZE : PHONE_NUMBER_BATCH_SIZE;
  for (let start = 0; start < numbers.length; start += batchSize) {
    // A query's promise may settle without the event loop turning (PGlite answers in the same tick), so without this
    // the batches would run back to back.
    if (start > 0) await yieldToEventLoop();
    const batch = numbers.slice(start, start + batchSize);
    const rows = onEventLoop
      ? sql`json_to_recordset(${JSON.stringify(batch, ['e164', 'name', 'parameters', 'parameter', 'value'])}::json) as n(e164 text, name text, parameters jsonb)`
      : sql`unnest(${sql.param(batch.map((n) => n.e164))}::text[], ${sql.param(batch.map((n) => n.name))}::text[],
                   ${sql.param(batch.map((n) => JSON.stringify(n.parameters)))}::text[]) as n(e164, name, parameters)`;
    const result = rowsOf<{ number: string }>(
      await db.execute(sql`
        insert into ${phoneNumbers} (campaign_id, number, name, parameters, due_at)
        select ${campaignId}, n.e164, n.name, n.parameters::jsonb, (${firstDueAt(campaignId)}) from ${rows}
        on conflict (campaign_id, number) do nothing
        ${added ? sql`returning number` : sql``}`),
    );
    if (added) for (const row of result) added.add(row.number);
  }
}

/**
 * A new number's first due time, as a subquery of the insert (uncorrelated: run once per statement): the campaign's
 * start plus its first attempt's interval. The dialer claims a number only while its campaign's window is open and
 * the number is due, so this is the same first call as the window-aligned due time the dialer gave new numbers in an
 * update of its own (DialerStore.scheduleNewNumbers, still there for numbers stored without one), which for a
 * 100,000-number campaign rewrote every row and its index entries again: 2.2 s in one statement on PGlite, on the
 * event loop (bench/dialer-virtual-time.ts). Null, and so left to the dialer, if the campaign has no attempts yet.
 */
function firstDueAt(campaignId: number): SQL {
  return sql`select c.starts_at + make_interval(mins => a.interval_minutes) from ${campaigns} c join ${campaignAttempts} a on a.campaign_id = c.id
             where c.id = ${campaignId} order by a.attempt_number limit 1`;
}

/** A CTE `start(id)` as pageStart's, over the numbers a search matches: the first match after the `skipped` before it. */
function searchStart(campaignId: number, skipped: number, terms: PhoneNumberSearchTerms): SQL {
  return sql`start as (
      select m.id from ${phoneNumbers} m
      where m.campaign_id = ${campaignId} and ${searchCondition(sql`m`, terms)}
      order by m.id offset ${skipped} limit 1
    )`;
}

/**
 * A number-listing search as one condition of fixed text (the fragments are parameters, absent ones null), so the
 * statement can be prepared once: the E.164 contains one of the number fragments, or the name contains the text.
 */
function searchCondition(row: SQL, terms: PhoneNumberSearchTerms): SQL {
  const [digits = null, national = null] = terms.numberFragments.map((fragment) => `%${escapeLike(fragment)}%`);
  return sql`(${row}.number like ${digits} or ${row}.number like ${national} or ${row}.name ilike ${`%${escapeLike(terms.nameFragment)}%`})`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** A json column value: node-postgres and PGlite parse json, but a sql`` selection may still arrive as text. */
function parsedJson<T>(value: T | string | null): T | null {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
