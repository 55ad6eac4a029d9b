// One campaign's numbers and their calls, a page at a time from the server (the phonenumbers listing); a row opens to
// show every call of the number in full.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { useApiPage } from '../use-api-page.js';
import type { CampaignDetail, PhoneNumberResult } from '../types.js';
import { href } from '../router.js';
import { formatMoney, formatWallClock, numberStatusName, outcomeName } from '../format.js';
import { Pager } from '../components/pager.js';
import { ProblemView } from '../components/problem-view.js';

const PAGE_SIZE = 50;

export function CallLog({ id }: { id: number }) {
  const [detail, setDetail] = useState<CampaignDetail | null>(null);
  const [pageNumber, setPageNumber] = useState(1);
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const [detailError, setDetailError] = useState<ApiError | null>(null);
  useEffect(() => {
    api<CampaignDetail>(`/api/campaigns/voice/${id}`).then(setDetail, setDetailError);
  }, [id]);
  const query = search.trim() ? `?search=${encodeURIComponent(search.trim())}` : '';
  const { data: rows, error: pageError } = useApiPage<PhoneNumberResult[]>(`/api/campaigns/voice/${id}/phonenumbers/${PAGE_SIZE}/${pageNumber}${query}`);
  const error = detailError ?? pageError;

  // The listing has no total; the campaign's number count comes with the summary, so the pager asks for one more page
  // only when this one is full.
  const pages = rows && rows.length === PAGE_SIZE ? pageNumber + 1 : pageNumber;
  return (
    <section>
      <div class="title-row">
        <h1>Calls: {detail?.name ?? `campaign ${id}`}</h1>
        <a href={href(`/campaigns/${id}`)}>Back to the campaign</a>
      </div>
      <div class="filters">
        <label>
          Number or name{' '}
          <input type="search" value={search} onInput={(e) => { setSearch(e.currentTarget.value); setPageNumber(1); }} />
        </label>
      </div>
      <ProblemView error={error} />
      <div class="table-wrap">
        <table class="calls">
          <thead>
            <tr>
              <th>Number</th>
              <th>Name</th>
              <th>Status</th>
              <th>Attempt</th>
              <th>Start</th>
              <th>Duration</th>
              <th>Outcome</th>
              <th>Stage</th>
              <th>Keys</th>
              <th>SIP cause</th>
              <th>Price</th>
            </tr>
          </thead>
          <tbody>
            {rows?.map((row) => {
              const last = row.calls[row.calls.length - 1];
              const expanded = open === row.id;
              return [
                <tr key={row.id} class="clickable" onClick={() => setOpen(expanded ? null : row.id)}>
                  <td>
                    <button type="button" class="link" aria-expanded={expanded} onClick={(e) => { e.stopPropagation(); setOpen(expanded ? null : row.id); }}>
                      {row.number}
                    </button>
                  </td>
                  <td>{row.name}</td>
                  <td>{numberStatusName(row.status)}</td>
                  <td class="num">{last?.attemptNumber ?? '–'}</td>
                  <td>{formatWallClock(last?.startTime)}</td>
                  <td class="num">{last ? `${last.secondsDuration} s` : ''}</td>
                  <td>{last ? outcomeName(last.outcome) : 'Not called yet'}</td>
                  <td class="num">{last?.stage ?? ''}</td>
                  <td>{last?.userInput ?? ''}</td>
                  <td>{last?.endReason ?? ''}</td>
                  <td class="num">{last ? formatMoney(row.calls.reduce((sum, call) => sum + call.price, 0)) : ''}</td>
                </tr>,
                expanded && (
                  <tr key={`${row.id}-detail`} class="detail">
                    <td colSpan={11}>
                      <NumberDetail row={row} />
                    </td>
                  </tr>
                ),
              ];
            })}
            {rows && rows.length === 0 && (
              <tr>
                <td colSpan={11}>No numbers on this page.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager page={pageNumber} pages={pages} onPage={setPageNumber} />
    </section>
  );
}

function NumberDetail({ row }: { row: PhoneNumberResult }) {
  return (
    <div>
      <p>
        {row.number} {row.name && `· ${row.name}`} · {numberStatusName(row.status)}
        {row.statusReason && ` (${row.statusReason})`}
        {row.parameters.length > 0 && ` · ${row.parameters.map((p) => `Parameter${p.parameter}=${p.value}`).join(', ')}`}
      </p>
      {row.calls.map((call) => (
        <dl key={call.attemptNumber} class="call">
          <dt>Attempt</dt>
          <dd>{call.attemptNumber}</dd>
          <dt>Start / end</dt>
          <dd>
            {formatWallClock(call.startTime)} – {formatWallClock(call.endTime)}
          </dd>
          <dt>Outcome</dt>
          <dd>
            {outcomeName(call.outcome)}
            {call.answeredBy && ` (answered by a ${call.answeredBy})`}
          </dd>
          <dt>Stage, keys</dt>
          <dd>
            {call.stage}, {call.userInput || 'none'}
          </dd>
          <dt>Duration, price</dt>
          <dd>
            {call.secondsDuration} s, {formatMoney(call.price)}
          </dd>
          <dt>Why it ended</dt>
          <dd>{call.endReason ?? '–'}</dd>
          <dt>Voicemail left, opted out</dt>
          <dd>
            {call.voicemailLeft ? 'yes' : 'no'}, {call.optedOut ? 'yes' : 'no'}
          </dd>
          <dt>First audio</dt>
          <dd>{call.firstAudioMs === null ? '–' : `${call.firstAudioMs} ms after answer`}</dd>
        </dl>
      ))}
      {row.sms.map((sms, index) => (
        <p key={index}>
          SMS on attempt {sms.attemptNumber} at {formatWallClock(sms.sentAt)} ({sms.parts} part(s), {sms.status}): {sms.text}
        </p>
      ))}
    </div>
  );
}
