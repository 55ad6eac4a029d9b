// RTP data packets, RFC 3550 section 5.1 (fixed header), 5.3.1 (header extension) and the padding rule of 5.1.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           timestamp                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           synchronization source (SSRC) identifier            |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |            contributing source (CSRC) identifiers             |
//   |                             ....                              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      defined by profile       |           length              |   <- only when X is set (5.3.1);
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      length counts 32-bit words
//   |                        header extension                       |      after this word
//   |                             ....                              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                            payload                            |
//   |                               +-------------------------------+
//   |                               | padding ...   | pad count (P) |   <- only when P is set: the last octet
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      counts the padding, itself included
//
// Packets come from the network, so parsing checks every length before reading and answers a malformed packet with
// an error result, never a throw. Serialising takes values from our own code: out-of-range fields there are bugs and
// throw RangeError.

export const RTP_VERSION = 2;
/** Bytes of the fixed header (V..SSRC). */
export const RTP_FIXED_HEADER_BYTES = 12;
/** At most 15 CSRCs (4-bit CC field). */
export const RTP_MAX_CSRC_COUNT = 15;

// Byte offsets within the fixed header.
const OFFSET_FLAGS = 0; // V(2) P(1) X(1) CC(4)
const OFFSET_MARKER_PT = 1; // M(1) PT(7)
const OFFSET_SEQUENCE = 2; // 16 bits
const OFFSET_TIMESTAMP = 4; // 32 bits
const OFFSET_SSRC = 8; // 32 bits
const OFFSET_CSRC_LIST = 12; // CC x 32 bits

const CSRC_BYTES = 4;
const EXTENSION_HEADER_BYTES = 4; // profile-defined 16 bits + length 16 bits
const EXTENSION_WORD_BYTES = 4;

const VERSION_SHIFT = 6;
const PADDING_BIT = 0x20;
const EXTENSION_BIT = 0x10;
const CSRC_COUNT_MASK = 0x0f;
const MARKER_BIT = 0x80;
const PAYLOAD_TYPE_MASK = 0x7f;

export interface RtpHeaderExtension {
  /** The 16 "defined by profile" bits (e.g. 0xBEDE for RFC 8285 one-byte extensions). */
  profile: number;
  /** Extension data, a multiple of 4 bytes. */
  data: Uint8Array;
}

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  extension?: RtpHeaderExtension;
  /** The payload without padding. Parsed packets give a view into the received buffer, not a copy. */
  payload: Uint8Array;
  /** Padding bytes after the payload, the count byte included (0: no padding). */
  paddingBytes: number;
}

export type RtpParseErrorCode =
  | 'RTP_TOO_SHORT'
  | 'RTP_BAD_VERSION'
  | 'RTP_CSRC_TRUNCATED'
  | 'RTP_EXTENSION_TRUNCATED'
  | 'RTP_BAD_PADDING';

export type RtpParseResult =
  | { ok: true; packet: RtpPacket }
  | { ok: false; code: RtpParseErrorCode; message: string };

function fail(code: RtpParseErrorCode, message: string): RtpParseResult {
  return { ok: false, code, message };
}

/** Parses one RTP packet (a whole UDP datagram). */
/**
 * The CSRC list of every packet without one (nearly all): shared and frozen, since a media worker parses and sends
 * 25,000 packets a second each way, and every object made per packet is garbage its scavenges pay for (bench/media.ts,
 * allocation sampling: the array, a DataView per packet and the send's zero-filled buffer were a quarter of it).
 */
const NO_CSRCS = Object.freeze([]) as unknown as number[];

