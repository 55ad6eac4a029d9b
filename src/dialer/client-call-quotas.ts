// The maxConcurrentCalls quota per client (client_limits), as the dialer reads it: one statement for all the clients
// of the live campaigns, at most every CLIENT_CALL_QUOTA_REFRESH_MS (and at once for a client not read yet), never one
// per claim. The claim holds each client to its figure under the lock every dialer process claims under
// (DialerStore.claim), so the quota holds across processes; a lowered figure holds new claims within the refresh
// period, and calls already up are left to finish.

/** How long a process may claim under a client's old figure after the operator changed it. */
export const CLIENT_CALL_QUOTA_REFRESH_MS = 5_000;

export class ClientCallQuotas {
  private figures = new Map<number, number>();
  private readFor = new Set<number>();
  private readAtMs = Number.NEGATIVE_INFINITY;

  /** `read`: the overrides of the given clients (a client without one absent). */
  constructor(private readonly read: (clientIds: readonly number[]) => Promise<Map<number, number>>) {}

  /** Each client's maxConcurrentCalls override; a client absent has none (the CLIENT_MAX_CALLS setting holds). */
  async of(clientIds: readonly number[], nowMs: number): Promise<ReadonlyMap<number, number>> {
    const wanted = [...new Set(clientIds)];
    if (nowMs - this.readAtMs >= CLIENT_CALL_QUOTA_REFRESH_MS || wanted.some((id) => !this.readFor.has(id))) {
      this.figures = wanted.length === 0 ? new Map() : await this.read(wanted);
      this.readFor = new Set(wanted);
      this.readAtMs = nowMs;
    }
    return this.figures;
  }
}
