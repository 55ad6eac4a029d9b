// DTMF digits carried as RTP telephone-events, RFC 4733.
//
// Payload format (section 2.3):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     event     |E|R| volume    |          duration             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// One key press is one event: every packet of it carries the RTP timestamp of its start (2.3.1), the duration so
// far in timestamp units (2.3.5), and the last packets set the E bit; the final packet is sent three times (2.5.1.4)
// and a packet may be lost. So a digit is reported on the first packet with E set, and the event's RTP timestamp
// remembers that it was: the retransmissions are dropped. When every end packet of an event is lost, the next event
// (a new timestamp) is taken as proof that the previous one ended (one stream carries one event at a time), and the
// earlier digit is reported first.

/** Section 3.2, Table 7: events 0-15 are the DTMF keys. Events above 15 (flash, tones) are not digits. */
const DTMF_DIGITS = '0123456789*#ABCD';

export const TELEPHONE_EVENT_PAYLOAD_BYTES = 4;

// Byte offsets in the payload.
const OFFSET_EVENT = 0;
const OFFSET_FLAGS_VOLUME = 1; // E(1) R(1) volume(6)
const OFFSET_DURATION = 2; // 16 bits

const END_BIT = 0x80;
const VOLUME_MASK = 0x3f;

export interface TelephoneEvent {
  /** 0-255; 0-15 are DTMF (see `dtmfDigitOf`). */
  event: number;
  end: boolean;
  /** Power level in -dBm0, 0..63 (section 2.3.4): larger is quieter. */
  volumeMinusDbm0: number;
  /** Duration so far, in RTP timestamp units (8 kHz samples for an 8 kHz stream). */
  durationSamples: number;
}

export type TelephoneEventParseResult =
  | { ok: true; event: TelephoneEvent }
  | { ok: false; code: 'RFC4733_TOO_SHORT'; message: string };

/** Decodes the first (usually only) event of a telephone-event payload. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEventParseResult {
  if (payload.length < TELEPHONE_EVENT_PAYLOAD_BYTES) {
    return { ok: false, code: 'RFC4733_TOO_SHORT', message: `${payload.length} bytes, an event needs 4` };
  }
  const flagsVolume = payload[OFFSET_FLAGS_VOLUME]!;
  return {
    ok: true,
    event: {
      event: payload[OFFSET_EVENT]!,
      end: (flagsVolume & END_BIT) !== 0,
      volumeMinusDbm0: flagsVolume & VOLUME_MASK,
      durationSamples: (payload[OFFSET_DURATION]! << 8) | payload[OFFSET_DURATION + 1]!,
    },
  };
}

/** Encodes one event (for tests and tools: the dialer never sends DTMF). */
export function serializeTelephoneEvent(event: TelephoneEvent): Uint8Array {
  const bytes = new Uint8Array(TELEPHONE_EVENT_PAYLOAD_BYTES);
  bytes[OFFSET_EVENT] = event.event & 0xff;
  bytes[OFFSET_FLAGS_VOLUME] = (event.end ? END_BIT : 0) | (event.volumeMinusDbm0 & VOLUME_MASK);
  bytes[OFFSET_DURATION] = (event.durationSamples >> 8) & 0xff;
  bytes[OFFSET_DURATION + 1] = event.durationSamples & 0xff;
  return bytes;
}

/** The key for a DTMF event code, or null for any other event. */
export function dtmfDigitOf(event: number): string | null {
  return event >= 0 && event < DTMF_DIGITS.length ? DTMF_DIGITS[event]! : null;
}

/** The event code of a DTMF key ('0'-'9', '*', '#', 'A'-'D'), or null. */
export function dtmfEventOf(digit: string): number | null {
  const index = digit.length === 1 ? DTMF_DIGITS.indexOf(digit.toUpperCase()) : -1;
  return index >= 0 ? index : null;
}

/** How many recently ended events are remembered, so a late retransmitted end packet is still dropped. */
const ENDED_MEMORY = 8;

/** Turns the telephone-event packets of one RTP stream into digits, each reported once. */
export class TelephoneEventReceiver {
  /** The event in progress (seen, not yet ended), by its RTP timestamp. */
  private open: { timestamp: number; digit: string } | null = null;
  private readonly endedTimestamps: number[] = [];

  /** Feeds one packet; returns the digits it completes (usually none or one), in order. Bad payloads give none. */
  push(packet: { timestamp: number; payload: Uint8Array }): string[] {
    const parsed = parseTelephoneEvent(packet.payload);
    if (!parsed.ok) return [];
    const { timestamp } = packet;
    if (this.endedTimestamps.includes(timestamp)) return []; // a retransmitted end, or a late packet of it
    const digit = dtmfDigitOf(parsed.event.event);
    const digits: string[] = [];
    if (this.open && this.open.timestamp !== timestamp) {
      // A new event began while the previous one never showed its end: all its end packets were lost.
      digits.push(this.open.digit);
      this.remember(this.open.timestamp);
      this.open = null;
    }
    if (digit === null) return digits;
    if (parsed.event.end) {
      digits.push(digit);
      this.remember(timestamp);
      this.open = null;
    } else {
      this.open = { timestamp, digit };
    }
    return digits;
  }

  private remember(timestamp: number): void {
    this.endedTimestamps.push(timestamp);
    if (this.endedTimestamps.length > ENDED_MEMORY) this.endedTimestamps.shift();
  }
}
