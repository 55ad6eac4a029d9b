// The compliance settings the operator keeps per client (issue 9): the calling-hours profile and the switch of
// Ofcom's 24-hour machine rule (off only with a reason); and the 24-hour call counts of the abandoned-call rate.
import { eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
import { callOutcomeMinutes, calls, campaigns, clients, phoneNumbers } from '../schema.js';
import { rowsOf } from './rows.js';
import { runPrepared } from '../prepared-statements.js';
import { CallOutcome } from '../../domain/enums.js';
import type { AbandonedCounts } from '../../domain/compliance/abandoned-rate.js';
import { DEFAULT_CALLING_HOURS, type CallingHoursProfile } from '../../domain/compliance/calling-hours.js';

export interface ClientCompliance {
  /** The operator's profile for the client, or the default. */
  callingHours: CallingHoursProfile;
  /** True when callingHours is the default (the client has no profile of its own). */
  callingHoursIsDefault: boolean;
  /** Null: the 24-hour machine rule is on. */
  machineRuleOffReason: string | null;
}

export interface CampaignAbandonedCounts extends AbandonedCounts {
  campaignId: number;
  name: string;
  complianceNote: string | null;
}

export interface ClientAbandonedCounts extends AbandonedCounts {
  clientId: number;
  name: string;
  /** The client's campaigns that a guard slowed, paused or held, with what it said. */
  campaignsWithNotes: { campaignId: number; name: string; complianceNote: string }[];
}

const MINUTE_MS = 60_000;

/**
 * Rows of (campaign_id, live, abandoned, machine) whose sums per campaign are the counts of the calls started since
 * `since` of the campaigns in scope: the kept minutes from the first whole minute on, and the calls of the partial
 * minute before it (none when `since` falls on a minute) one by one, on the calls(start_time) index.
 */
function countsSince(since: Date, inScope: (campaignId: SQL) => SQL): SQL {
  const firstWholeMinute = new Date(Math.ceil(since.getTime() / MINUTE_MS) * MINUTE_MS);
  return sql`
    select m.campaign_id, m.live, m.abandoned, m.machine from ${callOutcomeMinutes} m
    where m.minute >= ${firstWholeMinute} and ${inScope(sql`m.campaign_id`)}
    union all
    select p.campaign_id, (c.outcome = ${CallOutcome.Answered})::int, (c.outcome = ${CallOutcome.Abandoned})::int,
           (c.outcome = ${CallOutcome.AnsweringMachine})::int
    from ${calls} c join ${phoneNumbers} p on p.id = c.phone_number_id
    where c.start_time >= ${since} and c.start_time < ${firstWholeMinute} and ${inScope(sql`p.campaign_id`)}`;
}

export class ComplianceRepository {
  constructor(private readonly db: Db) {}

  /** Undefined when the client does not exist. */
  async clientSettings(clientId: number): Promise<ClientCompliance | undefined> {
    const [row] = await this.db
      .select({ callingHours: clients.callingHours, machineRuleOffReason: clients.machineRuleOffReason })
      .from(clients)
      .where(eq(clients.id, clientId));
    if (!row) return undefined;
    return {
      callingHours: row.callingHours ?? DEFAULT_CALLING_HOURS,
      callingHoursIsDefault: row.callingHours === null,
      machineRuleOffReason: row.machineRuleOffReason,
    };
  }

  /** Sets (or with null, clears back to the default) a client's calling-hours profile. False: no such client. */
  async setCallingHours(clientId: number, profile: CallingHoursProfile | null): Promise<boolean> {
    const updated = await this.db.update(clients).set({ callingHours: profile }).where(eq(clients.id, clientId)).returning({ id: clients.id });
    return updated.length > 0;
  }

  /** Turns the 24-hour machine rule off (with the reason) or back on (null). False: no such client. */
  async setMachineRuleOffReason(clientId: number, reason: string | null): Promise<boolean> {
    const updated = await this.db.update(clients).set({ machineRuleOffReason: reason }).where(eq(clients.id, clientId)).returning({ id: clients.id });
    return updated.length > 0;
  }

  /**
   * Live, abandoned and machine-answered calls started since `since`, per campaign of the client (or of one
   * campaign) that has calls in the span: the inputs of Ofcom's abandoned-call rate. Whole minutes come from the
   * counts kept per minute (call_outcome_minutes, written with each call's result); only the calls of the partial
   * minute at the span's start are read one by one, so the answer is exact and its cost does not grow with the calls
   * made (it was a scan of every call of the last 24 hours, issue 10).
   */
  async abandonedCounts(filter: { clientId: number } | { campaignId: number }, since: Date): Promise<CampaignAbandonedCounts[]> {
    const inScope =
      'clientId' in filter
        ? (campaignId: SQL) => sql`${campaignId} in (select ${campaigns.id} from ${campaigns} where ${campaigns.clientId} = ${filter.clientId})`
        : (campaignId: SQL) => sql`${campaignId} = ${filter.campaignId}`;
    // Prepared (prepared-statements.ts): the dialer's abandoned-rate guard runs it every few seconds per client, and
    // parsing and planning it took longer than running it on PGlite (virtual-time campaign, issue 10).
    const rows = await runPrepared<{ campaign_id: number; name: string; compliance_note: string | null; live: number; abandoned: number; machine: number }>(
      this.db,
      sql`
        select k.id as campaign_id, k.name, k.compliance_note, sum(x.live)::int as live, sum(x.abandoned)::int as abandoned, sum(x.machine)::int as machine
        from (${countsSince(since, inScope)}) x
        join ${campaigns} k on k.id = x.campaign_id
        group by k.id, k.name, k.compliance_note
        order by k.id`,
    );
    return rows.map((row) => ({
      campaignId: Number(row.campaign_id),
      name: row.name,
      complianceNote: row.compliance_note,
      live: Number(row.live),
      abandoned: Number(row.abandoned),
      machine: Number(row.machine),
    }));
  }

  /**
   * The same counts per client across the operator's whole service (the operator's own figure is their sum), with
   * each client's campaigns that carry a compliance note. Clients without calls in the window and without notes are
   * left out.
   */
  async abandonedCountsByClient(since: Date): Promise<ClientAbandonedCounts[]> {
    const counted = rowsOf<{ client_id: number; name: string; live: number; abandoned: number; machine: number }>(
      await this.db.execute(sql`
        select c.id as client_id, c.name, sum(x.live)::int as live, sum(x.abandoned)::int as abandoned, sum(x.machine)::int as machine
        from (${countsSince(since, () => sql`true`)}) x
        join ${campaigns} k on k.id = x.campaign_id
        join ${clients} c on c.id = k.client_id
        group by c.id, c.name`),
    ).map((row) => ({ clientId: Number(row.client_id), name: row.name, live: Number(row.live), abandoned: Number(row.abandoned), machine: Number(row.machine) }));
    const noted = await this.db
      .select({ clientId: clients.id, clientName: clients.name, campaignId: campaigns.id, name: campaigns.name, complianceNote: campaigns.complianceNote })
      .from(campaigns)
      .innerJoin(clients, eq(clients.id, campaigns.clientId))
      .where(isNotNull(campaigns.complianceNote))
      .orderBy(campaigns.id);
    const byClient = new Map<number, ClientAbandonedCounts>();
    for (const row of counted) {
      byClient.set(row.clientId, { ...row, campaignsWithNotes: [] });
    }
    for (const row of noted) {
      let entry = byClient.get(row.clientId);
      if (!entry) {
        entry = { clientId: row.clientId, name: row.clientName, live: 0, abandoned: 0, machine: 0, campaignsWithNotes: [] };
        byClient.set(row.clientId, entry);
      }
      entry.campaignsWithNotes.push({ campaignId: row.campaignId, name: row.name, complianceNote: row.complianceNote! });
    }
    return [...byClient.values()].sort((a, b) => a.clientId - b.clientId);
  }
}
