// `ringcast demo`: a two-day campaign with runover day and three attempts, dialled through the simulated carrier in
// virtual time on an in-memory database, then a summary. Same code paths as production: the API's validation builds
// the campaign, the real dialer claims and calls, the real store records.
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../store/database.js';
import { TenantRepository } from '../store/repositories/tenants.js';
import { AudioRepository } from '../store/repositories/audio.js';
import { CampaignRepository } from '../store/repositories/campaigns.js';
import { DialerStore } from '../store/repositories/dialer-store.js';
import { createCallFlow, createCli } from '../tenancy/operator.js';
import { MENU_FLOW_EXAMPLE } from '../callflow/examples.js';
import { checkCampaignRequest } from '../domain/campaign-request.js';
import { VirtualClock } from '../domain/clock.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../domain/enums.js';
import { SimulatedCarrier } from '../telephony/simulated/simulated-carrier.js';
import { SimulatedSmsProvider } from '../sms/simulated-sms.js';
import { Dialer } from '../dialer/dialer.js';
import { runInVirtualTime } from '../dialer/virtual-time.js';
import { DEFAULT_TIME_ZONE } from '../domain/wall-clock.js';
import { checkCalleeNumber } from '../domain/phone-number.js';
import { rowsOf } from '../store/repositories/rows.js';

export interface DemoOptions {
  numbers: number;
  seed: number;
  /** The day before the campaign's first day, at 08:00 in London, is where virtual time starts. */
  startDate?: string;
}

export interface DemoSummary {
  campaignId: number;
  campaignStatus: string;
  numbers: number;
  callsPlaced: number;
  outcomes: Record<string, number>;
  numberStatuses: Record<string, number>;
  voicemailsLeft: number;
  callsWithKeypresses: number;
  transfers: number;
  smsSent: number;
  totalPriceGbp: number;
  virtualHours: number;
  wallSeconds: number;
  firstCallAt: string | undefined;
  lastCallAt: string | undefined;
}

