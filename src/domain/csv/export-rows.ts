// The lines of a campaign's CSV export: one per call, and one per number never called (its call columns empty).
// Pure: the store reads the rows, this writes them. Fields are quoted as RFC 4180 says when they hold a delimiter,
// a quote or a line break; a text field that a spreadsheet would run as a formula (a leading = + - @, or a tab or
// carriage return before one) gets a leading apostrophe (OWASP "CSV injection"), since names and keys come from
// outside. Times are ISO 8601 with the campaign zone's offset: 2027-01-12T09:00:03.000+00:00.
import { CallOutcome, NumberStatus } from '../enums.js';
import { MAX_PARAMETER } from '../phone-number-list.js';
import { formatWallClock } from '../wall-clock.js';

export const EXPORT_COLUMNS = [
  'number_id',
  'number',
  'name',
  ...Array.from({ length: MAX_PARAMETER }, (_, i) => `parameter${i + 1}`),
  'status',
  'status_reason',
  'attempt',
  'start_time',
  'end_time',
  'duration_s',
  'outcome',
  'stage',
  'keys',
  'answered_by',
  'voicemail_left',
  'sip_code',
  'end_reason',
  'price',
] as const;

/** A number with one of its calls (every call column null when the number was never called). */
export interface ExportRow {
  numberId: number;
  number: string;
  name: string;
  parameters: readonly { parameter: number; value: string }[];
  status: number;
  statusReason: string | null;
  attempt: number | null;
  startTime: Date | null;
  endTime: Date | null;
  durationSeconds: number | null;
  outcome: number | null;
  stage: number | null;
  keys: string | null;
  answeredBy: string | null;
  voicemailLeft: boolean | null;
  sipCode: number | null;
  endReason: string | null;
  price: number | null;
}

const LINE_END = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text field as written: formula guard first, then RFC 4180 quoting. */
export function csvText(value: string | null): string {
  if (value === null || value === '') return '';
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** The header line. */
export const EXPORT_HEADER = EXPORT_COLUMNS.join(',') + LINE_END;

/** ISO 8601 with the zone's offset at that instant: the wall clock (kept per zone and span) and its distance from UTC. */
export function isoInZone(instant: Date, zone: string): string {
  const wall = formatWallClock(instant, zone);
  const offsetMinutes = Math.round((Date.parse(`${wall}Z`) - instant.getTime()) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const STATUS_NAMES = new Map<number, string>(NumberStatus.members.map((member) => [member.value, member.name]));
const OUTCOME_NAMES = new Map<number, string>(CallOutcome.members.map((member) => [member.value, member.name]));

const plain = (value: number | null) => (value === null ? '' : String(value));

/** One line of the export, with its line end. */
export function exportLine(row: ExportRow, zone: string): string {
  const parameters = new Array<string>(MAX_PARAMETER).fill('');
  for (const { parameter, value } of row.parameters) if (parameter >= 1 && parameter <= MAX_PARAMETER) parameters[parameter - 1] = csvText(value);
  const called = row.attempt !== null;
  return [
    row.numberId,
    // E.164, checked on the way in: digits after a '+', which the guard would otherwise mark on every line.
    row.number,
    csvText(row.name),
    ...parameters,
    STATUS_NAMES.get(row.status) ?? String(row.status),
    csvText(row.statusReason),
    plain(row.attempt),
    row.startTime ? isoInZone(row.startTime, zone) : '',
    row.endTime ? isoInZone(row.endTime, zone) : '',
    plain(row.durationSeconds),
    row.outcome === null ? '' : (OUTCOME_NAMES.get(row.outcome) ?? String(row.outcome)),
    plain(row.stage),
    csvText(row.keys),
    csvText(row.answeredBy),
    called && row.voicemailLeft !== null ? String(row.voicemailLeft) : '',
    plain(row.sipCode),
    csvText(row.endReason),
    row.price === null ? '' : String(row.price),
  ].join(',') + LINE_END;
}
