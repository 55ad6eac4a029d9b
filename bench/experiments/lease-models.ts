// An experiment, not one of `npm run bench`'s figures (issue 10, the dialer's 1-process row): how much database work
// an attempt costs against the claim alone, under the dialer's lease model and under the other models the README's
// "Where a target is out of reach" weighed. Raw SQL on one connection, batches of 500 as the dialer claims, 20,000
// numbers a run, no dialer JavaScript at all: each model's attempt/claim ratio here is the most the dialer's row
// could reach under that model if its JavaScript cost nothing. Each model's "claim alone" is the baseline that
// model's benchmark would have.
//
// Models:
// - number: the dialer's own (status and lease on phone_numbers), its writes as they are (the call row inserted at
//   the claim and updated with the result), and with the fewest writes the model allows (the call row written
//   once, whole, with the result).
// - queue: due times and leases in a narrow table of their own (dial_queue); the number written once, with its
//   result; the queue row deleted then.
// - call-as-lease: the claim writes nothing to the number but inserts the attempt's call row (the unique (number,
//   attempt) index keeps a second claim out); the result updates the number and the call.
//
// Prints a table and exits 0. Needs BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch database is made and dropped).
// Run: npx tsx bench/experiments/lease-models.ts
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/store/database.js';
import { onFreshDatabase } from '../lib/databases.js';
import { benchClient, benchMobiles, openCampaign } from '../lib/dialer-setup.js';
import { benchRuns, median } from '../lib/report.js';
import { CallOutcome, CallStage, NumberStatus } from '../../src/domain/enums.js';

const NUMBERS = 20_000;
const BATCH = 500;
const RUNS = benchRuns(3);
const rows = (result: unknown) => (result as { rows: Record<string, unknown>[] }).rows;
type Tx = Pick<Db, 'execute'>;

/** The dialer's model: lock due numbers and mark them Dialling with a lease (the throughput bench's baseline). */
async function claimNumbers(db: Db, campaignId: number): Promise<number[]> {
  return db.transaction(async (tx) => {
    const due = idsOf(await tx.execute(sql`select id from phone_numbers
      where campaign_id = ${campaignId} and status = ${NumberStatus.Pending} and due_at <= now()
      order by due_at, id limit ${BATCH} for update skip locked`));
    if (due.length > 0) {
      await tx.execute(sql`update phone_numbers set status = ${NumberStatus.Dialling}, lease_owner = 'x', lease_expires_at = now() + interval '1 hour'
        where id = any(${sql.param(due)}::bigint[])`);
    }
    return due;
  });
}

/** The queue model: the lease on the narrow table's row. */
async function claimQueue(db: Db, campaignId: number): Promise<number[]> {
  return db.transaction(async (tx) => {
    const due = idsOf(await tx.execute(sql`select phone_number_id as id from dial_queue
      where campaign_id = ${campaignId} and lease_owner is null and due_at <= now()
      order by due_at, phone_number_id limit ${BATCH} for update skip locked`));
    if (due.length > 0) {
      await tx.execute(sql`update dial_queue set lease_owner = 'x', lease_expires_at = now() + interval '1 hour' where phone_number_id = any(${sql.param(due)}::bigint[])`);
    }
    return due;
  });
}

/** The call-as-lease model: due numbers locked for the transaction only, their call rows inserted. */
async function claimByCall(db: Db, campaignId: number): Promise<number[]> {
  return db.transaction(async (tx) => {
    const due = idsOf(await tx.execute(sql`select p.id from phone_numbers p
      where p.campaign_id = ${campaignId} and p.status = ${NumberStatus.Pending} and p.due_at <= now()
        and not exists (select 1 from calls c where c.phone_number_id = p.id and c.attempt_number = p.next_attempt)
      order by p.due_at, p.id limit ${BATCH} for update skip locked`));
    if (due.length > 0) await insertCallsAtClaim(tx, due);
    return due;
  });
}

const idsOf = (result: unknown) => rows(result).map((row) => Number(row.id));

// The result as an answered call that reached the flow's second step (stage 2) with one key pressed.
const insertCallsAtClaim = (tx: Tx, ids: number[]) =>
  tx.execute(sql`insert into calls (phone_number_id, attempt_number, start_time, stage, outcome, carrier, dialer_id)
    select id, 1, now(), ${CallStage.FlowNotReached}, ${CallOutcome.InProgress}, 'simulated', 'x' from unnest(${sql.param(ids)}::bigint[]) as t(id)`);
const updateCallsWithResult = (tx: Tx, ids: number[]) =>
  tx.execute(sql`update calls set end_time = now(), stage = 2, outcome = ${CallOutcome.Answered}, user_input = '1',
      price = 0.0123, seconds_duration = 10, answered_by = 'human', end_reason = 'caller hung up', sip_code = 200
    where phone_number_id = any(${sql.param(ids)}::bigint[]) and attempt_number = 1`);
const insertWholeCalls = (tx: Tx, ids: number[]) =>
  tx.execute(sql`insert into calls (phone_number_id, attempt_number, start_time, end_time, stage, outcome, user_input, price, seconds_duration,
      answered_by, end_reason, sip_code, carrier, dialer_id)
    select id, 1, now(), now(), 2, ${CallOutcome.Answered}, '1', 0.0123, 10, 'human', 'caller hung up', 200, 'simulated', 'x'
    from unnest(${sql.param(ids)}::bigint[]) as t(id)`);
