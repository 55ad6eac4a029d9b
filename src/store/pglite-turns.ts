// PGlite runs its engine on the event-loop thread, and statements queued behind one another inside it (its own lock
// hands the next one on as soon as the last returns, in the same task) ran back to back with nothing else between:
// during a 100,000-number create, a batch insert followed at once by the periodic ANALYZE (9.5 + 44.8 ms), or the
// create's first two batches either side of its COMMIT (25 + 27 ms), each pair one block of 90 ms for every other
// client (bench/create-latency.ts on a 2-core AMD machine, session 30; limit 50 ms).
//
// So once the engine has run ENGINE_BUDGET_MS without the event loop coming round to its timers and its I/O, the next
// call into the engine first lets it come round. A block is then at most that budget plus one engine call, rather
// than the sum of whatever was queued. The order of statements is PGlite's own: the wait happens inside its lock.
import type { PGlite } from '@electric-sql/pglite';
import { performance } from 'node:perf_hooks';

/** Engine time after which the next call waits for the event loop to come round (timers, I/O). */
export const ENGINE_BUDGET_MS = 8;

/**
 * Resolves in a later turn of the event loop than the one it was called in. An immediate set from the timers or poll
 * phase runs in the same turn's check phase; one set from a check-phase callback runs in the next turn, after its
 * timers and I/O. Two in a row are always past a turn's end.
 */
export async function nextTurn(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Makes `client` wait for the event loop's next turn before a call into its engine once more than `budgetMs` of
 * engine time have run in this one.
 */
export function takeTurns(client: PGlite, budgetMs = ENGINE_BUDGET_MS): void {
  let engineMsThisTurn = 0;
  let endOfTurnWatched = false;
  const watchForEndOfTurn = () => {
    endOfTurnWatched = true;
    void nextTurn().then(() => {
      engineMsThisTurn = 0;
      endOfTurnWatched = false;
    });
  };
  const runSync = client.execProtocolRawSync.bind(client);
  client.execProtocolRawSync = (message: Uint8Array): Uint8Array => {
    const startedMs = performance.now();
    try {
      return runSync(message);
    } finally {
      engineMsThisTurn += performance.now() - startedMs;
      if (!endOfTurnWatched) watchForEndOfTurn();
    }
  };
  // Every way into the engine (query, exec, transaction and execProtocol go through execProtocolRaw; the prepared
  // statements' reader calls execProtocolRawStream) waits its turn once the budget is spent.
  const raw = client.execProtocolRaw.bind(client);
  client.execProtocolRaw = async (...args: Parameters<PGlite['execProtocolRaw']>) => {
    if (engineMsThisTurn > budgetMs) await nextTurn();
    return raw(...args);
  };
  const rawStream = client.execProtocolRawStream.bind(client);
  client.execProtocolRawStream = async (...args: Parameters<PGlite['execProtocolRawStream']>) => {
    if (engineMsThisTurn > budgetMs) await nextTurn();
    return rawStream(...args);
  };
}
