// Sign in with a client's API key or the operator token. The token is tried against the API before it is kept.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import type { Session, Role } from '../session.js';
import type { CallFlow, Client } from '../types.js';
import { ProblemView } from '../components/problem-view.js';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [role, setRole] = useState<Role>('client');
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const trimmed = token.trim();
    try {
      if (role === 'operator') {
        const clients = await api<Client[]>('/api/admin/clients', { token: trimmed });
        onSignedIn({ role, token: trimmed, label: `Operator (${clients.length} clients)` });
      } else {
        await api<CallFlow[]>('/api/callflows', { token: trimmed });
        onSignedIn({ role, token: trimmed, label: `Client key ${trimmed.slice(0, 6)}…` });
      }
    } catch (caught) {
      setError(
        caught instanceof ApiError && (caught.status === 401 || caught.status === 403)
          ? new ApiError({ status: caught.status, title: role === 'operator' ? 'That operator token is not accepted' : 'That API key is not accepted', detail: caught.problem.detail ?? '' })
          : (caught as ApiError),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>Ringcast</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <fieldset>
          <legend>Sign in as</legend>
          <label>
            <input type="radio" name="role" checked={role === 'client'} onChange={() => setRole('client')} /> A client (API key)
          </label>
          <label>
            <input type="radio" name="role" checked={role === 'operator'} onChange={() => setRole('operator')} /> The operator (ADMIN_TOKEN)
          </label>
        </fieldset>
        <label for="token">{role === 'operator' ? 'Operator token' : 'API key'}</label>
        <input id="token" name="token" type="password" autoComplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <p class="hint">Kept for this browser tab only; signing out or closing the tab forgets it.</p>
        <ProblemView error={error} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
