// The per-call cancellation (src/domain/cancellation.ts) behaves as an AbortController where the dialer, the clocks and
// the carriers rely on it: each case runs on both, so a difference between them fails here.
import { describe, expect, it } from 'vitest';
import { Cancellation, type CancelSignal } from '../../src/domain/cancellation.js';
import { systemClock, VirtualClock } from '../../src/domain/clock.js';

interface Controller {
  readonly signal: CancelSignal;
  abort(reason?: unknown): void;
}

const kinds: [string, () => Controller][] = [
  ['AbortController', () => new AbortController()],
  ['Cancellation', () => new Cancellation()],
];

describe.each(kinds)('%s', (_name, make) => {
  it('runs each listener once, in the order added, and keeps the first reason', () => {
    const controller = make();
    const seen: string[] = [];
    const first = () => seen.push(`first:${String(controller.signal.reason)}`);
    controller.signal.addEventListener('abort', first);
    controller.signal.addEventListener('abort', first); // the same listener twice runs once
    controller.signal.addEventListener('abort', () => seen.push('second'), { once: true });
    expect(controller.signal.aborted).toBe(false);
    expect(controller.signal.reason).toBeUndefined();
    controller.abort('hung up');
    controller.abort('again');
    expect(seen).toEqual(['first:hung up', 'second']);
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBe('hung up');
  });

  it('never runs a listener removed before the abort, or one added after it', () => {
    const controller = make();
    const seen: string[] = [];
    const removed = () => seen.push('removed');
    controller.signal.addEventListener('abort', removed);
    controller.signal.removeEventListener('abort', removed);
    controller.signal.removeEventListener('abort', () => {}); // never added: nothing happens
    controller.abort();
    controller.signal.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual([]);
  });

  it('gives an AbortError when aborted without a reason', () => {
    const controller = make();
    controller.abort();
    expect(controller.signal.reason).toMatchObject({ name: 'AbortError' });
  });

  it('cuts short the virtual clock\'s sleeps on it, and none that has woken', async () => {
    const clock = new VirtualClock('2027-01-04T09:00:00Z');
    const controller = make();
    const woke: number[] = [];
    const cut: unknown[] = [];
    for (const ms of [100, 200, 300]) void clock.sleep(ms, controller.signal).then(() => woke.push(ms), (reason: unknown) => cut.push(reason));
    clock.advanceMs(150);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort('call ended');
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toEqual([100]);
    expect(cut).toEqual(['call ended', 'call ended']);
    expect(clock.sleepers).toBe(0);
    await expect(clock.sleep(10, controller.signal)).rejects.toBe('call ended');
  });

  it('cuts short the system clock\'s sleep on it', async () => {
    const controller = make();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort('shutdown');
    await expect(sleeping).rejects.toBe('shutdown');
    await expect(systemClock.sleep(1, controller.signal)).rejects.toBe('shutdown');
  });
});

describe('Cancellation', () => {
  it('runs every listener when one throws, and the error is thrown again outside', async () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    cancellation.addEventListener('abort', () => {
      throw new Error('listener failed');
    });
    cancellation.addEventListener('abort', () => seen.push('after'));
    const uncaught = new Promise<unknown>((resolve) => {
      const listeners = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.once('uncaughtException', (error) => {
        for (const listener of listeners) process.on('uncaughtException', listener);
        resolve(error);
      });
    });
    cancellation.abort();
    expect(seen).toEqual(['after']);
    expect(await uncaught).toMatchObject({ message: 'listener failed' });
  });
});
