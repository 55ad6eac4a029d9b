// The operator's view: clients, their API keys (a new key is shown once), caller IDs and call flows, and the carrier.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import type { ApiKey, CallFlow, Cli, Client, CreatedApiKey, CreatedClient } from '../types.js';
import { href } from '../router.js';
import { formatTimestamp } from '../format.js';
import { ProblemView } from '../components/problem-view.js';
import { CarrierPanel } from './operator-carrier.js';

export function Clients() {
  const [clients, setClients] = useState<Client[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedClient | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = () => api<Client[]>('/api/admin/clients').then(setClients, setError);
  useEffect(() => {
    void load();
  }, []);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      setCreated(await api<CreatedClient>('/api/admin/clients', { body: { name } }));
      setName('');
      await load();
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  return (
    <section>
      <h1>Clients</h1>
      <ProblemView error={error} />
      {created && <ShownOnce label={`API key of ${created.name}`} secret={created.apiKey} />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Countries beyond the UK</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {clients?.map((client) => (
              <tr key={client.id}>
                <td>{client.id}</td>
                <td>
                  <a href={href(`/clients/${client.id}`)}>{client.name}</a>
                </td>
                <td>{client.allowedCountries.join(', ') || 'none'}</td>
                <td>{String(client.createdAt).slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form onSubmit={create} class="inline" aria-label="New client">
        <label for="client-name">New client</label>
        <input id="client-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={200} />
        <button type="submit" disabled={name.trim() === ''}>
          Create
        </button>
      </form>
      <CarrierPanel />
    </section>
  );
}

/** A secret the server shows only once. */
function ShownOnce({ label, secret }: { label: string; secret: string }) {
  return (
    <div class="card shown-once" role="status">
      <strong>{label}</strong> (shown once: copy it now)
      <pre>
        <code>{secret}</code>
      </pre>
      <button type="button" class="secondary small" onClick={() => void navigator.clipboard?.writeText(secret)}>
        Copy
      </button>
    </div>
  );
}

export function ClientView({ id }: { id: number }) {
  const [client, setClient] = useState<Client | null>(null);
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [clis, setClis] = useState<Cli[]>([]);
  const [flows, setFlows] = useState<CallFlow[]>([]);
  const [newKey, setNewKey] = useState<CreatedApiKey | null>(null);
  const [cliNumber, setCliNumber] = useState('');
  const [cliLabel, setCliLabel] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const base = `/api/admin/clients/${id}`;
  const load = async () => {
    try {
      const [loadedClient, loadedKeys, loadedClis, loadedFlows] = await Promise.all([
        api<Client>(base),
        api<ApiKey[]>(`${base}/apikeys`),
        api<Cli[]>(`${base}/clis`),
        api<CallFlow[]>(`${base}/callflows`),
      ]);
      setClient(loadedClient);
      setKeys(loadedKeys);
      setClis(loadedClis);
      setFlows(loadedFlows);
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  useEffect(() => {
    void load();
  }, [id]);
  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await load();
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  return (
    <section>
      <div class="title-row">
        <h1>{client?.name ?? `Client ${id}`}</h1>
        <a href={href('/clients')}>All clients</a>
      </div>
      <ProblemView error={error} />
      <h2>API keys</h2>
      {newKey && <ShownOnce label="New API key" secret={newKey.apiKey} />}
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Starts with</th>
            <th>Created</th>
            <th>Revoked</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <td>{key.id}</td>
              <td>
                <code>{key.keyPrefix}…</code>
              </td>
              <td>{formatTimestamp(key.createdAt)}</td>
              <td>{key.revokedAt ? String(key.revokedAt).slice(0, 16).replace('T', ' ') : ''}</td>
              <td>
                {!key.revokedAt && (
                  <button
                    type="button"
                    class="danger small"
                    onClick={() => window.confirm(`Revoke key ${key.keyPrefix}…? Requests with it fail at once.`) && run(() => api(`/api/admin/apikeys/${key.id}`, { method: 'DELETE' }))}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => run(async () => setNewKey(await api<CreatedApiKey>(`${base}/apikeys`, { method: 'POST' })))}>
        Issue a new key
      </button>

      <h2>Caller IDs</h2>
      <table>
        <tbody>
          {clis.map((cli) => (
            <tr key={cli.id}>
              <td>{cli.id}</td>
              <td>{cli.number}</td>
              <td>{cli.label}</td>
              <td>
                <button type="button" class="danger small" onClick={() => run(() => api(`${base}/clis/${cli.id}`, { method: 'DELETE' }))}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="inline"
        aria-label="New caller ID"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await api(`${base}/clis`, { body: { number: cliNumber, label: cliLabel } });
            setCliNumber('');
            setCliLabel('');
          });
        }}
      >
        <label for="cli-number">Number</label>
        <input id="cli-number" value={cliNumber} onInput={(e) => setCliNumber(e.currentTarget.value)} required />
        <label for="cli-label">Label</label>
        <input id="cli-label" value={cliLabel} onInput={(e) => setCliLabel(e.currentTarget.value)} />
        <button type="submit">Add</button>
      </form>

      <h2>Call flows</h2>
      <table aria-label="Call flows">
        <tbody>
          {flows.map((flow) => (
            <tr key={flow.id}>
              <td>{flow.id}</td>
              <td>
                <a href={href(`/clients/${id}/flows/${flow.id}`)}>{flow.name}</a>
              </td>
              <td>version {flow.version}</td>
              <td>{flow.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