/** Big-endian (network order) reads, without a DataView per packet. */
function uint16At(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}
function uint32At(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
function setUint16At(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 8;
  bytes[offset + 1] = value;
}
function setUint32At(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

export function parseRtpPacket(bytes: Uint8Array): RtpParseResult {
  if (bytes.length < RTP_FIXED_HEADER_BYTES) {
    return fail('RTP_TOO_SHORT', `${bytes.length} bytes, the fixed header needs ${RTP_FIXED_HEADER_BYTES}`);
  }
  const flags = bytes[OFFSET_FLAGS]!;
  const version = flags >> VERSION_SHIFT;
  if (version !== RTP_VERSION) return fail('RTP_BAD_VERSION', `version ${version}, expected ${RTP_VERSION}`);
  const hasPadding = (flags & PADDING_BIT) !== 0;
  const hasExtension = (flags & EXTENSION_BIT) !== 0;
  const csrcCount = flags & CSRC_COUNT_MASK;
  const markerPt = bytes[OFFSET_MARKER_PT]!;

  let offset = OFFSET_CSRC_LIST;
  if (bytes.length < offset + csrcCount * CSRC_BYTES) {
    return fail('RTP_CSRC_TRUNCATED', `${csrcCount} CSRCs announced, ${bytes.length} bytes in the packet`);
  }
  const csrcs: number[] = csrcCount === 0 ? NO_CSRCS : [];
  for (let i = 0; i < csrcCount; i++, offset += CSRC_BYTES) csrcs.push(uint32At(bytes, offset));

  let extension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (bytes.length < offset + EXTENSION_HEADER_BYTES) {
      return fail('RTP_EXTENSION_TRUNCATED', 'X bit set but no room for the extension header');
    }
    const profile = uint16At(bytes, offset);
    const dataBytes = uint16At(bytes, offset + 2) * EXTENSION_WORD_BYTES;
    offset += EXTENSION_HEADER_BYTES;
    if (bytes.length < offset + dataBytes) {
      return fail('RTP_EXTENSION_TRUNCATED', `extension of ${dataBytes} bytes, ${bytes.length - offset} left`);
    }
    extension = { profile, data: bytes.subarray(offset, offset + dataBytes) };
    offset += dataBytes;
  }

  let end = bytes.length;
  let paddingBytes = 0;
  if (hasPadding) {
    // 5.1: the last octet counts the padding octets, itself included; it cannot be 0 nor eat into the header.
    paddingBytes = bytes[bytes.length - 1]!;
    if (paddingBytes === 0 || paddingBytes > bytes.length - offset) {
      return fail('RTP_BAD_PADDING', `padding count ${paddingBytes} with ${bytes.length - offset} bytes after the header`);
    }
    end -= paddingBytes;
  }

  const packet: RtpPacket = {
    marker: (markerPt & MARKER_BIT) !== 0,
    payloadType: markerPt & PAYLOAD_TYPE_MASK,
    sequenceNumber: uint16At(bytes, OFFSET_SEQUENCE),
    timestamp: uint32At(bytes, OFFSET_TIMESTAMP),
    ssrc: uint32At(bytes, OFFSET_SSRC),
    csrcs,
    payload: bytes.subarray(offset, end),
    paddingBytes,
  };
  if (extension) packet.extension = extension;
  return { ok: true, packet };
}

export interface RtpPacketInit {
  marker?: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs?: readonly number[];
  extension?: RtpHeaderExtension;
  payload: Uint8Array;
  /** Padding to add, count byte included (0 or absent: none). */
  paddingBytes?: number;
}

/** Bytes of the header `packet` serialises to (everything before the payload). */
export function rtpHeaderBytes(packet: Pick<RtpPacketInit, 'csrcs' | 'extension'>): number {
  const csrcBytes = (packet.csrcs?.length ?? 0) * CSRC_BYTES;
  const extensionBytes = packet.extension ? EXTENSION_HEADER_BYTES + packet.extension.data.length : 0;
  return RTP_FIXED_HEADER_BYTES + csrcBytes + extensionBytes;
}

/** Serialises a packet into a new buffer. */
export function serializeRtpPacket(packet: RtpPacketInit): Uint8Array {
  const csrcs = packet.csrcs ?? NO_CSRCS;
  const paddingBytes = packet.paddingBytes ?? 0;
  checkField('payload type', packet.payloadType, 0x7f);
  checkField('sequence number', packet.sequenceNumber, 0xffff);
  checkField('timestamp', packet.timestamp, 0xffffffff);
  checkField('SSRC', packet.ssrc, 0xffffffff);
  checkField('padding', paddingBytes, 0xff);
  if (csrcs.length > RTP_MAX_CSRC_COUNT) throw new RangeError(`${csrcs.length} CSRCs, at most ${RTP_MAX_CSRC_COUNT}`);
  for (const csrc of csrcs) checkField('CSRC', csrc, 0xffffffff);
  if (packet.extension) {
    checkField('extension profile', packet.extension.profile, 0xffff);
    if (packet.extension.data.length % EXTENSION_WORD_BYTES !== 0) {
      throw new RangeError('extension data must be a multiple of 4 bytes');
    }
    checkField('extension words', packet.extension.data.length / EXTENSION_WORD_BYTES, 0xffff);
  }

  const headerBytes = rtpHeaderBytes(packet);
  // From Node's buffer pool (a slice of a shared 8 KB block): a zero-filled Uint8Array of its own was a malloc and an
  // external backing store per packet. Every byte is written below, the padding's zeros included.
  const pooled = Buffer.allocUnsafe(headerBytes + packet.payload.length + paddingBytes);
  const bytes = new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
  bytes[OFFSET_FLAGS] = (RTP_VERSION << VERSION_SHIFT) | (paddingBytes > 0 ? PADDING_BIT : 0) | (packet.extension ? EXTENSION_BIT : 0) | csrcs.length;
  bytes[OFFSET_MARKER_PT] = (packet.marker ? MARKER_BIT : 0) | packet.payloadType;
  setUint16At(bytes, OFFSET_SEQUENCE, packet.sequenceNumber);
  setUint32At(bytes, OFFSET_TIMESTAMP, packet.timestamp);
  setUint32At(bytes, OFFSET_SSRC, packet.ssrc);
  let offset = OFFSET_CSRC_LIST;
  for (const csrc of csrcs) {
    setUint32At(bytes, offset, csrc);
    offset += CSRC_BYTES;
  }
  if (packet.extension) {
    setUint16At(bytes, offset, packet.extension.profile);
    setUint16At(bytes, offset + 2, packet.extension.data.length / EXTENSION_WORD_BYTES);
    bytes.set(packet.extension.data, offset + EXTENSION_HEADER_BYTES);
    offset += EXTENSION_HEADER_BYTES + packet.extension.data.length;
  }
  bytes.set(packet.payload, offset);
  if (paddingBytes > 0) {
    bytes.fill(0, offset + packet.payload.length, bytes.length - 1);
    bytes[bytes.length - 1] = paddingBytes;
  }
  return bytes;
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`RTP ${name} ${value} is not in 0..${max}`);
}
