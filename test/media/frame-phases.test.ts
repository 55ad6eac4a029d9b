// A media worker spreads its streams over the 20 ms frame interval (src/media/session/frame-phases.ts): streams
// started in one burst get different phases, a stream's first frame is never earlier than its start nor a whole
// interval later, and a released phase is used again.
import { describe, expect, it } from 'vitest';
import { FramePhases } from '../../src/media/session/frame-phases.js';

describe('FramePhases', () => {
  it('gives 40 streams started at one instant two to each 1 ms phase, each within the next 20 ms', () => {
    const phases = new FramePhases(20, 20);
    const nowMs = 1_000_003.25;
    const starts = Array.from({ length: 40 }, () => phases.take(nowMs));
    for (const atMs of starts) {
      expect(atMs).toBeGreaterThanOrEqual(nowMs);
      expect(atMs).toBeLessThan(nowMs + 20);
    }
    // The first 20 take the 20 phases in time order (the earliest of equally used ones), the next 20 the same again.
    expect(starts.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, k) => nowMs + k));
    expect(starts.slice(20)).toEqual(starts.slice(0, 20));
    expect(phases.load()).toEqual(Array(20).fill(2));
  });

  it('starts a stream at once when its phase is the least used, and fills a released phase first', () => {
    const phases = new FramePhases(20, 20);
    expect(phases.take(100)).toBe(100); // phase 0
    expect(phases.take(100)).toBe(101); // phase 1
    expect(phases.take(105)).toBe(105); // phase 5, unused: at once
    for (let i = 0; i < 17; i++) phases.take(100); // every phase used once
    expect(phases.load()).toEqual(Array(20).fill(1));
    phases.release(107);
    expect(phases.take(100)).toBe(107); // the one empty phase, 7 ms on
    expect(phases.take(113)).toBe(113); // all equal again: at once
    phases.release(12_345.5); // phase 5 had one: now none
    expect(phases.load()[5]).toBe(0);
    phases.release(12_345.5); // a phase with nothing in it stays at zero
    expect(phases.load()[5]).toBe(0);
  });

  it('refuses a period or slot count that cannot work', () => {
    expect(() => new FramePhases(0, 20)).toThrow(RangeError);
    expect(() => new FramePhases(20, 0)).toThrow(RangeError);
  });
});
