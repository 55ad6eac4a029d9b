// One campaign, live: the summary arrives as server-sent events (at least once a second while the campaign runs) and
// the buttons use the lifecycle endpoints, showing their 409s as the server words them.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, readEvents } from '../api.js';
import { CallOutcome, CampaignStatus, NumberStatus } from '../../../src/domain/enums.js';
import type { AddedPhoneNumbers, CampaignDetail, CampaignListItem, CampaignSummary } from '../types.js';
import { href } from '../router.js';
import { campaignStatusName, formatInteger, formatMoney, formatPercent, formatSeconds, words } from '../format.js';
import { ProgressBar } from '../components/progress-bar.js';
import { CallsChart } from '../components/calls-chart.js';
import { ProblemView } from '../components/problem-view.js';
import { downloadExport } from './export-download.js';

const FINISHED: ReadonlySet<number> = new Set([CampaignStatus.Completed, CampaignStatus.Cancelled]);
/** After the stream drops (a restart, a network blip) the page reconnects after this long. */
const RECONNECT_MS = 2_000;

export function CampaignLive({ id }: { id: number }) {
  const [detail, setDetail] = useState<CampaignDetail | null>(null);
  const [summary, setSummary] = useState<CampaignSummary | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [connected, setConnected] = useState(false);
  const [busy, setBusy] = useState('');

  useEffect(() => {
    api<CampaignDetail>(`/api/campaigns/voice/${id}`).then(setDetail, setError);
  }, [id]);

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      readEvents(
        `/api/campaigns/voice/${id}/live`,
        (event, data) => {
          if (event === 'summary') {
            setSummary(JSON.parse(data) as CampaignSummary);
            setConnected(true);
          }
        },
        abort.signal,
      ).then(
        () => setConnected(false),
        (caught: Error) => {
          setConnected(false);
          if (caught.name === 'AbortError') return;
          if (caught instanceof ApiError && caught.status === 404) setError(caught);
          else timer = setTimeout(connect, RECONNECT_MS);
        },
      );
    };
    connect();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [id]);

  const act = async (action: 'pause' | 'resume' | 'cancel') => {
    if (action === 'cancel' && !window.confirm('Cancel this campaign? No further calls will be made.')) return;
    setBusy(action);
    setActionError(null);
    try {
      // The answer is the campaign as the list shows it (no attempts or runover days): only its status is taken, shown
      // at once; the stream's next summary (within a second) says the same.
      const { campaignStatus } = await api<CampaignListItem>(`/api/campaigns/voice/${id}/${action}`, { method: 'POST' });
      setDetail((current) => (current ? { ...current, campaignStatus } : current));
      setSummary((current) => (current ? { ...current, campaignStatus } : current));
    } catch (caught) {
      setActionError(caught as ApiError);
    } finally {
      setBusy('');
    }
  };

  if (error) return <ProblemView error={error} />;
  const status = summary?.campaignStatus ?? detail?.campaignStatus;
  const finished = status !== undefined && FINISHED.has(status);
  return (
    <section>
      <div class="title-row">
        <h1>{detail?.name ?? summary?.name ?? `Campaign ${id}`}</h1>
        {status !== undefined && <span class={`status status-${status}`}>{campaignStatusName(status)}</span>}
        <span class={connected ? 'live on' : 'live'} aria-live="polite">
          {connected ? (finished ? 'Final figures' : 'Live') : 'Connecting…'}
        </span>
      </div>
      {detail && (
        <p class="meta">
          {detail.startDate.slice(0, 10)} {detail.starttime}–{detail.finishtime} ({detail.timeZone})
          {detail.runOverDays.length > 0 && `, ${detail.runOverDays.length} runover day(s)`} · attempts at{' '}
          {detail.attempts.map((attempt) => `${attempt.interval} min`).join(', ')}
        </p>
      )}
      <div class="actions">
        <button type="button" disabled={busy !== '' || finished || status === CampaignStatus.Paused} onClick={() => act('pause')}>
          Pause
        </button>
        <button type="button" disabled={busy !== '' || status !== CampaignStatus.Paused} onClick={() => act('resume')}>
          Resume
        </button>
        <button type="button" class="danger" disabled={busy !== '' || finished} onClick={() => act('cancel')}>
          Cancel campaign
        </button>
        <a class="button secondary" href={href(`/campaigns/${id}/calls`)}>
          Calls
        </a>
        <button type="button" class="secondary" onClick={() => downloadExport(id).catch(setActionError)}>
          Download results (CSV)
        </button>
      </div>
      <ProblemView error={actionError} />
      {summary ? <SummaryView summary={summary} /> : <p>Loading the campaign's figures…</p>}
      {!finished && <AddNumbers id={id} />}
    </section>
  );
}

