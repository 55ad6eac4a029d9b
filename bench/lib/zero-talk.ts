// The simulated carrier's settings for the dialer benchmarks' processes (bench/lib/dialer-worker.ts): zero talk time.
// Types only from the sources, so that the worker, which runs the built dialer (dist/), loads nothing of src/.
import type { OutcomeMix, TalkSettings } from '../../src/telephony/simulated/simulated-carrier.js';

/**
 * Zero talk time: every wait of the simulated network and callee is 0 ms. No-answer is left out of the mix, since an
 * unanswered call rings for the whole ring timeout (at least 15 s, Ofcom) whatever the talk settings say.
 */
export const ZERO_TALK: Partial<TalkSettings> = {
  answerRingMs: { minMs: 0, maxMs: 0 },
  rejectRingMs: { minMs: 0, maxMs: 0 },
  earlyFailureMs: { minMs: 0, maxMs: 0 },
  greetingMs: { minMs: 0, maxMs: 0 },
  machineRecordMaxMs: 0,
  humanHangUpProbability: 0,
  humanHangUpAfterMs: { minMs: 0, maxMs: 0 },
  minSayMs: 0,
  wordsPerMinute: 1e12,
  keyDelayMs: 0,
  interDigitMs: 0,
};
export const ZERO_TALK_MIX: OutcomeMix = { human: 55, busy: 10, noAnswer: 0, machine: 12, failed: 5, rejected: 3 };
