// Runs the real dialer in virtual time against a real database (PGlite or PostgreSQL) for the dialer's integration
// tests: a tenant made through the operator rules, a campaign made from a request-like body through
// checkCampaignRequest + CampaignRepository.create (as the API does), a Dialer with the simulated carrier and SMS
// provider on a VirtualClock, run with runInVirtualTime until its campaigns complete, then queries of what the store
// recorded. The carrier is wrapped in a RecordingCarrier that notes when each dial started and when its call ended,
// so tests can check windows, intervals and pacing from the carrier's side as well as the database's.
//
// One harness (one database) serves a whole test file; each test makes its own client and campaign(s). Every run
// cancels the campaigns it was given if they did not complete, so a failing test does not leave live campaigns for
// the next test's dialer to pick up. Runs in one file must move forward in virtual time, as time does: the store's
// pacing counts every call started in the last second across the database, so calls an earlier test placed in a
// later test's future would count against it. `run` refuses a clock that starts before the previous run ended.
import { expect } from 'vitest';
import { asc, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { createTestDatabase, type BackendKind, type TestDatabase } from './backends.js';
import type { Db } from '../../src/store/database.js';
import { callOutcomeMinutes, calls, campaigns, linesInUse, phoneNumbers, smsMessages } from '../../src/store/schema.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { AudioRepository } from '../../src/store/repositories/audio.js';
import { CampaignRepository } from '../../src/store/repositories/campaigns.js';
import { ComplianceRepository } from '../../src/store/repositories/compliance.js';
import { WEEKDAYS, type CallingHoursProfile } from '../../src/domain/compliance/calling-hours.js';
import { DialerStore } from '../../src/store/repositories/dialer-store.js';
import { createCallFlow, createCli } from '../../src/tenancy/operator.js';
import { checkCampaignRequest } from '../../src/domain/campaign-request.js';
import { callingWindows, lastClosing, type CallingWindow } from '../../src/domain/calling-windows.js';
import type { VirtualClock } from '../../src/domain/clock.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';
import { Dialer, type DialerConfig } from '../../src/dialer/dialer.js';
import { runInVirtualTime } from '../../src/dialer/virtual-time.js';
import { RecordingCarrier, recordsOf, type DialRecord } from './recording-carrier.js';
import type { Carrier } from '../../src/telephony/carrier.js';
import {
  SimulatedCarrier,
  type SimulatedCallEvent,
  type SimulatedCarrierOptions,
} from '../../src/telephony/simulated/simulated-carrier.js';
import { SimulatedSmsProvider, type SimulatedSmsOptions } from '../../src/sms/simulated-sms.js';
import type { SmsProvider } from '../../src/sms/sms-port.js';

export { RecordingCarrier, maxConcurrent, maxStartsPerSecond, recordsOf, type DialRecord } from './recording-carrier.js';

export const ZONE = 'Europe/London';

/** The same carrier under another name (the name is what the dialer's carrier limit counts by). */
function renamed(carrier: Carrier, name: string): Carrier {
  return { name, dial: (request) => carrier.dial(request) };
}
const DAY_MS = 86_400_000;

/** Calling hours that allow any day and (almost) any time: tests of the dialer's own mechanics use them. */
export const ANY_TIME: CallingHoursProfile = {
  weekdays: Object.fromEntries(WEEKDAYS.map((day) => [day, [{ start: '00:00', finish: '23:59' }]])) as CallingHoursProfile['weekdays'],
  holidays: [],
  excludedDates: [],
};

/** The instant at which London's wall clock shows `date` `time` (its first occurrence). */
export function london(date: string, time: string): Date {
  return DateTime.fromISO(`${date}T${time}`, { zone: ZONE }).toJSDate();
}

/** An instant as London wall-clock time, `yyyy-MM-dd HH:mm:ss.SSS`. */
export function londonWall(instant: Date | number): string {
  return DateTime.fromMillis(typeof instant === 'number' ? instant : instant.getTime(), { zone: ZONE }).toFormat(
    'yyyy-MM-dd HH:mm:ss.SSS',
  );
}

/** `count` distinct valid UK mobile numbers (07722 1xxxxx), for campaigns of numbers that follow the outcome mix. */
export function mobileNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `07722${String(100_000 + offset + i).padStart(6, '0')}`);
}

/** A simulated-carrier test number by its last four digits: testNumber('0001') is 020 7946 0001 (always busy). */
export const testNumber = (lastFour: string) => `020 7946 ${lastFour}`;
export const testE164 = (lastFour: string) => `+44207946${lastFour}`;

