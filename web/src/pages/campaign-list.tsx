// The client's campaigns: sorted, filtered and paged by the server (GET /api/campaigns/voice/p), so 10,000 campaigns
// cost the browser one page.
import { useState } from 'preact/hooks';
import { useApiPage } from '../use-api-page.js';
import { CampaignStatus } from '../../../src/domain/enums.js';
import type { CampaignPage } from '../types.js';
import { href } from '../router.js';
import { campaignStatusName, formatInteger, formatMoney, formatPercent } from '../format.js';
import { ProgressBar } from '../components/progress-bar.js';
import { Pager } from '../components/pager.js';
import { ProblemView } from '../components/problem-view.js';

const PAGE_SIZE = 25;
/** Columns the server can sort by (CAMPAIGN_LIST_FIELDS), with their headings. */
const SORTABLE: [string, string][] = [
  ['name', 'Name'],
  ['campaignStatus', 'Status'],
  ['startDate', 'Window'],
  ['callCount', 'Calls'],
];

export function CampaignList() {
  const [pageIndex, setPageIndex] = useState(1);
  const [sort, setSort] = useState<{ column: string; order: 'asc' | 'desc' }>({ column: 'startDate', order: 'desc' });
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  const query = new URLSearchParams({ pageIndex: String(pageIndex), pageSize: String(PAGE_SIZE), sortColumn: sort.column, sortOrder: sort.order });
  if (name.trim()) query.set('name', name.trim());
  if (status) query.set('campaignStatus', status);
  const { data: page, error } = useApiPage<CampaignPage>(`/api/campaigns/voice/p?${query}`);

  const sortBy = (column: string) => {
    setSort((current) => ({ column, order: current.column === column && current.order === 'asc' ? 'desc' : 'asc' }));
    setPageIndex(1);
  };

  return (
    <section>
      <div class="title-row">
        <h1>Campaigns</h1>
        <a class="button" href={href('/new')}>
          New campaign
        </a>
      </div>
      <div class="filters">
        <label>
          Name contains{' '}
          <input type="search" value={name} onInput={(e) => { setName(e.currentTarget.value); setPageIndex(1); }} />
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => { setStatus(e.currentTarget.value); setPageIndex(1); }}>
            <option value="">Any</option>
            {CampaignStatus.members.map((member) => (
              <option key={member.value} value={String(member.value)}>
                {campaignStatusName(member.value)}
              </option>
            ))}
          </select>
        </label>
        {page && <span class="count">{formatInteger(page.totalRecords)} campaigns</span>}
      </div>
      <ProblemView error={error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              {SORTABLE.map(([column, label]) => (
                <th key={column} aria-sort={sort.column === column ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}>
                  <button type="button" class="sort" onClick={() => sortBy(column)}>
                    {label} {sort.column === column ? (sort.order === 'asc' ? '▲' : '▼') : ''}
                  </button>
                </th>
              ))}
              <th>Progress</th>
              <th>Answered</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {page?.items.map((item) => {
              const { progress } = item;
              return (
                <tr key={item.id}>
                  <td>
                    <a href={href(`/campaigns/${item.id}`)}>{item.name}</a>
                  </td>
                  <td>
                    <span class={`status status-${item.campaignStatus}`}>{campaignStatusName(item.campaignStatus)}</span>
                  </td>
                  <td>
                    {item.startDate.slice(0, 10)} {item.starttime}–{item.finishtime}
                  </td>
                  <td class="num">{formatInteger(item.callCount)}</td>
                  <td>
                    <ProgressBar done={progress.numbersFinished} total={progress.numbersTotal} label={`${item.name}: numbers finished`} />
                    <small>
                      {formatInteger(progress.numbersFinished)} / {formatInteger(progress.numbersTotal)}
                    </small>
                  </td>
                  <td class="num">{item.callCount > 0 ? formatPercent(progress.callsAnswered / item.callCount) : '–'}</td>
                  <td class="num">{formatMoney(progress.cost)}</td>
                </tr>
              );
            })}
            {page && page.items.length === 0 && (
              <tr>
                <td colSpan={7}>No campaigns match. <a href={href('/new')}>Create one</a>.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {page && <Pager page={pageIndex} pages={page.totalPages} onPage={setPageIndex} />}
    </section>
  );
}
