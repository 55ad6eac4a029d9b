// Who is signed in: a client API key (client view) or the operator token (operator view). Kept in sessionStorage,
// so it lives as long as the browser tab and is gone when the tab closes; signing out forgets it at once.
export type Role = 'client' | 'operator';

export interface Session {
  role: Role;
  /** The API key or the operator token, sent as a Bearer token. */
  token: string;
  /** What the sign-in found out about the key (client name or "Operator"), for the header. */
  label: string;
}

const STORAGE_KEY = 'ringcast.session';

export function loadSession(): Session | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    return saved && (saved.role === 'client' || saved.role === 'operator') && typeof saved.token === 'string' ? saved : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
