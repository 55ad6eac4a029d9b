// How `ringcast campaigns list`, `show` and the lifecycle commands read on a terminal. Statuses and outcomes are
// named from src/domain/enums.ts, as the API's schemas name them.
import type { Static } from '@sinclair/typebox';
import type { CampaignDetailSchema, CampaignListItemSchema, CampaignPageSchema } from '../api/schemas/campaigns.js';
import { statusName, type CampaignSummary } from './progress.js';
import { keyValues, table } from './text-output.js';

export type CampaignPage = Static<typeof CampaignPageSchema>;
export type CampaignDetail = Static<typeof CampaignDetailSchema>;
export type CampaignListItem = Static<typeof CampaignListItemSchema>;

const count = (n: number) => n.toLocaleString('en-GB');
const pounds = (gbp: number) => `£${gbp.toFixed(2)}`;

/** `Answered 5, Busy 2`: the non-zero counts of a by-name object, largest first. */
function nonZero(counts: Record<string, number>): string {
  const shown = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([name, n]) => `${name} ${count(n)}`);
  return shown.length > 0 ? ` (${shown.join(', ')})` : '';
}

export function pageText(page: CampaignPage): string {
  if (page.items.length === 0) return page.totalRecords === 0 ? 'No campaigns.' : `Page ${page.pageIndex} is past the last (${page.totalPages}).`;
  const rows = page.items.map((item) => [
    String(item.id),
    item.name,
    statusName(item.campaignStatus),
    `${item.startDate.replace('T', ' ').slice(0, 16)}-${item.finishtime}`,
    `${count(item.progress.numbersFinished)}/${count(item.progress.numbersTotal)}`,
    count(item.callCount),
    count(item.progress.callsAnswered),
    pounds(item.progress.cost),
  ]);
  const columns = ['ID', 'NAME', 'STATUS', 'STARTS', 'FINISHED', 'CALLS', 'ANSWERED', 'COST'];
  return `${table(columns, rows, new Set([0, 4, 5, 6, 7]))}\nPage ${page.pageIndex} of ${page.totalPages} (${count(page.totalRecords)} campaigns)`;
}

export function detailText(detail: CampaignDetail, summary: CampaignSummary | undefined): string {
  const { abandonedCalls24h: abandoned } = detail;
  const entries: [string, string | undefined][] = [
    ['ID', String(detail.id)],
    ['Name', detail.name],
    ['Status', `${statusName(detail.campaignStatus)} (${detail.campaignStatus})`],
    ['Starts', `${detail.startDate.replace('T', ' ').slice(0, 16)}, calls ${detail.starttime}-${detail.finishtime} (${detail.timeZone})`],
    ['Run-over days', detail.runOverDays.length > 0 ? detail.runOverDays.map((d) => `${d.date} ${d.startTime}-${d.finishTime}`).join(', ') : undefined],
    ['Attempts', detail.attempts.map((a) => (a.attemptNumber === 1 ? '1' : `${a.attemptNumber} (+${a.interval} min)`)).join(', ')],
    ['Call flow', String(detail.callFlow_Id)],
    ['CLI', String(detail.cli_Id)],
    ['Marketing', detail.marketing ? 'yes (TPS/CTPS screened)' : 'no'],
    ['Compliance note', detail.complianceNote ?? undefined],
    ['Calls placed', count(detail.callCount)],
    [
      'Abandoned (24 h)',
      `${abandoned.ratePercent}% (${count(abandoned.abandoned)} abandoned, ${count(abandoned.live)} live, ${count(abandoned.machine)} machine)`,
    ],
  ];
  if (summary) {
    entries.push(
      ['Numbers', `${count(summary.numbers.finished)}/${count(summary.numbers.total)} finished${nonZero(summary.numbers.byStatus)}`],
      ['Calls', `${count(summary.calls.total)}${nonZero(summary.calls.byOutcome)}`],
      ['Answered by', `${count(summary.calls.answeredBy.human)} people, ${count(summary.calls.answeredBy.machine)} machines`],
      ['Talk time', `${count(Math.round(summary.calls.secondsTotal / 60))} min`],
      ['Cost', pounds(summary.calls.cost)],
      ['Lines in use', `${summary.pacing.linesInUse}/${summary.pacing.maxConcurrentCalls} (at most ${summary.pacing.maxCallsPerSecond} calls/s)`],
    );
  }
  return keyValues(entries);
}

/** What pause, resume and cancel answer (the list item, after the change). */
export function changedText(action: string, item: CampaignListItem): string {
  return `Campaign ${item.id} "${item.name}": ${action}; status now ${statusName(item.campaignStatus)} (${item.campaignStatus}).`;
}