// ---- campaigns and runs ------------------------------------------------------------------------------------------

export interface HarnessTenant {
  clientId: number;
  callFlowId: number;
  cliId: number;
  cliE164: string;
}

export interface FlowTexts {
  message?: string;
  voicemailMessage?: string;
  smsText?: string;
  /** A whole flow document instead of the three texts. */
  flow?: unknown;
}

/** A campaign request body as a client would post it (the document's property names). */
export interface CampaignBody {
  name?: string;
  timeZone?: string;
  startDate: string;
  startTime: string;
  finishTime: string;
  runoverDays?: { date: string; startTime: string; finishTime: string }[];
  attempts?: { interval: number; attemptNumber?: number }[];
  answerMachineDetected?: number;
  smsOnBusy?: number;
  /** Objects as in the document, or bare number strings for short. */
  phoneNumbers: ({ number: string; name?: string; parameters?: { parameter: number; value: string }[] } | string)[];
}

export interface RunOptions {
  clock: VirtualClock;
  /** The run ends when all of these have completed. */
  campaignIds: number[];
  /** Dialer settings; the harness defaults are below (HARNESS_DIALER_CONFIG). */
  config?: Partial<DialerConfig>;
  carrier?: Partial<Omit<SimulatedCarrierOptions, 'clock' | 'onEvent'>>;
  sms?: Omit<SimulatedSmsOptions, 'clock'>;
  /** A real SMS provider (e.g. SMPP to a loopback SMSC) instead of the simulated one; `sms` is then unused. */
  smsProvider?: SmsProvider;
  /** Default: one day after the campaigns' last window closes. */
  deadline?: Date;
  /** After each settled step, e.g. to sample campaign statuses. */
  onStep?: () => Promise<void> | void;
  /** Dialer processes sharing the database (default 1), each with its own lease owner id. */
  processes?: number;
  /**
   * The carrier name each process dials under (default: the simulated carrier's own name for all): processes with
   * different names are held to the carrier limit each on its own, as processes on different trunks would be.
   */
  carrierNames?: string[];
}

export interface RunResult {
  /** The first (or only) dialer process. */
  dialer: Dialer;
  dialers: Dialer[];
  carrier: RecordingCarrier;
  events: SimulatedCallEvent[];
  sms: SimulatedSmsProvider;
  steps: number;
  wallMs: number;
}

/**
 * Dialer settings for virtual-time runs. The long idle poll keeps multi-day runs to a few thousand steps (the loop
 * still wakes at every window boundary, due time and call end); `ringcast demo` does the same.
 */
export const HARNESS_DIALER_CONFIG: Partial<DialerConfig> = {
  idlePollMs: 15 * 60_000,
  busyPollMs: 250,
};

export interface CallView {
  callId: number;
  phoneNumberId: number;
  number: string;
  attemptNumber: number;
  startTime: Date;
  endTime: Date | null;
  stage: number;
  outcome: number;
  price: number;
  secondsDuration: number;
  answeredBy: string | null;
  voicemailLeft: boolean;
  userInput: string;
  isTransferCall: boolean;
  endReason: string | null;
  sipCode: number | null;
  /** The dialer process that placed the call. */
  dialerId: string | null;
  /** The carrier name it was dialled under. */
  carrier: string | null;
}

export interface NumberView {
  id: number;
  number: string;
  name: string;
  status: number;
  nextAttempt: number;
  dueAt: Date | null;
  leaseOwner: string | null;
}

export interface SmsView {
  phoneNumberId: number;
  number: string;
  attemptNumber: number;
  sentAt: Date;
  text: string;
  parts: number;
  encoding: string | null;
  status: string;
  providerId: string | null;
}

export class DialerHarness {
  private tenantCount = 0;
  private dialerCount = 0;
  /** Where the previous run left virtual time. */
  private lastRunEndMs = Number.NEGATIVE_INFINITY;

  private constructor(
    readonly testDb: TestDatabase,
    readonly kind: BackendKind,
  ) {}

  static async open(kind: BackendKind): Promise<DialerHarness> {
    return new DialerHarness(await createTestDatabase(kind), kind);
  }

  get db(): Db {
    return this.testDb.database.db;
  }

  async dispose(): Promise<void> {
    await this.testDb.dispose();
  }

