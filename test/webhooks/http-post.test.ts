// The webhook HTTP client against a real node:http server on loopback: several requests in flight to one endpoint on
// at most MAX_CONNECTIONS_PER_ENDPOINT keep-alive connections, the timeout, a refused connection, Retry-After, and the
// connection made to the checked address whatever the URL's host name resolves to.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS_PER_ENDPOINT, WebhookHttpClient } from '../../src/webhooks/http-post.js';

describe('WebhookHttpClient', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  let lastHost = '';
  const client = new WebhookHttpClient();
  beforeAll(async () => {
    server = createServer((request, response) => {
      inFlight += 1;
      lastHost = request.headers.host ?? '';
      mostInFlight = Math.max(mostInFlight, inFlight);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const answer = () => {
          inFlight -= 1;
          if (body === 'slow') return; // never answered: the client's timeout
          if (body === 'busy') return response.writeHead(429, { 'retry-after': '120' }).end();
          response.writeHead(200, { 'content-type': 'text/plain' }).end(`host ${request.headers.host}`);
        };
        setTimeout(answer, body.startsWith('wait') ? 150 : 10);
      });
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (body: string, host = '127.0.0.1', timeoutMs = 2_000) =>
    client.post({ url: new URL(`http://${host}:${port}/hooks`), address: '127.0.0.1', headers: { 'content-type': 'text/plain' }, body, timeoutMs });

  it('sends many at once over a bounded set of keep-alive connections', async () => {
    connections = 0;
    mostInFlight = 0;
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => post(`event ${i}`)));
    expect(results.every((r) => r.kind === 'response' && r.statusCode === 200)).toBe(true);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_ENDPOINT);
    expect(connections).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_ENDPOINT);
    // A second wave reuses the open connections.
    const before = connections;
    await Promise.all(Array.from({ length: 20 }, (_, i) => post(`again ${i}`)));
    expect(connections).toBe(before);
  });

  it('counts the timeout from when a request has a connection, not while it waits for one', async () => {
    // Three waves of answers 150 ms each behind the connection limit, with a 400 ms timeout: the last wave would time
    // out if its wait for a connection counted.
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 3 * MAX_CONNECTIONS_PER_ENDPOINT }, (_, i) => post(`wait ${i}`, '127.0.0.1', 400)));
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(results.every((r) => r.kind === 'response' && r.statusCode === 200)).toBe(true);
  });

  it('connects to the checked address, not to what the host name resolves to, and sends the name as Host', async () => {
    // ringcast-webhook.invalid never resolves (RFC 6761): the request can only have gone to the given address.
    const result = await post('named', 'ringcast-webhook.invalid');
    expect(result).toEqual({ kind: 'response', statusCode: 200, retryAfter: null });
    expect(lastHost).toBe(`ringcast-webhook.invalid:${port}`);
  });

  it('reports Retry-After, a timeout, and a refused connection', async () => {
    expect(await post('busy')).toEqual({ kind: 'response', statusCode: 429, retryAfter: '120' });
    expect(await post('slow', '127.0.0.1', 200)).toEqual({ kind: 'timeout' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await client.post({ url: new URL(`http://127.0.0.1:${closedPort}/`), address: '127.0.0.1', headers: {}, body: '{}', timeoutMs: 2_000 });
    expect(refused).toEqual({ kind: 'network', message: 'ECONNREFUSED' });
  });
});
