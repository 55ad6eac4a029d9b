import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../src/domain/clock.js';
import { checkCalleeNumber } from '../../src/domain/phone-number.js';
import type { AnsweredCall, DialProgress, DialRequest, DialResult, HangupInfo } from '../../src/telephony/carrier.js';
import { attemptNumberOf, formatCallId, parseCallId } from '../../src/telephony/call-id.js';
import { sayDurationMs } from '../../src/telephony/simulated/callee-plan.js';
import { hash32, mulberry32, Rng } from '../../src/telephony/simulated/prng.js';
import {
  DEFAULT_OUTCOME_MIX,
  SimulatedCarrier,
  type OutcomeMix,
  type SimulatedCallEvent,
  type SimulatedCarrierOptions,
} from '../../src/telephony/simulated/simulated-carrier.js';
import {
  SCRIPTED_EARLY_FAILURE_MS,
  SCRIPTED_RING_MS,
  TEST_NUMBER_RANGES,
  TEST_NUMBERS,
  testNumberScript,
  testNumberTable,
} from '../../src/telephony/simulated/test-numbers.js';

// ---- virtual-time harness -------------------------------------------------------------------------------------

const START = '2025-03-03T10:00:00Z';
const RING_TIMEOUT_MS = 30_000;

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function tracked<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

/** Moves the clock from one wake-up to the next until `promise` settles; fails if nothing is left to wake. */
async function drive<T>(clock: VirtualClock, promise: Promise<T>, limitMs = 3_600_000): Promise<T> {
  const state = tracked(promise);
  const deadline = clock.now().getTime() + limitMs;
  await settle();
  while (!state.done) {
    const next = clock.nextWakeMs();
    if (next === undefined || next > deadline) throw new Error('the simulation is stuck: nothing left to wake');
    await clock.runTo(next, settle);
  }
  if ('error' in state) throw state.error;
  return state.value as T;
}

interface World {
  clock: VirtualClock;
  carrier: SimulatedCarrier;
  events: SimulatedCallEvent[];
  /** Ms since the world began. */
  elapsed(): number;
}

function world(options: Partial<Omit<SimulatedCarrierOptions, 'clock'>> = {}): World {
  const clock = new VirtualClock(START);
  const events: SimulatedCallEvent[] = [];
  const carrier = new SimulatedCarrier({ clock, seed: 7, onEvent: (event) => events.push(event), ...options });
  const t0 = clock.now().getTime();
  return { clock, carrier, events, elapsed: () => clock.now().getTime() - t0 };
}

interface Dialled {
  result: DialResult;
  atMs: number;
  progress: DialProgress['kind'][];
}

async function dial(w: World, to: string, extra: Partial<DialRequest> = {}): Promise<Dialled> {
  const progress: DialProgress['kind'][] = [];
  const startMs = w.elapsed();
  const result = await drive(
    w.clock,
    w.carrier.dial({
      callId: '1:1',
      to,
      from: '+442079460999',
      ringTimeoutMs: RING_TIMEOUT_MS,
      onProgress: (event) => progress.push(event.kind),
      ...extra,
    }),
  );
  return { result, atMs: w.elapsed() - startMs, progress };
}

async function answer(w: World, to: string, extra: Partial<DialRequest> = {}): Promise<AnsweredCall> {
  const { result } = await dial(w, to, extra);
  if (result.kind !== 'answered') throw new Error(`expected ${to} to answer, got ${JSON.stringify(result)}`);
  return result.call;
}

/** Runs `action` in virtual time and says how long it took. */
async function timed<T>(w: World, action: Promise<T>): Promise<{ value: T; ms: number }> {
  const startMs = w.elapsed();
  const value = await drive(w.clock, action);
  return { value, ms: w.elapsed() - startMs };
}

const drama = (lastFour: string) => `+44207946${lastFour}`;
const MENU = 'Press 1 to confirm your appointment, or 2 to speak to someone.'; // 12 words: 4.8 s at 150 wpm
const MENU_MS = 4_800;
const KEY_DELAY_MS = 1_500;

// ---- the test-number table ------------------------------------------------------------------------------------

