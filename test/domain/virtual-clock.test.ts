// The virtual clock every virtual-time run moves (clock.ts): sleepers wake in time order, those due at one instant in
// the order they went to sleep, an aborted sleep never wakes, and the clock never moves backwards.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/domain/clock.js';

const START = '2027-01-04T09:00:00Z';
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('VirtualClock', () => {
  it('wakes sleepers in time order, and those due at one instant in the order they went to sleep', async () => {
    const clock = new VirtualClock(START);
    const woken: string[] = [];
    // A fixed pseudo-random mix of delays, many of them equal, in sleep order.
    const delays = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 97) * 10);
    delays.forEach((ms, i) => void clock.sleep(ms).then(() => woken.push(`${ms}:${i}`)));
    expect(clock.sleepers).toBe(500);
    expect(clock.nextWakeMs()).toBe(new Date(START).getTime());
    clock.advanceMs(10_000);
    await turn();
    const expected = delays.map((ms, i) => ({ ms, i })).sort((a, b) => a.ms - b.ms || a.i - b.i).map(({ ms, i }) => `${ms}:${i}`);
    expect(woken).toEqual(expected);
    expect(clock.sleepers).toBe(0);
    expect(clock.nextWakeMs()).toBeUndefined();
  });

  it('wakes only what is due, and sees the instant each wake-up happens at', async () => {
    const clock = new VirtualClock(START);
    const seen: number[] = [];
    for (const ms of [300, 100, 200]) void clock.sleep(ms).then(() => seen.push(clock.now().getTime() - new Date(START).getTime()));
    clock.advanceMs(150);
    await turn();
    expect(seen).toEqual([150]);
    expect(clock.nextWakeMs()).toBe(new Date(START).getTime() + 200);
    await clock.runTo(new Date(START).getTime() + 1_000, turn);
    expect(seen).toEqual([150, 200, 300]);
    expect(clock.now().getTime() - new Date(START).getTime()).toBe(1_000);
  });

  it('never wakes an aborted sleep, and no longer counts it', async () => {
    const clock = new VirtualClock(START);
    const abort = new AbortController();
    const woken: number[] = [];
    void clock.sleep(100, abort.signal).then(
      () => woken.push(100),
      () => woken.push(-100),
    );
    void clock.sleep(200).then(() => woken.push(200));
    abort.abort(new Error('stopped'));
    await turn();
    expect(woken).toEqual([-100]);
    expect(clock.sleepers).toBe(1);
    expect(clock.nextWakeMs()).toBe(new Date(START).getTime() + 200);
    clock.advanceMs(1_000);
    await turn();
    expect(woken).toEqual([-100, 200]);
    // An already aborted signal rejects at once without sleeping.
    await expect(clock.sleep(10, abort.signal)).rejects.toThrow('stopped');
    expect(clock.sleepers).toBe(0);
  });

  it('lets one signal cut short every sleep still on it, and none that has woken', async () => {
    const clock = new VirtualClock(START);
    const abort = new AbortController();
    const outcomes: string[] = [];
    for (const ms of [100, 200, 300]) {
      void clock.sleep(ms, abort.signal).then(
        () => outcomes.push(`woke ${ms}`),
        (error: Error) => outcomes.push(`${error.message} ${ms}`),
      );
    }
    clock.advanceMs(150);
    await turn();
    expect(outcomes).toEqual(['woke 100']);
    abort.abort(new Error('stopped'));
    await turn();
    expect(outcomes).toEqual(['woke 100', 'stopped 200', 'stopped 300']);
    expect(clock.sleepers).toBe(0);
    clock.advanceMs(1_000);
    await turn();
    expect(outcomes).toHaveLength(3);
  });

  it('does not move backwards', () => {
    const clock = new VirtualClock(START);
    clock.advanceMs(5_000);
    clock.advanceTo(new Date(START));
    expect(clock.now().getTime() - new Date(START).getTime()).toBe(5_000);
  });
});
