// A campaign's live summary and the campaign list's progress (issue 11), read from the counts that triggers keep
// beside the numbers and calls (migrations/0015, schema.ts: campaignNumberCounts, campaignCallCounts, and
// callOutcomeMinutes's calls): a few rows per campaign, whatever its size, never its numbers or calls. A key of the
// first two may have several rows (their triggers never wait for one another's rows), so those reads sum per key.
import { sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { callOutcomeMinutes, campaignCallCounts, campaignNumberCounts, campaigns, linesInUse } from '../schema.js';
import { CallOutcome, NumberStatus } from '../../domain/enums.js';
import type { CampaignCounts, CampaignProgress } from '../../domain/campaign-summary.js';
// Both reads are named prepared statements (prepared-statements.ts): planning the summary's subqueries or the page's
// progress took about as long as running them.
import { runPrepared } from '../prepared-statements.js';

/** The chart's length: the campaign's latest minutes that have calls. */
export const SUMMARY_MINUTES = 60;

/** Statuses of a number still in play; every other status is final (src/domain/enums.ts NumberStatus). */
const OPEN_STATUSES = sql.raw(`${NumberStatus.Pending}, ${NumberStatus.Dialling}`);

interface SummaryRow {
  id: number;
  name: string;
  status: number;
  timeZone: string;
  callCount: number;
  /** [status, numbers] pairs. */
  numbers: [number, number | string][] | string;
  /** [outcome, calls, human, machine, price, seconds] per outcome. */
  outcomes: [number, number, number, number, number | string, number][] | string;
  /** [minute start ms, calls, answered], oldest first. */
  minutes: [number, number, number][] | string;
  lines: number | string;
}

/** The summary's one statement (exported so that the benchmark can EXPLAIN ANALYZE exactly what the route runs). */
export function summaryStatement(clientId: number, campaignId: number) {
  return sql`
        select c.id, c.name, c.status, c.time_zone as "timeZone", c.call_count as "callCount",
          (select coalesce(json_agg(json_build_array(s.status, s.numbers)), '[]')
             from (select status, sum(numbers) as numbers from ${campaignNumberCounts} where campaign_id = c.id group by status) s) as numbers,
          (select coalesce(json_agg(json_build_array(o.outcome, o.calls, o.human, o.machine, o.price, o.seconds)), '[]')
             from (select outcome, sum(calls) as calls, sum(human) as human, sum(machine) as machine, sum(price) as price, sum(seconds) as seconds
                   from ${campaignCallCounts} where campaign_id = c.id group by outcome) o) as outcomes,
          -- The latest minutes first (the primary key read backwards, stopping after the chart's length), sent oldest
          -- first. A minute's live calls are those a person answered (outcome Answered).
          (select coalesce(json_agg(json_build_array(m.ms, m.calls, m.answered) order by m.ms), '[]')
             from (select (extract(epoch from minute) * 1000)::bigint as ms, calls, live as answered
                   from ${callOutcomeMinutes} where campaign_id = c.id and calls <> 0
                   order by minute desc limit ${SUMMARY_MINUTES}) m) as minutes,
          (select coalesce(sum(calls), 0) from ${linesInUse} where campaign_id = c.id) as lines
        from ${campaigns} c
        where c.id = ${campaignId} and c.client_id = ${clientId}`;
}

/**
 * The progress statement of a page of campaigns (exported so that a test can check its plan): each count table read
 * once for the whole page, from its (campaign_id, ...) index alone, which carries the counts (migrations/0028).
 */
export function progressStatement(campaignIds: readonly number[]) {
  const ids = sql.param([...campaignIds]);
  return sql`
        select coalesce(n.campaign_id, k.campaign_id) as id, coalesce(n.total, 0) as total, coalesce(n.finished, 0) as finished,
          coalesce(k.answered, 0) as answered, coalesce(k.cost, 0) as cost
        from (
          select campaign_id, sum(numbers) as total, sum(numbers) filter (where status not in (${OPEN_STATUSES})) as finished
          from ${campaignNumberCounts} where campaign_id = any(${ids}::int[]) group by campaign_id
        ) n
        full join (
          select campaign_id, sum(calls) filter (where outcome = ${CallOutcome.Answered}) as answered, sum(price) as cost
          from ${campaignCallCounts} where campaign_id = any(${ids}::int[]) group by campaign_id
        ) k on k.campaign_id = n.campaign_id`;
}

export class CampaignSummaryRepository {
  constructor(private readonly db: Db) {}

  /**
   * The kept counts of a client's campaign, with the campaign's own fields, in one statement; undefined when the
   * client has no such campaign.
   */
  async counts(clientId: number, campaignId: number): Promise<CampaignCounts | undefined> {
    const [row] = await runPrepared<SummaryRow>(this.db, summaryStatement(clientId, campaignId));
    if (!row) return undefined;
    return {
      campaign: { id: row.id, name: row.name, status: row.status, timeZone: row.timeZone, callCount: row.callCount },
      numbersByStatus: new Map(parsedJson(row.numbers).map(([status, numbers]) => [status, Number(numbers)])),
      callsByOutcome: parsedJson(row.outcomes).map(([outcome, calls, human, machine, price, seconds]) => ({
        outcome,
        calls: Number(calls),
        human: Number(human),
        machine: Number(machine),
        price: Number(price),
        seconds: Number(seconds),
      })),
      minutes: parsedJson(row.minutes).map(([ms, calls, answered]) => ({ minute: new Date(Number(ms)), calls: Number(calls), answered: Number(answered) })),
      linesInUse: Number(row.lines),
    };
  }

  /** The progress of each of these campaigns (a page of the campaign list), by id; one statement. */
  async progress(campaignIds: readonly number[]): Promise<Map<number, CampaignProgress>> {
    if (campaignIds.length === 0) return new Map();
    const rows = await runPrepared<{ id: number; total: number | string; finished: number | string; answered: number | string; cost: number | string }>(
      this.db,
      progressStatement(campaignIds),
    );
    return new Map(
      rows.map((row) => [
        Number(row.id),
        { numbersTotal: Number(row.total), numbersFinished: Number(row.finished), callsAnswered: Number(row.answered), cost: Number(row.cost) },
      ]),
    );
  }
}

/** A json column value: node-postgres and PGlite parse json, but a sql`` selection may still arrive as text. */
function parsedJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
