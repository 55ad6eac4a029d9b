// A real HTTP receiver on loopback for webhook tests: records every request (raw body, signature check) and answers
// as the test scripts it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/webhooks/signature.js';

export interface Received {
  body: string;
  event: { id: string; type: string; createdAt: string; apiVersion: string; data: Record<string, unknown> };
  signature: string;
  verified: boolean;
  status: number;
  /** Date.now() when the request arrived. */
  atMs: number;
}

/** What to answer a request: a status (and headers), or 'hang' to never answer (a timeout). */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Called for each request; default 200. */
  answer: (received: Omit<Received, 'status' | 'atMs'>) => Answer;
  /** The secrets a signature may be made with (any one verifying is enough). */
  secrets: string[];
  close(): Promise<void>;
  stopListening(): Promise<void>;
  listen(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    port,
    received: [],
    answer: () => ({ status: 200 }),
    secrets: [],
    close: async () => {},
    stopListening: async () => {},
    listen: async () => {},
  };
  let server: Server;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const atMs = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = String(request.headers['ringcast-signature'] ?? '');
      const t = Number(/t=(\d+)/.exec(signature)?.[1] ?? 0);
      const verified = receiver.secrets.some((secret) => verifySignature(secret, signature, body, t).ok);
      const entry = { body, event: JSON.parse(body) as Received['event'], signature, verified };
      const answer = receiver.answer(entry);
      if (answer === 'hang') {
        hanging.add(response);
        receiver.received.push({ ...entry, status: 0, atMs });
        return;
      }
      receiver.received.push({ ...entry, status: answer.status, atMs });
      const send = () => response.writeHead(answer.status, answer.headers ?? {}).end('ok');
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  };
  receiver.listen = async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(receiver.port, '127.0.0.1', resolve));
    receiver.port = (server.address() as AddressInfo).port;
    receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
  };
  receiver.stopListening = async () => {
    for (const response of hanging) response.destroy();
    hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  receiver.close = receiver.stopListening;
  await receiver.listen();
  return receiver;
}
