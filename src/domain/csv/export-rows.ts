// The lines of a campaign's CSV export: one per call, and one per number never called (its call columns empty).
// Pure: the store reads the rows, this writes them. Fields are quoted as RFC 4180 says when they hold a delimiter,
// a quote or a line break; a text field that a spreadsheet would run as a formula (a leading = + - @, or a tab or
// carriage return before one) gets a leading apostrophe (OWASP "CSV injection"), since names and keys come from
// outside. Times are ISO 8601 with the campaign zone's offset: 2027-01-12T09:00:03.000+00:00.
import { CallOutcome, NumberStatus } from '../enums.js';
import { MAX_PARAMETER } from '../phone-number-list.js';
import { formatWallClock, ZoneWallClock } from '../wall-clock.js';

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

/**
 * A number of the campaign with its calls, as the store reads it: a tuple (a page of them is one JSON text from the
 * database, used as parsed, without building an object per number and per call: a million calls are written with
 * as little garbage as can be).
 */
export type ExportNumber = [
  id: number,
  number: string,
  name: string,
  parameters: readonly { parameter: number; value: string }[],
  status: number,
  statusReason: string | null,
  calls: readonly ExportCall[],
];

/** One call of a number, times as epoch milliseconds. */
export type ExportCall = [
  attempt: number,
  startMs: number,
  endMs: number | null,
  durationSeconds: number,
  outcome: number,
  stage: number,
  keys: string,
  answeredBy: string | null,
  voicemailLeft: boolean,
  sipCode: number | null,
  endReason: string | null,
  price: number,
];

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

/** Quarter hours: no zone changes its offset twice within one (see src/domain/wall-clock.ts). */
const SPAN_MS = 15 * 60_000;

/**
 * ISO 8601 times with a zone's offset at each instant (2027-01-12T09:00:03.000+00:00). The offset is kept per quarter
 * hour: when both ends of the span agree no transition falls inside it; a span with a transition asks per instant.
 * A million calls print two million times, so the common case is one Map lookup and the zone clock's tables.
 */
export class ZoneTimes {
  private readonly suffixBySpan = new Map<number, string | null>();
  private readonly clock: ZoneWallClock;

  constructor(readonly zone: string) {
    this.clock = new ZoneWallClock(zone);
  }

  iso(ms: number): string {
    const span = Math.floor(ms / SPAN_MS);
    let suffix = this.suffixBySpan.get(span);
    if (suffix === undefined) {
      const first = this.offsetMinutes(span * SPAN_MS);
      suffix = first === this.offsetMinutes((span + 1) * SPAN_MS - 1) ? offsetText(first) : null;
      if (this.suffixBySpan.size > 100_000) this.suffixBySpan.clear();
      this.suffixBySpan.set(span, suffix);
    }
    if (suffix === null) {
      const offset = this.offsetMinutes(ms);
      return new Date(ms + offset * 60_000).toISOString().slice(0, 23) + offsetText(offset);
    }
    return this.clock.localText(ms + suffixOffsetMs(suffix)) + suffix;
  }

  /** The zone's offset at `ms`: its wall clock (formatWallClock) read as if it were UTC, minus the instant. */
  private offsetMinutes(ms: number): number {
    return Math.round((Date.parse(`${formatWallClock(new Date(ms), this.zone)}Z`) - ms) / 60_000);
  }
}

function offsetText(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const offsetMsBySuffix = new Map<string, number>();
function suffixOffsetMs(suffix: string): number {
  let ms = offsetMsBySuffix.get(suffix);
  if (ms === undefined) {
    ms = (suffix.startsWith('-') ? -1 : 1) * (Number(suffix.slice(1, 3)) * 60 + Number(suffix.slice(4, 6))) * 60_000;
    offsetMsBySuffix.set(suffix, ms);
  }
  return ms;
}

const STATUS_NAMES = new Map<number, string>(NumberStatus.members.map((member) => [member.value, member.name]));
const OUTCOME_NAMES = new Map<number, string>(CallOutcome.members.map((member) => [member.value, member.name]));
/** The call columns of a number never called. */
const NO_CALL = ','.repeat(EXPORT_COLUMNS.length - EXPORT_COLUMNS.indexOf('attempt') - 1);

/** A number's lines, with their line ends: one per call in the order given, or one with empty call columns. */
export function exportLines(entry: ExportNumber, times: ZoneTimes): string {
  const [id, number, name, parameterList, status, statusReason, calls] = entry;
  const parameters = new Array<string>(MAX_PARAMETER).fill('');
  for (const { parameter, value } of parameterList) if (parameter >= 1 && parameter <= MAX_PARAMETER) parameters[parameter - 1] = csvText(value);
  // E.164, checked on the way in: digits after a '+', which the guard would otherwise mark on every line.
  const prefix = `${id},${number},${csvText(name)},${parameters.join(',')},${STATUS_NAMES.get(status) ?? status},${csvText(statusReason)},`;
  if (calls.length === 0) return prefix + NO_CALL + LINE_END;
  let lines = '';
  for (const [attempt, startMs, endMs, durationSeconds, outcome, stage, keys, answeredBy, voicemailLeft, sipCode, endReason, price] of calls) {
    lines +=
      prefix +
      `${attempt},${times.iso(startMs)},${endMs === null ? '' : times.iso(endMs)},${durationSeconds},` +
      `${OUTCOME_NAMES.get(outcome) ?? outcome},${stage},${csvText(keys)},${csvText(answeredBy)},` +
      `${voicemailLeft},${sipCode ?? ''},${csvText(endReason)},${price}${LINE_END}`;
  }
  return lines;
}
