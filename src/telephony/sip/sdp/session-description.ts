/**
 * A small, lenient reader of SDP (RFC 4566) for what a G.711 voice call needs: the origin, the connection lines,
 * the media lines with their formats, and the attributes at session and media level.
 *
 *   session-description = v= o= s= [i=] [u=] [e=] [p=] [c=] [b=] t= [r=] [z=] [k=] *a= *media-description
 *   media-description   = m= [i=] [c=] [b=] [k=] *a=
 *
 * The text comes from the network (a 2xx or a re-INVITE body): sizes are capped and every failure is a result,
 * never an exception. Line types a voice call does not need (i=, u=, b=, t=, k=...) are skipped.
 */

export type SdpResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const SDP_DIRECTIONS: readonly SdpDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** c=<nettype> <addrtype> <connection-address> (RFC 4566 section 5.7), the multicast "/ttl" suffix removed. */
export interface SdpConnection {
  addressType: 'IP4' | 'IP6';
  address: string;
}

/** An a= line: `a=<name>` (flag, value null) or `a=<name>:<value>` (RFC 4566 section 5.13). */
export type SdpAttribute = [name: string, value: string | null];

/** m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 4566 section 5.14). */
export interface SdpMediaDescription {
  media: string;
  port: number;
  proto: string;
  formats: string[];
  connection?: SdpConnection;
  attributes: SdpAttribute[];
}

export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  addressType: string;
  address: string;
}

export interface SessionDescription {
  origin?: SdpOrigin;
  connection?: SdpConnection;
  attributes: SdpAttribute[];
  media: SdpMediaDescription[];
}

/** Far beyond any real voice SDP (a few hundred bytes); a body this large is hostile or broken. */
export const MAX_SDP_BYTES = 16_384;
const MAX_SDP_LINES = 512;
const MAX_FORMATS_PER_MEDIA = 64;

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

function parseConnection(value: string): SdpResult<SdpConnection> {
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 3 || parts[0] !== 'IN') return fail(`bad c= line: ${JSON.stringify(value.slice(0, 60))}`);
  const addressType = parts[1];
  if (addressType !== 'IP4' && addressType !== 'IP6') return fail(`unsupported address type ${JSON.stringify(addressType)}`);
  // Multicast addresses carry "/ttl[/count]" (RFC 4566 section 5.7); a unicast voice peer never should, but the
  // address before the slash is still the one to send to.
  const address = (parts[2] ?? '').split('/')[0] ?? '';
  if (address.length === 0) return fail('empty connection address');
  return { ok: true, value: { addressType, address } };
}

function parseAttribute(value: string): SdpAttribute {
  const colon = value.indexOf(':');
  return colon < 0 ? [value.trim(), null] : [value.slice(0, colon).trim(), value.slice(colon + 1).trim()];
}

function parseMediaLine(value: string): SdpResult<SdpMediaDescription> {
  const parts = value.trim().split(/\s+/);
  const [media, portText, proto, ...formats] = parts;
  if (media === undefined || portText === undefined || proto === undefined) return fail(`bad m= line: ${JSON.stringify(value.slice(0, 60))}`);
  const portMatch = /^([0-9]{1,5})(?:\/[0-9]{1,5})?$/.exec(portText);
  if (!portMatch || portMatch[1] === undefined) return fail(`bad m= port: ${JSON.stringify(portText)}`);
  const port = Number(portMatch[1]);
  if (port > 65535) return fail(`m= port out of range: ${port}`);
  if (formats.length > MAX_FORMATS_PER_MEDIA) return fail(`too many formats on m= line: ${formats.length}`);
  return { ok: true, value: { media: media.toLowerCase(), port, proto, formats, attributes: [] } };
}

/** Parses the lines of an SDP body. Accepts CRLF or bare LF line ends (RFC 4566 section 5 allows LF on input). */
export function parseSessionDescription(text: string): SdpResult<SessionDescription> {
  if (text.length > MAX_SDP_BYTES) return fail(`SDP too large: ${text.length} bytes`);
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_SDP_LINES) return fail(`SDP has too many lines: ${lines.length}`);
  const session: SessionDescription = { attributes: [], media: [] };
  let current: SdpMediaDescription | undefined;
  let sawVersion = false;
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line.length === 0) continue;
    if (line.length < 2 || line[1] !== '=' || !/^[a-z]$/.test(line[0] ?? '')) {
      return fail(`malformed SDP line: ${JSON.stringify(line.slice(0, 60))}`);
    }
    const type = line[0];
    const value = line.slice(2);
    switch (type) {
      case 'v':
        if (value.trim() !== '0') return fail(`unsupported SDP version ${JSON.stringify(value)}`);
        sawVersion = true;
        break;
      case 'o': {
        const parts = value.trim().split(/\s+/);
        if (parts.length === 6 && parts[4] !== undefined && parts[5] !== undefined) {
          session.origin = {
            username: parts[0] ?? '-',
            sessionId: parts[1] ?? '',
            sessionVersion: parts[2] ?? '',
            addressType: parts[4],
            address: parts[5],
          };
        }
        break;
      }
      case 'c': {
        const connection = parseConnection(value);
        if (!connection.ok) return connection;
        if (current) current.connection = connection.value;
        else session.connection = connection.value;
        break;
      }
      case 'm': {
        const media = parseMediaLine(value);
        if (!media.ok) return media;
        current = media.value;
        session.media.push(current);
        break;
      }
      case 'a':
        (current ? current.attributes : session.attributes).push(parseAttribute(value));
        break;
      default:
        break;
    }
  }
  if (!sawVersion) return fail('SDP has no v= line');
  return { ok: true, value: session };
}

/** The media-level direction attribute, else the session-level one, else sendrecv (RFC 3264 section 5.1). */
export function directionOf(session: SessionDescription, media: SdpMediaDescription): SdpDirection {
  for (const attributes of [media.attributes, session.attributes]) {
    for (const [name] of attributes) {
      if ((SDP_DIRECTIONS as readonly string[]).includes(name)) return name as SdpDirection;
    }
  }
  return 'sendrecv';
}

/** First value of a named attribute in a media description. */
export function attributeValue(attributes: readonly SdpAttribute[], name: string): string | undefined {
  for (const [n, v] of attributes) if (n === name && v !== null) return v;
  return undefined;
}
