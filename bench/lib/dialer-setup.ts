// What the dialer benchmarks share: a client whose calling hours allow any time (so a campaign runs on whatever day
// and hour the bench runs), campaigns made through the repository as the API makes them, the simulated carrier with
// zero talk time, pacing limits high enough not to be what limits the rate, and the SQL sweep that checks every
// pacing limit held in the calls table.
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from '../../src/store/database.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { ComplianceRepository } from '../../src/store/repositories/compliance.js';
import { CampaignRepository } from '../../src/store/repositories/campaigns.js';
import { NO_AUDIO, createCallFlow, createCli } from '../../src/tenancy/operator.js';
import { checkCampaignRequest } from '../../src/domain/campaign-request.js';
import { WEEKDAYS, type CallingHoursProfile } from '../../src/domain/compliance/calling-hours.js';
import type { PacingLimits } from '../../src/dialer/pacing.js';

/** Calling hours every day 00:00-23:59, no holidays: the dialer's mechanics, on any day. */
export const ANY_TIME: CallingHoursProfile = {
  weekdays: Object.fromEntries(WEEKDAYS.map((day) => [day, [{ start: '00:00', finish: '23:59' }]])) as CallingHoursProfile['weekdays'],
  holidays: [],
  excludedDates: [],
};

/** Limits far above what one machine dials, so that they hold without being what limits the rate. */
export const BENCH_PACING: PacingLimits = {
  campaign: { maxConcurrentCalls: 5_000, maxCallsPerSecond: 50_000 },
  client: { maxConcurrentCalls: 5_000, maxCallsPerSecond: 50_000 },
  carrier: { maxConcurrentCalls: 5_000, maxCallsPerSecond: 50_000 },
};

export interface BenchClient {
  clientId: number;
  callFlowId: number;
  cliId: number;
}

/** A client with a flow and a CLI, calling hours any time and the 24-hour machine rule off (a mechanics bench). */
export async function benchClient(db: Db, name: string): Promise<BenchClient> {
  const tenants = new TenantRepository(db);
  const { client } = await tenants.createClient(name);
  const compliance = new ComplianceRepository(db);
  await compliance.setCallingHours(client.id, ANY_TIME);
  await compliance.setMachineRuleOffReason(client.id, 'benchmark of the dialer mechanics');
  const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
  const cli = await createCli(tenants, client.id, { number: '020 7946 0999' });
  return { clientId: client.id, callFlowId: flow.id, cliId: cli.id };
}

/** Distinct valid UK mobile numbers. */
export const benchMobiles = (count: number, offset = 0) => Array.from({ length: count }, (_, i) => `0771${String(1_000_000 + offset + i).padStart(7, '0')}`);

/** A fixed-offset zone in which it is now 09:00-15:59, so a window opened an hour ago is open until 23:00. */
function zoneWithDaylightNow(now = new Date()): string {
  for (let offset = -12; offset <= 14; offset++) {
    const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const hour = DateTime.fromJSDate(now, { zone }).hour;
    if (hour >= 9 && hour <= 15) return zone;
  }
  throw new Error('no zone found');
}

/** A campaign whose calling window is open now (real time), made as the API makes one. */
export async function openCampaign(db: Db, client: BenchClient, options: { name: string; numbers: string[]; attempts: number }): Promise<number> {
  const zone = zoneWithDaylightNow();
  const startLocal = DateTime.now().setZone(zone).minus({ hours: 1 }).startOf('hour');
  return createCampaign(db, client, {
    name: options.name,
    timeZone: zone,
    startDate: startLocal.toISODate()!,
    startTime: startLocal.toFormat('HH:mm'),
    finishTime: '23:00',
    numbers: options.numbers,
    attempts: Array.from({ length: options.attempts }, (_, i) => ({ interval: 0, attemptNumber: i + 1 })),
    // Validated as of a minute before its start, when the start was still in the future.
    now: startLocal.minus({ minutes: 1 }).toJSDate(),
  });
}

