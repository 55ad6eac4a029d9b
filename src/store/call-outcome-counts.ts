// The counts kept of calls with a result: per campaign and start minute (call_outcome_minutes, migration 0014: calls,
// live, abandoned and machine-answered, the inputs of Ofcom's abandoned-call rate) and per campaign and outcome
// (campaign_call_counts, 0015: calls, answered by a person or a machine, price, seconds; the campaign summary). Calls
// inserted with a result are counted by 0015's statement trigger on INSERT (the claim inserts calls in progress only, so
// it does nothing there). Calls recorded by an update are counted here, by the statements that record them
// (finishCalls and recoverInterrupted in dialer-store.ts), because the dialer does it thousands of times a second: as
// a statement trigger reading transition tables, the count was about half of a result write's execution on PGlite
// (EXPLAIN ANALYZE; the write took 16% less time without it, issue 10). Migration 0027 dropped that trigger.
//
// Every statement that records a call's result must therefore add it here, in the same statement: the recorded calls
// were in progress before (outcome InProgress, counted nowhere), since a call is recorded once, under its number's
// lease or after that lease expired. A statement that changed an already-recorded outcome would have to take the old
// one away too; none does.
//
// A count never waits for a row lock, as number-status-counts.ts explains: a change goes to a row of its key that no
// other transaction holds (FOR UPDATE SKIP LOCKED), or to a new row; readers sum the key's rows.
import { sql, type SQL } from 'drizzle-orm';
import { callOutcomeMinutes, campaignCallCounts } from './schema.js';
import { CallOutcome } from '../domain/enums.js';

/**
 * Common tables (for a WITH list; the names start with call_counts_) that add the calls of `recorded` to the kept
 * counts. `recorded` is a query of (campaign_id, start_time, outcome, answered_by, price, seconds_duration): the calls
 * as the statement recorded them. Data-modifying common tables run whether or not the statement reads them.
 */
export function keepCallCounts(recorded: SQL): SQL {
  return sql`
      call_counts_calls as (
        select campaign_id, date_trunc('minute', start_time, 'UTC') as minute, outcome, (answered_by = 'human')::int as human,
               (answered_by = 'machine')::int as machine, price, seconds_duration::bigint as seconds
        from (${recorded}) as r(campaign_id, start_time, outcome, answered_by, price, seconds_duration)
        where outcome <> ${CallOutcome.InProgress}
      ),
      call_counts_minutes as (
        insert into ${callOutcomeMinutes} (campaign_id, minute, live, abandoned, machine, calls)
        select campaign_id, minute, count(*) filter (where outcome = ${CallOutcome.Answered})::int,
               count(*) filter (where outcome = ${CallOutcome.Abandoned})::int, count(*) filter (where outcome = ${CallOutcome.AnsweringMachine})::int,
               count(*)::int
        from call_counts_calls group by 1, 2 order by 1, 2
        on conflict (campaign_id, minute) do update set live = ${callOutcomeMinutes}.live + excluded.live,
          abandoned = ${callOutcomeMinutes}.abandoned + excluded.abandoned, machine = ${callOutcomeMinutes}.machine + excluded.machine,
          calls = ${callOutcomeMinutes}.calls + excluded.calls
      ),
      call_counts_by_outcome as (
        select campaign_id, outcome, count(*)::int as calls, coalesce(sum(human), 0)::int as human, coalesce(sum(machine), 0)::int as machine,
               sum(price) as price, sum(seconds)::bigint as seconds
        from call_counts_calls group by 1, 2
      ),
      call_counts_slot as (
        select o.*, (select k.id from ${campaignCallCounts} k where k.campaign_id = o.campaign_id and k.outcome = o.outcome
                     limit 1 for update skip locked) as id
        from call_counts_by_outcome o
      ),
      call_counts_bumped as (
        update ${campaignCallCounts} k set calls = k.calls + s.calls, human = k.human + s.human, machine = k.machine + s.machine,
          price = k.price + s.price, seconds = k.seconds + s.seconds
        from call_counts_slot s where k.id = s.id
      ),
      call_counts_added as (
        insert into ${campaignCallCounts} (campaign_id, outcome, calls, human, machine, price, seconds)
        select s.campaign_id, s.outcome, s.calls, s.human, s.machine, s.price, s.seconds from call_counts_slot s where s.id is null
      )`;
}
