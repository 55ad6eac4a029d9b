// The paced RTP sender in virtual time: random stream identifiers, the marker on the first packet only, +1 sequence
// and +160 timestamp per 20 ms frame (with wrap), frames due by the clock whatever the timer's lateness, a bounded
// catch-up burst, encoded silence between playbacks, and playbacks reported when their last frame has gone.
import { describe, expect, it } from 'vitest';
import { RtpSender } from '../../src/media/rtp/rtp-sender.js';
import { parseRtpPacket, type RtpPacket } from '../../src/media/rtp/rtp-packet.js';
import { decodeMulaw } from '../../src/media/codec/g711.js';

function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function collect(): { packets: RtpPacket[]; send: (bytes: Uint8Array) => void } {
  const packets: RtpPacket[] = [];
  return {
    packets,
    send: (bytes) => {
      const result = parseRtpPacket(bytes);
      if (!result.ok) throw new Error(result.message);
      packets.push(result.packet);
    },
  };
}

describe('RtpSender', () => {
  it('starts from random SSRC, sequence and timestamp, marks the first packet only, and steps +1 / +160', () => {
    const sender = new RtpSender({ law: 'mulaw', payloadType: 0, startMs: 0, randomUint32: sequence(0xdeadbeef, 0x1234fffe, 0xfffffe00) });
    expect(sender.ssrc).toBe(0xdeadbeef);
    const { packets, send } = collect();
    for (let nowMs = 0; nowMs <= 100; nowMs += 20) sender.tick(nowMs, send);
    expect(packets.map((p) => p.sequenceNumber)).toEqual([0xfffe, 0xffff, 0, 1, 2, 3]);
    expect(packets.map((p) => p.timestamp)).toEqual([0xfffffe00, 0xfffffea0, 0xffffff40, 0xffffffe0 >>> 0, 0x80, 0x120]);
    expect(packets.map((p) => p.marker)).toEqual([true, false, false, false, false, false]);
    expect(new Set(packets.map((p) => p.ssrc))).toEqual(new Set([0xdeadbeef]));
    expect(packets.every((p) => p.payloadType === 0 && p.payload.length === 160)).toBe(true);
  });

  it('sends encoded silence when nothing plays (0xFF mu-law, 0xD5 A-law)', () => {
    for (const [law, byte] of [['mulaw', 0xff], ['alaw', 0xd5]] as const) {
      const sender = new RtpSender({ law, payloadType: 8, startMs: 0 });
      const { packets, send } = collect();
      sender.tick(40, send);
      expect(packets).toHaveLength(3);
      expect(packets.every((p) => p.payload.every((b) => b === byte))).toBe(true);
    }
  });

  it('computes due frames from the start time: a late timer sends the missed frames, an early one sends nothing', () => {
    const sender = new RtpSender({ law: 'mulaw', payloadType: 0, startMs: 1000 });
    const { packets, send } = collect();
    sender.tick(999.9, send);
    expect(packets).toHaveLength(0);
    sender.tick(1000, send); // frame 0
    sender.tick(1047, send); // 7 ms late for frame 2: frames 1 and 2
    expect(packets).toHaveLength(3);
    expect(sender.nextDueMs()).toBe(1060);
    sender.tick(1059, send);
    expect(packets).toHaveLength(3);
    // After 10 s of ticks with random lateness, exactly one frame per 20 ms has gone: no drift.
    let nowMs = 1060;
    for (let wake = 0; wake < 500; wake++) {
      sender.tick(nowMs, send);
      expect(packets.length).toBe(Math.floor((nowMs - 1000) / 20) + 1);
      nowMs = sender.nextDueMs() + ((wake * 7919) % 15); // 0-14 ms late
    }
    expect(sender.stats().framesSkipped).toBe(0);
  });

  it('bounds the catch-up burst after a stall; the timestamp still covers the stalled time', () => {
    const sender = new RtpSender({ law: 'mulaw', payloadType: 0, startMs: 0, maxBurstFrames: 5, randomUint32: sequence(1, 100, 0) });
    const { packets, send } = collect();
    sender.tick(0, send);
    sender.tick(1000, send); // 50 frames due: 5 sent, 45 slots skipped
    expect(packets).toHaveLength(6);
    expect(sender.stats()).toEqual({ packetsSent: 6, framesSkipped: 45 });
    expect(packets.map((p) => p.sequenceNumber)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(packets[1]!.timestamp).toBe(46 * 160); // resumes at the slot of frame 46
    expect(packets[5]!.timestamp).toBe(50 * 160);
    expect(sender.nextDueMs()).toBe(1020);
  });

  it('plays queued audio frame by frame, pads the last frame, and reports each playback when its last frame is sent', () => {
    const sender = new RtpSender({ law: 'mulaw', payloadType: 0, startMs: 0 });
    const { packets, send } = collect();
    const finished: number[] = [];
    sender.enqueue(1, new Int16Array(400).fill(1000)); // 2.5 frames
    sender.enqueue(2, new Int16Array(160).fill(-1000));
    for (let nowMs = 0; nowMs <= 100; nowMs += 20) finished.push(...sender.tick(nowMs, send).map((id) => id * 100 + packets.length));
    // Playback 1 ends in the 3rd packet, which continues with playback 2 (no gap between queued audio).
    expect(finished).toEqual([103, 204]);
    const decoded = packets.map((p) => decodeMulaw(p.payload));
    expect(decoded[0]!.every((s) => Math.abs(s - 1000) < 40)).toBe(true);
    expect(decoded[2]!.subarray(0, 80).every((s) => Math.abs(s - 1000) < 40)).toBe(true);
    expect(decoded[2]!.subarray(80).every((s) => Math.abs(s + 1000) < 40)).toBe(true);
    expect(decoded[3]!.subarray(0, 80).every((s) => Math.abs(s + 1000) < 40)).toBe(true);
    expect(decoded[3]!.subarray(80).every((s) => s === 0)).toBe(true); // padded with silence
    expect(decoded[4]!.every((s) => s === 0)).toBe(true);
  });

  it('stopPlayback drops the current and queued audio and returns their ids; silence follows', () => {
    const sender = new RtpSender({ law: 'alaw', payloadType: 8, startMs: 0 });
    const { packets, send } = collect();
    sender.enqueue(7, new Int16Array(8000).fill(5000));
    sender.enqueue(8, new Int16Array(8000).fill(5000));
    sender.tick(0, send);
    expect(sender.playing).toBe(true);
    expect(sender.stopPlayback()).toEqual([7, 8]);
    expect(sender.playing).toBe(false);
    sender.tick(20, send);
    expect(packets[1]!.payload.every((b) => b === 0xd5)).toBe(true);
  });
});
