// How messages find their transaction (RFC 3261 sections 17.1.3 and 17.2.3) and the minimum a request must carry
// before a transaction can be built for it (section 8.2: the headers every request has, section 8.1.1).
import { parseCSeq, parseFromTo, type CSeq, type Via } from '../message/headers.js';
import { getHeader, type SipRequest } from '../message/types.js';
import { isRfc3261Branch } from './branch.js';

/**
 * Section 17.1.3: a response matches a client transaction when its top Via branch equals the branch of the request
 * and its CSeq method equals the request's method (CANCEL shares the INVITE's branch, so the method is needed).
 */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch}|${method.toUpperCase()}`;
}

/**
 * Section 17.2.3: with an RFC 3261 branch, a request matches a server transaction by branch, sent-by and method, an
 * ACK matching the INVITE transaction. For RFC 2543 peers (no magic cookie) the section falls back to comparing
 * Request-URI, tags, Call-ID, CSeq and top Via; the key approximates that with Call-ID, CSeq number, From tag and
 * sent-by (the Request-URI and To tag of an ACK may legitimately differ from the INVITE's, so they are left out).
 */
export function serverTransactionKey(request: ValidRequest, methodOverride?: string): string {
  const { via, cseq } = request;
  const method = (methodOverride ?? request.request.method).toUpperCase();
  const matchMethod = method === 'ACK' ? 'INVITE' : method;
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
  if (isRfc3261Branch(via.branch)) return `${via.branch}|${sentBy}|${matchMethod}`;
  return `2543|${request.callId}|${cseq.seq}|${request.fromTag ?? ''}|${sentBy}|${matchMethod}`;
}

/** Key of the 2xx an ACK acknowledges: section 13.3.1.4 matches the ACK of a 2xx by Call-ID and CSeq number. */
export function ackOf2xxKey(callId: string, cseqNumber: number): string {
  return `${callId}|${cseqNumber}`;
}

/** A request with the parts matching needs, parsed. */
export interface ValidRequest {
  request: SipRequest;
  via: Via;
  cseq: CSeq;
  callId: string;
  fromTag: string | undefined;
}

export type RequestCheck = { ok: true; value: ValidRequest } | { ok: false; reason: string };

/**
 * Section 8.1.1: To, From, CSeq, Call-ID and Via are mandatory, and the CSeq method must be the request's method
 * (section 8.1.1.5). A request failing this cannot be matched to a transaction; the stack answers it with 400
 * (section 21.4.1) when it can route a response, which needs the Via (checked by the caller first).
 */
export function checkRequest(request: SipRequest, via: Via): RequestCheck {
  const cseqText = getHeader(request.headers, 'CSeq');
  if (cseqText === undefined) return { ok: false, reason: 'Missing CSeq' };
  const cseq = parseCSeq(cseqText);
  if (!cseq.ok) return { ok: false, reason: 'Bad CSeq' };
  if (cseq.value.method !== request.method) return { ok: false, reason: 'CSeq Method Mismatch' };
  const callId = getHeader(request.headers, 'Call-ID')?.trim();
  if (callId === undefined || callId.length === 0) return { ok: false, reason: 'Missing Call-ID' };
  const from = getHeader(request.headers, 'From');
  if (from === undefined) return { ok: false, reason: 'Missing From' };
  if (getHeader(request.headers, 'To') === undefined) return { ok: false, reason: 'Missing To' };
  // From and To are not parsed strictly: a tel: URI or an odd display name must not cost the peer its request.
  const fromParsed = parseFromTo(from);
  const fromTag = fromParsed.ok ? fromParsed.value.tag : /;\s*tag=([^;\s]+)/i.exec(from)?.[1];
  return { ok: true, value: { request, via, cseq: cseq.value, callId, fromTag } };
}
