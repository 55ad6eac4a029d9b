/**
 * Reading the SDP answer to our offer (RFC 3264 section 6 answer rules, seen from the offerer, section 7): where to
 * send RTP, which codec, which payload type for DTMF, and the direction.
 */
import {
  attributeValue,
  directionOf,
  parseSessionDescription,
  type SdpDirection,
  type SdpMediaDescription,
  type SdpResult,
} from './session-description.js';
import { DEFAULT_DTMF_PAYLOAD_TYPE, STATIC_PAYLOAD_TYPES, type SdpCodec, type SdpOffered } from './offer.js';

export interface SdpAnswer {
  address: string;
  port: number;
  codec: SdpCodec;
  /** The payload type the answerer uses for that codec: the one to put in our RTP packets. */
  payloadType: number;
  /** RFC 4733 telephone-event payload type in the answer, when both sides offered it. */
  dtmfPayloadType?: number;
  direction: SdpDirection;
  /** a=ptime when the answer gives one (RFC 4566 section 6). */
  ptimeMs?: number;
}

/** When the caller does not say what it offered: what `buildSdpOffer` offers by default. */
const DEFAULT_OFFERED: SdpOffered = { codecs: ['PCMU', 'PCMA'], dtmfPayloadType: DEFAULT_DTMF_PAYLOAD_TYPE };

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/** RTP/AVP and its feedback profile carry the same plain RTP; SRTP (RTP/SAVP...) we cannot speak. */
function isPlainRtp(proto: string): boolean {
  const upper = proto.toUpperCase();
  return upper === 'RTP/AVP' || upper === 'RTP/AVPF';
}

/** The encoding name and clock rate of a payload type: from its a=rtpmap, else the RFC 3551 static table. */
function encodingOf(media: SdpMediaDescription, payloadType: number): { name: string; clockRate: number } | undefined {
  for (const [name, value] of media.attributes) {
    if (name !== 'rtpmap' || value === null) continue;
    const m = /^([0-9]{1,3})\s+([^/\s]+)\/([0-9]+)/.exec(value);
    if (m && Number(m[1]) === payloadType) return { name: (m[2] ?? '').toUpperCase(), clockRate: Number(m[3]) };
  }
  if (payloadType === STATIC_PAYLOAD_TYPES.PCMU) return { name: 'PCMU', clockRate: 8000 };
  if (payloadType === STATIC_PAYLOAD_TYPES.PCMA) return { name: 'PCMA', clockRate: 8000 };
  return undefined;
}

function payloadTypesOf(media: SdpMediaDescription): number[] {
  // RTP/AVP formats are payload type numbers (RFC 4566 section 5.14); anything else is ignored.
  return media.formats.filter((f) => /^[0-9]{1,3}$/.test(f)).map(Number).filter((pt) => pt <= 127);
}

function telephoneEventOf(media: SdpMediaDescription): number | undefined {
  for (const pt of payloadTypesOf(media)) {
    const encoding = encodingOf(media, pt);
    if (encoding?.name === 'TELEPHONE-EVENT' && encoding.clockRate === 8000) return pt;
  }
  return undefined;
}

/**
 * Checks an answer against what we offered and extracts the media parameters. The first audio m-line answers our
 * (only) audio offer; the connection is the media-level c= or else the session-level one (RFC 4566 section 5.7).
 * Rejects: no audio stream, port 0 (RFC 3264 section 6: the stream was declined), a profile other than RTP/AVP, no
 * c= line, no codec in common. The codec is the first payload type of the answer that we offered (RFC 3264
 * section 6.1: the answerer lists its preference first). Never throws.
 */
export function parseSdpAnswer(sdp: string, offered: SdpOffered = DEFAULT_OFFERED): SdpResult<SdpAnswer> {
  const parsed = parseSessionDescription(sdp);
  if (!parsed.ok) return parsed;
  const session = parsed.value;
  const audio = session.media.find((m) => m.media === 'audio');
  if (!audio) return fail('no audio stream in the SDP answer');
  if (audio.port === 0) return fail('the audio stream was declined (port 0)');
  if (!isPlainRtp(audio.proto)) return fail(`unsupported media profile ${JSON.stringify(audio.proto)}`);
  const connection = audio.connection ?? session.connection;
  if (!connection) return fail('no c= connection line for the audio stream');

  let chosen: { codec: SdpCodec; payloadType: number } | undefined;
  for (const pt of payloadTypesOf(audio)) {
    const encoding = encodingOf(audio, pt);
    if (!encoding || encoding.clockRate !== 8000) continue;
    const codec = offered.codecs.find((c) => c === encoding.name);
    if (codec) {
      chosen = { codec, payloadType: pt };
      break;
    }
  }
  if (!chosen) return fail(`no codec in common (offered ${offered.codecs.join(', ')}; answer has ${audio.formats.join(' ')})`);

  const answer: SdpAnswer = {
    address: connection.address,
    port: audio.port,
    codec: chosen.codec,
    payloadType: chosen.payloadType,
    direction: directionOf(session, audio),
  };
  const offeredDtmf = offered.dtmfPayloadType === undefined ? DEFAULT_DTMF_PAYLOAD_TYPE : offered.dtmfPayloadType;
  if (offeredDtmf !== null) {
    // The answerer may pick another number for telephone-event; we send with the number it chose.
    const dtmf = telephoneEventOf(audio);
    if (dtmf !== undefined) answer.dtmfPayloadType = dtmf;
  }
  const ptime = attributeValue(audio.attributes, 'ptime') ?? attributeValue(session.attributes, 'ptime');
  if (ptime !== undefined && /^[0-9]{1,4}$/.test(ptime) && Number(ptime) > 0) answer.ptimeMs = Number(ptime);
  return { ok: true, value: answer };
}

/** What an SDP body we sent offers (codecs in order, telephone-event), for checking a later answer or offer. */
export function offeredFromSdp(sdp: string): SdpResult<SdpOffered> {
  const parsed = parseSessionDescription(sdp);
  if (!parsed.ok) return parsed;
  const audio = parsed.value.media.find((m) => m.media === 'audio');
  if (!audio) return fail('no audio stream');
  const codecs: SdpCodec[] = [];
  for (const pt of payloadTypesOf(audio)) {
    const name = encodingOf(audio, pt)?.name;
    if ((name === 'PCMU' || name === 'PCMA') && !codecs.includes(name)) codecs.push(name);
  }
  if (codecs.length === 0) return fail('no G.711 codec offered');
  return { ok: true, value: { codecs, dtmfPayloadType: telephoneEventOf(audio) ?? null } };
}
