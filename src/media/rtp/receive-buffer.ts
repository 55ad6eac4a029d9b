// The receive side's reorder buffer: decoded RTP payloads go in as they arrive (late, out of order, duplicated,
// missing), 20 ms frames of 8 kHz audio come out in sequence order for the detectors (AMD, greeting end, in-band
// DTMF). It is not a playout buffer: nothing is played, so a packet that arrives in order is released at once and
// only a gap makes the packets after it wait, until one `maxWaitPackets` past the gap arrives.
//
// Sequence numbers are 16 bits and wrap (RFC 3550 section 5.1); comparisons use the signed 16-bit distance. A jump
// beyond MAX_DROPOUT is taken as a restarted sender only when the next packet confirms it (the probation of RFC 3550
// Appendix A.1), so one stray packet cannot throw the stream off.
//
// Time lost in a gap, or skipped by a sender that suppresses silence (RFC 3551 section 4.1: the timestamp keeps
// counting while no packets are sent), is filled with silence computed from the RTP timestamps, up to
// `maxSilenceFillMs`, so the detectors' clocks keep up with the far end's: a voicemail that sends nothing for 3 s
// still counts as 3 s of initial silence. With `fill: 'skip'` gaps are dropped instead.

export const SAMPLE_RATE_HZ = 8000;
export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz

/** RFC 3550 Appendix A.1: a forward jump up to this many sequence numbers is loss, not a restart. */
const MAX_DROPOUT = 3000;
/** RFC 3550 Appendix A.1: a packet up to this far behind is a late or duplicate one, not a restart. */
const MAX_MISORDER = 100;
/** How many released sequence numbers are remembered to recognise duplicates (covers MAX_MISORDER). */
const RELEASED_WINDOW = 256;

export interface ReceivedPayload {
  /** 16-bit RTP sequence number. */
  sequenceNumber: number;
  /** RTP timestamp (8 kHz clock for G.711). */
  timestamp: number;
  /**
   * The decoded audio, which the buffer then owns (a whole frame of it may come out as that frame, uncopied); null when
   * nothing analyses the audio just now: the packet is counted and keeps the timestamps, but makes no frames.
   */
  samples: Int16Array | null;
  /** How many samples the payload holds (G.711: one per byte); read only when `samples` is null. */
  sampleCount?: number;
}

export interface ReceiveBufferOptions {
  /**
   * A missing packet is given up as lost once a packet this many sequence numbers after it has arrived, i.e. after
   * about maxWaitPackets x 20 ms of waiting (default 5: ~100 ms). At most maxWaitPackets - 1 packets are held.
   */
  maxWaitPackets?: number;
  /** What a gap becomes: silence as long as the timestamps say (default) or nothing. */
  fill?: 'silence' | 'skip';
  /** Longest gap filled with silence; a longer timestamp jump is a discontinuity and adds nothing (default 5000). */
  maxSilenceFillMs?: number;
}

export interface ReceiveBufferStats {
  /** Packets used (released in order). */
  packetsAccepted: number;
  /** Sequence numbers given up on. */
  packetsLost: number;
  /** Packets that arrived after a higher sequence number had (used, or too late). */
  packetsReordered: number;
  packetsDuplicate: number;
  /** Packets that arrived after their place had been given up on, dropped. */
  packetsLate: number;
  /** Sequence jumps taken as a restarted stream. */
  resyncs: number;
}

export class ReceiveBuffer {
  private readonly maxWaitPackets: number;
  private readonly fill: 'silence' | 'skip';
  private readonly maxSilenceFillSamples: number;
  /** Next sequence number to release; null before the first packet. */
  private expected: number | null = null;
  private highest = 0;
  /** Timestamp just after the last released payload: where the next one should start. */
  private nextTimestamp: number | null = null;
  /** Packets waiting for a gap before them, by sequence number; all within maxWaitPackets of `expected`. */
  private readonly held = new Map<number, ReceivedPayload>();
  /** A restart candidate: the sequence number that would confirm it. */
  private probationSequence: number | null = null;
  /** The sequence numbers released most recently, by sequence % RELEASED_WINDOW: tells duplicates from late packets. */
  private readonly released = new Int32Array(RELEASED_WINDOW).fill(-1);
  private readonly partial = new Int16Array(FRAME_SAMPLES);
  private partialSamples = 0;
  private readonly counters: ReceiveBufferStats = {
    packetsAccepted: 0,
    packetsLost: 0,
    packetsReordered: 0,
    packetsDuplicate: 0,
    packetsLate: 0,
    resyncs: 0,
  };

  constructor(options: ReceiveBufferOptions = {}) {
    this.maxWaitPackets = Math.max(1, Math.floor(options.maxWaitPackets ?? 5));
    this.fill = options.fill ?? 'silence';
    this.maxSilenceFillSamples = Math.round(((options.maxSilenceFillMs ?? 5000) * SAMPLE_RATE_HZ) / 1000);
  }

  /** Packets waiting for a gap before them to fill. */
  get heldPackets(): number {
    return this.held.size;
  }

  stats(): ReceiveBufferStats {
    return { ...this.counters };
  }