function SummaryView({ summary }: { summary: CampaignSummary }) {
  const { numbers, calls, abandonedCalls24h: abandoned, pacing } = summary;
  const answered = calls.byOutcome.Answered ?? 0;
  return (
    <>
      <div class="cards">
        <div class="card">
          <h2>Numbers</h2>
          <ProgressBar done={numbers.finished} total={numbers.total} label="Numbers finished" />
          <p class="big">
            {formatInteger(numbers.finished)} / {formatInteger(numbers.total)} finished
          </p>
        </div>
        <div class="card">
          <h2>Calls</h2>
          <p class="big">{formatInteger(calls.total)}</p>
          <p>
            {calls.total > 0 ? formatPercent(answered / calls.total) : '–'} answered · {formatSeconds(calls.secondsTotal)} talk · {formatMoney(calls.cost)}
          </p>
        </div>
        <div class="card">
          <h2>Pacing now</h2>
          <p class="big">
            {formatInteger(pacing.linesInUse)} / {formatInteger(pacing.maxConcurrentCalls)} lines
          </p>
          <p>at most {pacing.maxCallsPerSecond} new calls a second</p>
        </div>
        <div class="card">
          <h2>Abandoned calls (24 h)</h2>
          <p class={abandoned.ratePercent >= 3 ? 'big warn' : 'big'}>{abandoned.ratePercent.toFixed(2)}%</p>
          <p>
            {formatInteger(abandoned.abandoned)} abandoned of {formatInteger(abandoned.live + abandoned.abandoned)} live-answered (Ofcom limit 3%)
          </p>
        </div>
      </div>
      <div class="card wide">
        <h2>Calls per minute ({summary.timeZone})</h2>
        <CallsChart points={summary.callsPerMinute} timeZone={summary.timeZone} />
      </div>
      <div class="cards">
        <div class="card">
          <h2>Numbers by status</h2>
          <Counts names={NumberStatus.members.map((member) => member.name)} counts={numbers.byStatus} />
        </div>
        <div class="card">
          <h2>Call outcomes</h2>
          <Counts names={CallOutcome.members.map((member) => member.name)} counts={calls.byOutcome} />
        </div>
        <div class="card">
          <h2>Answered by (AMD)</h2>
          <Counts names={['human', 'machine']} counts={calls.answeredBy} />
        </div>
      </div>
    </>
  );
}

function Counts({ names, counts }: { names: string[]; counts: Record<string, number> }) {
  return (
    <table class="counts">
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <th scope="row">{words(name)}</th>
            <td class="num">{formatInteger(counts[name] ?? 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** More numbers for a campaign that has not finished: typed one per line (the CSV form is on the new-campaign page). */
function AddNumbers({ id }: { id: number }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<AddedPhoneNumbers | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const phoneNumbers = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((number) => ({ number }));
    setError(null);
    try {
      setResult(await api<AddedPhoneNumbers>(`/api/campaigns/voice/${id}/phonenumbers`, { body: { phoneNumbers } }));
      setText('');
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  return (
    <details class="card wide">
      <summary>Add numbers</summary>
      <form onSubmit={submit}>
        <label for="more-numbers">Numbers, one per line</label>
        <textarea id="more-numbers" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={text.trim() === ''}>
          Add
        </button>
      </form>
      <ProblemView error={error} />
      {result && (
        <p role="status">
          Added {result.added}; already in the campaign {result.alreadyInCampaign.length}; left out {result.invalidPhoneNumbers.length}.
        </p>
      )}
    </details>
  );
}
