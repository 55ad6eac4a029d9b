// Test numbers for the simulated carrier: numbers whose callee always behaves the same way, so that every outcome and
// every call-flow branch can be reached on purpose, in tests, in the demo and from the API.
//
// They sit in Ofcom's drama range 020 7946 0000-0999 (London), which is reserved for fiction and never allocated to
// a real line, yet is a valid fixed-line number for libphonenumber, so the API accepts it like any customer number
// (07700 900xxx and 01632 960xxx are not: libphonenumber calls them invalid). Numbers of that range not listed here
// behave randomly, like any other number, per the carrier's outcome mix.
//
// This file is the one source of the table: the README's table is generated from TEST_NUMBERS and TEST_NUMBER_RANGES
// (testNumberTable below).
//
// Per-attempt behaviour reads the attempt number from the call id (`<phoneNumberId>:<attemptNumber>`, see
// ../call-id.ts); a call id without it counts as attempt 1.

import type { DialFailure } from '../carrier.js';

/** What the callee does on one attempt. */
export type CalleeBehaviour =
  | { outcome: 'busy' | 'no_answer' | 'rejected' | 'invalid_number' | 'failed' }
  | { outcome: 'machine'; greetingMs: number }
  | {
      outcome: 'human';
      /** Hangs up this long after answering; absent: listens until we hang up. */
      hangUpAfterMs?: number;
      /** Digits pressed in the 1st, 2nd, ... gather ('' presses nothing); absent or beyond the list: nothing. */
      keys?: readonly string[];
      /** How any transfer on this call ends; absent: as the transfer target number itself behaves. */
      transfer?: 'answered' | DialFailure;
      /** No audio can reach the callee until this long after the answer (a slow answer detection). */
      mediaDelayMs?: number;
    };

export interface CalleeScript {
  /** Attempt N follows entry N; the last entry repeats for later attempts. */
  attempts: readonly [CalleeBehaviour, ...CalleeBehaviour[]];
}

export interface TestNumber {
  /** As written in the UK, e.g. '020 7946 0001'. */
  national: string;
  /** As dialled, e.g. '+442079460001'. */
  e164: string;
  /** What happens, in words, for the README. */
  behaviour: string;
  script: CalleeScript;
}

export interface TestNumberRange {
  nationalFirst: string;
  nationalLast: string;
  e164First: string;
  e164Last: string;
  behaviour: string;
  script: CalleeScript;
}

/** Ring time of a scripted callee that answers or rejects. */
export const SCRIPTED_RING_MS = 3_000;
/** Time until a scripted busy, invalid-number or transient-failure reply (these never ring). */
export const SCRIPTED_EARLY_FAILURE_MS = 1_000;

const once = (behaviour: CalleeBehaviour): CalleeScript => ({ attempts: [behaviour] });

function drama(lastFour: string, behaviour: string, script: CalleeScript): TestNumber {
  return { national: `020 7946 ${lastFour}`, e164: `+44207946${lastFour}`, behaviour, script };
}

export const TEST_NUMBERS: readonly TestNumber[] = [
  drama('0001', 'Always busy (486)', once({ outcome: 'busy' })),
  drama('0002', 'Never answers: rings until the ring timeout', once({ outcome: 'no_answer' })),
  drama('0003', 'Answering machine with a 5 s greeting', once({ outcome: 'machine', greetingMs: 5_000 })),
  drama('0004', 'Answering machine with a long 25 s greeting', once({ outcome: 'machine', greetingMs: 25_000 })),
  drama('0005', 'A person answers and presses 1', once({ outcome: 'human', keys: ['1'] })),
  drama('0006', 'A person answers and presses 2', once({ outcome: 'human', keys: ['2'] })),
  drama('0007', 'A person answers and hangs up after 2 s (mid-message)', once({ outcome: 'human', hangUpAfterMs: 2_000 })),
  drama('0008', 'Rejects the call (603 Decline) after ringing', once({ outcome: 'rejected' })),
  drama('0009', 'Invalid number: the network says it does not exist (404)', once({ outcome: 'invalid_number' })),
  drama('0010', 'Transient network failure (503)', once({ outcome: 'failed' })),
  drama('0011', 'Busy on attempts 1 and 2, then a person answers', {
    attempts: [{ outcome: 'busy' }, { outcome: 'busy' }, { outcome: 'human' }],
  }),
  drama('0012', 'A person answers, presses 1, then 2 in the second gather', once({ outcome: 'human', keys: ['1', '2'] })),
  drama(
    '0013',
    'A person answers and presses 2; a transfer is answered',
    once({ outcome: 'human', keys: ['2'], transfer: 'answered' }),
  ),
  drama('0014', 'No answer on attempt 1, then a person answers', {
    attempts: [{ outcome: 'no_answer' }, { outcome: 'human' }],
  }),
  drama(
    '0015',
    'A person answers and presses 2; a transfer fails (target busy)',
    once({ outcome: 'human', keys: ['2'], transfer: 'busy' }),
  ),
  drama('0016', 'A person answers, presses 9 (invalid), then 1 when prompted again', once({ outcome: 'human', keys: ['9', '1'] })),
  drama('0017', 'A person answers, presses nothing, then 1 when prompted again', once({ outcome: 'human', keys: ['', '1'] })),
  drama(
    '0018',
    'A person answers, but our first audio can start only 2.5 s later: an abandoned call (Ofcom 2 s rule)',
    once({ outcome: 'human', mediaDelayMs: 2_500 }),
  ),
];

export const TEST_NUMBER_RANGES: readonly TestNumberRange[] = [
  {
    nationalFirst: '020 7946 0900',
    nationalLast: '020 7946 0999',
    e164First: '+442079460900',
    e164Last: '+442079460999',
    behaviour: 'A person answers, presses nothing and listens to the end (for CLIs and demos)',
    script: once({ outcome: 'human' }),
  },
];

const byE164 = new Map(TEST_NUMBERS.map((testNumber) => [testNumber.e164, testNumber.script]));

/** The script of a test number, or undefined for a number that behaves randomly. */
export function testNumberScript(e164: string): CalleeScript | undefined {
  const single = byE164.get(e164);
  if (single) return single;
  // Every range is one country code and the same number of digits, so string order is numeric order.
  const range = TEST_NUMBER_RANGES.find(
    (r) => e164.length === r.e164First.length && e164 >= r.e164First && e164 <= r.e164Last && /^\+\d+$/.test(e164),
  );
  return range?.script;
}

/** What the callee does on attempt `attemptNumber` (1-based) of a script. */
export function behaviourForAttempt(script: CalleeScript, attemptNumber: number): CalleeBehaviour {
  const index = Math.min(Math.max(1, Math.floor(attemptNumber)), script.attempts.length) - 1;
  return script.attempts[index] ?? script.attempts[0];
}

/** The Markdown table for the README. */
export function testNumberTable(): string {
  const rows = [
    ...TEST_NUMBERS.map((t) => `| ${t.national} | \`${t.e164}\` | ${t.behaviour} |`),
    ...TEST_NUMBER_RANGES.map(
      (r) => `| ${r.nationalFirst} to ${r.nationalLast.slice(-4)} | \`${r.e164First}\`-\`${r.e164Last.slice(-3)}\` | ${r.behaviour} |`,
    ),
  ];
  return ['| number | E.164 | behaviour |', '|---|---|---|', ...rows].join('\n');
}
