/**
 * Framing of SIP messages on stream transports (TCP).
 *
 * RFC 3261 section 18.3: "In the case of stream-oriented transports such as
 * TCP, the Content-Length header field indicates the size of the body. All
 * SIP implementations MUST use Content-Length when sending over stream
 * transports." A message without it cannot be framed, so it is an error.
 *
 * RFC 3261 section 7.5 and RFC 5626 section 3.5.1: CRLFs before a start line
 * (double-CRLF keepalive pings and single-CRLF pongs) are skipped.
 *
 * After an error the byte stream has lost its framing; the framer stops and the
 * transport should close the connection. Nothing here throws.
 */
import {
  buildMessage,
  fail,
  findBodyStart,
  parseHead,
  resolveLimits,
  skipLeadingLineBreaks,
  type SipParseOptions,
  type SipParseResult,
} from './parser.js';

export interface SipStreamFramerOptions extends SipParseOptions {
  /** Bytes held while waiting for the rest of a message. Default: maxMessageBytes. */
  maxBufferedBytes?: number;
}

export class SipStreamFramer {
  private readonly limits: ReturnType<typeof resolveLimits>;
  private readonly maxBufferedBytes: number;
  private pending: Buffer = Buffer.alloc(0);
  private failedWith: SipParseResult | undefined;
  private keepalives = 0;

  constructor(options?: SipStreamFramerOptions) {
    this.limits = resolveLimits(options);
    const cap = options?.maxBufferedBytes;
    this.maxBufferedBytes =
      typeof cap === 'number' && Number.isFinite(cap) && cap > 0 ? Math.floor(cap) : this.limits.maxMessageBytes;
  }

  /** True once an error was returned; later input is ignored. */
  get failed(): boolean {
    return this.failedWith !== undefined;
  }

  /** Bytes received but not yet returned as a message. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** CRLF runs skipped between messages (keepalives). */
  get keepalivesSkipped(): number {
    return this.keepalives;
  }

  /**
   * Adds bytes from the stream; returns the messages completed by them, in
   * order. An error result is always last and ends the framer.
   */
  push(chunk: Buffer): SipParseResult[] {
    if (this.failedWith !== undefined) return [];
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: SipParseResult[] = [];
    try {
      this.drain(out);
    } catch (err) {
      out.push(fail('malformed-start-line', `internal framer error: ${err instanceof Error ? err.message : String(err)}`));
    }
    const last = out[out.length - 1];
    if (last !== undefined && !last.ok) {
      this.failedWith = last;
      this.pending = Buffer.alloc(0);
    }
    return out;
  }

  private drain(out: SipParseResult[]): void {
    for (;;) {
      const start = skipLeadingLineBreaks(this.pending, 0);
      if (start > 0) {
        this.keepalives++;
        this.pending = this.pending.subarray(start);
      }
      if (this.pending.length === 0) return;
      const { maxHeaderBytes, maxMessageBytes } = this.limits;
      const bodyStart = findBodyStart(this.pending, 0, maxHeaderBytes);
      if (bodyStart < 0) {
        if (this.pending.length >= maxHeaderBytes) {
          out.push(fail('too-large', `header section exceeds ${maxHeaderBytes} bytes`));
          return;
        }
        if (this.pending.length > this.maxBufferedBytes) {
          out.push(fail('too-large', `more than ${this.maxBufferedBytes} bytes buffered`));
        }
        return;
      }
      const parsed = parseHead(this.pending, 0, bodyStart, this.limits);
      if (!parsed.ok) {
        out.push(parsed);
        return;
      }
      const cl = parsed.head.contentLength;
      if (cl === undefined) {
        out.push(fail('bad-content-length', 'Content-Length is required on stream transports (RFC 3261 section 18.3)'));
        return;
      }
      const total = bodyStart + cl;
      if (total > maxMessageBytes || total > this.maxBufferedBytes) {
        out.push(fail('too-large', `message of ${total} bytes exceeds ${Math.min(maxMessageBytes, this.maxBufferedBytes)}`));
        return;
      }
      if (this.pending.length < total) return;
      const body = Buffer.from(this.pending.subarray(bodyStart, total));
      out.push({ ok: true, message: buildMessage(parsed.head, body) });
      this.pending = this.pending.subarray(total);
    }
  }
}
