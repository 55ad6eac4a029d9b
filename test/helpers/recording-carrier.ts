// A carrier wrapper for the dialer's integration tests: it records when each dial started and when its call ended
// (the failure, or the end of the answered call), so tests can count calls up at once and starts per second from the
// carrier's side. The wrapped carrier does all the work; the real dialer drives both.
import type { Clock } from '../../src/domain/clock.js';
import { parseCallId } from '../../src/telephony/call-id.js';
import type { Carrier, DialRequest, DialResult } from '../../src/telephony/carrier.js';

/** One dial as the carrier saw it. */
export interface DialRecord {
  callId: string;
  phoneNumberId: number;
  attemptNumber: number;
  to: string;
  ringTimeoutMs: number;
  startedAtMs: number;
  /** When the dial failed, or when the answered call ended; undefined while the call is up. */
  endedAtMs: number | undefined;
  result: 'answered' | 'failed' | 'threw' | undefined;
}

/**
 * Wraps a carrier and records each dial's start and end (the end of the answered call, or the failure), so tests can
 * count calls up at once and starts per second. The wrapped carrier does all the work; the dialer drives both.
 */
export class RecordingCarrier implements Carrier {
  readonly records: DialRecord[] = [];
  private up = 0;
  /** The most calls up at one instant. */
  maxUp = 0;

  constructor(
    private readonly inner: Carrier,
    private readonly clock: Clock,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const parts = parseCallId(request.callId);
    const record: DialRecord = {
      callId: request.callId,
      phoneNumberId: Number(parts?.phoneNumberId ?? Number.NaN),
      attemptNumber: parts?.attemptNumber ?? 1,
      to: request.to,
      ringTimeoutMs: request.ringTimeoutMs,
      startedAtMs: this.clock.now().getTime(),
      endedAtMs: undefined,
      result: undefined,
    };
    this.records.push(record);
    this.up++;
    this.maxUp = Math.max(this.maxUp, this.up);
    const end = (result: DialRecord['result']) => {
      record.endedAtMs = this.clock.now().getTime();
      record.result = result;
      this.up--;
    };
    let result: DialResult;
    try {
      result = await this.inner.dial(request);
    } catch (error) {
      end('threw');
      throw error;
    }
    if (result.kind === 'failed') end('failed');
    else void result.call.ended.then(() => end('answered'));
    return result;
  }
}

/**
 * The most calls up at once among `records` (each up over [startedAtMs, endedAtMs): a call that ends at the instant
 * another starts does not overlap it).
 */
export function maxConcurrent(records: readonly DialRecord[]): number {
  const edges: [number, number][] = [];
  for (const record of records) {
    edges.push([record.startedAtMs, +1]);
    edges.push([record.endedAtMs ?? Number.POSITIVE_INFINITY, -1]);
  }
  // Ends before starts at the same instant.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let up = 0;
  let most = 0;
  for (const [, delta] of edges) {
    up += delta;
    most = Math.max(most, up);
  }
  return most;
}

/** The most dials started within any one-second span [t, t + 1000 ms). */
export function maxStartsPerSecond(records: readonly DialRecord[]): number {
  const starts = records.map((record) => record.startedAtMs).sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; first < starts.length; first++) {
    while (last < starts.length && starts[last]! < starts[first]! + 1000) last++;
    most = Math.max(most, last - first);
  }
  return most;
}

/** Dial records of the given phone number ids (e.g. one campaign's). */
export function recordsOf(records: readonly DialRecord[], phoneNumberIds: Iterable<number>): DialRecord[] {
  const ids = new Set(phoneNumberIds);
  return records.filter((record) => ids.has(record.phoneNumberId));
}