  /** Adds one packet's audio; returns the 20 ms frames (160 samples each) that are now complete, in order. */
  push(payload: ReceivedPayload): Int16Array[] {
    const frames: Int16Array[] = [];
    const sequence = payload.sequenceNumber;
    if (this.expected === null) {
      this.expected = sequence;
      this.highest = sequence;
    }
    const distance = distance16(this.expected, sequence);

    if (distance > MAX_DROPOUT || distance < -MAX_MISORDER) {
      if (this.probationSequence !== sequence) {
        this.probationSequence = (sequence + 1) & 0xffff;
        return frames;
      }
      // Two packets in sequence after a big jump: the sender restarted. Release what was held, then start over.
      this.counters.resyncs++;
      this.drainAll(frames);
      this.released.fill(-1);
      this.expected = sequence;
      this.highest = sequence;
      this.nextTimestamp = null;
    }
    this.probationSequence = null;

    const behind = distance16(this.expected, sequence) < 0;
    if (this.held.has(sequence) || (behind && this.released[sequence % RELEASED_WINDOW] === sequence)) {
      this.counters.packetsDuplicate++;
      return frames;
    }
    if (distance16(this.highest, sequence) < 0) this.counters.packetsReordered++;
    else this.highest = sequence;
    if (behind) {
      // Its place was given up on (counted as lost) before it came.
      this.counters.packetsLate++;
      return frames;
    }

    if (sequence === this.expected) {
      // In order, the usual case: released at once, without a trip through the map of held packets (whose set and
      // delete per packet, resizing as it emptied, was 5% of what a media worker allocated in bench/media.ts).
      this.release(payload, frames);
      this.expected = (sequence + 1) & 0xffff;
      if (this.held.size > 0) this.releaseInOrder(frames);
    } else {
      this.held.set(sequence, payload);
    }
    // Give up on the gap when the newest packet is maxWaitPackets past it.
    while (this.held.size > 0 && distance16(this.expected, this.highest) >= this.maxWaitPackets) {
      this.skipToFirstHeld();
      this.releaseInOrder(frames);
    }
    return frames;
  }

  /** Releases everything held, counting the gaps as lost (e.g. when the stream stops). The partial frame stays. */
  flush(): Int16Array[] {
    const frames: Int16Array[] = [];
    this.drainAll(frames);
    return frames;
  }

  private drainAll(frames: Int16Array[]): void {
    while (this.held.size > 0) {
      this.skipToFirstHeld();
      this.releaseInOrder(frames);
    }
  }

  private releaseInOrder(frames: Int16Array[]): void {
    for (;;) {
      const payload = this.held.get(this.expected!);
      if (!payload) return;
      this.held.delete(this.expected!);
      this.release(payload, frames);
      this.expected = (this.expected! + 1) & 0xffff;
    }
  }

  /** Counts the missing sequence numbers before the first held packet as lost and moves `expected` to it. */
  private skipToFirstHeld(): void {
    let first = Infinity;
    for (const sequence of this.held.keys()) first = Math.min(first, distance16(this.expected!, sequence));
    if (first === Infinity) return;
    this.counters.packetsLost += first;
    this.expected = (this.expected! + first) & 0xffff;
  }

  private release(payload: ReceivedPayload, frames: Int16Array[]): void {
    this.counters.packetsAccepted++;
    this.released[payload.sequenceNumber % RELEASED_WINDOW] = payload.sequenceNumber;
    if (payload.samples === null) {
      // Nobody analyses this audio: no frame, and a frame in the making is dropped (analysis starts on a fresh one).
      this.partialSamples = 0;
      this.nextTimestamp = (payload.timestamp + (payload.sampleCount ?? FRAME_SAMPLES)) >>> 0;
      return;
    }
    if (this.nextTimestamp !== null && this.fill === 'silence') {
      const gapSamples = distance32(this.nextTimestamp, payload.timestamp);
      if (gapSamples > 0 && gapSamples <= this.maxSilenceFillSamples) this.appendSilence(gapSamples, frames);
    }
    this.append(payload.samples, frames);
    this.nextTimestamp = (payload.timestamp + payload.samples.length) >>> 0;
  }

  private append(samples: Int16Array, frames: Int16Array[]): void {
    if (this.partialSamples === 0 && samples.length === FRAME_SAMPLES) {
      // A whole frame on a frame boundary (a 20 ms packet in order): it is the frame.
      frames.push(samples);
      return;
    }
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(FRAME_SAMPLES - this.partialSamples, samples.length - offset);
      this.partial.set(samples.subarray(offset, offset + take), this.partialSamples);
      this.partialSamples += take;
      offset += take;
      if (this.partialSamples === FRAME_SAMPLES) {
        frames.push(this.partial.slice());
        this.partialSamples = 0;
      }
    }
  }

  private appendSilence(count: number, frames: Int16Array[]): void {
    let left = count;
    while (left > 0) {
      const take = Math.min(FRAME_SAMPLES - this.partialSamples, left);
      this.partial.fill(0, this.partialSamples, this.partialSamples + take);
      this.partialSamples += take;
      left -= take;
      if (this.partialSamples === FRAME_SAMPLES) {
        frames.push(this.partial.slice());
        this.partialSamples = 0;
      }
    }
  }
}

/** Signed distance from a to b on the 16-bit sequence circle: positive when b is ahead. */
export function distance16(a: number, b: number): number {
  return ((((b - a) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

/** Signed distance from a to b on the 32-bit timestamp circle. */
function distance32(a: number, b: number): number {
  return (b - a) | 0;
}
