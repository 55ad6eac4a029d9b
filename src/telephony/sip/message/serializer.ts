/**
 * SIP message serializer (RFC 3261 section 7).
 *
 * Writes CRLF line endings, one header field per line (as held in the ordered
 * list), and always a Content-Length equal to the body size: RFC 3261 section
 * 18.3 makes it mandatory on stream transports, and section 20.14 says it
 * SHOULD be present on datagrams too. An existing Content-Length keeps its
 * position (its value is corrected); extra ones are dropped; if none exists it
 * is appended last.
 */
import { headerNamesEqual, type SipMessage } from './types.js';

const CRLF = '\r\n';

export function serializeSipMessage(message: SipMessage): Buffer {
  const startLine =
    message.kind === 'request'
      ? `${message.method} ${message.uri} ${message.version}`
      : `${message.version} ${message.status}${message.reason.length > 0 ? ' ' + message.reason : ' '}`;
  assertSafe(startLine, 'start line');
  const lines: string[] = [startLine];
  let wroteLength = false;
  for (const [name, value] of message.headers) {
    assertSafe(name, 'header name');
    assertSafe(value, 'header value');
    if (headerNamesEqual(name, 'Content-Length')) {
      if (wroteLength) continue;
      wroteLength = true;
      lines.push(`${name}: ${message.body.length}`);
      continue;
    }
    lines.push(`${name}: ${value}`);
  }
  if (!wroteLength) lines.push(`Content-Length: ${message.body.length}`);
  const head = Buffer.from(lines.join(CRLF) + CRLF + CRLF, 'utf8');
  return Buffer.concat([head, message.body]);
}

/** A CR or LF inside a field would inject lines: that is a bug in the caller, so it throws. */
function assertSafe(text: string, what: string): void {
  if (/[\r\n]/.test(text)) throw new TypeError(`SIP ${what} contains a line break: ${JSON.stringify(text)}`);
}
