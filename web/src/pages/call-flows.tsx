// The client's call flows: list, view, edit the flow document (the server's validation messages listed by path), and
// preview what it says for a sample number, spoken by the server's text-to-speech where it has one.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, apiBlob } from '../api.js';
import type { CallFlow } from '../types.js';
import { href } from '../router.js';
import { ProblemView } from '../components/problem-view.js';
import { Field, messagesUnder } from '../components/field.js';

export function CallFlows() {
  const [flows, setFlows] = useState<CallFlow[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    api<CallFlow[]>('/api/callflows').then(setFlows, setError);
  }, []);
  return (
    <section>
      <h1>Call flows</h1>
      <ProblemView error={error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Version</th>
              <th>First message</th>
            </tr>
          </thead>
          <tbody>
            {flows?.map((flow) => (
              <tr key={flow.id}>
                <td>{flow.id}</td>
                <td>
                  <a href={href(`/flows/${flow.id}`)}>{flow.name}</a>
                </td>
                <td>{flow.version}</td>
                <td>{flow.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface Preview {
  id: number;
  version: number;
  texts: { stepNumber: number; stepId: string; field: string; kind: 'speech' | 'sms'; text: string; smsParts?: number }[];
}

/**
 * View and edit one flow's name and document; saving PUTs to `path` (the client's /api/callflows/:id or the operator's
 * /api/admin/clients/:clientId/callflows/:id), which stores a new version. The server's messages are shown beside the
 * name and under the document, by path. `onSaved` lets the page around it refresh (the operator's version list).
 */
export function FlowEditor({ path, backHref, backLabel, onSaved }: { path: string; backHref: string; backLabel: string; onSaved?: (flow: CallFlow) => void }) {
  const [flow, setFlow] = useState<CallFlow | null>(null);
  const [name, setName] = useState('');
  const [document, setDocument] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState('');

  useEffect(() => {
    api<CallFlow>(path).then((loaded) => {
      setFlow(loaded);
      setName(loaded.name);
      setDocument(JSON.stringify(loaded.flow, null, 2));
    }, setError);
  }, [path]);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaveError(null);
    setSaved('');
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch (caught) {
      setSaveError(new ApiError({ status: 400, title: 'The flow document is not valid JSON', errors: { flow: [`is not valid JSON: ${(caught as Error).message}`] } }));
      return;
    }
    try {
      const updated = await api<CallFlow>(path, { method: 'PUT', body: { name, flow: parsed } });
      setFlow(updated);
      setSaved(`Saved as version ${updated.version}. Campaigns created before keep the version they were created with.`);
      onSaved?.(updated);
    } catch (caught) {
      setSaveError(caught as ApiError);
    }
  };

  if (error) return <ProblemView error={error} />;
  if (!flow) return <p>Loading…</p>;
  const errors = saveError?.problem?.errors;
  const documentMessages = Object.entries(errors ?? {})
    .filter(([key]) => key.toLowerCase() !== 'name')
    .map(([key, messages]) => `${key}: ${messages.join(' ')}`);
  return (
    <>
      <div class="title-row">
        <h1>
          {flow.name} <small>version {flow.version}</small>
        </h1>
        <a href={backHref}>{backLabel}</a>
      </div>
      <form onSubmit={save} aria-label="Edit the call flow" novalidate>
        <Field id="flow-name" label="Flow name" messages={messagesUnder(errors, 'name', true)}>
          <input id="flow-name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={messagesUnder(errors, 'name', true).length > 0} />
        </Field>
        <Field id="flow-document" label="Flow document (JSON)" messages={documentMessages}>
          <textarea
            id="flow-document"
            class="code"
            rows={18}
            spellcheck={false}
            value={document}
            onInput={(e) => setDocument(e.currentTarget.value)}
            aria-invalid={documentMessages.length > 0}
            aria-describedby={documentMessages.length > 0 ? 'flow-document-error-0' : undefined}
          />
        </Field>
        {saveError && !errors && <ProblemView error={saveError} />}
        {saved && <p role="status">{saved}</p>}
        <button type="submit">Save a new version</button>
      </form>
    </>
  );
}

export function CallFlowView({ id }: { id: number }) {
  const [sampleName, setSampleName] = useState('Alex');
  const [sampleParameters, setSampleParameters] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);

  const runPreview = async (event: Event) => {
    event.preventDefault();
    setPreviewError(null);
    // "1=value" per line -> [{parameter, value}]
    const parameters = sampleParameters
      .split('\n')
      .map((line) => line.match(/^\s*(\d)\s*=\s*(.+)$/))
      .filter((match): match is RegExpMatchArray => match !== null)
      .map((match) => ({ parameter: Number(match[1]), value: match[2]!.trim() }));
    try {
      setPreview(await api<Preview>(`/api/callflows/${id}/preview`, { body: { name: sampleName, parameters } }));
    } catch (caught) {
      setPreviewError(caught as ApiError);
    }
  };

  return (
    <section>
      <FlowEditor path={`/api/callflows/${id}`} backHref={href('/flows')} backLabel="All call flows" />
      <form onSubmit={runPreview} aria-label="Preview the call flow" class="card wide">
        <h2>Preview for a sample number</h2>
        <label for="sample-name">Name</label>
        <input id="sample-name" value={sampleName} onInput={(e) => setSampleName(e.currentTarget.value)} />
        <label for="sample-parameters">Parameters, one per line as 1=value</label>
        <textarea id="sample-parameters" rows={3} value={sampleParameters} onInput={(e) => setSampleParameters(e.currentTarget.value)} />
        <button type="submit">Preview</button>
        <ProblemView error={previewError} />
        {preview && (
          <ol class="preview">
            {preview.texts.map((entry, index) => (
              <li key={index}>
                <strong>
                  {entry.stepId} ({entry.kind === 'sms' ? `SMS, ${entry.smsParts ?? 1} part(s)` : 'spoken'}):
                </strong>{' '}
                {entry.text} {entry.kind === 'speech' && <Speak flowId={id} text={entry.text} />}
              </li>
            ))}
          </ol>
        )}
      </form>
    </section>
  );
}

/** Plays a text as the server's text-to-speech renders it; says why when the server cannot. */
function Speak({ flowId, text }: { flowId: number; text: string }) {
  const [state, setState] = useState<'idle' | 'loading' | 'playing' | string>('idle');
  const play = async () => {
    setState('loading');
    try {
      const speech = await apiBlob(`/api/callflows/${flowId}/speech`, { body: { text }, accept: 'audio/*' });
      const url = URL.createObjectURL(speech);
      const audio = new Audio(url);
      audio.onended = () => {
        URL.revokeObjectURL(url);
        setState('idle');
      };
      setState('playing');
      await audio.play();
    } catch (caught) {
      // An ApiError's message is the problem's detail (or title): why the server cannot render it.
      setState((caught as Error).message);
    }
  };
  if (state !== 'idle' && state !== 'loading' && state !== 'playing') return <small class="hint">({state})</small>;
  return (
    <button type="button" class="secondary small" onClick={play} disabled={state !== 'idle'} aria-label={`Listen: ${text.slice(0, 40)}`}>
      {state === 'idle' ? 'Listen' : state === 'loading' ? 'Rendering…' : 'Playing…'}
    </button>
  );
}
