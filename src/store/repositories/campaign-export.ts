// The rows of a campaign's CSV export (issue 11): its numbers in id order, each with its calls in attempt order, read
// a page of numbers at a time by keyset (id > the last one read), so a 1,000,000-call export holds one page at a time
// and every page is an index range (phone_numbers_campaign_id_idx, calls_number_attempt_idx) however far in it is.
//
// A page comes back as one JSON text (json_agg of arrays in ExportNumber's order), parsed by one native JSON.parse: read as 18 typed columns
// per call row, the driver's per-field parsing was most of the export's time (80,000 rows/s on PostgreSQL before a
// single field was formatted). The next page is asked for as soon as a page arrives, so the database reads it while
// the caller writes this one out.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { calls, campaigns, phoneNumbers } from '../schema.js';
import type { ExportNumber } from '../../domain/csv/export-rows.js';
import { rowsOf } from './rows.js';

/** Numbers a page: with their calls a few thousand lines, a few milliseconds of formatting between two reads. */
export const EXPORT_PAGE_NUMBERS = 1000;

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

  /** The campaign's numbers with their calls, a page at a time. */
  async *pages(campaignId: number, pageNumbers = EXPORT_PAGE_NUMBERS): AsyncGenerator<ExportNumber[]> {
    let next = this.page(campaignId, 0, pageNumbers);
    try {
      for (;;) {
        const page = await next;
        if (page.length === 0) return;
        next = this.page(campaignId, page[page.length - 1]![0], pageNumbers);
        yield page;
      }
    } finally {
      // A reader that stopped early (the client went away) leaves the read-ahead page: it is awaited, not left to fail
      // unhandled.
      await next.catch(() => undefined);
    }
  }

  private async page(campaignId: number, afterId: number, pageNumbers: number): Promise<ExportNumber[]> {
    const [row] = rowsOf<{ page: string }>(
      await this.db.execute(sql`
        select coalesce(json_agg(json_build_array(p.id, p.number, p.name, p.parameters, p.status, p.status_reason,
            coalesce((select json_agg(json_build_array(c.attempt_number, floor(extract(epoch from c.start_time) * 1000),
                floor(extract(epoch from c.end_time) * 1000), c.seconds_duration, c.outcome, c.stage, c.user_input, c.answered_by,
                c.voicemail_left, c.sip_code, c.end_reason, c.price) order by c.attempt_number)
              from ${calls} c where c.phone_number_id = p.id), '[]')) order by p.id), '[]')::text as page
        from (
          select id, number, name, parameters, status, status_reason from ${phoneNumbers}
          where campaign_id = ${campaignId} and id > ${afterId}
          order by id
          limit ${pageNumbers}
        ) p`),
    );
    // The arrays are built in ExportNumber's order (id, number, name, parameters, status, statusReason, calls).
    return JSON.parse(row!.page) as ExportNumber[];
  }
}