  /**
   * A new client with one call flow (texts as given, else the defaults) and one CLI. `flow` may be a function of the
   * new client's id, for a flow that plays audio the client must upload first.
   */
  /**
   * A client with a call flow and a CLI. Its compliance settings are `'mechanics'` unless asked: calling hours every
   * day 00:00-23:59 with no holidays, and Ofcom's 24-hour machine rule off, so that tests of windows, attempts and
   * intervals test those mechanics on any date; `'rules'` keeps the defaults every real client gets (the compliance
   * tests use it).
   */
  async tenant(
    flow: FlowTexts | ((clientId: number) => Promise<FlowTexts>) = {},
    cliNumber = '020 7946 0999',
    compliance: 'mechanics' | 'rules' = 'mechanics',
  ): Promise<HarnessTenant> {
    const tenants = new TenantRepository(this.db);
    const { client } = await tenants.createClient(`Dialer test client ${++this.tenantCount}`);
    if (compliance === 'mechanics') {
      const settings = new ComplianceRepository(this.db);
      await settings.setCallingHours(client.id, ANY_TIME);
      await settings.setMachineRuleOffReason(client.id, 'dialer mechanics test: retries at the intervals under test');
    }
    const texts = typeof flow === 'function' ? await flow(client.id) : flow;
    const callFlow = await createCallFlow(tenants, new AudioRepository(this.db), client.id, { name: 'Flow', ...texts });
    const cli = await createCli(tenants, client.id, { number: cliNumber, label: 'Main' });
    return { clientId: client.id, callFlowId: callFlow.id, cliId: cli.id, cliE164: cli.number };
  }

  /** Creates a campaign from a request-like body as the API does; throws with the field errors if it is invalid. */
  async campaign(tenant: HarnessTenant, body: CampaignBody, now: Date): Promise<number> {
    const check = checkCampaignRequest({
      body: {
        name: body.name ?? `Campaign ${this.tenantCount}-${Math.random().toString(36).slice(2, 8)}`,
        callflow_Id: tenant.callFlowId,
        defaultCli_Id: tenant.cliId,
        answerMachineDetected: 0,
        smsOnBusy: 0,
        ...body,
        phoneNumbers: body.phoneNumbers.map((entry) => (typeof entry === 'string' ? { number: entry } : entry)),
      },
      schemaErrors: {},
      now,
      ignoreInvalidPhoneNumbers: false,
    });
    if (!check.ok) throw new Error(`campaign request is invalid: ${JSON.stringify(check.errors)}`);
    return new CampaignRepository(this.db).create(tenant.clientId, check.plan);
  }

  /** The calling windows of a stored campaign, as the dialer computes them. */
  async windows(campaignId: number): Promise<CallingWindow[]> {
    const campaign = await new DialerStore(this.db, 'harness').loadCampaign(campaignId);
    if (!campaign) throw new Error(`no campaign ${campaignId}`);
    return callingWindows(campaign);
  }

  /** Runs a fresh dialer in virtual time until every campaign in `campaignIds` has completed. */
  async run(options: RunOptions): Promise<RunResult> {
    const { clock } = options;
    if (clock.now().getTime() < this.lastRunEndMs) {
      throw new Error(
        `virtual time must move forward between runs on one database: this run starts ${clock.now().toISOString()}, ` +
          `the previous one ended ${new Date(this.lastRunEndMs).toISOString()}`,
      );
    }
    const events: SimulatedCallEvent[] = [];
    const simulated = new SimulatedCarrier({ seed: 1, ...options.carrier, clock, onEvent: (event) => events.push(event) });
    const carrier = new RecordingCarrier(simulated, clock);
    const sms = new SimulatedSmsProvider({ ...options.sms, clock });
    // Several dialer processes share the database (and, here, one carrier trunk and SMS provider).
    const dialers = Array.from(
      { length: options.processes ?? 1 },
      (_, index) =>
        new Dialer({
          store: new DialerStore(this.db, `test-dialer-${++this.dialerCount}`),
          carrier: options.carrierNames?.[index] === undefined ? carrier : renamed(carrier, options.carrierNames[index]!),
          sms: options.smsProvider ?? sms,
          clock,
          config: { ...HARNESS_DIALER_CONFIG, ...options.config },
        }),
    );
    let deadline = options.deadline;
    if (!deadline) {
      let lastMs = clock.now().getTime();
      for (const id of options.campaignIds) lastMs = Math.max(lastMs, lastClosing(await this.windows(id))?.getTime() ?? lastMs);
      deadline = new Date(lastMs + DAY_MS);
    }
    const until = async () => {
      const rows = await this.db.select({ status: campaigns.status }).from(campaigns).where(inArray(campaigns.id, options.campaignIds));
      return rows.length === options.campaignIds.length && rows.every((row) => row.status === CampaignStatus.Completed);
    };
    const wallStart = performance.now();
    try {
      const { steps } = await runInVirtualTime({ clock, dialers, deadline, until, ...(options.onStep ? { onStep: options.onStep } : {}) });
      for (const dialer of dialers) await dialer.stop(0);
      this.lastRunEndMs = clock.now().getTime();
      return { dialer: dialers[0]!, dialers, carrier, events, sms, steps, wallMs: performance.now() - wallStart };
    } catch (error) {
      this.lastRunEndMs = Math.max(this.lastRunEndMs, clock.now().getTime());
      for (const dialer of dialers) await dialer.stop(0).catch(() => {});
      await this.db
        .update(campaigns)
        .set({ status: CampaignStatus.Cancelled })
        .where(inArray(campaigns.id, options.campaignIds));
      throw error;
    }
  }

