/**
 * The SDP offer of an outgoing call (RFC 4566 syntax, RFC 3264 section 5 offer rules): one audio stream over
 * RTP/AVP with G.711 (RFC 3551 static payload types 0 PCMU and 8 PCMA, 8 kHz) and RFC 4733 telephone-event for
 * DTMF on a dynamic payload type.
 */
import { isIP } from 'node:net';

export type SdpCodec = 'PCMU' | 'PCMA';

/** RFC 3551 section 6, table 4: the static payload types of the codecs we speak. */
export const STATIC_PAYLOAD_TYPES: Readonly<Record<SdpCodec, number>> = Object.freeze({ PCMU: 0, PCMA: 8 });

export const DEFAULT_DTMF_PAYLOAD_TYPE = 101;
export const DEFAULT_PTIME_MS = 20;

export interface SdpOfferOptions {
  /** The address RTP is received on; IPv6 gives "IN IP6". */
  address: string;
  /** The RTP port (even, RFC 3550 section 11); RTCP is port + 1. */
  port: number;
  /** o= sess-id: a number unique to this session (RFC 4566 section 5.2). */
  sessionId: string | number | bigint;
  /** o= sess-version: increases each time this side sends a changed description (RFC 3264 section 8). */
  sessionVersion: string | number | bigint;
  /** In order of preference. */
  codecs: readonly SdpCodec[];
  /** RFC 4733 telephone-event payload type (96-127); null offers no telephone-event. */
  dtmfPayloadType?: number | null;
  ptimeMs?: number;
}

/** What an offer proposed, for checking the answer against it. */
export interface SdpOffered {
  codecs: readonly SdpCodec[];
  dtmfPayloadType?: number | null;
}

const CRLF = '\r\n';

/**
 * Builds the offer. Bad arguments are our own bug, not network input, so they throw (RangeError) rather than put a
 * broken description on the wire.
 */
export function buildSdpOffer(options: SdpOfferOptions): string {
  const { address, port, codecs } = options;
  const dtmfPayloadType = options.dtmfPayloadType === undefined ? DEFAULT_DTMF_PAYLOAD_TYPE : options.dtmfPayloadType;
  const ptimeMs = options.ptimeMs ?? DEFAULT_PTIME_MS;
  if (codecs.length === 0) throw new RangeError('an SDP offer needs at least one codec');
  if (new Set(codecs).size !== codecs.length) throw new RangeError(`duplicate codec in ${codecs.join(',')}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`bad RTP port ${port}`);
  if (dtmfPayloadType !== null && (!Number.isInteger(dtmfPayloadType) || dtmfPayloadType < 96 || dtmfPayloadType > 127)) {
    // RFC 3551 section 6: 96-127 is the dynamic range.
    throw new RangeError(`telephone-event payload type must be 96-127, got ${dtmfPayloadType}`);
  }
  if (!Number.isInteger(ptimeMs) || ptimeMs <= 0) throw new RangeError(`bad ptime ${ptimeMs}`);
  const sessionId = String(options.sessionId);
  const sessionVersion = String(options.sessionVersion);
  if (!/^[0-9]+$/.test(sessionId) || !/^[0-9]+$/.test(sessionVersion)) {
    throw new RangeError('sessionId and sessionVersion must be decimal numbers (RFC 4566 section 5.2)');
  }
  if (/\s/.test(address) || address.length === 0) throw new RangeError(`bad address ${JSON.stringify(address)}`);
  const addressType = isIP(address) === 6 ? 'IP6' : 'IP4';

  const payloadTypes = codecs.map((codec) => STATIC_PAYLOAD_TYPES[codec]);
  if (dtmfPayloadType !== null) payloadTypes.push(dtmfPayloadType);
  const lines = [
    'v=0',
    `o=ringcast ${sessionId} ${sessionVersion} IN ${addressType} ${address}`,
    's=ringcast',
    `c=IN ${addressType} ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloadTypes.join(' ')}`,
    // rtpmap is optional for static types (RFC 4566 section 6) but some gateways only look at rtpmap lines.
    ...codecs.map((codec) => `a=rtpmap:${STATIC_PAYLOAD_TYPES[codec]} ${codec}/8000`),
    ...(dtmfPayloadType !== null
      ? [`a=rtpmap:${dtmfPayloadType} telephone-event/8000`, `a=fmtp:${dtmfPayloadType} 0-16`]
      : []),
    `a=ptime:${ptimeMs}`,
    'a=sendrecv',
  ];
  return lines.join(CRLF) + CRLF;
}
