// Group commit of finished calls (call-recorder.ts): results that arrive while a write is in progress go together in
// the next write; a failed batch is retried record by record so that one bad record fails only its own call.
import { describe, expect, it } from 'vitest';
import { CallRecorder, MAX_RECORD_BATCH } from '../../src/dialer/call-recorder.js';
import { VirtualClock } from '../../src/domain/clock.js';
import type { CallResultRecord } from '../../src/store/repositories/dialer-store.js';

/** Only the field the fake store looks at: the records are passed through untouched. */
const record = (callId: number) => ({ callId }) as unknown as CallResultRecord;

/** A store whose writes finish when the test says so, remembering each batch's call ids. */
function gatedStore(answer: (ids: number[]) => boolean[] | Error = (ids) => ids.map(() => true)) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const write = async (records: readonly CallResultRecord[]) => {
    const ids = records.map((r) => r.callId);
    batches.push(ids);
    await new Promise<void>((resolve) => gates.push(resolve));
    const result = answer(ids);
    if (result instanceof Error) throw result;
    return result;
  };
  const release = async () => {
    while (gates.length > 0) gates.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, write, release };
}

describe('CallRecorder', () => {
  it('writes the first result alone and everything that arrived meanwhile in one write', async () => {
    const store = gatedStore();
    const recorder = new CallRecorder(store.write);
    const first = recorder.record(record(1));
    const rest = [2, 3, 4].map((id) => recorder.record(record(id)));
    await store.release();
    await store.release();
    expect(await Promise.all([first, ...rest])).toEqual([true, true, true, true]);
    expect(store.batches).toEqual([[1], [2, 3, 4]]);
  });

  it("tells each caller whether its own record was written (a lost lease is false, the others' true)", async () => {
    const store = gatedStore((ids) => ids.map((id) => id !== 2));
    const recorder = new CallRecorder(store.write);
    const first = recorder.record(record(1));
    const results = [2, 3].map((id) => recorder.record(record(id)));
    await store.release();
    await store.release();
    expect(await Promise.all([first, ...results])).toEqual([true, false, true]);
  });

  it('retries a failed batch record by record: only the bad record fails', async () => {
    const store = gatedStore((ids) => (ids.length > 1 || ids[0] === 3 ? new Error(`write of ${ids.join(',')} failed`) : [true]));
    const recorder = new CallRecorder(store.write);
    const first = recorder.record(record(1));
    const batch = [2, 3, 4].map((id) => recorder.record(record(id)));
    const settled = Promise.allSettled([first, ...batch]);
    for (let i = 0; i < 6; i++) await store.release();
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(store.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it(`splits a queue longer than ${MAX_RECORD_BATCH} into writes of at most that many`, async () => {
    const store = gatedStore();
    const recorder = new CallRecorder(store.write);
    const all = Array.from({ length: MAX_RECORD_BATCH * 2 + 1 }, (_, i) => recorder.record(record(i)));
    for (let i = 0; i < 4; i++) await store.release();
    expect((await Promise.all(all)).every(Boolean)).toBe(true);
    expect(store.batches.map((b) => b.length)).toEqual([1, MAX_RECORD_BATCH, MAX_RECORD_BATCH]);
  });

  it('with a linger, waits that long on its clock and writes every result that arrived meanwhile in one write', async () => {
    const store = gatedStore();
    const clock = new VirtualClock('2027-01-04T09:00:00Z');
    const recorder = new CallRecorder(store.write, { clock, lingerMs: 250 });
    const first = recorder.record(record(1));
    await store.release();
    clock.advanceMs(100);
    const second = recorder.record(record(2));
    await store.release();
    // Nothing is written before the linger is over.
    expect(store.batches).toEqual([]);
    clock.advanceMs(150);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.batches).toEqual([[1, 2]]);
    await store.release();
    expect(await Promise.all([first, second])).toEqual([true, true]);
  });

  it('stops lingering on shutdown: what lingers is written at once, and later results are not held', async () => {
    const store = gatedStore();
    const clock = new VirtualClock('2027-01-04T09:00:00Z');
    const recorder = new CallRecorder(store.write, { clock, lingerMs: 60_000 });
    const first = recorder.record(record(1));
    await store.release();
    recorder.stopLingering();
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.batches).toEqual([[1]]);
    await store.release();
    expect(await first).toBe(true);
    const later = recorder.record(record(2));
    expect(store.batches).toEqual([[1], [2]]);
    await store.release();
    expect(await later).toBe(true);
  });
});
