// The data of the API read benchmark (bench/api-reads.ts), written with SQL (generate_series) in the shape the dialer
// leaves it: 100,000 campaigns of one client, a finished campaign of many numbers with 3 calls each a week ago, and a
// running 10,000-number campaign whose 3 calls per number all fall in the last 24 hours.
import { performance } from 'node:perf_hooks';
import type { Database } from '../../src/store/database.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { NO_AUDIO, createCallFlow, createCli } from '../../src/tenancy/operator.js';
import type { BenchBackend } from './databases.js';

export const CAMPAIGNS = 100_000;
export const DETAIL_NUMBERS = 10_000;

export type Query = (text: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

/** The driver under Drizzle (a node-postgres pool or PGlite): both answer query(text, params) with { rows }. */
export function driverOf(database: Database): Query {
  const client = (database.db as unknown as { $client: { query: Query } }).$client;
  return (text, params) => client.query(text, params);
}

export interface Fixture {
  apiKey: string;
  detailId: number;
  bigId: number;
  bigNumbers: number;
  clientId: number;
}

export async function fill(backend: BenchBackend, database: Database, bigNumbers: number, now: string): Promise<Fixture> {
  const query = driverOf(database);
  const tenants = new TenantRepository(database.db);
  const { client, apiKey } = await tenants.createClient('Bench');
  const flow = await createCallFlow(tenants, NO_AUDIO, client.id, { name: 'Flow' });
  const cli = await createCli(tenants, client.id, { number: '020 7946 0000' });
  const versionId = ((await query('select id from call_flow_versions where call_flow_id = $1', [flow.id])).rows[0] as { id: number }).id;
  const started = performance.now();
  // 100,000 campaigns of every status over two years of start dates; call counts as the dialer keeps them.
  await query(
    `insert into campaigns (client_id, name, type, status, time_zone, start_date, start_time, finish_time, starts_at,
                            call_flow_id, call_flow_version_id, cli_id, answer_phone_message, sms_on_busy, call_count)
     select $1, 'Campaign ' || lpad(g::text, 6, '0'), 1, g % 6, 'Europe/London', date '2025-01-01' + (g % 700),
            lpad((8 + g % 4)::text, 2, '0') || ':00', '17:00', (date '2025-01-01' + (g % 700)) + make_interval(hours => 8 + g % 4),
            $2, $3, $4, 0, 0, case when g % 6 = 0 then 0 else (g * 7) % 3000 end
     from generate_series(1, $5::int) g`,
    [client.id, flow.id, versionId, cli.id, CAMPAIGNS - 2],
  );
  const campaign = async (name: string, status: number, callCount: number) => {
    const row = (await query(
      `insert into campaigns (client_id, name, type, status, time_zone, start_date, start_time, finish_time, starts_at,
                              call_flow_id, call_flow_version_id, cli_id, answer_phone_message, sms_on_busy, call_count)
       values ($1, $2, 1, $3, 'Europe/London', '2026-11-20', '09:00', '17:00', '2026-11-20T09:00:00Z', $4, $5, $6, 1, 0, $7)
       returning id`,
      [client.id, name, status, flow.id, versionId, cli.id, callCount],
    )).rows[0] as { id: number };
    await query(`insert into campaign_attempts (campaign_id, attempt_number, interval_minutes) values ($1, 1, 0), ($1, 2, 60), ($1, 3, 240)`, [row.id]);
    return row.id;
  };
  const bigId = await campaign('Big', 5, 3 * bigNumbers);
  const detailId = await campaign('Detail', 1, 3 * DETAIL_NUMBERS);
  // Numbers finished as the dialer leaves them: a quarter answered on the third attempt, the rest exhausted.
  const numbers = async (campaignId: number, count: number, firstCallAt: string, prefix: string) => {
    await query(
      `insert into phone_numbers (campaign_id, number, name, parameters, status, next_attempt, last_ended_at, created_at)
       select $1, $4 || lpad(g::text, 7, '0'), 'Customer ' || g, '[{"parameter":1,"value":"A"},{"parameter":2,"value":"B"}]'::jsonb,
              case when g % 4 = 0 then 2 else 5 end, 4, $3::timestamptz + make_interval(secs => g % 86000 + 7200), $3::timestamptz - interval '1 day'
       from generate_series(1, $2::int) g`,
      [campaignId, count, firstCallAt, prefix],
    );
    // Three calls each, an hour apart: no answer twice, then answered (a quarter), abandoned, machine or no answer.
    await query(
      `insert into calls (phone_number_id, attempt_number, start_time, end_time, stage, outcome, user_input, price, seconds_duration,
                          answered_by, voicemail_left, end_reason, sip_code, carrier, dialer_id, first_audio_ms)
       select p.id, a, $2::timestamptz + make_interval(secs => (p.id % 86000)::int / 4 + a * 3600),
              $2::timestamptz + make_interval(secs => (p.id % 86000)::int / 4 + a * 3600 + 30),
              case when o = 5 then 3 else 0 end, o, case when o = 5 then '1' else '' end, case when o = 5 then 0.0125 else 0 end,
              case when o = 5 then 28 else 0 end, case when o = 5 then 'human' when o = 4 then 'machine' end, false,
              case when o = 5 then 'Caller hung up' when o = 8 then 'Abandoned: no audio within 2 s' when o = 4 then 'Answering machine' else 'No answer (SIP 480)' end,
              case when o = 2 then 480 else 200 end, 'simulated', 'bench-1', case when o = 5 then 420 end
       from phone_numbers p cross join generate_series(1, 3) a
       cross join lateral (select case when a < 3 then 2 when p.id % 4 = 0 then 5 when p.id % 50 = 1 then 8 when p.id % 10 = 3 then 4 else 2 end as o) x
       where p.campaign_id = $1`,
      [campaignId, firstCallAt],
    );
  };
  // The big campaign ran a week ago; the detail campaign's calls all fall in the last 24 hours.
  await numbers(bigId, bigNumbers, '2026-11-18T09:00:00Z', '+447700');
  await numbers(detailId, DETAIL_NUMBERS, new Date(Date.parse(now) - 20 * 3600_000).toISOString(), '+447800');
  // On PostgreSQL a checkpoint too: otherwise the checkpointer spends the first minutes of the measurement writing the
  // fill's gigabyte of dirty pages out, on the same two cores as the reads.
  if (backend === 'PostgreSQL') {
    await query('vacuum analyze', []);
    await query('checkpoint', []);
  } else await query('analyze', []);
  console.log(
    `  ${backend}: filled ${CAMPAIGNS.toLocaleString('en-GB')} campaigns, ${(bigNumbers + DETAIL_NUMBERS).toLocaleString('en-GB')} numbers and ` +
      `${(3 * (bigNumbers + DETAIL_NUMBERS)).toLocaleString('en-GB')} calls in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { apiKey, detailId, bigId, bigNumbers, clientId: client.id };
}