describe('test numbers: the table', () => {
  it('lists valid UK fixed lines in the drama range whose E.164 matches the national form', () => {
    for (const t of TEST_NUMBERS) {
      expect(t.national).toMatch(/^020 7946 0\d{3}$/);
      expect(t.e164).toBe(`+44${t.national.replace(/\s/g, '').slice(1)}`);
      const check = checkCalleeNumber(t.national);
      expect(check).toEqual({ ok: true, number: { e164: t.e164, type: 'FIXED_LINE', region: 'GB' } });
      expect(t.behaviour.length).toBeGreaterThan(10);
    }
    expect(new Set(TEST_NUMBERS.map((t) => t.e164)).size).toBe(TEST_NUMBERS.length);
    for (const r of TEST_NUMBER_RANGES) {
      for (const [national, e164] of [[r.nationalFirst, r.e164First], [r.nationalLast, r.e164Last]] as const) {
        expect(checkCalleeNumber(national)).toEqual({ ok: true, number: { e164, type: 'FIXED_LINE', region: 'GB' } });
      }
    }
  });

  it('finds scripts for listed numbers and the 0900-0999 range only', () => {
    expect(testNumberScript('+442079460001')).toBe(TEST_NUMBERS[0]?.script);
    for (const inRange of ['+442079460900', '+442079460950', '+442079460999']) {
      expect(testNumberScript(inRange)?.attempts).toEqual([{ outcome: 'human' }]);
    }
    for (const outside of ['+442079460899', '+442079461000', '+442079460000', '+4420794609000', '+447700900001']) {
      expect(testNumberScript(outside)).toBeUndefined();
    }
  });

  it('renders one README row per number plus the range', () => {
    const lines = testNumberTable().split('\n');
    expect(lines).toHaveLength(2 + TEST_NUMBERS.length + TEST_NUMBER_RANGES.length);
    expect(lines[2]).toBe('| 020 7946 0001 | `+442079460001` | Always busy (486) |');
    expect(lines.at(-1)).toContain('020 7946 0900 to 0999');
  });
});

// ---- each test number's behaviour -----------------------------------------------------------------------------

