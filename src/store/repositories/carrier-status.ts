// The carrier page's figures from the database (GET /api/admin/carrier): the calls in flight per carrier, as the
// dialers keep them in lines_in_use, and the last hour's calls that ended with a SIP failure, per code. Both are
// across every client and campaign: the operator's view of the network, not of a campaign.
import { sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { calls, linesInUse } from '../schema.js';
import { rowsOf } from './rows.js';

/** SIP final responses from here on are failures (RFC 3261 section 21.4-21.6: 4xx, 5xx, 6xx). */
export const SIP_FAILURE_MIN_CODE = 400;

export interface CarrierCalls {
  carrier: string;
  calls: number;
}

export interface SipFailureCount {
  sipCode: number;
  calls: number;
}

export class CarrierStatusRepository {
  constructor(private readonly db: Db) {}

  /** Calls in flight now per carrier name, every campaign's (a few rows per running campaign). */
  async callsInFlight(): Promise<CarrierCalls[]> {
    const rows = rowsOf<{ carrier: string; calls: number | string }>(
      await this.db.execute(sql`
        select ${linesInUse.carrier} as carrier, sum(${linesInUse.calls}) as calls
        from ${linesInUse} where ${linesInUse.calls} <> 0
        group by ${linesInUse.carrier} order by ${linesInUse.carrier}`),
    );
    return rows.map((row) => ({ carrier: row.carrier, calls: Number(row.calls) }));
  }

  /**
   * Calls started since `since` that ended with a SIP failure code, per code, most frequent first. A range of
   * calls_start_time_idx: the window's calls only, not the table.
   */
  async sipFailuresSince(since: Date): Promise<SipFailureCount[]> {
    const rows = rowsOf<{ sipCode: number; calls: number | string }>(
      await this.db.execute(sql`
        select ${calls.sipCode} as "sipCode", count(*) as calls
        from ${calls}
        where ${calls.startTime} >= ${since.toISOString()}::timestamptz and ${calls.sipCode} >= ${SIP_FAILURE_MIN_CODE}
        group by ${calls.sipCode} order by count(*) desc, ${calls.sipCode}`),
    );
    return rows.map((row) => ({ sipCode: Number(row.sipCode), calls: Number(row.calls) }));
  }
}
