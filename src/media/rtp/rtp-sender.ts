// The sending half of one RTP stream: 20 ms G.711 frames, paced against the clock, with encoded silence whenever
// nothing is playing so the far end hears a continuous stream (some gateways and media servers drop a call whose RTP
// stops, and their jitter buffers cope better with a steady stream).
//
// RFC 3550 section 5.1: the SSRC, the first sequence number and the first timestamp are random (the SSRC to avoid
// collisions, the others to make known-plaintext attacks on encryption harder); the sequence number counts packets,
// the timestamp counts samples (8 kHz for G.711, RFC 3551 section 4.5.14), so it advances by 160 per 20 ms frame.
// RFC 3551 section 4.1: the marker bit flags the first packet of a talkspurt; the stream never pauses, so only the
// very first packet has it.
//
// Pacing: frame N is due at startMs + N x 20 ms, computed from the start time rather than from the previous send, so
// timer lateness never accumulates (chained timeouts drift by their lateness every time). A late tick sends every
// frame that has come due, up to `maxBurstFrames`; when the sender fell further behind than that (the thread was
// blocked), the rest of the backlog is skipped: the timestamp still advances for the skipped time, so the far end sees
// a gap of the right length, and the audio resumes where it stopped instead of arriving as a burst.
//
// The class is pure: the caller supplies the time (`tick(nowMs)`) and a function that sends a packet.
import { randomInt } from 'node:crypto';
import { encodeG711, silenceByte, type G711Law } from '../codec/g711.js';
import { serializeRtpPacket } from './rtp-packet.js';

export const FRAME_DURATION_MS = 20;
export const SAMPLES_PER_FRAME = 160; // 20 ms at 8 kHz

export interface RtpSenderOptions {
  law: G711Law;
  payloadType: number;
  /** When frame 0 is due, on the caller's monotonic clock (e.g. performance.now()). */
  startMs: number;
  /** Most frames sent by one tick when catching up (default 5: 100 ms). */
  maxBurstFrames?: number;
  /** A random 32-bit unsigned integer (tests inject their own). */
  randomUint32?: () => number;
}

export interface RtpSenderStats {
  packetsSent: number;
  /** Frame slots skipped because the sender fell more than maxBurstFrames behind. */
  framesSkipped: number;
}

interface Playback {
  id: number;
  pcm: Int16Array;
  /** Next sample to send. */
  offsetSamples: number;
}

const defaultRandomUint32 = (): number => randomInt(0, 0x1_0000_0000);

export class RtpSender {
  readonly ssrc: number;
  private law: G711Law;
  private payloadType: number;
  private startMs: number;
  private readonly maxBurstFrames: number;
  private sequenceNumber: number;
  private timestamp: number;
  /** Index of the next frame slot (sent or skipped) since startMs. */
  private nextFrameIndex = 0;
  private markerPending = true;
  private readonly queue: Playback[] = [];
  private readonly framePcm = new Int16Array(SAMPLES_PER_FRAME);
  private readonly framePayload = new Uint8Array(SAMPLES_PER_FRAME);
  private silencePayload: Uint8Array;
  private readonly counters: RtpSenderStats = { packetsSent: 0, framesSkipped: 0 };

  constructor(options: RtpSenderOptions) {
    const random = options.randomUint32 ?? defaultRandomUint32;
    this.ssrc = random() >>> 0;
    this.sequenceNumber = random() & 0xffff;
    this.timestamp = random() >>> 0;
    this.law = options.law;
    this.payloadType = options.payloadType;
    this.startMs = options.startMs;
    this.maxBurstFrames = Math.max(1, Math.floor(options.maxBurstFrames ?? 5));
    this.silencePayload = new Uint8Array(SAMPLES_PER_FRAME).fill(silenceByte(this.law));
  }

  /** A re-negotiation may change the codec: the stream (SSRC, sequence, timestamp) carries on. */
  setFormat(law: G711Law, payloadType: number): void {
    this.payloadType = payloadType;
    if (law !== this.law) {
      this.law = law;
      this.silencePayload = new Uint8Array(SAMPLES_PER_FRAME).fill(silenceByte(law));
    }
  }

  /** Restarts the schedule: frame slots are counted from `startMs` again (used when sending begins). */
  restartClock(startMs: number): void {
    this.startMs = startMs;
    this.nextFrameIndex = 0;
  }

  stats(): RtpSenderStats {
    return { ...this.counters };
  }

  /** Queues audio after whatever is playing; `id` is reported by `tick` once its last frame has been sent. */
  enqueue(id: number, pcm8k: Int16Array): void {
    this.queue.push({ id, pcm: pcm8k, offsetSamples: 0 });
  }

  /** Drops the current and queued audio; returns their ids, in queue order. */
  stopPlayback(): number[] {
    return this.queue.splice(0).map((playback) => playback.id);
  }

  get playing(): boolean {
    return this.queue.length > 0;
  }

  /** When the next frame is due (same clock as startMs). */
  nextDueMs(): number {
    return this.startMs + this.nextFrameIndex * FRAME_DURATION_MS;
  }

  /**
   * Sends every frame due at `nowMs` (at most maxBurstFrames); returns the ids of playbacks whose last frame went out.
   */
  tick(nowMs: number, send: (packet: Uint8Array) => void): number[] {
    const finished: number[] = [];
    if (nowMs < this.nextDueMs()) return finished;
    let due = Math.floor((nowMs - this.startMs) / FRAME_DURATION_MS) + 1 - this.nextFrameIndex;
    if (due > this.maxBurstFrames) {
      const skipped = due - this.maxBurstFrames;
      this.counters.framesSkipped += skipped;
      this.nextFrameIndex += skipped;
      this.timestamp = (this.timestamp + skipped * SAMPLES_PER_FRAME) >>> 0;
      due = this.maxBurstFrames;
    }
    for (let i = 0; i < due; i++) {
      send(this.nextPacket(finished));
      this.nextFrameIndex++;
    }
    return finished;
  }

  private nextPacket(finished: number[]): Uint8Array {
    const payload = this.nextPayload(finished);
    const packet = serializeRtpPacket({
      marker: this.markerPending,
      payloadType: this.payloadType,
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      ssrc: this.ssrc,
      payload,
    });
    this.markerPending = false;
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.timestamp = (this.timestamp + SAMPLES_PER_FRAME) >>> 0;
    this.counters.packetsSent++;
    return packet;
  }

  /** The next 160 samples of the queue (across playbacks, padded with silence at the very end) or silence. */
  private nextPayload(finished: number[]): Uint8Array {
    if (this.queue.length === 0) return this.silencePayload;
    let filled = 0;
    while (filled < SAMPLES_PER_FRAME) {
      const playback = this.queue[0];
      if (!playback) break;
      const take = Math.min(SAMPLES_PER_FRAME - filled, playback.pcm.length - playback.offsetSamples);
      this.framePcm.set(playback.pcm.subarray(playback.offsetSamples, playback.offsetSamples + take), filled);
      filled += take;
      playback.offsetSamples += take;
      if (playback.offsetSamples >= playback.pcm.length) {
        this.queue.shift();
        finished.push(playback.id);
      }
    }
    this.framePcm.fill(0, filled);
    return encodeG711(this.law, this.framePcm, this.framePayload);
  }
}
