// A multipart/form-data body (RFC 7578) produced as it is sent: the small text parts, then a file read from disk a
// chunk at a time. A CSV of 1,000,000 rows is never held in memory; the fetch that sends the body pulls the next
// chunk only when the socket has taken the last one, so the byte counts reported are what has gone out.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';

const CRLF = '\r\n';
const NEWLINE = 10;

/**
 * A plain form field, as `curl -F name=value` sends it. No Content-Type: @fastify/multipart would hand a field
 * labelled application/json to the route already parsed, where the route reads the text.
 */
export interface TextPart {
  name: string;
  value: string;
}

export interface FilePart {
  name: string;
  path: string;
  contentType: string;
}

/** What has been sent of the file part so far. */
export interface FileProgress {
  bytes: number;
  /** Lines sent, header included: the line feeds, and the last line once sent when the file does not end in one. */
  lines: number;
  totalBytes: number;
}

export interface MultipartUpload {
  contentType: string;
  /** The exact length of the body, sent as Content-Length so the server knows the size before reading it. */
  contentLength: number;
  body: AsyncIterable<Uint8Array>;
}

/** A header value's quoted-string form: quotes and line breaks cannot appear in one (RFC 7578 section 4.2). */
function quoted(text: string): string {
  return `"${text.replace(/["\r\n]/g, (c) => encodeURIComponent(c))}"`;
}

/**
 * The body of `textParts` then `file`, in that order. `onFileChunk` is told after each chunk of the file is handed
 * to the sender. The file's size is read first (a missing file fails here, before any request).
 */
export async function multipartUpload(
  textParts: readonly TextPart[],
  file: FilePart,
  onFileChunk: (progress: FileProgress) => void = () => {},
): Promise<MultipartUpload> {
  const totalBytes = (await stat(file.path)).size;
  const boundary = `----ringcast-${randomBytes(12).toString('hex')}`;
  const encoder = new TextEncoder();
  const head = encoder.encode(
    textParts
      .map(
        (part) =>
          `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(part.name)}${CRLF}${CRLF}${part.value}${CRLF}`,
      )
      .join('') +
      `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(file.name)}; filename=${quoted(basename(file.path))}${CRLF}` +
      `Content-Type: ${file.contentType}${CRLF}${CRLF}`,
  );
  const tail = encoder.encode(`${CRLF}--${boundary}--${CRLF}`);

  async function* body(): AsyncGenerator<Uint8Array> {
    yield head;
    const progress: FileProgress = { bytes: 0, lines: 0, totalBytes };
    let lastByte = NEWLINE;
    for await (const chunk of createReadStream(file.path) as AsyncIterable<Buffer>) {
      yield chunk;
      progress.bytes += chunk.length;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) progress.lines++;
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
      if (progress.bytes === totalBytes && lastByte !== NEWLINE) progress.lines++;
      onFileChunk(progress);
    }
    yield tail;
  }

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + totalBytes + tail.length,
    body: body(),
  };
}
