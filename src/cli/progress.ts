// Progress shown on a terminal by `ringcast campaigns`: a status line rewritten in place (carriage return, clear to
// end of line), the upload bar of `create --csv` and `add-csv`, and the line of `watch`. The formatters are pure, so
// tests read their text; LiveLine is the only part that writes.
import type { Static } from '@sinclair/typebox';
import type { CampaignSummarySchema } from '../api/schemas/campaign-summary.js';
import { CampaignStatus } from '../domain/enums.js';
import type { FileProgress } from './multipart-upload.js';

export type CampaignSummary = Static<typeof CampaignSummarySchema>;

/** A stream the CLI writes to; isTTY says whether a person is watching it (Node sets it on process.stdout/stderr). */
export interface TerminalStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Carriage return, then ECMA-48 "erase in line" (to its end): the next text replaces the line. */
const REWRITE = '\r\x1b[K';
/** Redraws closer together than this are skipped: a terminal cannot show them and they cost the upload time. */
const MIN_REDRAW_MS = 100;
/** Room left on an 80-column terminal for the counts beside the bar. */
const BAR_WIDTH = 20;
const DEFAULT_COLUMNS = 80;

/** One line rewritten in place on a terminal; on anything else it writes nothing. */
export class LiveLine {
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: TerminalStream,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Shows `text` unless the last redraw was under MIN_REDRAW_MS ago (`force` draws anyway). */
  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = this.nowMs();
    if (!force && now - this.lastDrawMs < MIN_REDRAW_MS) return;
    this.lastDrawMs = now;
    this.drawn = true;
    // Cut to the terminal's width: a wrapped line cannot be rewritten by a carriage return.
    this.stream.write(REWRITE + text.slice(0, (this.stream.columns ?? DEFAULT_COLUMNS) - 1));
  }

  /** Leaves the last text on the terminal and moves to the next line. */
  finish(text?: string): void {
    if (!this.enabled) return;
    if (text !== undefined) this.update(text, true);
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export function bar(fraction: number, width = BAR_WIDTH): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(clamped * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

const count = (n: number) => n.toLocaleString('en-GB');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** The data rows among the lines sent: the first line of a CSV is its header. */
export function rowsSent(progress: FileProgress): number {
  return Math.max(0, progress.lines - 1);
}

function rowsPerSecond(progress: FileProgress, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((rowsSent(progress) * 1000) / elapsedMs) : 0;
}

/** `[########------------]  42% 1.2 MiB/2.9 MiB 41,000 rows 20,500 rows/s` */
export function formatUploadProgress(progress: FileProgress, elapsedMs: number): string {
  const fraction = progress.totalBytes === 0 ? 1 : progress.bytes / progress.totalBytes;
  return (
    `${bar(fraction)} ${String(Math.floor(fraction * 100)).padStart(3)}% ${formatBytes(progress.bytes)}/${formatBytes(progress.totalBytes)} ` +
    `${count(rowsSent(progress))} rows ${count(rowsPerSecond(progress, elapsedMs))} rows/s`
  );
}

/** Once the whole file has gone: sent is not done, the server checks every row before it answers. */
export function formatUploadSent(progress: FileProgress, elapsedMs: number): string {
  return `Sent ${formatBytes(progress.bytes)}, ${count(rowsSent(progress))} rows (${count(rowsPerSecond(progress, elapsedMs))} rows/s); the server is checking them...`;
}

export function statusName(status: number): string {
  return CampaignStatus.members.find((member) => member.value === status)?.name ?? `status ${status}`;
}

/** The watch line's bar is shorter than the upload's: its counts need the room on an 80-column terminal. */
const WATCH_BAR_WIDTH = 12;

/** `Running   [#####-------] 120/300 numbers  calls 150  answered 40  in flight 10/10` */
export function formatWatchLine(summary: CampaignSummary): string {
  const { numbers, calls, pacing } = summary;
  const fraction = numbers.total === 0 ? 0 : numbers.finished / numbers.total;
  return (
    `${statusName(summary.campaignStatus).padEnd(9)} ${bar(fraction, WATCH_BAR_WIDTH)} ${count(numbers.finished)}/${count(numbers.total)} numbers  ` +
    `calls ${count(calls.total)}  answered ${count(calls.byOutcome.Answered ?? 0)}  ` +
    `in flight ${count(pacing.linesInUse)}/${count(pacing.maxConcurrentCalls)}`
  );
}
