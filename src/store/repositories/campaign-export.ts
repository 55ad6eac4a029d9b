// The rows of a campaign's CSV export (issue 11): its numbers in id order, each with its calls in attempt order (a
// number never called comes once, with no call), read a page of numbers at a time by keyset (id > the last one
// read), so a 1,000,000-call export holds one page at a time and every page is an index range
// (phone_numbers_campaign_id_idx, calls_number_attempt_idx) however far in it is.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { calls, campaigns, phoneNumbers } from '../schema.js';
import type { ExportRow } from '../../domain/csv/export-rows.js';
import { rowsOf } from './rows.js';

/** Numbers a page: with their calls a few thousand rows, tens of milliseconds of work between two hand-backs. */
export const EXPORT_PAGE_NUMBERS = 1000;

/** A row as the statement returns it: ids may come as text (bigint), times as epoch milliseconds. */
type RawExportRow = Omit<ExportRow, 'numberId' | 'parameters' | 'startTime' | 'endTime'> & {
  numberId: number | string;
  parameters: ExportRow['parameters'] | string;
  startMs: number | null;
  endMs: number | null;
};

export class CampaignExportRepository {
  constructor(private readonly db: Db) {}

  /** The campaign's time zone when `clientId` owns it, else undefined. */
  async timeZoneOf(clientId: number, campaignId: number): Promise<string | undefined> {
    const [row] = await this.db
      .select({ timeZone: campaigns.timeZone })
      .from(campaigns)
      .where(and(eq(campaigns.id, campaignId), eq(campaigns.clientId, clientId)));
    return row?.timeZone;
  }

  /**
   * The export's rows, a page of numbers at a time. Times come as epoch milliseconds and the price as a float
   * (what the number listing shows), so no driver builds a Date or a numeric string per row only to be reformatted.
   */
  async *pages(campaignId: number, pageNumbers = EXPORT_PAGE_NUMBERS): AsyncGenerator<ExportRow[]> {
    let afterId = 0;
    for (;;) {
      const raw = rowsOf<RawExportRow>(
        await this.db.execute(sql`
          select p.id as "numberId", p.number, p.name, p.parameters, p.status, p.status_reason as "statusReason",
            c.attempt_number as attempt,
            floor(extract(epoch from c.start_time) * 1000)::float8 as "startMs",
            floor(extract(epoch from c.end_time) * 1000)::float8 as "endMs",
            c.seconds_duration as "durationSeconds", c.outcome, c.stage, c.user_input as keys, c.answered_by as "answeredBy",
            c.voicemail_left as "voicemailLeft", c.sip_code as "sipCode", c.end_reason as "endReason", c.price::float8 as price
          from (
            select id, number, name, parameters, status, status_reason from ${phoneNumbers}
            where campaign_id = ${campaignId} and id > ${afterId}
            order by id
            limit ${pageNumbers}
          ) p
          left join ${calls} c on c.phone_number_id = p.id
          order by p.id, c.attempt_number`),
      );
      if (raw.length === 0) return;
      afterId = Number(raw[raw.length - 1]!.numberId);
      yield raw.map(toExportRow);
    }
  }
}

function toExportRow(row: RawExportRow): ExportRow {
  const { startMs, endMs, ...rest } = row;
  return {
    ...rest,
    numberId: Number(row.numberId),
    parameters: typeof row.parameters === 'string' ? (JSON.parse(row.parameters) as ExportRow['parameters']) : row.parameters,
    startTime: startMs === null ? null : new Date(startMs),
    endTime: endMs === null ? null : new Date(endMs),
  };
}
