// RFC 3550 interarrival jitter: zero for a steady stream, the smoothed mean deviation for an uneven one, correct
// across the 32-bit timestamp wrap, and starting again for a new stream.
import { describe, expect, it } from 'vitest';
import { InterarrivalJitter } from '../../src/media/rtp/interarrival-jitter.js';

/** 20 ms G.711 packets: 160 timestamp units apart at 8 kHz. */
const FRAME_UNITS = 160;

describe('InterarrivalJitter', () => {
  it('is zero for packets that arrive exactly as they were sent', () => {
    const jitter = new InterarrivalJitter(8000);
    for (let i = 0; i < 100; i++) jitter.packet(1000 + i * 20, 5000 + i * FRAME_UNITS);
    expect(jitter.jitterMs).toBe(0);
  });

  it('follows J += (|D| - J) / 16 for arrivals alternately 5 ms late and on time', () => {
    const jitter = new InterarrivalJitter(8000);
    let expectedMs = 0;
    for (let i = 0; i < 200; i++) {
      jitter.packet(i * 20 + (i % 2 === 1 ? 5 : 0), i * FRAME_UNITS);
      // Every spacing after the first differs from the sender's by 5 ms.
      if (i > 0) expectedMs += (5 - expectedMs) / 16;
    }
    expect(jitter.jitterMs).toBeCloseTo(expectedMs, 9);
    expect(jitter.jitterMs).toBeGreaterThan(4.9);
  });

  it('is not thrown by the RTP timestamp wrapping past 2^32', () => {
    const jitter = new InterarrivalJitter(8000);
    const start = 2 ** 32 - 3 * FRAME_UNITS;
    for (let i = 0; i < 10; i++) jitter.packet(i * 20, (start + i * FRAME_UNITS) % 2 ** 32);
    expect(jitter.jitterMs).toBe(0);
  });

  it('starts again after reset (a new SSRC)', () => {
    const jitter = new InterarrivalJitter(8000);
    jitter.packet(0, 0);
    jitter.packet(40, FRAME_UNITS);
    expect(jitter.jitterMs).toBeGreaterThan(0);
    jitter.reset();
    expect(jitter.jitterMs).toBe(0);
    jitter.packet(1000, 999_999);
    jitter.packet(1020, 999_999 + FRAME_UNITS);
    expect(jitter.jitterMs).toBe(0);
  });
});