function demoNumbers(count: number, seed: number): string[] {
  // A few of the simulated carrier's test numbers (busy, machine, no answer...) and random UK mobiles.
  const numbers = ['020 7946 0001', '020 7946 0002', '020 7946 0003', '020 7946 0005', '020 7946 0011', '020 7946 0014'];
  let state = seed >>> 0 || 1;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const used = new Set<string>();
  while (numbers.length < count) {
    const candidate = `07${['4', '5', '7', '8', '9'][next() % 5]}${String(next() % 100_000_000).padStart(8, '0')}`;
    if (!used.has(candidate) && checkCalleeNumber(candidate).ok) {
      used.add(candidate);
      numbers.push(candidate);
    }
  }
  return numbers;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const wallStart = performance.now();
  const zone = DEFAULT_TIME_ZONE;
  const firstDay = options.startDate ?? DateTime.now().setZone(zone).plus({ days: 1 }).toISODate()!;
  const secondDay = DateTime.fromISO(firstDay, { zone }).plus({ days: 1 }).toISODate()!;
  const clock = new VirtualClock(DateTime.fromISO(`${firstDay}T08:00`, { zone }).minus({ days: 1 }).toJSDate());

  const database = await openDatabase({ dataDir: 'memory://' });
  await database.migrate();
  try {
    const tenants = new TenantRepository(database.db);
    const { client } = await tenants.createClient('Demo Deliveries Ltd');
    // A menu: press 1 to confirm (and get a text), 2 to be put through; machines get the voicemail message.
    const flow = await createCallFlow(tenants, new AudioRepository(database.db), client.id, { name: 'Appointment reminder with a menu', flow: MENU_FLOW_EXAMPLE });
    const cli = await createCli(tenants, client.id, { number: '020 7946 0999', label: 'Deliveries' });
    const check = checkCampaignRequest({
      body: {
        name: 'Demo: two-day delivery reminders',
        startDate: firstDay,
        startTime: '09:00',
        finishTime: '11:00',
        runoverDays: [{ date: secondDay, startTime: '10:00', finishTime: '12:00' }],
        callflow_Id: flow.id,
        defaultCli_Id: cli.id,
        attempts: [
          { interval: 0, attemptNumber: 1 },
          { interval: 30, attemptNumber: 2 },
          { interval: 60, attemptNumber: 3 },
        ],
        answerMachineDetected: 2,
        smsOnBusy: 1,
        phoneNumbers: demoNumbers(options.numbers, options.seed).map((number, i) => ({
          number,
          name: `Customer ${i + 1}`,
          parameters: [
            { parameter: 1, value: `Tuesday at ${9 + (i % 8)} o'clock` },
          ],
        })),
      },
      schemaErrors: {},
      now: clock.now(),
      ignoreInvalidPhoneNumbers: true,
    });
    if (!check.ok) throw new Error(`demo campaign is invalid: ${JSON.stringify(check.errors)}`);
    const campaignId = await new CampaignRepository(database.db).create(client.id, check.plan);

    const dialer = new Dialer({
      store: new DialerStore(database.db, 'demo-dialer'),
      carrier: new SimulatedCarrier({ clock, seed: options.seed }),
      sms: new SimulatedSmsProvider(),
      clock,
      // Two lines at a time, so that a few hundred numbers with retries spill into the runover day as real
      // campaigns do.
      config: {
        idlePollMs: 15 * 60_000,
        busyPollMs: 1_000,
        pacing: {
          campaign: { maxConcurrentCalls: 2, maxCallsPerSecond: 1 },
          client: { maxConcurrentCalls: 10, maxCallsPerSecond: 5 },
          carrier: { maxConcurrentCalls: 60, maxCallsPerSecond: 10 },
        },
      },
    });
    const campaignStatus = async () => {
      const result = (await database.db.execute(sql`select status from campaigns where id = ${campaignId}`)) as unknown as {
        rows: { status: number }[];
      };
      return Number(result.rows[0]?.status);
    };
    await runInVirtualTime({
      clock,
      dialer,
      deadline: DateTime.fromISO(`${secondDay}T23:59`, { zone }).toJSDate(),
      until: async () => (await campaignStatus()) === CampaignStatus.Completed,
    });
    await dialer.stop();

    const rows = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await database.db.execute(query));
    const outcomeRows = await rows<{ outcome: number; n: number }>(
      sql`select c.outcome, count(*)::int as n from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId} group by c.outcome`,
    );
    const statusRows = await rows<{ status: number; n: number }>(
      sql`select status, count(*)::int as n from phone_numbers where campaign_id = ${campaignId} group by status`,
    );
    const [totals] = await rows<{
      calls: number;
      voicemails: number;
      keyed: number;
      transfers: number;
      price: string;
      first: string | null;
      last: string | null;
    }>(sql`
      select count(*)::int as calls, count(*) filter (where c.voicemail_left)::int as voicemails,
             count(*) filter (where c.user_input <> '')::int as keyed, count(*) filter (where c.is_transfer_call)::int as transfers,
             coalesce(sum(c.price), 0)::text as price, min(c.start_time)::text as first, max(c.start_time)::text as last
      from calls c join phone_numbers p on p.id = c.phone_number_id where p.campaign_id = ${campaignId}`);
    const [sms] = await rows<{ n: number }>(
      sql`select count(*)::int as n from sms_messages s join phone_numbers p on p.id = s.phone_number_id where p.campaign_id = ${campaignId} and s.status = 'sent'`,
    );
    const nameOf = (members: readonly { value: number; name: string }[], value: number) =>
      members.find((m) => m.value === value)?.name ?? String(value);
    const zoned = (text: string | null | undefined) =>
      text ? DateTime.fromJSDate(new Date(text)).setZone(zone).toFormat('ccc d LLL HH:mm:ss') : undefined;
    return {
      campaignId,
      campaignStatus: nameOf(CampaignStatus.members, await campaignStatus()),
      numbers: check.plan.numbers.length,
      callsPlaced: totals?.calls ?? 0,
      outcomes: Object.fromEntries(outcomeRows.map((r) => [nameOf(CallOutcome.members, r.outcome), Number(r.n)])),
      numberStatuses: Object.fromEntries(statusRows.map((r) => [nameOf(NumberStatus.members, r.status), Number(r.n)])),
      voicemailsLeft: totals?.voicemails ?? 0,
      callsWithKeypresses: totals?.keyed ?? 0,
      transfers: totals?.transfers ?? 0,
      smsSent: sms?.n ?? 0,
      totalPriceGbp: Number(totals?.price ?? 0),
      virtualHours: Math.round(((clock.now().getTime() - DateTime.fromISO(`${firstDay}T08:00`, { zone }).minus({ days: 1 }).toMillis()) / 3_600_000) * 10) / 10,
      wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10,
      firstCallAt: zoned(totals?.first),
      lastCallAt: zoned(totals?.last),
    };
  } finally {
    await database.close();
  }
}

export function formatDemoSummary(summary: DemoSummary): string {
  const table = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `    ${name.padEnd(20)} ${count}`)
      .join('\n');
  return [
    `Demo campaign ${summary.campaignId}: ${summary.campaignStatus}`,
    `  ${summary.numbers} numbers, ${summary.callsPlaced} calls placed, first ${summary.firstCallAt}, last ${summary.lastCallAt} (Europe/London)`,
    `  call outcomes:`,
    table(summary.outcomes),
    `  number statuses:`,
    table(summary.numberStatuses),
    `  menu: ${summary.callsWithKeypresses} calls with keypresses, ${summary.transfers} transferred`,
    `  answerphone messages left: ${summary.voicemailsLeft}    SMS sent: ${summary.smsSent}    cost: £${summary.totalPriceGbp.toFixed(2)}`,
    `  ${summary.virtualHours} hours of virtual time in ${summary.wallSeconds} s of wall time`,
  ].join('\n');
}
