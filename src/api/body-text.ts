// A request body read as text, decoded chunk by chunk as it arrives. Fastify's own reader (parseAs: 'string') keeps
// the chunks and, at the end, joins and decodes the whole body in one task: 47 ms for a 10 MB create on a 2-core
// machine, the longest block that create put on every other client's requests (bench/create-latency.ts, issue 10).
// Here each chunk is decoded in its own 'data' event (a StringDecoder keeps characters split across chunks whole);
// the decoded pieces are joined at the end, or handed on as they are (readBodyPieces). The limits and errors are
// Fastify's own: 413 when the body (or its Content-Length) passes the route's bodyLimit, 400 when it ends short of its
// Content-Length.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';

export interface BodyRequest {
  headers: Record<string, string | string[] | undefined>;
  routeOptions: { bodyLimit: number };
}

/** The body's text, joined (readBodyPieces for a reader that can take it as it arrived). */
export function readBodyText(request: BodyRequest, payload: Readable, done: (error: Error | null, text?: string) => void): void {
  readBodyPieces(request, payload, (error, pieces) => (error ? done(error) : done(null, pieces!.length === 1 ? pieces![0] : pieces!.join(''))));
}

/**
 * The body's text as the pieces it arrived in, each decoded as it came: joining a large body is a block of its own
 * (text-pieces.ts), which a reader that takes the pieces (jsoncBodyParser) never pays.
 */
export function readBodyPieces(request: BodyRequest, payload: Readable, done: (error: Error | null, pieces?: string[]) => void): void {
  const limit = request.routeOptions.bodyLimit;
  const contentLength = Number(request.headers['content-length']);
  if (contentLength > limit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const decoder = new StringDecoder('utf8');
  const pieces: string[] = [];
  let receivedBytes = 0;
  const stop = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  function onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    receivedBytes += bytes.length;
    const encodedBytes = (payload as Readable & { receivedEncodedLength?: number }).receivedEncodedLength ?? 0;
    if (receivedBytes > limit || encodedBytes > limit) {
      stop();
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    pieces.push(decoder.write(bytes));
  }
  function onEnd(error?: Error & { statusCode?: number }): void {
    stop();
    if (error) {
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      done(error);
      return;
    }
    const encodedBytes = (payload as Readable & { receivedEncodedLength?: number }).receivedEncodedLength;
    if (!Number.isNaN(contentLength) && (encodedBytes || receivedBytes) !== contentLength) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    pieces.push(decoder.end());
    done(null, pieces);
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}
