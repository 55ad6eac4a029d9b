// One webhook POST over node:http/https with keep-alive connections, a limit of connections per endpoint, a timeout
// over the whole exchange, and the connection made to the address the URL guard checked (not a second DNS answer,
// which could point somewhere private since the check). fetch() cost the deliverer a web stream, an AbortSignal and
// its listeners per request, and opened a connection per request in flight to one endpoint, as many as the batch.
import http from 'node:http';
import https from 'node:https';
import { isIPv6 } from 'node:net';
import type { LookupFunction } from 'node:net';

/**
 * Requests in flight to one endpoint (origin) at most, on as many keep-alive connections; further ones wait for a
 * connection. Several in flight keep a receiver that answers in 20 ms from limiting a process to 50 events a second;
 * the limit keeps a batch from opening a connection per event. A request waits for a free connection before its
 * timeout starts, so an attempt can last ceil(WEBHOOK_BATCH_SIZE / 16) x WEBHOOK_TIMEOUT_MS when every post goes to one
 * endpoint that answers at the last moment (40 s with the defaults, within the 60 s WEBHOOK_LEASE_S).
 */
export const MAX_CONNECTIONS_PER_ENDPOINT = 16;
/** An idle connection is closed after this, before common servers' own keep-alive timeouts (Node's is 5 s). */
const IDLE_CONNECTION_MS = 4_000;
/** Of the answer only the status and headers are used; a body longer than this is not read to its end. */
const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

export type PostResult =
  | { kind: 'response'; statusCode: number; retryAfter: string | null }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string };

export interface PostRequest {
  url: URL;
  /** The checked address to connect to. */
  address: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** Keep-alive agents for http: and https: URLs; `close()` ends their connections. */
export class WebhookHttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS_PER_ENDPOINT, timeout: IDLE_CONNECTION_MS, scheduling: 'lifo' });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS_PER_ENDPOINT, timeout: IDLE_CONNECTION_MS, scheduling: 'lifo' });

  post(request: PostRequest): Promise<PostResult> {
    const { url } = request;
    const secure = url.protocol === 'https:';
    const family = isIPv6(request.address) ? 6 : 4;
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: request.address, family }]);
      else callback(null, request.address, family);
    };
    const body = Buffer.from(request.body, 'utf8');
    return new Promise<PostResult>((resolve) => {
      let settled = false;
      const finish = (result: PostResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const outgoing = (secure ? https : http).request(
        {
          protocol: url.protocol,
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          lookup,
          headers: { ...request.headers, 'content-length': String(body.length) },
        },
        (response) => {
          // The answer counts once its body has ended (or been cut short): a keep-alive connection is reused only then.
          let read = 0;
          const result: PostResult = { kind: 'response', statusCode: response.statusCode ?? 0, retryAfter: headerValue(response.headers['retry-after']) };
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BODY_BYTES) {
              response.destroy();
              finish(result);
            }
          });
          response.on('end', () => finish(result));
          response.on('error', () => finish(result));
          response.on('aborted', () => finish(result));
        },
      );
      // The timeout runs from when the request has a connection: one waiting for a free connection to its endpoint
      // (behind MAX_CONNECTIONS_PER_ENDPOINT others, each bounded by the timeout) has not been sent, so the receiver
      // cannot have been slow to answer it.
      let timer: NodeJS.Timeout | undefined;
      outgoing.once('socket', () => {
        if (settled) return;
        timer = setTimeout(() => {
          finish({ kind: 'timeout' });
          outgoing.destroy();
        }, request.timeoutMs);
      });
      outgoing.on('error', (error: Error & { code?: string }) => finish({ kind: 'network', message: error.code ?? error.message }));
      outgoing.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
