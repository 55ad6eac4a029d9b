// The compliance settings the operator keeps per client (issue 9): the calling-hours profile and the switch of
// Ofcom's 24-hour machine rule (off only with a reason); and the 24-hour call counts of the abandoned-call rate.
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { calls, campaigns, clients, phoneNumbers } from '../schema.js';
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

/** The counts Ofcom's rate is made of, as aggregate columns over calls. */
const RATE_COUNTS = {
  live: sql<number>`count(*) filter (where ${calls.outcome} = ${CallOutcome.Answered})::int`,
  abandoned: sql<number>`count(*) filter (where ${calls.outcome} = ${CallOutcome.Abandoned})::int`,
  machine: sql<number>`count(*) filter (where ${calls.outcome} = ${CallOutcome.AnsweringMachine})::int`,
};

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
   * campaign): the inputs of Ofcom's abandoned-call rate. The calls(start_time) index bounds the scan to the window.
   */
  async abandonedCounts(filter: { clientId: number } | { campaignId: number }, since: Date): Promise<CampaignAbandonedCounts[]> {
    const rows = await this.db
      .select({
        campaignId: campaigns.id,
        name: campaigns.name,
        complianceNote: campaigns.complianceNote,
        ...RATE_COUNTS,
      })
      .from(calls)
      .innerJoin(phoneNumbers, eq(phoneNumbers.id, calls.phoneNumberId))
      .innerJoin(campaigns, eq(campaigns.id, phoneNumbers.campaignId))
      .where(and('clientId' in filter ? eq(campaigns.clientId, filter.clientId) : eq(campaigns.id, filter.campaignId), sql`${calls.startTime} >= ${since}`))
      .groupBy(campaigns.id, campaigns.name, campaigns.complianceNote)
      .orderBy(campaigns.id);
    return rows.map((row) => ({ ...row, live: Number(row.live), abandoned: Number(row.abandoned), machine: Number(row.machine) }));
  }

  /**
   * The same counts per client across the operator's whole service (the operator's own figure is their sum), with
   * each client's campaigns that carry a compliance note. Clients without calls in the window and without notes are
   * left out.
   */
  async abandonedCountsByClient(since: Date): Promise<ClientAbandonedCounts[]> {
    const counted = await this.db
      .select({
        clientId: clients.id,
        name: clients.name,
        ...RATE_COUNTS,
      })
      .from(calls)
      .innerJoin(phoneNumbers, eq(phoneNumbers.id, calls.phoneNumberId))
      .innerJoin(campaigns, eq(campaigns.id, phoneNumbers.campaignId))
      .innerJoin(clients, eq(clients.id, campaigns.clientId))
      .where(sql`${calls.startTime} >= ${since}`)
      .groupBy(clients.id, clients.name);
    const noted = await this.db
      .select({ clientId: clients.id, clientName: clients.name, campaignId: campaigns.id, name: campaigns.name, complianceNote: campaigns.complianceNote })
      .from(campaigns)
      .innerJoin(clients, eq(clients.id, campaigns.clientId))
      .where(isNotNull(campaigns.complianceNote))
      .orderBy(campaigns.id);
    const byClient = new Map<number, ClientAbandonedCounts>();
    for (const row of counted) {
      byClient.set(row.clientId, { ...row, live: Number(row.live), abandoned: Number(row.abandoned), machine: Number(row.machine), campaignsWithNotes: [] });
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