  async campaignRow(campaignId: number): Promise<{ status: number; callCount: number; finishedAt: Date | null; startsAt: Date }> {
    const [row] = await this.db
      .select({ status: campaigns.status, callCount: campaigns.callCount, finishedAt: campaigns.finishedAt, startsAt: campaigns.startsAt })
      .from(campaigns)
      .where(eq(campaigns.id, campaignId));
    if (!row) throw new Error(`no campaign ${campaignId}`);
    return row;
  }

  /** Every call of a campaign, by number id then attempt. */
  async calls(campaignId: number): Promise<CallView[]> {
    const rows = await this.db
      .select({
        callId: calls.id,
        phoneNumberId: calls.phoneNumberId,
        number: phoneNumbers.number,
        attemptNumber: calls.attemptNumber,
        startTime: calls.startTime,
        endTime: calls.endTime,
        stage: calls.stage,
        outcome: calls.outcome,
        price: calls.price,
        secondsDuration: calls.secondsDuration,
        answeredBy: calls.answeredBy,
        voicemailLeft: calls.voicemailLeft,
        endReason: calls.endReason,
        sipCode: calls.sipCode,
        dialerId: calls.dialerId,
        carrier: calls.carrier,
        userInput: calls.userInput,
        isTransferCall: calls.isTransferCall,
      })
      .from(calls)
      .innerJoin(phoneNumbers, eq(phoneNumbers.id, calls.phoneNumberId))
      .where(eq(phoneNumbers.campaignId, campaignId))
      .orderBy(asc(calls.phoneNumberId), asc(calls.attemptNumber));
    return rows.map((row) => ({ ...row, price: Number(row.price) }));
  }

  /** Calls of one number of a campaign (E.164), by attempt. */
  async callsTo(campaignId: number, e164: string): Promise<CallView[]> {
    return (await this.calls(campaignId)).filter((call) => call.number === e164);
  }

  async numbers(campaignId: number): Promise<NumberView[]> {
    return this.db
      .select({
        id: phoneNumbers.id,
        number: phoneNumbers.number,
        name: phoneNumbers.name,
        status: phoneNumbers.status,
        nextAttempt: phoneNumbers.nextAttempt,
        dueAt: phoneNumbers.dueAt,
        leaseOwner: phoneNumbers.leaseOwner,
      })
      .from(phoneNumbers)
      .where(eq(phoneNumbers.campaignId, campaignId))
      .orderBy(asc(phoneNumbers.id));
  }

  async numberByE164(campaignId: number, e164: string): Promise<NumberView> {
    const found = (await this.numbers(campaignId)).find((number) => number.number === e164);
    if (!found) throw new Error(`campaign ${campaignId} has no number ${e164}`);
    return found;
  }

  async sms(campaignId: number): Promise<SmsView[]> {
    return this.db
      .select({
        phoneNumberId: smsMessages.phoneNumberId,
        number: phoneNumbers.number,
        attemptNumber: smsMessages.attemptNumber,
        sentAt: smsMessages.sentAt,
        text: smsMessages.text,
        parts: smsMessages.parts,
        encoding: smsMessages.encoding,
        status: smsMessages.status,
        providerId: smsMessages.providerId,
      })
      .from(smsMessages)
      .innerJoin(phoneNumbers, eq(phoneNumbers.id, smsMessages.phoneNumberId))
      .where(eq(phoneNumbers.campaignId, campaignId))
      .orderBy(asc(smsMessages.phoneNumberId), asc(smsMessages.attemptNumber));
  }
}

