// The one primitive under every SIP timer (transaction timers, the user agent's timers, the ring timeout): call
// `fire` after `delayMs` of the injected clock's time unless cancelled first.
//
// On the system clock it is a plain setTimeout. Going through clock.sleep costs an AbortController, an AbortSignal
// listener and, on every cancel, a DOMException with a captured stack (abort() without a reason builds one): about
// 20 us per timer, and a call starts and cancels a dozen timers (A, B, D, E, F, K, the ring timeout...), which made
// timers a fifth of the main thread's time per call in the SIP benchmark's profile. Other clocks (the virtual clock of
// the tests and the demo) keep the generic path, with a shared abort reason so that cancelling builds no exception.
import { systemClock, type Clock } from '../../domain/clock.js';

/** The abort reason of a cancelled timer: never seen by anyone (the sleep's rejection is swallowed). */
const TIMER_CANCELLED: unknown = Object.freeze({ cancelled: true });

/** Starts the timer; the returned function cancels it (idempotent, harmless after it fired). */
export function clockTimeout(clock: Clock, delayMs: number, fire: () => void): () => void {
  if (clock === systemClock) {
    const timer = setTimeout(fire, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  }
  const abort = new AbortController();
  clock.sleep(Math.max(0, delayMs), abort.signal).then(
    () => {
      if (!abort.signal.aborted) fire();
    },
    () => {
      // Aborted: the timer was cancelled.
    },
  );
  return () => abort.abort(TIMER_CANCELLED);
}