describe('test numbers: behaviour', () => {
  it('0001 is always busy (486) after 1 s, without ringing', async () => {
    const w = world();
    for (const callId of ['5:1', '5:2', '5:3']) {
      const d = await dial(w, drama('0001'), { callId });
      expect(d.result).toEqual({ kind: 'failed', failure: 'busy', sipCode: 486, q850Cause: 17, reason: 'busy here' });
      expect(d.atMs).toBe(SCRIPTED_EARLY_FAILURE_MS);
      expect(d.progress).toEqual(['trying']);
    }
  });

  it('0002 never answers: it rings until the ring timeout', async () => {
    const w = world();
    const d = await dial(w, drama('0002'), { ringTimeoutMs: 25_000 });
    expect(d.result).toMatchObject({ kind: 'failed', failure: 'no_answer', q850Cause: 19 });
    expect(d.atMs).toBe(25_000);
    expect(d.progress).toEqual(['trying', 'ringing']);
  });

  for (const [lastFour, greetingMs] of [['0003', 5_000], ['0004', 25_000]] as const) {
    it(`${lastFour} is an answering machine whose greeting lasts ${greetingMs / 1000} s`, async () => {
      const w = world();
      const d = await dial(w, drama(lastFour));
      expect(d.atMs).toBe(SCRIPTED_RING_MS);
      expect(d.progress).toEqual(['trying', 'ringing']);
      if (d.result.kind !== 'answered') throw new Error('not answered');
      const call = d.result.call;
      expect(call.answeredBy).toBe('machine');
      expect(await timed(w, call.waitForGreetingEnd())).toEqual({ value: { hungUp: false }, ms: greetingMs });
      expect(await timed(w, call.say('Hello, this is Ringcast with a message.'))).toEqual({
        value: { hungUp: false },
        ms: 2_800,
      });
      expect(w.events.find((e) => e.type === 'say')).toMatchObject({ complete: true, beforeBeep: false });
      // Digits never come from a machine: the gather waits out its timeout.
      expect(await timed(w, call.gather({ maxDigits: 1, timeoutMs: 4_000 }))).toEqual({
        value: { digits: '', hungUp: false },
        ms: 4_000,
      });
    });
  }

  it('a message started during a machine greeting is marked as before the beep', async () => {
    const w = world();
    const call = await answer(w, drama('0004'));
    await timed(w, call.say('Too early'));
    expect(w.events.find((e) => e.type === 'say')).toMatchObject({ beforeBeep: true, complete: true });
  });

  for (const [lastFour, digit] of [['0005', '1'], ['0006', '2']] as const) {
    it(`${lastFour} answers as a person and presses ${digit} after the menu`, async () => {
      const w = world();
      const call = await answer(w, drama(lastFour));
      expect(call.answeredBy).toBe('human');
      expect(await timed(w, call.waitForGreetingEnd())).toEqual({ value: { hungUp: false }, ms: 0 });
      const gathered = await timed(w, call.gather({ prompt: MENU, maxDigits: 1, timeoutMs: 5_000 }));
      expect(gathered).toEqual({ value: { digits: digit, hungUp: false }, ms: MENU_MS + KEY_DELAY_MS });
      // A second menu gets nothing.
      expect((await timed(w, call.gather({ maxDigits: 1, timeoutMs: 5_000 }))).value.digits).toBe('');
    });
  }

  it('0007 answers and hangs up 2 s in, cutting the message', async () => {
    const w = world();
    const call = await answer(w, drama('0007'));
    const said = await timed(w, call.say('This is a long message. '.repeat(10)));
    expect(said).toEqual({ value: { hungUp: true }, ms: 2_000 });
    expect(await call.ended).toEqual({ by: 'callee', q850Cause: 16, reason: 'callee hung up' });
    expect(w.events.find((e) => e.type === 'say')).toMatchObject({ complete: false });
  });

  it('0008 rejects with 603 after ringing for 3 s', async () => {
    const d = await dial(world(), drama('0008'));
    expect(d.result).toEqual({ kind: 'failed', failure: 'rejected', sipCode: 603, q850Cause: 21, reason: 'declined' });
    expect(d.atMs).toBe(SCRIPTED_RING_MS);
    expect(d.progress).toEqual(['trying', 'ringing']);
  });

  it('0009 is an invalid number (404) and 0010 a transient failure (503)', async () => {
    const w = world();
    const invalid = await dial(w, drama('0009'));
    expect(invalid.result).toMatchObject({ kind: 'failed', failure: 'invalid_number', sipCode: 404 });
    expect(invalid.progress).toEqual(['trying']);
    const transient = await dial(w, drama('0010'));
    expect(transient.result).toMatchObject({ kind: 'failed', failure: 'failed', sipCode: 503 });
    expect(transient.atMs).toBe(SCRIPTED_EARLY_FAILURE_MS);
  });

  it('0011 is busy on attempts 1 and 2, then answers on 3 and later (attempt read from the call id)', async () => {
    const w = world();
    const outcomes: string[] = [];
    for (const attempt of [1, 2, 3, 4]) {
      const { result } = await dial(w, drama('0011'), { callId: formatCallId('9f2c', attempt) });
      outcomes.push(result.kind === 'answered' ? result.call.answeredBy : result.failure);
    }
    expect(outcomes).toEqual(['busy', 'busy', 'human', 'human']);
    // A call id outside the convention counts as attempt 1.
    expect((await dial(w, drama('0011'), { callId: 'adhoc' })).result).toMatchObject({ failure: 'busy' });
  });

  it('0012 presses 1 in the first gather and 2 in the second', async () => {
    const w = world();
    const call = await answer(w, drama('0012'));
    const digits: string[] = [];
    for (let i = 0; i < 3; i++) digits.push((await timed(w, call.gather({ maxDigits: 1, timeoutMs: 5_000 }))).value.digits);
    expect(digits).toEqual(['1', '2', '']);
  });

  it('0013 presses 2 and its transfer is answered after 3 s; the call is then handed over', async () => {
    const w = world();
    const call = await answer(w, drama('0013'));
    expect((await timed(w, call.gather({ prompt: MENU, maxDigits: 1, timeoutMs: 5_000 }))).value.digits).toBe('2');
    // Even to a number that is always busy: this callee's script decides.
    const transferred = await timed(w, call.transfer(drama('0001'), 20_000));
    expect(transferred).toEqual({ value: { kind: 'answered' }, ms: SCRIPTED_RING_MS });
    expect(await call.ended).toEqual({ by: 'us', reason: 'transferred' });
    expect(await call.say('anyone there?')).toEqual({ hungUp: true });
  });

  it('0014 does not answer on attempt 1 and answers on attempt 2', async () => {
    const w = world();
    const first = await dial(w, drama('0014'), { callId: '77:1', ringTimeoutMs: 20_000 });
    expect(first.result).toMatchObject({ failure: 'no_answer' });
    expect(first.atMs).toBe(20_000);
    const second = await dial(w, drama('0014'), { callId: '77:2' });
    expect(second.result.kind).toBe('answered');
  });

  it('0015 presses 2 and its transfer fails as busy; the callee stays with us', async () => {
    const w = world();
    const call = await answer(w, drama('0015'));
    expect((await timed(w, call.gather({ maxDigits: 1, timeoutMs: 5_000 }))).value.digits).toBe('2');
    const transferred = await timed(w, call.transfer(drama('0950'), 20_000));
    expect(transferred).toEqual({ value: { kind: 'failed', failure: 'busy' }, ms: SCRIPTED_EARLY_FAILURE_MS });
    expect(await timed(w, call.say('Sorry, nobody is free.'))).toEqual({ value: { hungUp: false }, ms: 1_600 });
  });

  it('0016 presses 9 then 1; 0017 presses nothing then 1', async () => {
    for (const [lastFour, expected] of [['0016', ['9', '1']], ['0017', ['', '1']]] as const) {
      const w = world();
      const call = await answer(w, drama(lastFour));
      const digits: string[] = [];
      for (let i = 0; i < 2; i++) digits.push((await timed(w, call.gather({ maxDigits: 1, timeoutMs: 5_000 }))).value.digits);
      expect(digits).toEqual(expected);
    }
  });

  it('0900-0999 answer as people who press nothing and never hang up', async () => {
    const w = world();
    for (const lastFour of ['0900', '0937', '0999']) {
      const call = await answer(w, drama(lastFour));
      expect(call.answeredBy).toBe('human');
      const listened = await timed(w, call.say('word '.repeat(600))); // 4 minutes
      expect(listened).toEqual({ value: { hungUp: false }, ms: 240_000 });
      expect(await timed(w, call.gather({ prompt: 'Press 1', maxDigits: 1, timeoutMs: 6_000 }))).toEqual({
        value: { digits: '', hungUp: false },
        ms: 1_000 + 6_000,
      });
      expect(w.clock.sleepers).toBe(0); // no hang-up timer is pending
      await call.hangup();
    }
  });

  it('scripted numbers ignore the seed and the mix', async () => {
    const a = world({ seed: 1, mix: { human: 1, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 } });
    const b = world({ seed: 999 });
    for (const t of TEST_NUMBERS) {
      for (const callId of ['1:1', '1:2', '1:3']) expect(a.carrier.plan(t.e164, callId)).toEqual(b.carrier.plan(t.e164, callId));
      expect(a.carrier.plan(t.e164, '1:1').source).toBe('script');
    }
  });
});

