// The SDP of a G.711 voice call: our offer, the answer to it, and direction changes for hold (one module to import).
export { buildSdpOffer, DEFAULT_DTMF_PAYLOAD_TYPE, DEFAULT_PTIME_MS, STATIC_PAYLOAD_TYPES } from './offer.js';
export type { SdpCodec, SdpOffered, SdpOfferOptions } from './offer.js';
export { offeredFromSdp, parseSdpAnswer } from './answer.js';
export type { SdpAnswer } from './answer.js';
export { answerDirectionFor, withSdpDirection } from './direction.js';
export { directionOf, parseSessionDescription, MAX_SDP_BYTES } from './session-description.js';
export type { SdpDirection, SdpResult, SessionDescription } from './session-description.js';
