// The rows of a campaign's CSV export (issue 11): its numbers in id order, each with its calls in attempt order, read
// a page of numbers at a time by keyset (id > the last one read), so a 1,000,000-call export holds one page at a time
// and every page is an index range (phone_numbers_campaign_id_idx, calls_number_attempt_idx) however far in it is.
//
// On PGlite a page comes back as one JSON text (json_agg of arrays in ExportNumber's order), parsed by one native
// JSON.parse: read as 18 typed columns per call row through the driver's default parsing (an object per row, Dates),
// the per-field work was most of the export's time. On PostgreSQL the JSON is built by the server, and there that
// became the bottleneck (21 ms of CPU a page of 1,000 numbers, 90% of a core through the export, the Node server half
// idle): there a page is plain rows, one per call, read as arrays with a parser per column that does only what the
// row needs (11 ms a page on the server). The next page is asked for as soon as a page arrives, so the database reads
// it while the caller writes this one out.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { calls, campaigns, phoneNumbers } from '../schema.js';
import type { ExportNumber } from '../../domain/csv/export-rows.js';
import { pgliteOf, runPrepared, runPreparedArrays } from '../prepared-statements.js';
import { epochMs, PLAIN_COLUMN_PARSERS } from '../plain-rows.js';

/**
 * Numbers a page: with their calls a few thousand lines, a few milliseconds of formatting between two reads. Rows
 * (PostgreSQL) leave an array and a string per field, which a page of 1,000 kept alive long enough to reach the old
 * generation: the server's RSS grew 126 MB through a 1,000,000-call export, 21 MB with pages of 250 (and faster).
 */
export const EXPORT_PAGE_NUMBERS = { json: 1000, rows: 250 } as const;

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
  async *pages(campaignId: number, pageNumbers = pgliteOf(this.db) ? EXPORT_PAGE_NUMBERS.json : EXPORT_PAGE_NUMBERS.rows): AsyncGenerator<ExportNumber[]> {
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

  private page(campaignId: number, afterId: number, pageNumbers: number): Promise<ExportNumber[]> {
    return pgliteOf(this.db) ? this.jsonPage(campaignId, afterId, pageNumbers) : this.rowsPage(campaignId, afterId, pageNumbers);
  }

  private async rowsPage(campaignId: number, afterId: number, pageNumbers: number): Promise<ExportNumber[]> {
    const rows = await runPreparedArrays(
      this.db,
      sql`
        select p.id, p.number, p.name, p.parameters, p.status, p.status_reason, c.attempt_number,
          ${epochMs(sql`c.start_time`)}, ${epochMs(sql`c.end_time`)}, c.seconds_duration, c.outcome, c.stage,
          c.user_input, c.answered_by, c.voicemail_left, c.sip_code, c.end_reason, c.price
        from (
          select id, number, name, parameters, status, status_reason from ${phoneNumbers}
          where campaign_id = ${campaignId} and id > ${afterId}
          order by id
          limit ${pageNumbers}
        ) p
        left join ${calls} c on c.phone_number_id = p.id
        order by p.id, c.attempt_number`,
      PLAIN_COLUMN_PARSERS,
    );
    const page: ExportNumber[] = [];
    let current: ExportNumber | undefined;
    for (const row of rows) {
      const id = row[0] as number;
      if (current?.[0] !== id) {
        // The number's columns repeat on each of its call rows: its parameters (jsonb, as text) are parsed once.
        current = [id, row[1] as string, row[2] as string, JSON.parse(row[3] as string), row[4] as number, row[5] as string | null, []];
        page.push(current);
      }
      if (row[6] !== null) (current[6] as ExportNumber[6][number][]).push(row.slice(6) as unknown as ExportNumber[6][number]);
    }
    return page;
  }

  private async jsonPage(campaignId: number, afterId: number, pageNumbers: number): Promise<ExportNumber[]> {
    // Prepared: parsed and planned once per PGlite session instead of on every page.
    const [row] = await runPrepared<{ page: string }>(
      this.db,
      sql`
        select coalesce(json_agg(json_build_array(p.id, p.number, p.name, p.parameters, p.status, p.status_reason,
            coalesce((select json_agg(json_build_array(c.attempt_number, ${epochMs(sql`c.start_time`)},
                ${epochMs(sql`c.end_time`)}, c.seconds_duration, c.outcome, c.stage, c.user_input, c.answered_by,
                c.voicemail_left, c.sip_code, c.end_reason, c.price) order by c.attempt_number)
              from ${calls} c where c.phone_number_id = p.id), '[]')) order by p.id), '[]')::text as page
        from (
          select id, number, name, parameters, status, status_reason from ${phoneNumbers}
          where campaign_id = ${campaignId} and id > ${afterId}
          order by id
          limit ${pageNumbers}
        ) p`,
    );
    // The arrays are built in ExportNumber's order (id, number, name, parameters, status, statusReason, calls).
    return JSON.parse(row!.page) as ExportNumber[];
  }
}