// ---- determinism ----------------------------------------------------------------------------------------------

const randomNumbers = (count: number, base = 7_912_000_000) =>
  Array.from({ length: count }, (_, i) => `+44${base + i * 7}`);

interface Summary {
  to: string;
  outcome: string;
  atMs: number;
  endedBy?: string;
  endedAtMs?: number;
}

/** Dials each number (all at once), answers nothing back, and summarises what happened to each call. */
async function summarise(w: World, numbers: readonly string[], callIdFor: (to: string) => string): Promise<Summary[]> {
  const startMs = w.elapsed();
  const answered: AnsweredCall[] = [];
  const summaries = numbers.map(async (to): Promise<Summary> => {
    const result = await w.carrier.dial({ callId: callIdFor(to), to, from: '+442079460999', ringTimeoutMs: RING_TIMEOUT_MS });
    const atMs = w.elapsed() - startMs;
    if (result.kind === 'failed') return { to, outcome: result.failure, atMs };
    answered.push(result.call);
    const info: HangupInfo = await result.call.ended;
    return { to, outcome: result.call.answeredBy, atMs, endedBy: info.by, endedAtMs: w.elapsed() - startMs };
  });
  const all = Promise.all(summaries);
  // Calls nobody hangs up would keep `ended` open: hang them up at a fixed instant, once everything else has run.
  await w.clock.runTo(w.clock.now().getTime() + 10 * 60_000, settle);
  for (const call of answered) await call.hangup();
  return drive(w.clock, all);
}

describe('determinism', () => {
  it('the same seed, number and call id give the same result in separate carriers', async () => {
    const numbers = randomNumbers(40);
    const run = async () => {
      const w = world({ seed: 2024 });
      const out: unknown[] = [];
      for (const to of numbers) {
        const d = await dial(w, to, { callId: `${to}:1` });
        out.push({ atMs: d.atMs, progress: d.progress, result: d.result.kind === 'answered' ? d.result.call.answeredBy : d.result });
        if (d.result.kind === 'answered') await d.result.call.hangup();
      }
      return out;
    };
    expect(await run()).toEqual(await run());
  });

  it('per-call results do not depend on the order or concurrency of calls', async () => {
    const numbers = randomNumbers(300);
    const sequentialWorld = world({ seed: 31 });
    const forwards: Summary[] = [];
    for (const to of numbers) forwards.push(...(await summarise(sequentialWorld, [to], (n) => `${n}:1`)));
    const backwards = await summarise(world({ seed: 31 }), [...numbers].reverse(), (n) => `${n}:1`);
    const byNumber = (list: Summary[]) => [...list].sort((a, b) => a.to.localeCompare(b.to));
    expect(byNumber(backwards)).toEqual(byNumber(forwards));
    // The run had variety to compare: answers, hang-ups and failures.
    expect(new Set(forwards.map((s) => s.outcome)).size).toBeGreaterThanOrEqual(5);
    expect(forwards.some((s) => s.endedBy === 'callee')).toBe(true);
  });

  it('a different attempt or a different seed is a fresh draw', () => {
    const numbers = randomNumbers(100);
    const { carrier } = world({ seed: 5 });
    const other = world({ seed: 6 }).carrier;
    const differentAttempt = numbers.filter((to) => JSON.stringify(carrier.plan(to, `x:1`)) !== JSON.stringify(carrier.plan(to, `x:2`)));
    const differentSeed = numbers.filter((to) => JSON.stringify(carrier.plan(to, `x:1`)) !== JSON.stringify(other.plan(to, `x:1`)));
    expect(differentAttempt.length).toBeGreaterThan(90);
    expect(differentSeed.length).toBeGreaterThan(90);
  });

  it('the keys a random person presses are drawn per gather, whatever happened before', async () => {
    const keypresses = { '1': 0.5, '2': 0.3 };
    const mix: OutcomeMix = { human: 1, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 };
    const talk = { keypresses, humanHangUpProbability: 0 };
    const pressed = async (sayFirst: boolean) => {
      const w = world({ seed: 3, mix, talk });
      const out: string[] = [];
      for (const to of randomNumbers(30)) {
        const call = await answer(w, to, { callId: `${to}:1` });
        if (sayFirst) await timed(w, call.say('Hello there'));
        for (let i = 0; i < 2; i++) out.push((await timed(w, call.gather({ maxDigits: 1, timeoutMs: 5_000 }))).value.digits);
        await call.hangup();
      }
      return out;
    };
    const plain = await pressed(false);
    expect(await pressed(true)).toEqual(plain);
    expect(new Set(plain)).toEqual(new Set(['1', '2', '']));
  });
});

