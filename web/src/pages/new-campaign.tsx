// A campaign from a form: every documented field, the numbers typed or uploaded as CSV (mapped and previewed before
// sending), and the server's validation messages shown beside the field each one names.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, upload } from '../api.js';
import { AttemptSelector } from '../../../src/domain/enums.js';
import type { CallFlow, Cli, CreatedCampaign } from '../types.js';
import { navigate } from '../router.js';
import { formatInteger, words } from '../format.js';
import { Field, messagesUnder } from '../components/field.js';
import { ProblemView } from '../components/problem-view.js';
import { ProgressBar } from '../components/progress-bar.js';
import { CsvMapping, type CsvChoice } from './csv-mapping.js';
import { CallingHoursEditor, callingHoursBody, EMPTY_CALLING_HOURS, type CallingHoursDraft } from '../components/calling-hours-editor.js';

interface RunoverDay {
  date: string;
  startTime: string;
  finishTime: string;
}

/** The answer of POST /api/campaigns/voice/csv (the parts the page shows). */
interface CsvCreated {
  id: number;
  rows: number;
  numbersAdded: number;
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

export function NewCampaign() {
  const [flows, setFlows] = useState<CallFlow[]>([]);
  const [clis, setClis] = useState<Cli[]>([]);
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState('Europe/London');
  const [startDate, setStartDate] = useState(tomorrow);
  const [startTime, setStartTime] = useState('09:00');
  const [finishTime, setFinishTime] = useState('17:00');
  const [runoverDays, setRunoverDays] = useState<RunoverDay[]>([]);
  const [flowId, setFlowId] = useState('');
  const [cliId, setCliId] = useState('');
  const [intervals, setIntervals] = useState<string[]>(['0']);
  const [answerPhone, setAnswerPhone] = useState(String(AttemptSelector.Never));
  const [smsOnBusy, setSmsOnBusy] = useState(String(AttemptSelector.Never));
  const [marketing, setMarketing] = useState(false);
  const [callingHours, setCallingHours] = useState<CallingHoursDraft>(EMPTY_CALLING_HOURS);
  const [source, setSource] = useState<'csv' | 'typed'>('csv');
  const [typed, setTyped] = useState('');
  const [csv, setCsv] = useState<CsvChoice | null>(null);
  const [ignoreInvalid, setIgnoreInvalid] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [sent, setSent] = useState<number | null>(null);

  useEffect(() => {
    api<CallFlow[]>('/api/callflows').then((list) => {
      setFlows(list);
      if (list[0]) setFlowId((current) => current || String(list[0]!.id));
    }, setError);
    api<Cli[]>('/api/clis').then((list) => {
      setClis(list);
      if (list[0]) setCliId((current) => current || String(list[0]!.id));
    }, setError);
  }, []);

  const fields = useMemo(
    () => ({
      name,
      timeZone,
      startDate,
      startTime,
      finishTime,
      runoverDays,
      callflow_Id: Number(flowId),
      defaultCli_Id: Number(cliId),
      attempts: intervals.map((interval, index) => ({ interval: Number(interval), attemptNumber: index + 1 })),
      answerMachineDetected: Number(answerPhone),
      smsOnBusy: Number(smsOnBusy),
      marketing,
      callingHours: callingHoursBody(callingHours),
    }),
    [name, timeZone, startDate, startTime, finishTime, runoverDays, flowId, cliId, intervals, answerPhone, smsOnBusy, marketing, callingHours],
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      let id: number;
      if (source === 'csv') {
        if (!csv) throw new ApiError({ status: 400, title: 'Choose a CSV file of numbers first' });
        const form = new FormData();
        form.append('campaign', JSON.stringify(fields));
        form.append('columns', JSON.stringify(csv.mapping));
        form.append('file', csv.file, csv.file.name);
        setSent(0);
        const created = await upload<CsvCreated>(`/api/campaigns/voice/csv${ignoreInvalid ? '?ignoreInvalidPhoneNumbers=true' : ''}`, form, setSent);
        id = created.id;
      } else {
        const phoneNumbers = typed
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '')
          .map((line) => {
            const [number = '', ...rest] = line.split(',').map((part) => part.trim());
            return rest[0] ? { number, name: rest[0] } : { number };
          });
        const created = await api<CreatedCampaign>(`/api/campaigns/voice${ignoreInvalid ? '/true' : ''}`, { body: { ...fields, phoneNumbers } });
        id = created.id;
      }
      navigate(`/campaigns/${id}`);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setSent(null);
    }
  };

  const errors = error?.problem?.errors;
  const at = (path: string, exact = false) => messagesUnder(errors, path, exact);
  const numberErrors = Object.entries(errors ?? {}).filter(([path]) => /^(phonenumbers|file|columns)/i.test(path));
  return (
    <section>
      <h1>New campaign</h1>
      <form onSubmit={submit} aria-label="New campaign" novalidate>
        <div class="grid">
          <Field id="name" label="Name" messages={at('Name')}>
            <input id="name" value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={100} required />
          </Field>
          <Field id="timeZone" label="Time zone" messages={at('TimeZone')} hint="IANA zone, e.g. Europe/London">
            <input id="timeZone" value={timeZone} onInput={(e) => setTimeZone(e.currentTarget.value)} />
          </Field>
          <Field id="startDate" label="Start date" messages={at('StartDate')}>
            <input id="startDate" type="date" value={startDate} onInput={(e) => setStartDate(e.currentTarget.value)} />
          </Field>
          <Field id="startTime" label="Daily window opens" messages={at('StartTime')}>
            <input id="startTime" type="time" value={startTime} onInput={(e) => setStartTime(e.currentTarget.value)} />
          </Field>
          <Field id="finishTime" label="Daily window closes" messages={at('FinishTime')}>
            <input id="finishTime" type="time" value={finishTime} onInput={(e) => setFinishTime(e.currentTarget.value)} />
          </Field>
          <Field id="flow" label="Call flow" messages={at('CallFlow_Id')}>
            <select id="flow" value={flowId} onChange={(e) => setFlowId(e.currentTarget.value)}>
              {flows.map((flow) => (
                <option key={flow.id} value={String(flow.id)}>
                  {flow.name} (#{flow.id})
                </option>
              ))}
            </select>
          </Field>
          <Field id="cli" label="Caller ID (CLI)" messages={at('DefaultCli_Id')}>
            <select id="cli" value={cliId} onChange={(e) => setCliId(e.currentTarget.value)}>
              {clis.map((cli) => (
                <option key={cli.id} value={String(cli.id)}>
                  {cli.number} {cli.label ? `(${cli.label})` : ''}
                </option>
              ))}
            </select>
          </Field>
          <Field id="answerPhone" label="Leave the answerphone message" messages={at('AnswerPhoneMessage')}>
            <SelectorInput id="answerPhone" value={answerPhone} onChange={setAnswerPhone} />
          </Field>
          <Field id="smsOnBusy" label="Send the SMS when busy" messages={at('SMSOnBusy')}>
            <SelectorInput id="smsOnBusy" value={smsOnBusy} onChange={setSmsOnBusy} />
          </Field>
          <div class="field">
            <label>
              <input type="checkbox" checked={marketing} onChange={(e) => setMarketing(e.currentTarget.checked)} /> Marketing campaign (numbers
              also screened against TPS and CTPS)
            </label>
            {at('Marketing').map((message) => (
              <small class="error">{message}</small>
            ))}
          </div>
        </div>

        <fieldset>
          <legend>Attempts (minutes after the previous attempt ended)</legend>
          {intervals.map((interval, index) => (
            <Field key={index} id={`attempt-${index}`} label={`Attempt ${index + 1}`} messages={at(`Attempts[${index}]`)}>
              <span class="row">
                <input id={`attempt-${index}`} type="number" min={0} value={interval} onInput={(e) => setIntervals(intervals.map((v, i) => (i === index ? e.currentTarget.value : v)))} />
                {intervals.length > 1 && (
                  <button type="button" class="secondary" onClick={() => setIntervals(intervals.filter((_, i) => i !== index))} aria-label={`Remove attempt ${index + 1}`}>
                    Remove
                  </button>
                )}
              </span>
            </Field>
          ))}
          {at('Attempts', true).map((message) => (
            <small class="error">{message}</small>
          ))}
          <button type="button" class="secondary" onClick={() => setIntervals([...intervals, '60'])}>
            Add an attempt
          </button>
        </fieldset>

        <fieldset>
          <legend>Runover days (extra calling days)</legend>
          {runoverDays.map((day, index) => {
            const change = (patch: Partial<RunoverDay>) => setRunoverDays(runoverDays.map((d, i) => (i === index ? { ...d, ...patch } : d)));
            return (
              <Field key={index} id={`runover-${index}`} label={`Runover day ${index + 1}`} messages={at(`RunoverDays[${index}]`)}>
                <span class="row">
                  <input id={`runover-${index}`} type="date" value={day.date} onInput={(e) => change({ date: e.currentTarget.value })} aria-label="Date" />
                  <input type="time" value={day.startTime} onInput={(e) => change({ startTime: e.currentTarget.value })} aria-label="Opens" />
                  <input type="time" value={day.finishTime} onInput={(e) => change({ finishTime: e.currentTarget.value })} aria-label="Closes" />
                  <button type="button" class="secondary" onClick={() => setRunoverDays(runoverDays.filter((_, i) => i !== index))}>
                    Remove
                  </button>
                </span>
              </Field>
            );
          })}
          <button type="button" class="secondary" onClick={() => setRunoverDays([...runoverDays, { date: startDate, startTime, finishTime }])}>
            Add a runover day
          </button>
        </fieldset>

        <CallingHoursEditor value={callingHours} onChange={setCallingHours} errors={errors} />

        <fieldset>
          <legend>Numbers</legend>
          <label>
            <input type="radio" name="source" checked={source === 'csv'} onChange={() => setSource('csv')} /> Upload a CSV file
          </label>
          <label>
            <input type="radio" name="source" checked={source === 'typed'} onChange={() => setSource('typed')} /> Type them
          </label>
          {source === 'csv' ? (
            <CsvMapping onChange={setCsv} />
          ) : (
            <Field id="typed" label="One number per line, optionally followed by a comma and the name" messages={[]}>
              <textarea id="typed" rows={6} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
            </Field>
          )}
          <label>
            <input type="checkbox" checked={ignoreInvalid} onChange={(e) => setIgnoreInvalid(e.currentTarget.checked)} /> Leave out invalid numbers
            instead of refusing the campaign
          </label>
          {numberErrors.length > 0 && (
            <div class="problem" role="alert">
              <strong>Numbers the server refused</strong>
              <ul>
                {numberErrors.slice(0, 50).map(([path, messages]) => (
                  <li key={path}>
                    <code>{path}</code>: {messages.join(' ')}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </fieldset>

        {error && !errors && <ProblemView error={error} />}
        {errors && <p class="error" role="alert">The campaign was not created: {formatInteger(Object.keys(errors).length)} field(s) need changing (see above).</p>}
        {sent !== null && (
          <div>
            <ProgressBar done={Math.round(sent * 100)} total={100} label="Upload" />
            <small>{sent < 1 ? `Uploading… ${Math.round(sent * 100)}%` : 'Checking and storing the numbers…'}</small>
          </div>
        )}
        <button type="submit" disabled={sent !== null}>
          Create campaign
        </button>
      </form>
    </section>
  );
}

function SelectorInput({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      {AttemptSelector.members.map((member) => (
        <option key={member.value} value={String(member.value)}>
          {words(member.name)}
        </option>
      ))}
    </select>
  );
}