export async function createCampaign(
  db: Db,
  client: BenchClient,
  options: {
    name: string;
    timeZone: string;
    startDate: string;
    startTime: string;
    finishTime: string;
    runoverDays?: { date: string; startTime: string; finishTime: string }[];
    numbers: string[];
    attempts: { interval: number; attemptNumber: number }[];
    now: Date;
  },
): Promise<number> {
  const check = checkCampaignRequest({
    body: {
      name: options.name,
      startDate: options.startDate,
      startTime: options.startTime,
      finishTime: options.finishTime,
      timeZone: options.timeZone,
      ...(options.runoverDays ? { runoverDays: options.runoverDays } : {}),
      callflow_Id: client.callFlowId,
      defaultCli_Id: client.cliId,
      attempts: options.attempts,
      answerMachineDetected: 0,
      smsOnBusy: 0,
      phoneNumbers: options.numbers.map((number, i) => ({ number, name: `N${i}` })),
    },
    schemaErrors: {},
    now: options.now,
    ignoreInvalidPhoneNumbers: false,
  });
  if (!check.ok) throw new Error(JSON.stringify(check.errors));
  return new CampaignRepository(db).create(client.clientId, check.plan);
}

export interface LimitUse {
  limit: keyof PacingLimits;
  key: string;
  calls: number;
  maxInProgress: number;
  maxStartsPerSecond: number;
}

/**
 * The most calls in progress and the most starts in one second under each limit (per campaign, client and carrier)
 * in the calls table, with the definitions of test/integration/dialer-limits.test.ts: a call is in progress over
 * [start_time, end_time), and the starts counted at a start s are those in (s - 1 s, s]. Computed with window
 * functions (a running sum of +1 at starts and -1 at ends, grouped by instant) so that it stays linear in the calls.
 */
export async function pacingUse(db: Db, campaignIds: number[]): Promise<LimitUse[]> {
  const ids = sql.join(campaignIds.map((id) => sql`${id}`), sql`, `);
  const result = (await db.execute(sql`
    with call_spans as (
      select c.start_time, c.end_time, c.carrier, p.campaign_id, k.client_id
      from calls c join phone_numbers p on p.id = c.phone_number_id join campaigns k on k.id = p.campaign_id
      where p.campaign_id in (${ids})
    ),
    limited as (
      select 'campaign' as limit_name, campaign_id::text as key, start_time, end_time from call_spans
      union all select 'client', client_id::text, start_time, end_time from call_spans
      union all select 'carrier', carrier, start_time, end_time from call_spans
    ),
    -- Calls in progress at instant t: starts at or before t minus ends at or before t.
    deltas as (
      select limit_name, key, at, sum(delta) as delta from (
        select limit_name, key, start_time as at, 1 as delta from limited
        union all select limit_name, key, end_time, -1 from limited where end_time is not null
      ) events group by limit_name, key, at
    ),
    in_progress as (
      select limit_name, key, max(running)::int as max_in_progress from (
        select limit_name, key, sum(delta) over (partition by limit_name, key order by at rows unbounded preceding) as running from deltas
      ) r group by limit_name, key
    ),
    -- Starts in (s - 1 s, s]: timestamps are in microseconds, so that is [s - 999999 us, s], peers included.
    per_second as (
      select limit_name, key, count(*)::int as calls, max(started)::int as max_starts from (
        select limit_name, key,
               count(*) over (partition by limit_name, key order by start_time range between interval '999999 microseconds' preceding and current row) as started
        from limited
      ) s group by limit_name, key
    )
    select p.limit_name as "limit", p.key, p.calls, i.max_in_progress as "maxInProgress", p.max_starts as "maxStartsPerSecond"
    from per_second p join in_progress i using (limit_name, key) order by 1, 2`)) as unknown as { rows: LimitUse[] };
  return result.rows;
}

/** Whether every limit held; the note lists the highest use of each. */
export function limitsHeld(uses: LimitUse[], limits: PacingLimits): { held: boolean; note: string } {
  let held = uses.length > 0;
  const parts: string[] = [];
  for (const name of ['campaign', 'client', 'carrier'] as const) {
    const mine = uses.filter((use) => use.limit === name);
    const inProgress = Math.max(0, ...mine.map((use) => use.maxInProgress));
    const perSecond = Math.max(0, ...mine.map((use) => use.maxStartsPerSecond));
    if (inProgress > limits[name].maxConcurrentCalls || perSecond > limits[name].maxCallsPerSecond) held = false;
    parts.push(`${name} <= ${inProgress}/${limits[name].maxConcurrentCalls} calls, ${perSecond}/${limits[name].maxCallsPerSecond} starts/s`);
  }
  return { held, note: parts.join('; ') };
}