// ---- the outcome mix ------------------------------------------------------------------------------------------

describe('the outcome mix', () => {
  it('matches the default mix over 5,000 random numbers, within 4 standard deviations', async () => {
    const w = world({ seed: 11 });
    const numbers = randomNumbers(5_000, 7_400_000_000);
    const counts = new Map<string, number>();
    const results = await drive(
      w.clock,
      Promise.all(
        numbers.map((to) => w.carrier.dial({ callId: `${to}:1`, to, from: '+442079460999', ringTimeoutMs: RING_TIMEOUT_MS })),
      ),
    );
    for (const result of results) {
      const key = result.kind === 'answered' ? result.call.answeredBy : result.failure;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (result.kind === 'answered') await result.call.hangup();
    }
    const expected: Record<string, number> = {
      human: DEFAULT_OUTCOME_MIX.human,
      machine: DEFAULT_OUTCOME_MIX.machine,
      busy: DEFAULT_OUTCOME_MIX.busy,
      no_answer: DEFAULT_OUTCOME_MIX.noAnswer,
      failed: DEFAULT_OUTCOME_MIX.failed,
      rejected: DEFAULT_OUTCOME_MIX.rejected,
    };
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect([...counts.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [outcome, weight] of Object.entries(expected)) {
      const p = weight / total;
      const sd = Math.sqrt(numbers.length * p * (1 - p));
      expect(Math.abs((counts.get(outcome) ?? 0) - numbers.length * p), outcome).toBeLessThanOrEqual(4 * sd);
    }
    expect(w.clock.sleepers).toBe(0);
  });

  it('follows a custom mix, and draws answer ring times within 2-20 s', () => {
    const { carrier } = world({ mix: { human: 0, machine: 1, busy: 0, noAnswer: 0, failed: 0, rejected: 0 } });
    const plans = randomNumbers(500).map((to) => carrier.plan(to, `${to}:1`));
    expect(plans.every((plan) => plan.outcome === 'machine')).toBe(true);
    for (const plan of plans) {
      if (plan.outcome !== 'machine') continue;
      expect(plan.ringMs).toBeGreaterThanOrEqual(2_000);
      expect(plan.ringMs).toBeLessThanOrEqual(20_000);
      expect(plan.greetingMs).toBeGreaterThanOrEqual(5_000);
      expect(plan.greetingMs).toBeLessThanOrEqual(20_000);
    }
    const band = (ms: number) => Math.min(8, Math.floor((ms - 2_000) / 2_000));
    const spread = new Set(plans.map((plan) => (plan.outcome === 'machine' ? band(plan.ringMs) : -1)));
    expect(spread.size).toBe(9); // every 2 s band between 2 and 20 s is used
  });

  it('refuses a mix or talk settings that make no sense', () => {
    const clock = new VirtualClock(START);
    const zero: OutcomeMix = { human: 0, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 };
    expect(() => new SimulatedCarrier({ clock, seed: 1, mix: zero })).toThrow(RangeError);
    expect(() => new SimulatedCarrier({ clock, seed: 1, mix: { ...zero, human: -1, busy: 2 } })).toThrow(RangeError);
    expect(() => new SimulatedCarrier({ clock, seed: 1, talk: { answerRingMs: { minMs: 5, maxMs: 1 } } })).toThrow(RangeError);
    expect(() => new SimulatedCarrier({ clock, seed: 1, talk: { keypresses: { '1': 0.8, '2': 0.4 } } })).toThrow(RangeError);
    expect(() => new SimulatedCarrier({ clock, seed: 1, talk: { wordsPerMinute: 0 } })).toThrow(RangeError);
  });
});

// ---- ring timeout and abort -----------------------------------------------------------------------------------

describe('ring timeout', () => {
  const onlyNoAnswer: OutcomeMix = { human: 0, machine: 0, busy: 0, noAnswer: 1, failed: 0, rejected: 0 };
  const onlyHuman: OutcomeMix = { ...onlyNoAnswer, noAnswer: 0, human: 1 };

  it('a random no-answer rings for exactly the ring timeout', async () => {
    const w = world({ mix: onlyNoAnswer });
    for (const ringTimeoutMs of [15_000, 30_000, 45_000]) {
      const d = await dial(w, '+447912345678', { ringTimeoutMs });
      expect(d.result).toMatchObject({ kind: 'failed', failure: 'no_answer' });
      expect(d.atMs).toBe(ringTimeoutMs);
      expect(d.progress).toEqual(['trying', 'ringing']);
    }
  });

  it('a callee who would answer after the ring timeout is unanswered; a tie goes to the timeout', async () => {
    const w = world({ mix: onlyHuman, talk: { answerRingMs: { minMs: 20_000, maxMs: 20_000 } } });
    const cases: [number, string, number][] = [
      [15_000, 'no_answer', 15_000],
      [20_000, 'no_answer', 20_000],
      [20_001, 'human', 20_000],
    ];
    for (const [ringTimeoutMs, outcome, atMs] of cases) {
      const d = await dial(w, '+447912345678', { ringTimeoutMs });
      expect(d.result.kind === 'answered' ? d.result.call.answeredBy : d.result.failure).toBe(outcome);
      expect(d.atMs).toBe(atMs);
      if (d.result.kind === 'answered') await d.result.call.hangup();
    }
  });
});

describe('abort', () => {
  it('before the answer: resolves as failed 487 "cancelled" at the instant of the abort', async () => {
    const w = world();
    const controller = new AbortController();
    const progress: string[] = [];
    const dialling = tracked(
      w.carrier.dial({
        callId: '3:1',
        to: drama('0002'),
        from: '+442079460999',
        ringTimeoutMs: RING_TIMEOUT_MS,
        signal: controller.signal,
        onProgress: (event) => progress.push(event.kind),
      }),
    );
    await w.clock.runTo(w.clock.now().getTime() + 5_000, settle);
    expect(dialling.done).toBe(false);
    controller.abort();
    await settle();
    expect(dialling.value).toEqual({ kind: 'failed', failure: 'failed', sipCode: 487, reason: 'cancelled' });
    expect(w.elapsed()).toBe(5_000);
    expect(progress).toEqual(['trying', 'ringing']);
    expect(w.clock.sleepers).toBe(0);
    expect(w.events.filter((e) => e.type === 'dial')).toMatchObject([{ result: 'cancelled', atMs: w.clock.now().getTime() }]);
  });

  it('with a signal already aborted: cancelled at once, without progress', async () => {
    const w = world();
    const d = await dial(w, drama('0005'), { signal: AbortSignal.abort() });
    expect(d).toEqual({ result: { kind: 'failed', failure: 'failed', sipCode: 487, reason: 'cancelled' }, atMs: 0, progress: [] });
  });

  it('after the answer: hangs up (by us), ending what was being said at that instant', async () => {
    const w = world();
    const controller = new AbortController();
    const call = await answer(w, drama('0900'), { signal: controller.signal });
    const saying = tracked(call.say('word '.repeat(100)));
    await w.clock.runTo(w.clock.now().getTime() + 3_000, settle);
    controller.abort();
    await settle();
    expect(saying.value).toEqual({ hungUp: true });
    expect(await call.ended).toEqual({ by: 'us', reason: 'aborted' });
    expect(w.clock.sleepers).toBe(0);
  });
});

// ---- actions on an answered call ------------------------------------------------------------------------------

describe('say', () => {
  it('lasts words at 150 per minute, at least 1 s', () => {
    const talk = { wordsPerMinute: 150, minSayMs: 1_000 };
    expect(sayDurationMs('one two three four five six seven eight nine ten', talk)).toBe(4_000);
    expect(sayDurationMs('Hi', talk)).toBe(1_000);
    expect(sayDurationMs('', talk)).toBe(1_000);
    expect(sayDurationMs('  -  Call   us on 0800 123 4567 ! ', talk)).toBe(2_400); // 6 words; lone punctuation is no word
    expect(sayDurationMs('word '.repeat(300), { wordsPerMinute: 200, minSayMs: 0 })).toBe(90_000);
  });

  it('takes that long on a call, and ends early when a person hangs up part way', async () => {
    const onlyHuman: OutcomeMix = { human: 1, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 };
    const w = world({ mix: onlyHuman, talk: { humanHangUpProbability: 1, humanHangUpAfterMs: { minMs: 9_000, maxMs: 9_000 } } });
    const call = await answer(w, '+447912000001');
    expect(await timed(w, call.say('one two three four five six seven eight nine ten'))).toEqual({
      value: { hungUp: false },
      ms: 4_000,
    });
    expect(await timed(w, call.say('word '.repeat(100)))).toEqual({ value: { hungUp: true }, ms: 5_000 });
    expect(await call.ended).toMatchObject({ by: 'callee' });
    expect(await timed(w, call.say('anyone?'))).toEqual({ value: { hungUp: true }, ms: 0 });
  });
});

describe('gather', () => {
  const onlyHuman: OutcomeMix = { human: 1, machine: 0, busy: 0, noAnswer: 0, failed: 0, rejected: 0 };
  const pressing = (keys: string) => world({ mix: onlyHuman, talk: { keypresses: { [keys]: 1 }, humanHangUpProbability: 0 } });

  it('with no input waits the timeout after the prompt and returns ""', async () => {
    const w = world();
    const call = await answer(w, drama('0901'));
    expect(await timed(w, call.gather({ prompt: MENU, maxDigits: 1, timeoutMs: 5_000 }))).toEqual({
      value: { digits: '', hungUp: false },
      ms: MENU_MS + 5_000,
    });
    expect(w.events.filter((e) => e.type === 'gather')).toMatchObject([{ prompt: MENU, digits: '', hungUp: false }]);
  });

  it('stops at maxDigits', async () => {
    const w = pressing('1234');
    const call = await answer(w, '+447912000002');
    expect(await timed(w, call.gather({ maxDigits: 2, timeoutMs: 5_000 }))).toEqual({
      value: { digits: '12', hungUp: false },
      ms: KEY_DELAY_MS + 300,
    });
  });

  it('stops at the finish key, which is not returned', async () => {
    const w = pressing('42#');
    const call = await answer(w, '+447912000003');
    expect(await timed(w, call.gather({ maxDigits: 6, timeoutMs: 5_000, finishOnKey: '#' }))).toEqual({
      value: { digits: '42', hungUp: false },
      ms: KEY_DELAY_MS + 600,
    });
  });

  it('ends timeoutMs after the last key when fewer than maxDigits come', async () => {
    const w = pressing('12');
    const call = await answer(w, '+447912000004');
    expect(await timed(w, call.gather({ maxDigits: 4, timeoutMs: 3_000 }))).toEqual({
      value: { digits: '12', hungUp: false },
      ms: KEY_DELAY_MS + 300 + 3_000,
    });
  });

  it('gets nothing when the timeout is shorter than the callee takes to press', async () => {
    const w = world();
    const call = await answer(w, drama('0005'));
    expect(await timed(w, call.gather({ maxDigits: 1, timeoutMs: 1_000 }))).toEqual({
      value: { digits: '', hungUp: false },
      ms: 1_000,
    });
  });

  it('returns hungUp when the callee hangs up while it waits', async () => {
    const w = world();
    const call = await answer(w, drama('0007'));
    expect(await timed(w, call.gather({ prompt: MENU, maxDigits: 1, timeoutMs: 5_000 }))).toEqual({
      value: { digits: '', hungUp: true },
      ms: 2_000,
    });
  });
});

describe('transfer', () => {
  it('follows the target number when the callee has no transfer script', async () => {
    const w = world();
    const cases: [string, unknown, number][] = [
      [drama('0001'), { kind: 'failed', failure: 'busy' }, SCRIPTED_EARLY_FAILURE_MS],
      [drama('0002'), { kind: 'failed', failure: 'no_answer' }, 12_000],
      [drama('0008'), { kind: 'failed', failure: 'rejected' }, SCRIPTED_RING_MS],
      [drama('0009'), { kind: 'failed', failure: 'invalid_number' }, SCRIPTED_EARLY_FAILURE_MS],
    ];
    const call = await answer(w, drama('0902'));
    for (const [target, result, ms] of cases) {
      expect(await timed(w, call.transfer(target, 12_000))).toEqual({ value: result, ms });
    }
    expect(await timed(w, call.transfer(drama('0903'), 12_000))).toEqual({ value: { kind: 'answered' }, ms: SCRIPTED_RING_MS });
    expect(await call.ended).toEqual({ by: 'us', reason: 'transferred' });
    expect(w.events.filter((e) => e.type === 'transfer').map((e) => (e.type === 'transfer' ? e.result : ''))).toEqual([
      'busy',
      'no_answer',
      'rejected',
      'invalid_number',
      'answered',
    ]);
    expect(await call.transfer(drama('0904'), 12_000)).toEqual({ kind: 'failed', failure: 'failed' });
  });

  it('fails when the callee hangs up while the target rings', async () => {
    const w = world();
    const call = await answer(w, drama('0007'));
    expect(await timed(w, call.transfer(drama('0002'), 20_000))).toEqual({
      value: { kind: 'failed', failure: 'failed' },
      ms: 2_000,
    });
    expect(await call.ended).toMatchObject({ by: 'callee' });
  });
});

describe('hangup and ended', () => {
  it('hangup() ends the call by us; ended resolves once, with the first cause', async () => {
    const w = world();
    const call = await answer(w, drama('0007')); // would hang up 2 s after answer
    const seen: HangupInfo[] = [];
    void call.ended.then((info) => seen.push(info));
    await w.clock.runTo(w.clock.now().getTime() + 1_000, settle);
    await call.hangup();
    await call.hangup();
    await w.clock.runTo(w.clock.now().getTime() + 10_000, settle);
    expect(await call.ended).toEqual({ by: 'us', reason: 'hangup' });
    expect(seen).toEqual([{ by: 'us', reason: 'hangup' }]);
    expect(w.events.filter((e) => e.type === 'ended')).toMatchObject([
      { callId: '1:1', info: { by: 'us', reason: 'hangup' }, atMs: w.clock.now().getTime() - 10_000 },
    ]);
    expect(w.clock.sleepers).toBe(0);
    expect(await call.gather({ maxDigits: 1, timeoutMs: 1_000 })).toEqual({ digits: '', hungUp: true });
    expect(await call.waitForGreetingEnd()).toEqual({ hungUp: true });
  });

  it('a machine hangs up by itself at its recording limit after the beep', async () => {
    const w = world({ talk: { machineRecordMaxMs: 60_000 } });
    const call = await answer(w, drama('0003'));
    const answeredAt = w.elapsed();
    const info = await drive(w.clock, call.ended);
    expect(info).toEqual({ by: 'callee', q850Cause: 16, reason: 'recording limit reached' });
    expect(w.elapsed() - answeredAt).toBe(5_000 + 60_000);
  });

  it('reports the dial and the call to onEvent', async () => {
    const w = world();
    const call = await answer(w, drama('0005'), { callId: '12:3' });
    await timed(w, call.say('Hello'));
    await call.hangup();
    expect(w.events.map((e) => e.type)).toEqual(['dial', 'say', 'ended']);
    expect(w.events[0]).toMatchObject({ type: 'dial', callId: '12:3', source: 'script', result: 'answered', answeredBy: 'human' });
  });
});

// ---- building blocks ------------------------------------------------------------------------------------------

describe('call ids and the PRNG', () => {
  it('formats and parses <phoneNumberId>:<attemptNumber>', () => {
    expect(formatCallId('abc', 2)).toBe('abc:2');
    expect(parseCallId('4711:3')).toEqual({ phoneNumberId: '4711', attemptNumber: 3 });
    expect(parseCallId('a:b:12')).toEqual({ phoneNumberId: 'a:b', attemptNumber: 12 });
    for (const odd of ['4711', '4711:0', ':2', '4711:x', '4711:02']) expect(parseCallId(odd)).toBeUndefined();
    expect(attemptNumberOf('4711')).toBe(1);
    expect(() => formatCallId('abc', 0)).toThrow(RangeError);
  });

  it('mulberry32 and hash32 are stable and spread values', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 1_000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1_000 }, () => b()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    expect(hash32('+442079460001:1')).not.toBe(hash32('+442079460001:2'));
    expect(hash32('abc')).toBe(hash32('abc'));
    expect(Rng.for('a:b', 'c').next()).not.toBe(Rng.for('a', 'b:c').next());
    const rng = new Rng(1);
    const ints = Array.from({ length: 2_000 }, () => rng.intBetween(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
  });
});

describe('first audio after answer (Ofcom 2 s rule)', () => {
  const firstAudio = async (to: string) => {
    const w = world();
    return drive(
      w.clock,
      (async () => {
        const result = await w.carrier.dial({ callId: '1:1', to, from: '+442079460000', ringTimeoutMs: RING_TIMEOUT_MS });
        if (result.kind !== 'answered') throw new Error('not answered');
        const before = result.call.firstAudioAfterMs;
        await result.call.say('Hello.');
        await result.call.hangup();
        return { before, after: result.call.firstAudioAfterMs };
      })(),
    );
  };

  it('is measured from the answer to the first audio', async () => {
    expect(await firstAudio('+442079460900')).toEqual({ before: undefined, after: 0 });
  });

  it('waits for a modelled slow media path: 020 7946 0018 hears us 2.5 s after answering', async () => {
    expect(await firstAudio('+442079460018')).toEqual({ before: undefined, after: 2_500 });
  });
});