/**
 * What must hold after any completed run, whatever the outcomes: the campaign completed; every number has a final
 * status and no lease; every call ended with an outcome; callCount, the call rows and the carrier's dials agree one to
 * one (same call, same start and end instants); each number's attempts run 1..k with no (number, attempt) twice;
 * unanswered calls cost nothing. Returns the calls and numbers for further checks.
 */
export async function expectCompletedConsistently(
  harness: DialerHarness,
  campaignId: number,
  run: RunResult,
): Promise<{ calls: CallView[]; numbers: NumberView[]; dials: DialRecord[] }> {
  const campaign = await harness.campaignRow(campaignId);
  const callRows = await harness.calls(campaignId);
  const numberRows = await harness.numbers(campaignId);
  const dials = recordsOf(run.carrier.records, numberRows.map((n) => n.id));

  expect(campaign.status).toBe(CampaignStatus.Completed);
  expect(campaign.finishedAt).not.toBeNull();
  for (const number of numberRows) {
    expect([NumberStatus.Pending, NumberStatus.Dialling], `number ${number.number}`).not.toContain(number.status);
    expect(number.leaseOwner, `number ${number.number}`).toBeNull();
    expect(number.dueAt, `number ${number.number}`).toBeNull();
  }

  expect(campaign.callCount).toBe(callRows.length);
  expect(dials).toHaveLength(callRows.length);
  const keys = callRows.map((call) => `${call.phoneNumberId}:${call.attemptNumber}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(dials.map((dial) => dial.callId)).size).toBe(dials.length);

  const dialById = new Map(dials.map((dial) => [dial.callId, dial]));
  const attemptsByNumber = new Map<number, number[]>();
  for (const call of callRows) {
    const label = `${call.number} attempt ${call.attemptNumber}`;
    expect(call.outcome, label).not.toBe(CallOutcome.InProgress);
    expect(call.endTime, label).not.toBeNull();
    const dial = dialById.get(`${call.phoneNumberId}:${call.attemptNumber}`);
    expect(dial, label).toBeDefined();
    expect(call.startTime.getTime(), label).toBe(dial!.startedAtMs);
    expect(call.endTime!.getTime(), label).toBe(dial!.endedAtMs);
    if (call.answeredBy === null) {
      expect(call.price, label).toBe(0);
      expect(call.secondsDuration, label).toBe(0);
    }
    attemptsByNumber.set(call.phoneNumberId, [...(attemptsByNumber.get(call.phoneNumberId) ?? []), call.attemptNumber]);
  }
  for (const [numberId, attempts] of attemptsByNumber) {
    expect(attempts, `attempts of number ${numberId}`).toEqual(attempts.map((_, i) => i + 1));
  }
  await expectKeptCountsAgree(harness, campaignId, callRows);
  return { calls: callRows, numbers: numberRows, dials };
}

/**
 * The counts the dialer keeps beside the rows (migrations/0014) agree with the rows: no line is left held by a
 * finished campaign, and every minute's live, abandoned and machine-answered calls are those of the calls table.
 */
async function expectKeptCountsAgree(harness: DialerHarness, campaignId: number, callRows: readonly CallView[]): Promise<void> {
  // Completing the campaign removed its rows (all at zero by then).
  const lines = await harness.db.select().from(linesInUse).where(eq(linesInUse.campaignId, campaignId));
  expect(lines, 'lines_in_use rows of a completed campaign').toEqual([]);
  const expected = new Map<number, { live: number; abandoned: number; machine: number }>();
  for (const call of callRows) {
    const minute = Math.floor(call.startTime.getTime() / 60_000) * 60_000;
    const counts = expected.get(minute) ?? { live: 0, abandoned: 0, machine: 0 };
    if (call.outcome === CallOutcome.Answered) counts.live++;
    if (call.outcome === CallOutcome.Abandoned) counts.abandoned++;
    if (call.outcome === CallOutcome.AnsweringMachine) counts.machine++;
    expected.set(minute, counts);
  }
  const kept = await harness.db
    .select()
    .from(callOutcomeMinutes)
    .where(eq(callOutcomeMinutes.campaignId, campaignId))
    .orderBy(asc(callOutcomeMinutes.minute));
  expect(
    kept.map((row) => ({ minute: row.minute.toISOString(), live: row.live, abandoned: row.abandoned, machine: row.machine })),
    'outcome counts kept per minute',
  ).toEqual([...expected].sort(([a], [b]) => a - b).map(([minute, counts]) => ({ minute: new Date(minute).toISOString(), ...counts })));
}
