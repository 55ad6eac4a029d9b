// A simulated world for call-flow tests: the real SimulatedCarrier on a VirtualClock, with the carrier's events
// recorded, a way to dial test numbers and get the AnsweredCall, and a driver that moves virtual time until a
// promise settles.
import { VirtualClock } from '../../src/domain/clock.js';
import type { AnsweredCall, HangupInfo } from '../../src/telephony/carrier.js';
import {
  SimulatedCarrier,
  type SimulatedCallEvent,
  type SimulatedCarrierOptions,
} from '../../src/telephony/simulated/simulated-carrier.js';
import { validateFlow } from '../../src/callflow/validate.js';
import type { Flow } from '../../src/callflow/schema.js';
import type { PlaceholderValues } from '../../src/domain/placeholders.js';
import { runFlow, type FlowResult, type RunFlowArgs } from '../../src/callflow/interpreter.js';

export const START = '2025-03-03T10:00:00Z';
export const RING_TIMEOUT_MS = 30_000;

/** The test numbers of src/telephony/simulated/test-numbers.ts used here. */
export const NUMBERS = {
  machine5sGreeting: '+442079460003',
  presses1: '+442079460005',
  presses2: '+442079460006',
  hangsUpAfter2s: '+442079460007',
  presses1Then2: '+442079460012',
  presses2TransferAnswered: '+442079460013',
  presses2TransferFails: '+442079460015',
  presses9Then1: '+442079460016',
  pressesNothingThen1: '+442079460017',
  listens: '+442079460900',
} as const;

export const VALUES: PlaceholderValues = { name: 'Alice', parameters: new Map([[1, '4 March at 10:30']]) };

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface World {
  clock: VirtualClock;
  carrier: SimulatedCarrier;
  events: SimulatedCallEvent[];
  /** Ms since the world began. */
  elapsedMs(): number;
  /** Moves virtual time, wake-up by wake-up, until `promise` settles. */
  drive<T>(promise: Promise<T>): Promise<T>;
  /** Dials a number that answers and returns the answered call. */
  answer(to: string, callId?: string): Promise<AnsweredCall>;
  /** How the call with this id ended, from the carrier's events. */
  endOf(callId?: string): HangupInfo | undefined;
  said(): string[];
  gathers(): Extract<SimulatedCallEvent, { type: 'gather' }>[];
}

export function world(options: Partial<Omit<SimulatedCarrierOptions, 'clock'>> = {}): World {
  const clock = new VirtualClock(START);
  const events: SimulatedCallEvent[] = [];
  const carrier = new SimulatedCarrier({ clock, seed: 7, onEvent: (event) => events.push(event), ...options });
  const t0 = clock.now().getTime();
  const drive = async <T>(promise: Promise<T>): Promise<T> => {
    const state: { done: boolean; value?: T; error?: unknown } = { done: false };
    promise.then(
      (value) => Object.assign(state, { done: true, value }),
      (error: unknown) => Object.assign(state, { done: true, error }),
    );
    const deadlineMs = clock.now().getTime() + 3_600_000;
    await settle();
    while (!state.done) {
      const next = clock.nextWakeMs();
      if (next === undefined || next > deadlineMs) throw new Error('the simulation is stuck: nothing left to wake');
      await clock.runTo(next, settle);
    }
    if ('error' in state) throw state.error;
    return state.value as T;
  };
  return {
    clock,
    carrier,
    events,
    elapsedMs: () => clock.now().getTime() - t0,
    drive,
    async answer(to, callId = '1:1') {
      const result = await drive(carrier.dial({ callId, to, from: '+442079460999', ringTimeoutMs: RING_TIMEOUT_MS }));
      if (result.kind !== 'answered') throw new Error(`expected ${to} to answer, got ${JSON.stringify(result)}`);
      return result.call;
    },
    endOf(callId = '1:1') {
      const ended = events.find((event) => event.type === 'ended' && event.callId === callId);
      return ended?.type === 'ended' ? ended.info : undefined;
    },
    said: () => events.flatMap((event) => (event.type === 'say' ? [event.text] : [])),
    gathers: () => events.flatMap((event) => (event.type === 'gather' ? [event] : [])),
  };
}

/** A flow document validated as the API would, failing the test with its errors if it is invalid. */
export function valid(doc: unknown, maxSmsParts = 3): Flow {
  const result = validateFlow(doc, { maxSmsParts });
  if (!result.ok) throw new Error(`invalid flow: ${JSON.stringify(result.errors)}`);
  return result.flow;
}

/** A flow around some steps, with the rest filled in. */
export function flowOf(start: string, steps: unknown[]): Record<string, unknown> {
  return {
    version: 1,
    start,
    steps,
    voicemail: { say: 'Hello {Name}, please call us back.' },
    smsOnBusy: 'Hi {Name}, we tried to call.',
  };
}

export interface Run {
  result: FlowResult;
  sms: string[];
  steps: [string, number][];
}

/** Dials `to`, runs `flow` on the answered call in virtual time and collects what happened. */
export async function run(w: World, to: string, flow: Flow, extra: Partial<RunFlowArgs> = {}): Promise<Run> {
  const call = await w.answer(to);
  return runOn(w, call, flow, extra);
}

export async function runOn(w: World, call: AnsweredCall, flow: Flow, extra: Partial<RunFlowArgs> = {}): Promise<Run> {
  const sms: string[] = [];
  const steps: [string, number][] = [];
  const result = await w.drive(
    runFlow({
      flow,
      call,
      values: VALUES,
      sendSms: async (text) => {
        sms.push(text);
      },
      onStep: (id, number) => steps.push([id, number]),
      ...extra,
    }),
  );
  return { result, sms, steps };
}

/** A one-gather menu: 1 -> 'one', 2 -> 'two', else per the options. */
export function menu(options: { maxRetries?: number; default?: string; invalidPrompt?: string; maxDigits?: number } = {}) {
  return valid(
    flowOf('menu', [
      {
        id: 'menu',
        type: 'gather',
        prompt: 'Press 1 or 2.',
        maxDigits: options.maxDigits ?? 1,
        timeoutMs: 5_000,
        branches: { '1': 'one', '2': 'two' },
        ...(options.default === undefined ? {} : { default: options.default }),
        noInput: 'silence',
        maxRetries: options.maxRetries ?? 1,
        ...(options.invalidPrompt === undefined ? {} : { invalidPrompt: options.invalidPrompt }),
      },
      { id: 'one', type: 'say', text: 'You chose one.' },
      { id: 'two', type: 'say', text: 'You chose two.' },
      { id: 'silence', type: 'say', text: 'We heard nothing.' },
      ...(options.default === undefined ? [] : [{ id: options.default, type: 'say', text: 'Not an option.' }]),
    ]),
  );
}