const finishNumbers = (tx: Tx, ids: number[]) =>
  tx.execute(sql`update phone_numbers set status = ${NumberStatus.Answered}, due_at = null, lease_owner = null, lease_expires_at = null, last_ended_at = now()
    where id = any(${sql.param(ids)}::bigint[])`);

interface Model {
  name: string;
  claim: (db: Db, campaignId: number) => Promise<number[]>;
  /** What an attempt writes after its claim, in the result's transaction (and, for `atClaim`, in one of its own). */
  atClaim?: (db: Db, ids: number[]) => Promise<unknown>;
  result: (tx: Tx, ids: number[]) => Promise<void>;
}

const MODELS: Model[] = [
  {
    name: 'number, as the dialer writes today',
    claim: claimNumbers,
    atClaim: (db, ids) => insertCallsAtClaim(db, ids),
    result: async (tx, ids) => {
      await finishNumbers(tx, ids);
      await updateCallsWithResult(tx, ids);
    },
  },
  {
    name: 'number, fewest writes (call row once)',
    claim: claimNumbers,
    result: async (tx, ids) => {
      await insertWholeCalls(tx, ids);
      await finishNumbers(tx, ids);
    },
  },
  {
    name: 'queue',
    claim: claimQueue,
    result: async (tx, ids) => {
      await insertWholeCalls(tx, ids);
      await finishNumbers(tx, ids);
      await tx.execute(sql`delete from dial_queue where phone_number_id = any(${sql.param(ids)}::bigint[])`);
    },
  },
  {
    name: 'call-as-lease',
    claim: claimByCall,
    result: async (tx, ids) => {
      await finishNumbers(tx, ids);
      await updateCallsWithResult(tx, ids);
    },
  },
];

/** Microseconds per number to run `work` over a fresh campaign of NUMBERS due numbers. */
async function timed(db: Db, campaignId: number, work: () => Promise<void>): Promise<number> {
  await db.execute(sql`insert into dial_queue select id, campaign_id, now() from phone_numbers where campaign_id = ${campaignId}`);
  await db.execute(sql`update phone_numbers set due_at = now() where campaign_id = ${campaignId}`);
  for (const table of ['phone_numbers', 'dial_queue', 'calls']) await db.execute(sql.raw(`vacuum analyze ${table}`));
  await db.execute(sql`checkpoint`);
  const started = performance.now();
  await work();
  return ((performance.now() - started) * 1000) / NUMBERS;
}

await onFreshDatabase('PostgreSQL', async ({ db }) => {
  await db.execute(sql`create table dial_queue (phone_number_id bigint primary key, campaign_id int not null, due_at timestamptz,
    lease_owner text, lease_expires_at timestamptz)`);
  await db.execute(sql`create index dial_queue_due_idx on dial_queue (campaign_id, due_at, phone_number_id) where lease_owner is null`);
  const client = await benchClient(db, 'Lease models');
  let offset = 0;
  const campaign = async () => {
    const id = await openCampaign(db, client, { name: `Run ${offset}`, numbers: benchMobiles(NUMBERS, offset), attempts: 1 });
    offset += NUMBERS;
    return id;
  };
  const measured = new Map<string, { claim: number[]; attempt: number[] }>();
  for (let run = 0; run < RUNS; run++) {
    for (const model of MODELS) {
      const entry = measured.get(model.name) ?? { claim: [], attempt: [] };
      measured.set(model.name, entry);
      let id = await campaign();
      entry.claim.push(await timed(db, id, async () => {
        while ((await model.claim(db, id)).length > 0);
      }));
      await db.execute(sql`delete from campaigns where id = ${id}`);
      id = await campaign();
      entry.attempt.push(await timed(db, id, async () => {
        for (;;) {
          const ids = await model.claim(db, id);
          if (ids.length === 0) break;
          await model.atClaim?.(db, ids);
          await db.transaction((tx) => model.result(tx, ids));
        }
      }));
      const left = rows(await db.execute(sql`select count(*)::int as n from phone_numbers where campaign_id = ${id} and status <> ${NumberStatus.Answered}`))[0]!.n;
      if (left !== 0) throw new Error(`${model.name}: ${left} numbers not finished`);
      await db.execute(sql`delete from campaigns where id = ${id}`);
      await db.execute(sql`delete from dial_queue`);
    }
  }
  console.log(`\nlease models: database work per number, ${NUMBERS.toLocaleString('en-GB')} numbers in batches of ${BATCH}, median of ${RUNS} runs`);
  console.log(`${'model'.padEnd(40)}  ${'claim alone'.padStart(12)}  ${'attempt'.padStart(9)}  ${'claim/attempt'.padStart(13)}`);
  for (const [name, { claim, attempt }] of measured) {
    const c = median(claim);
    const a = median(attempt);
    console.log(`${name.padEnd(40)}  ${`${c.toFixed(1)} us`.padStart(12)}  ${`${a.toFixed(1)} us`.padStart(9)}  ${`x${(c / a).toFixed(2)}`.padStart(13)}`);
    console.log(`  runs: claim ${claim.map((x) => x.toFixed(1)).join(', ')}; attempt ${attempt.map((x) => x.toFixed(1)).join(', ')}`);
  }
  console.log('(x0.50 is the issue\'s target for the dialer with all its JavaScript; this is the database part alone)');
});
