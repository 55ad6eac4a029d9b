// The reorder buffer: whatever the network does to a stream (jitter, reordering, loss, duplicates, sequence wrap, a
// restarted sender), the detectors get 20 ms frames in order, with lost time as silence, and the counters tell what
// happened.
import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES, ReceiveBuffer, distance16, type ReceivedPayload } from '../../src/media/rtp/receive-buffer.js';

/** Packet n of a stream: 160 samples all equal to n + 1 (so a frame says which packet it came from; 0 is silence). */
function packet(n: number, firstSequence = 0, firstTimestamp = 1000): ReceivedPayload {
  return {
    sequenceNumber: (firstSequence + n) & 0xffff,
    timestamp: (firstTimestamp + n * FRAME_SAMPLES) >>> 0,
    samples: new Int16Array(FRAME_SAMPLES).fill(n + 1),
  };
}

/** What each output frame holds: the packet number it came from, or -1 for silence. */
function frameIds(frames: Int16Array[]): number[] {
  for (const frame of frames) {
    expect(frame).toHaveLength(FRAME_SAMPLES);
    expect(frame.every((sample) => sample === frame[0])).toBe(true);
  }
  return frames.map((frame) => frame[0]! - 1);
}

function pushAll(buffer: ReceiveBuffer, packets: ReceivedPayload[]): number[] {
  return frameIds([...packets.flatMap((p) => buffer.push(p)), ...buffer.flush()]);
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const range = (count: number) => Array.from({ length: count }, (_, n) => n);

describe('ReceiveBuffer', () => {
  it('releases packets that arrive in order at once, one 20 ms frame each', () => {
    const buffer = new ReceiveBuffer();
    for (const n of range(10)) expect(frameIds(buffer.push(packet(n)))).toEqual([n]);
    expect(buffer.stats()).toMatchObject({ packetsAccepted: 10, packetsLost: 0, packetsReordered: 0, packetsDuplicate: 0 });
  });

  it('puts reordered packets back in order (adjacent swaps and jitter within the wait window)', () => {
    const buffer = new ReceiveBuffer({ maxWaitPackets: 5 });
    const order = [0, 2, 1, 3, 6, 4, 5, 7, 9, 8, 10];
    expect(pushAll(buffer, order.map((n) => packet(n)))).toEqual(range(11));
    expect(buffer.stats()).toMatchObject({ packetsAccepted: 11, packetsLost: 0, packetsReordered: 4, packetsLate: 0 });
  });

  it('restores order after a random shuffle with bounded displacement', () => {
    const next = random(7);
    const packets = range(500).map((n) => ({ n, key: n + next() * 4 }));
    packets.sort((a, b) => a.key - b.key);
    const buffer = new ReceiveBuffer({ maxWaitPackets: 5 });
    expect(pushAll(buffer, packets.map(({ n }) => packet(n)))).toEqual(range(500));
    expect(buffer.stats().packetsLost).toBe(0);
  });

  it('drops duplicates, whether still held or already released', () => {
    const buffer = new ReceiveBuffer();
    const order = [0, 1, 1, 3, 3, 2, 2, 4, 0];
    expect(pushAll(buffer, order.map((n) => packet(n)))).toEqual(range(5));
    expect(buffer.stats()).toMatchObject({ packetsAccepted: 5, packetsDuplicate: 4, packetsLost: 0, packetsLate: 0 });
  });

  it('fills lost packets with silence as long as the timestamps say, once a packet maxWaitPackets past the gap came', () => {
    const buffer = new ReceiveBuffer({ maxWaitPackets: 3 });
    const frames: number[] = [];
    for (const n of [0, 1, 4]) frames.push(...frameIds(buffer.push(packet(n))));
    expect(frames).toEqual([0, 1]); // 2 and 3 may still come
    frames.push(...frameIds(buffer.push(packet(5)))); // 5 is 3 past the gap (2): give up on 2 and 3
    expect(frames).toEqual([0, 1, -1, -1, 4, 5]);
    expect(buffer.stats()).toMatchObject({ packetsLost: 2, packetsAccepted: 4 });
    // 3 arriving now is too late.
    expect(buffer.push(packet(3))).toEqual([]);
    expect(buffer.stats()).toMatchObject({ packetsLate: 1, packetsDuplicate: 0 });
  });

  it("skips lost packets instead with fill: 'skip'", () => {
    const buffer = new ReceiveBuffer({ maxWaitPackets: 2, fill: 'skip' });
    expect(pushAll(buffer, [0, 3, 4, 5].map((n) => packet(n)))).toEqual([0, 3, 4, 5]);
    expect(buffer.stats().packetsLost).toBe(2);
  });

  it('survives heavy random loss, duplication and reordering: output in order, lost time as silence, bounded wait', () => {
    const next = random(99);
    const sent = range(2000);
    const arriving: number[] = [];
    for (const n of sent) {
      if (next() < 0.1) continue; // 10% loss
      arriving.push(n);
      if (next() < 0.05) arriving.push(n); // 5% duplicated
    }
    // Local reordering: swap neighbours now and then.
    for (let i = 0; i + 1 < arriving.length; i++) if (next() < 0.1) [arriving[i], arriving[i + 1]] = [arriving[i + 1]!, arriving[i]!];
    const buffer = new ReceiveBuffer({ maxWaitPackets: 5 });
    const ids = pushAll(buffer, arriving.map((n) => packet(n)));
    const received = new Set(arriving);
    // Every slot from the first to the last packet comes out once: the packet if it arrived, else silence.
    expect(ids).toEqual(range(2000).filter((n) => n >= Math.min(...arriving)).map((n) => (received.has(n) ? n : -1)).slice(0, ids.length));
    expect(ids.length).toBe(Math.max(...arriving) - Math.min(...arriving) + 1);
    const stats = buffer.stats();
    expect(stats.packetsAccepted).toBe(received.size);
    expect(stats.packetsLost).toBe(ids.filter((id) => id === -1).length);
    expect(stats.packetsDuplicate).toBe(arriving.length - received.size);
  });

  it('crosses the 16-bit sequence wrap (65535 -> 0) in order, reordered across it too', () => {
    const buffer = new ReceiveBuffer();
    const first = 65530;
    const order = [0, 1, 2, 3, 4, 6, 5, 7, 8, 9, 10, 11];
    expect(pushAll(buffer, order.map((n) => packet(n, first)))).toEqual(range(12));
    expect(buffer.stats()).toMatchObject({ packetsLost: 0, packetsAccepted: 12, packetsReordered: 1 });
  });

  it('counts loss across the wrap and fills it from timestamps that wrap too', () => {
    const buffer = new ReceiveBuffer({ maxWaitPackets: 2 });
    const ids = pushAll(buffer, [0, 1, 3, 4, 5].map((n) => packet(n, 65534, 0xffffffff - 200)));
    expect(ids).toEqual([0, 1, -1, 3, 4, 5]);
    expect(buffer.stats().packetsLost).toBe(1);
  });

  it('takes a big sequence jump as a restarted sender only when the next packet confirms it', () => {
    const buffer = new ReceiveBuffer();
    const frames = [0, 1, 2].flatMap((n) => buffer.push(packet(n)));
    // One stray packet far away changes nothing.
    frames.push(...buffer.push(packet(0, 40000, 5)));
    frames.push(...buffer.push(packet(3)));
    // A restarted stream: two packets in sequence far away; the first is the probe, the second starts the new stream.
    frames.push(...buffer.push(packet(10, 20000, 777)), ...buffer.push(packet(11, 20000, 777)), ...buffer.push(packet(12, 20000, 777)));
    expect(frameIds(frames)).toEqual([0, 1, 2, 3, 11, 12]);
    expect(buffer.stats()).toMatchObject({ resyncs: 1, packetsLost: 0 });
  });

  it('fills a silence-suppression pause (timestamps jump, sequence does not) with silence, up to maxSilenceFillMs', () => {
    const buffer = new ReceiveBuffer({ maxSilenceFillMs: 1000 });
    const talk = (n: number, timestamp: number): ReceivedPayload => ({ sequenceNumber: n, timestamp, samples: new Int16Array(160).fill(n + 1) });
    const ids = frameIds([
      ...buffer.push(talk(0, 0)),
      ...buffer.push(talk(1, 160 + 8 * 100)), // 100 ms pause: 5 silent frames
      ...buffer.push(talk(2, 320 + 8 * 100 + 8 * 5000)), // 5 s pause: beyond the limit, taken as a discontinuity
    ]);
    expect(ids).toEqual([0, -1, -1, -1, -1, -1, 1, 2]);
    expect(buffer.stats().packetsLost).toBe(0);
  });

  it('re-cuts packets of other sizes (10 ms, 30 ms) into 20 ms frames', () => {
    const buffer = new ReceiveBuffer();
    const sizes = [80, 80, 240, 240, 80];
    let timestamp = 0;
    const frames: Int16Array[] = [];
    sizes.forEach((size, n) => {
      frames.push(...buffer.push({ sequenceNumber: n, timestamp, samples: new Int16Array(size).fill(n + 1) }));
      timestamp += size;
    });
    expect(frames).toHaveLength(4); // 720 samples
    expect(Array.from(frames[1]!.subarray(0, 3))).toEqual([3, 3, 3]);
    expect(frames[2]![80]).toBe(4);
  });

  it('holds at most maxWaitPackets - 1 packets, however far ahead the newest one is', () => {
    const buffer = new ReceiveBuffer({ maxWaitPackets: 4 });
    buffer.push(packet(0));
    // Only every other packet arrives, then a long run ahead of a gap.
    const ids = frameIds(
      [2, 4, 6, 8, 10, 2000].flatMap((n) => {
        const frames = buffer.push(packet(n));
        expect(buffer.heldPackets).toBeLessThanOrEqual(3);
        return frames;
      }),
    );
    expect(ids.at(-1)).toBe(2000);
    expect(buffer.stats().packetsLost).toBe(2000 - 6);
  });
});

describe('ReceiveBuffer while nothing analyses the audio (samples: null)', () => {
  /** Packet n without its audio, as the RTP session pushes it while no detector listens. */
  const counted = (n: number): ReceivedPayload => ({ ...packet(n), samples: null, sampleCount: FRAME_SAMPLES });

  it('counts packets, loss, reordering and duplicates but makes no frames', () => {
    const buffer = new ReceiveBuffer({ maxWaitPackets: 3 });
    const frames = [0, 1, 3, 2, 2, 4, 9, 10, 11, 12].flatMap((n) => buffer.push(counted(n)));
    expect(frames).toEqual([]);
    expect(buffer.stats()).toMatchObject({ packetsAccepted: 9, packetsLost: 4, packetsReordered: 1, packetsDuplicate: 1 });
  });

  it('keeps the timestamps, so audio analysed from a later packet on starts on a fresh frame with no silence before it', () => {
    const buffer = new ReceiveBuffer();
    // A 10 ms packet of audio leaves half a frame in the making; counted packets drop it.
    const half = { sequenceNumber: 0, timestamp: 1000, samples: new Int16Array(80).fill(99) };
    expect(buffer.push(half)).toEqual([]);
    const counting = [1, 2, 3].flatMap((n) => buffer.push({ sequenceNumber: n, timestamp: 1080 + (n - 1) * FRAME_SAMPLES, samples: null, sampleCount: FRAME_SAMPLES }));
    expect(counting).toEqual([]);
    const analysed = buffer.push({ sequenceNumber: 4, timestamp: 1080 + 3 * FRAME_SAMPLES, samples: new Int16Array(FRAME_SAMPLES).fill(7) });
    expect(frameIds(analysed)).toEqual([6]);
    expect(buffer.stats().packetsLost).toBe(0);
  });
});

describe('distance16', () => {
  it('is the signed distance on the sequence circle', () => {
    expect(distance16(65535, 0)).toBe(1);
    expect(distance16(0, 65535)).toBe(-1);
    expect(distance16(100, 100 + 32767)).toBe(32767);
    expect(distance16(100, 100 + 32768)).toBe(-32768);
  });
});
