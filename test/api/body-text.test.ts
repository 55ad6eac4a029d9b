// readBodyText: a body decoded as it arrives, over a real socket, with Fastify's limits and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { readBodyText } from '../../src/api/body-text.js';

const LIMIT_BYTES = 64 * 1024;

/** Sends the chunks as they are (chunked unless a Content-Length is given), pausing between them. */
function send(port: number, chunks: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/echo', headers: { 'content-type': 'text/x-test', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (piece: string) => (body += piece));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let index = 0;
    const next = () => {
      if (index === chunks.length) return void req.end();
      req.write(chunks[index++], () => setTimeout(next, 2));
    };
    next();
  });
}

describe('readBodyText', () => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    app = Fastify({ bodyLimit: LIMIT_BYTES });
    app.addContentTypeParser('text/x-test', (request, payload, done) => readBodyText(request, payload, done));
    app.post('/echo', async (request) => ({ text: request.body, length: (request.body as string).length }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('keeps characters whose bytes arrive in different chunks whole', async () => {
    const text = 'Zoë 📞 ☎ '.repeat(50);
    const bytes = Buffer.from(text);
    // One byte at a time for the first 40 bytes (inside the multi-byte characters), then the rest.
    const chunks = [...Array.from({ length: 40 }, (_, i) => bytes.subarray(i, i + 1)), bytes.subarray(40)];
    const answer = await send(port, chunks);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ text, length: text.length });
  });

  it('reads a body of many chunks, with and without a Content-Length', async () => {
    const text = 'x'.repeat(LIMIT_BYTES);
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: 16 }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096));
    expect(JSON.parse((await send(port, chunks)).body).length).toBe(LIMIT_BYTES);
    expect(JSON.parse((await send(port, chunks, { 'content-length': String(bytes.length) })).body).length).toBe(LIMIT_BYTES);
  });

  it('answers 413 for a Content-Length over the limit, and for a chunked body that grows past it', async () => {
    const over = Buffer.alloc(LIMIT_BYTES + 1, 'y');
    const declared = await send(port, [over], { 'content-length': String(over.length) });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
    const streamed = await send(port, [over.subarray(0, LIMIT_BYTES), over.subarray(LIMIT_BYTES)]);
    expect(streamed.status).toBe(413);
  });

  it('answers 400 when the body is shorter than its Content-Length says', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/x-test', 'content-length': '10' },
      payload: 'short',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('FST_ERR_CTP_INVALID_CONTENT_LENGTH');
  });
});
