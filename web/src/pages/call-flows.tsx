// The client's call flows: list, view, edit the flow document (the server's validation messages listed by path), and
// preview what it says for a sample number, spoken by the server's text-to-speech where it has one.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import type { CallFlow } from '../types.js';
import { href } from '../router.js';
import { ProblemView } from '../components/problem-view.js';
import { loadSession } from '../session.js';

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

export function CallFlowView({ id }: { id: number }) {
  const [flow, setFlow] = useState<CallFlow | null>(null);
  const [document, setDocument] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState('');
  const [sampleName, setSampleName] = useState('Alex');
  const [sampleParameters, setSampleParameters] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);

  useEffect(() => {
    api<CallFlow>(`/api/callflows/${id}`).then((loaded) => {
      setFlow(loaded);
      setDocument(JSON.stringify(loaded.flow, null, 2));
    }, setError);
  }, [id]);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaveError(null);
    setSaved('');
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch (caught) {
      setSaveError(new ApiError({ status: 400, title: 'The flow document is not valid JSON', detail: (caught as Error).message }));
      return;
    }
    try {
      const updated = await api<CallFlow>(`/api/callflows/${id}`, { method: 'PUT', body: { name: flow?.name, flow: parsed } });
      setFlow(updated);
      setSaved(`Saved as version ${updated.version}. Campaigns created before keep the version they were created with.`);
    } catch (caught) {
      setSaveError(caught as ApiError);
    }
  };

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

  if (error) return <ProblemView error={error} />;
  if (!flow) return <p>Loading…</p>;
  return (
    <section>
      <div class="title-row">
        <h1>
          {flow.name} <small>version {flow.version}</small>
        </h1>
        <a href={href('/flows')}>All call flows</a>
      </div>
      <form onSubmit={save} aria-label="Edit the call flow">
        <label for="flow-document">Flow document (JSON)</label>
        <textarea id="flow-document" class="code" rows={18} spellcheck={false} value={document} onInput={(e) => setDocument(e.currentTarget.value)} />
        <ProblemView error={saveError} />
        {saved && <p role="status">{saved}</p>}
        <button type="submit">Save a new version</button>
      </form>
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
      const response = await fetch(`/api/callflows/${flowId}/speech`, {
        method: 'POST',
        headers: { authorization: `Bearer ${loadSession()?.token ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      if (!response.ok) {
        const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
        setState(problem.detail ?? problem.title ?? `HTTP ${response.status}`);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const audio = new Audio(url);
      audio.onended = () => {
        URL.revokeObjectURL(url);
        setState('idle');
      };
      setState('playing');
      await audio.play();
    } catch (caught) {
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
