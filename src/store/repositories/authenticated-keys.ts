// Recently authenticated API keys, so that a burst of requests with one key does not look the key up in the database
// every time (issue 10: the lookup was one of the round trips of every request).
//
// Revocation still takes effect promptly: a revoke or a client delete made through the same process (the API, the
// operator routes) empties the cache at once, and one made elsewhere (`ringcast admin` in another process, another
// server on the same PostgreSQL) is seen within AUTHENTICATED_KEY_TTL_MS, after which the key is looked up again.
// Only successful lookups are kept, by the key's SHA-256 digest (the key itself is never held), and the cache is
// bounded: a flood of distinct keys empties it rather than growing it.

/** How long a successful lookup is trusted: the longest a revoke made by another process can go unnoticed. */
export const AUTHENTICATED_KEY_TTL_MS = 1_000;
/** Entries kept at most; past this the cache starts again empty. */
const MAX_ENTRIES = 10_000;

/** Who a key is: its client and its own id. */
export interface AuthenticatedKey {
  clientId: number;
  apiKeyId: number;
}

export class AuthenticatedKeys {
  private readonly entries = new Map<string, { key: AuthenticatedKey; expiresAtMs: number }>();

  /** @param nowMs the wall clock in ms (real time: the bound is a real-time promise, whatever clock the app runs on). */
  constructor(private readonly nowMs: () => number = () => performance.now()) {}

  /** The client and key id of a key digest looked up less than AUTHENTICATED_KEY_TTL_MS ago, or undefined. */
  get(digest: string): AuthenticatedKey | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    if (entry.expiresAtMs > this.nowMs()) return entry.key;
    this.entries.delete(digest);
    return undefined;
  }

  remember(digest: string, key: AuthenticatedKey): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(digest, { key, expiresAtMs: this.nowMs() + AUTHENTICATED_KEY_TTL_MS });
  }

  /** After a revoke or a client delete: every key is looked up again. */
  forgetAll(): void {
    this.entries.clear();
  }
}
