// Requests the transaction layer builds from an INVITE it sent: the ACK of a non-2xx final response (RFC 3261
// section 17.1.1.3) and CANCEL (section 9.1). Both reuse the INVITE's top Via, branch included, so that they reach
// the same server transaction; the ACK of a 2xx is a separate transaction the transaction user builds (section 13.2.2.4).
import { getHeader, getHeaders, headerNamesEqual, splitHeaderValues, type SipHeader, type SipRequest, type SipResponse } from '../message/types.js';
import { parseCSeq } from '../message/headers.js';

/** RFC 3261 section 8.1.1.6: the value a UAC puts in Max-Forwards. */
export const DEFAULT_MAX_FORWARDS = '70';

/** The first via-parm of the first Via line: the Via our stack inserted. */
function topViaText(request: SipRequest): string | undefined {
  const line = request.headers.find(([name]) => headerNamesEqual(name, 'Via'));
  return line === undefined ? undefined : splitHeaderValues(line[1])[0];
}

function cseqNumber(request: SipRequest): number {
  const parsed = parseCSeq(getHeader(request.headers, 'CSeq') ?? '');
  return parsed.ok ? parsed.value.seq : 0;
}

function copy(request: SipRequest, name: string, into: SipHeader[]): void {
  for (const value of getHeaders(request.headers, name)) into.push([name, value]);
}

/**
 * RFC 3261 section 17.1.1.3: "The ACK request constructed by the client transaction MUST contain values for the
 * Call-ID, From, and Request-URI that are equal to the values of those header fields in the request passed to the
 * transport by the client transaction. The To header field in the ACK MUST equal the To header field in the response
 * being acknowledged... The ACK MUST contain a single Via header field, and this MUST be equal to the top Via header
 * field of the original request. The CSeq header field in the ACK MUST contain the same value for the sequence number
 * as was present in the original request, but the method parameter MUST be equal to "ACK"." Route headers of the
 * INVITE are copied too, so the ACK follows the INVITE's path.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: SipHeader[] = [];
  const via = topViaText(invite);
  if (via !== undefined) headers.push(['Via', via]);
  copy(invite, 'Route', headers);
  headers.push(['Max-Forwards', getHeader(invite.headers, 'Max-Forwards') ?? DEFAULT_MAX_FORWARDS]);
  copy(invite, 'From', headers);
  const to = getHeader(response.headers, 'To') ?? getHeader(invite.headers, 'To');
  if (to !== undefined) headers.push(['To', to]);
  copy(invite, 'Call-ID', headers);
  headers.push(['CSeq', `${cseqNumber(invite)} ACK`]);
  return { kind: 'request', method: 'ACK', uri: invite.uri, version: invite.version, headers, body: Buffer.alloc(0) };
}

/**
 * RFC 3261 section 9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the CANCEL
 * request MUST be identical to those in the request being cancelled, including tags. A CANCEL constructed by a client
 * MUST have only a single Via header field value matching the top Via value in the request being cancelled... If the
 * request being cancelled contains a Route header field, the CANCEL request MUST include that Route header field's
 * values."
 */
export function buildCancel(invite: SipRequest): SipRequest {
  const headers: SipHeader[] = [];
  const via = topViaText(invite);
  if (via !== undefined) headers.push(['Via', via]);
  copy(invite, 'Route', headers);
  headers.push(['Max-Forwards', DEFAULT_MAX_FORWARDS]);
  copy(invite, 'From', headers);
  copy(invite, 'To', headers);
  copy(invite, 'Call-ID', headers);
  headers.push(['CSeq', `${cseqNumber(invite)} CANCEL`]);
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, version: invite.version, headers, body: Buffer.alloc(0) };
}
