// Transports on the wire (RFC 3261 section 18, RFC 3581): two real stacks, or a stack and a raw dgram/net peer, on
// 127.0.0.1 with ports picked by the system.
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../src/domain/clock.js';
import { parseVia } from '../../../src/telephony/sip/message/headers.js';
import { getHeader, getHeaders, type SipRequest, type SipResponse } from '../../../src/telephony/sip/message/types.js';
import { serializeSipMessage } from '../../../src/telephony/sip/message/serializer.js';
import { buildResponse } from '../../../src/telephony/sip/transaction/response-builder.js';
import { createSipStack } from '../../../src/telephony/sip/transaction/stack.js';
import type { IncomingRequest, SipSource, SipTransportName } from '../../../src/telephony/sip/transaction/types.js';
import { DEFAULT_UDP_RECV_BUFFER_BYTES, UdpTransport } from '../../../src/telephony/sip/transport/udp-transport.js';
import { responseTarget } from '../../../src/telephony/sip/transport/via-routing.js';
import {
  RawTcpPeer,
  RawUdpPeer,
  makeRequest,
  openTestStack,
  peerRequest,
  recordingHandlers,
  waitFor,
  writeTcp,
  type TestStack,
} from './stack-helpers.js';
import { loadSipFixtures } from './fixtures.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

async function stack(options: Parameters<typeof openTestStack>[0] = {}): Promise<TestStack> {
  const t = await openTestStack(options);
  opened.push(t.stack);
  return t;
}

function topViaOf(message: { headers: Array<[string, string]> }) {
  const via = parseVia(getHeaders(message.headers, 'Via'));
  if (!via.ok || via.value[0] === undefined) throw new Error('no Via');
  return via.value[0];
}

describe('binding', () => {
  it('binds UDP and TCP to the same free port and releases both on close', async () => {
    const t = await openTestStack();
    const port = t.stack.localPort;
    expect(port).toBeGreaterThan(0);
    expect(t.stack.localAddress).toBe('127.0.0.1');
    // Both are taken while open...
    const udp = dgram.createSocket('udp4');
    await expect(new Promise((resolve, reject) => udp.once('error', reject).bind(port, '127.0.0.1', () => resolve(undefined)))).rejects.toThrow(/EADDRINUSE/);
    udp.close();
    const server = net.createServer();
    await expect(new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve(undefined)))).rejects.toThrow(/EADDRINUSE/);
    await t.stack.close();
    await t.stack.close();
    // ...and free again after close: no socket is left behind.
    const udp2 = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp2.bind(port, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => udp2.close(() => resolve()));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(t.clock.sleepers).toBe(0);
  });

  it.skipIf(!existsSync('/proc/sys/net/core/rmem_max'))('raises the UDP receive buffer (as far as net.core.rmem_max allows)', async () => {
    const rmemMaxBytes = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const udp = await UdpTransport.open({
      bindAddress: '127.0.0.1',
      port: 0,
      onMessage: () => undefined,
      counters: { droppedDatagrams: 0, framingErrors: 0 },
    });
    opened.push(udp);
    expect(udp.recvBufferBytes).toBeGreaterThanOrEqual(Math.min(DEFAULT_UDP_RECV_BUFFER_BYTES, rmemMaxBytes));
  });

  it('binds an explicit port for both transports', async () => {
    const probe = await openTestStack();
    const port = probe.stack.localPort;
    await probe.stack.close();
    const t = await stack({ port, transports: ['udp', 'tcp'] });
    expect(t.stack.localPort).toBe(port);
  });
});

describe.each<SipTransportName>(['udp', 'tcp'])('two stacks over %s', (transport) => {
  it('carries a request and its response; the server sees our Via stamped with received and rport', async () => {
    const a = await stack();
    const b = await stack();
    const seen: IncomingRequest[] = [];
    b.stack.onRequest((incoming) => {
      seen.push(incoming);
      incoming.respond(200, 'OK', { headers: [['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS']] });
    });
    const target = { host: '127.0.0.1', port: b.stack.localPort, transport };
    const handlers = recordingHandlers();
    const tx = a.stack.sendRequest(makeRequest('OPTIONS', target), target, handlers);
    await waitFor(() => handlers.responses.length === 1, '200 at A');
    expect(handlers.responses[0]!.status).toBe(200);
    expect(getHeader(handlers.responses[0]!.headers, 'Allow')).toBe('INVITE, ACK, BYE, CANCEL, OPTIONS');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.source.transport).toBe(transport);
    const via = topViaOf(seen[0]!.request);
    expect(via.transport).toBe(transport.toUpperCase());
    expect(via.branch).toBe(tx.branch);
    expect(via.received).toBe('127.0.0.1');
    expect(via.rport).toBe(seen[0]!.source.port);
    if (transport === 'udp') expect(seen[0]!.source.port).toBe(a.stack.localPort);
  });

  it('cancels an INVITE with its branch; the 487 is ACKed with the same branch and absorbed at the far end', async () => {
    const a = await stack();
    const b = await stack();
    const seen: IncomingRequest[] = [];
    b.stack.onRequest((incoming) => {
      seen.push(incoming);
      if (incoming.request.method === 'INVITE') incoming.respond(180, 'Ringing', { toTag: 'b1' });
      if (incoming.request.method === 'CANCEL') {
        incoming.respond(200, 'OK');
        seen[0]!.respond(487, 'Request Terminated', { toTag: 'b1' });
      }
    });
    const target = { host: '127.0.0.1', port: b.stack.localPort, transport };
    const inviteHandlers = recordingHandlers();
    const invite = a.stack.sendRequest(makeRequest('INVITE', target), target, inviteHandlers);
    await waitFor(() => inviteHandlers.responses.length === 1, '180');
    const cancelHandlers = recordingHandlers();
    a.stack.sendCancel(invite, cancelHandlers);
    await waitFor(() => cancelHandlers.responses.length === 1 && inviteHandlers.responses.length === 2, '200 to CANCEL and 487');
    expect(inviteHandlers.responses.map((r) => r.status)).toEqual([180, 487]);
    expect(cancelHandlers.responses.map((r) => r.status)).toEqual([200]);
    const cancelAtB = seen.find((s) => s.request.method === 'CANCEL')!;
    expect(topViaOf(cancelAtB.request).branch).toBe(invite.branch);
    expect(getHeader(cancelAtB.request.headers, 'CSeq')).toBe('1 CANCEL');
    const ackAtB = () => b.trace.filter((e) => e.direction === 'in' && e.message.kind === 'request' && e.message.method === 'ACK');
    await waitFor(() => ackAtB().length === 1, 'ACK at B');
    expect(topViaOf(ackAtB()[0]!.message).branch).toBe(invite.branch);
    // The ACK of a non-2xx belongs to B's INVITE transaction: the TU never sees it.
    expect(seen.map((s) => s.request.method)).toEqual(['INVITE', 'CANCEL']);
  });

  it('sends the ACK of a 2xx with a new branch, and the far end stops re-sending its 200', async () => {
    const a = await stack();
    const b = await stack();
    const seen: IncomingRequest[] = [];
    b.stack.onRequest((incoming) => {
      seen.push(incoming);
      if (incoming.request.method === 'INVITE') incoming.respond(200, 'OK', { toTag: 'b2' });
    });
    const target = { host: '127.0.0.1', port: b.stack.localPort, transport };
    const handlers = recordingHandlers();
    const invite = a.stack.sendRequest(makeRequest('INVITE', target, { cseq: 4 }), target, handlers);
    // The transaction lets go of its request on the final response: read it while it is sent.
    const sentInvite = invite.request!;
    await waitFor(() => handlers.responses.length === 1, '200');
    const ok = handlers.responses[0]!;
    const ack: SipRequest = {
      kind: 'request',
      method: 'ACK',
      uri: sentInvite.uri,
      version: 'SIP/2.0',
      headers: [
        ['Max-Forwards', '70'],
        ['From', getHeader(ok.headers, 'From')!],
        ['To', getHeader(ok.headers, 'To')!],
        ['Call-ID', getHeader(ok.headers, 'Call-ID')!],
        ['CSeq', '4 ACK'],
      ],
      body: Buffer.alloc(0),
    };
    a.stack.sendAck(ack, target);
    await waitFor(() => seen.length === 2, 'ACK at B');
    expect(seen[1]!.request.method).toBe('ACK');
    expect(topViaOf(seen[1]!.request).branch).not.toBe(invite.branch);
    expect(topViaOf(seen[1]!.request).branch).toMatch(/^z9hG4bK/);
    // Not mutated: the caller's ACK has no Via of ours.
    expect(getHeaders(ack.headers, 'Via')).toEqual([]);
    await b.clock.runTo(b.clock.now().getTime() + 40_000, async () => undefined);
    expect(b.trace.filter((e) => e.direction === 'out' && e.message.kind === 'response' && e.message.status === 200)).toHaveLength(1);
  });
});

describe('UDP: RFC 3581 rport and RFC 3261 18.2 response routing', () => {
  it('answers to the source address and port when the Via asks for rport, whatever the sent-by says', async () => {
    const t = await stack();
    t.stack.onRequest((incoming) => incoming.respond(200, 'OK'));
    const peer = await RawUdpPeer.open();
    opened.push(peer);
    // The sent-by names a port nobody listens on (as behind a NAT): rport makes the answer come back to us anyway.
    await peer.send(peerRequest('OPTIONS', t.stack.localPort, 'SIP/2.0/UDP 10.99.99.99:9;branch=z9hG4bKnat;rport'), t.stack.localPort);
    await waitFor(() => peer.responses(200).length === 1, '200 at the source port');
    const via = topViaOf(peer.responses(200)[0]!.message);
    expect(via.received).toBe('127.0.0.1');
    expect(via.rport).toBe(peer.port);
    expect(via.host).toBe('10.99.99.99');
  });

  it('without rport, answers to the received address and the sent-by port', async () => {
    const t = await stack();
    t.stack.onRequest((incoming) => incoming.respond(200, 'OK'));
    const sender = await RawUdpPeer.open();
    const listener = await RawUdpPeer.open();
    opened.push(sender, listener);
    // A sent-by that is a host name: section 18.2.1 adds received, and no DNS lookup is needed to answer.
    await sender.send(
      peerRequest('OPTIONS', t.stack.localPort, `SIP/2.0/UDP peer.invalid:${listener.port};branch=z9hG4bKnorport`),
      t.stack.localPort,
    );
    await waitFor(() => listener.responses(200).length === 1, '200 at the sent-by port');
    expect(sender.received).toHaveLength(0);
    const via = topViaOf(listener.responses(200)[0]!.message);
    expect(via.received).toBe('127.0.0.1');
    expect(via.rport).toBeUndefined();
  });

  it('does not add received when the sent-by is the source address and rport was not asked for', async () => {
    const t = await stack();
    t.stack.onRequest((incoming) => incoming.respond(200, 'OK'));
    const peer = await RawUdpPeer.open();
    opened.push(peer);
    await peer.send(peerRequest('OPTIONS', t.stack.localPort, `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKplain`), t.stack.localPort);
    await waitFor(() => peer.responses(200).length === 1, '200');
    expect(getHeader(peer.responses(200)[0]!.message.headers, 'Via')).toBe(`SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKplain`);
  });

  it('chooses response targets per section 18.2.2', () => {
    const udp: SipSource = { address: '192.0.2.1', port: 40000, transport: 'udp' };
    const via = (text: string) => {
      const parsed = parseVia(text);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.value[0]!;
    };
    expect(responseTarget(via('SIP/2.0/UDP h.example:5062;branch=z9hG4bK1;received=192.0.2.1;rport=40000'), udp)).toEqual({
      host: '192.0.2.1',
      port: 40000,
      transport: 'udp',
    });
    expect(responseTarget(via('SIP/2.0/UDP h.example;branch=z9hG4bK1;received=192.0.2.1'), udp)).toEqual({
      host: '192.0.2.1',
      port: 5060,
      transport: 'udp',
    });
    expect(responseTarget(via('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1'), udp)).toEqual({ host: '192.0.2.1', port: 5070, transport: 'udp' });
    const tcp: SipSource = { address: '192.0.2.1', port: 51000, transport: 'tcp' };
    expect(responseTarget(via('SIP/2.0/TCP h.example:5070;branch=z9hG4bK1;received=192.0.2.1;rport=51000'), tcp)).toEqual({
      host: '192.0.2.1',
      port: 5070,
      transport: 'tcp',
    });
  });

  it('answers a retransmitted request from the server transaction without passing it up again', async () => {
    const t = await stack();
    const seen: IncomingRequest[] = [];
    t.stack.onRequest((incoming) => {
      seen.push(incoming);
      incoming.respond(200, 'OK');
    });
    const peer = await RawUdpPeer.open();
    opened.push(peer);
    const bye = peerRequest('BYE', t.stack.localPort, `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKretx;rport`);
    await peer.send(bye, t.stack.localPort);
    await peer.send(bye, t.stack.localPort);
    await peer.send(bye, t.stack.localPort);
    await waitFor(() => peer.responses(200).length === 3, 'three 200s');
    expect(seen).toHaveLength(1);
  });

  it('ignores a garbage datagram and keeps working', async () => {
    const t = await stack();
    t.stack.onRequest((incoming) => incoming.respond(200, 'OK'));
    const peer = await RawUdpPeer.open();
    opened.push(peer);
    await peer.send(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a]), t.stack.localPort);
    await peer.send('INVITE sip:x SIP/2.0\r\nContent-Length: 500\r\n\r\nshort', t.stack.localPort);
    await peer.send(peerRequest('OPTIONS', t.stack.localPort, `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKafter;rport`), t.stack.localPort);
    await waitFor(() => peer.responses(200).length === 1, '200 after the garbage');
    expect(t.stack.stats.droppedDatagrams).toBe(2);
  });

  it('drops a response whose top Via is not ours and hands unmatched ones to onStrayResponse', async () => {
    const t = await stack();
    const strays: SipResponse[] = [];
    t.stack.onStrayResponse((response) => strays.push(response));
    const peer = await RawUdpPeer.open();
    opened.push(peer);
    const foreign = buildResponse(makeRequest('OPTIONS', peer.target), 200, 'OK', { toTag: 'x' });
    foreign.headers.unshift(['Via', 'SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKforeign']);
    const unmatched = buildResponse(makeRequest('OPTIONS', peer.target), 200, 'OK', { toTag: 'x' });
    unmatched.headers.unshift(['Via', `SIP/2.0/UDP 127.0.0.1:${t.stack.localPort};branch=z9hG4bKunknown;rport`]);
    await peer.send(foreign, t.stack.localPort);
    await peer.send(unmatched, t.stack.localPort);
    await waitFor(() => strays.length === 1 && t.stack.stats.droppedResponses === 1, 'one stray, one dropped');
    expect(topViaOf(strays[0]!).branch).toBe('z9hG4bKunknown');
  });

  it('reports a send the operating system refuses as a transport error of that transaction', async () => {
    const t = await stack();
    const handlers = recordingHandlers();
    // A broadcast address without SO_BROADCAST: the send callback fails with EACCES.
    const target = { host: '255.255.255.255', port: 5060, transport: 'udp' as const };
    t.stack.sendRequest(makeRequest('OPTIONS', target), target, handlers);
    await waitFor(() => handlers.errors.length === 1, 'transport error');
    expect((handlers.errors[0] as NodeJS.ErrnoException).code).toBe('EACCES');
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });

  it('reports a request for a transport the stack does not run as a transport error', async () => {
    const t = await stack({ transports: ['udp'] });
    const handlers = recordingHandlers();
    const target = { host: '127.0.0.1', port: 5060, transport: 'tcp' as const };
    t.stack.sendRequest(makeRequest('OPTIONS', target), target, handlers);
    await waitFor(() => handlers.errors.length === 1, 'transport error');
    expect(handlers.errors[0]!.message).toMatch(/tcp is not enabled/);
  });
});

describe('bad input from the network', () => {
  /** xorshift32, seeded, so a failure reproduces. */
  function prng(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x / 0x1_0000_0000;
    };
  }
  const PIECES = ['\r\n', ';', ',', ':', '<', '>', '"', ' ', '=', 'z9hG4bK', ';rport', ';branch=', 'Via: ', 'CSeq: ', 'ACK', 'CANCEL', '0', '99999'];

  function mutate(input: Buffer, random: () => number): Buffer {
    let text = input.toString('latin1');
    const edits = 1 + Math.floor(random() * 6);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(random() * (text.length + 1));
      const choice = random();
      if (choice < 0.4) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
      else if (choice < 0.8) text = text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + text.slice(at);
      else text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(at + 1);
    }
    return Buffer.from(text, 'latin1');
  }

  it('survives 600 mutated datagrams over UDP and 60 mutated streams over TCP, then still answers', async () => {
    const t = await stack();
    t.stack.onRequest((incoming) => incoming.respond(200, 'OK'));
    t.stack.onStrayResponse(() => undefined);
    const peer = await RawUdpPeer.open();
    opened.push(peer);
    // Every sent-by points back at the peer, so whatever the stack answers comes here and nowhere else.
    const fixtures = loadSipFixtures().map(([, bytes]) =>
      Buffer.from(bytes.toString('latin1').replace(/(SIP\/2\.0\/\w+\s+)[^;,\s]+/g, `$1127.0.0.1:${peer.port}`), 'latin1'),
    );
    const random = prng(20300101);
    for (let i = 0; i < 600; i++) await peer.send(mutate(fixtures[i % fixtures.length]!, random), t.stack.localPort);
    for (let i = 0; i < 60; i++) {
      const socket = net.connect(t.stack.localPort, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(mutate(Buffer.concat(fixtures.slice(0, 3)), random));
      socket.destroy();
    }
    await peer.send(peerRequest('OPTIONS', t.stack.localPort, `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKalive;rport`), t.stack.localPort);
    await waitFor(() => peer.responses(200).some((r) => topViaOf(r.message).branch === 'z9hG4bKalive'), 'an answer after the fuzzing');
    expect(t.stack.stats.droppedDatagrams).toBeGreaterThan(0);
  });
});

describe('TCP connections', () => {
  it('pools outbound connections per target and reuses them', async () => {
    const t = await stack();
    const peer = await RawTcpPeer.open();
    opened.push(peer);
    const first = recordingHandlers();
    const second = recordingHandlers();
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, first);
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, second);
    await waitFor(() => peer.requests('OPTIONS').length === 2, 'two OPTIONS');
    for (const { message, socket } of peer.requests('OPTIONS')) writeTcp(socket, buildResponse(message, 200, 'OK', { toTag: 'p' }));
    await waitFor(() => first.responses.length === 1 && second.responses.length === 1, 'both answered');
    const third = recordingHandlers();
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, third);
    await waitFor(() => peer.requests('OPTIONS').length === 3, 'third OPTIONS');
    expect(new Set(peer.requests('OPTIONS').map((r) => r.socket)).size).toBe(1);
    expect(peer.sockets).toHaveLength(1);
  });

  it('accepts a request on the connection we opened and on a new one, answering each on its own connection', async () => {
    const t = await stack();
    const seen: IncomingRequest[] = [];
    t.stack.onRequest((incoming) => {
      seen.push(incoming);
      incoming.respond(200, 'OK');
    });
    const peer = await RawTcpPeer.open();
    opened.push(peer);
    const handlers = recordingHandlers();
    t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    await waitFor(() => peer.requests('INVITE').length === 1, 'INVITE');
    const ours = peer.requests('INVITE')[0]!.socket;
    const via = `SIP/2.0/TCP 127.0.0.1:${peer.port};branch=`;
    writeTcp(ours, peerRequest('BYE', t.stack.localPort, `${via}z9hG4bKbye1`));
    const fresh = await peer.connect(t.stack.localPort);
    writeTcp(fresh, peerRequest('BYE', t.stack.localPort, `${via}z9hG4bKbye2`));
    await waitFor(() => peer.responses(200).length === 2, 'two 200s');
    const byBranch = new Map(peer.responses(200).map((r) => [topViaOf(r.message).branch, r.socket]));
    expect(byBranch.get('z9hG4bKbye1')).toBe(ours);
    expect(byBranch.get('z9hG4bKbye2')).toBe(fresh);
    expect(seen.map((s) => s.source.transport)).toEqual(['tcp', 'tcp']);
  });

  it('answers on a new connection to the received address and sent-by port when the request connection closed', async () => {
    const t = await stack();
    const answers: IncomingRequest[] = [];
    t.stack.onRequest((incoming) => answers.push(incoming));
    const peer = await RawTcpPeer.open();
    opened.push(peer);
    const socket = await peer.connect(t.stack.localPort);
    writeTcp(socket, peerRequest('OPTIONS', t.stack.localPort, `SIP/2.0/TCP 127.0.0.1:${peer.port};branch=z9hG4bKlate`));
    await waitFor(() => answers.length === 1, 'OPTIONS at the TU');
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    answers[0]!.respond(200, 'OK');
    await waitFor(() => peer.responses(200).length === 1, '200 on a new connection');
    expect(peer.responses(200)[0]!.socket).not.toBe(socket);
  });

  it('closes a connection whose stream loses its framing', async () => {
    const t = await stack();
    const peer = await RawTcpPeer.open();
    opened.push(peer);
    const socket = await peer.connect(t.stack.localPort);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // RFC 3261 section 18.3: Content-Length is mandatory on streams.
    socket.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKx\r\n\r\n');
    await closed;
    expect(t.stack.stats.framingErrors).toBe(1);
  });

  it('reports a refused connection to the transaction (ECONNREFUSED)', async () => {
    const t = await stack();
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const address = probe.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const handlers = recordingHandlers();
    const target = { host: '127.0.0.1', port, transport: 'tcp' as const };
    t.stack.sendRequest(makeRequest('INVITE', target), target, handlers);
    await waitFor(() => handlers.errors.length === 1, 'ECONNREFUSED');
    expect((handlers.errors[0] as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(handlers.timeouts).toEqual([]);
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });

  it('frames several messages arriving in one TCP segment and one message split across writes', async () => {
    const t = await stack();
    const seen: IncomingRequest[] = [];
    t.stack.onRequest((incoming) => {
      seen.push(incoming);
      incoming.respond(200, 'OK');
    });
    const peer = await RawTcpPeer.open();
    opened.push(peer);
    const socket = await peer.connect(t.stack.localPort);
    const via = `SIP/2.0/TCP 127.0.0.1:${peer.port};branch=`;
    const one = serializeSipMessage(peerRequest('OPTIONS', t.stack.localPort, `${via}z9hG4bKs1`));
    const two = serializeSipMessage(peerRequest('OPTIONS', t.stack.localPort, `${via}z9hG4bKs2`));
    const three = serializeSipMessage(peerRequest('OPTIONS', t.stack.localPort, `${via}z9hG4bKs3`));
    socket.write(Buffer.concat([one, two, three.subarray(0, 40)]));
    await waitFor(() => seen.length === 2, 'two framed');
    socket.write(three.subarray(40));
    await waitFor(() => seen.length === 3, 'third framed');
  });
});

/** Open handles of this process, by kind (UDPWrap, TCPServerWrap, TCPSocketWrap...). */
function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

describe('close()', () => {
  it('leaves no socket, connection or timer behind after UDP and TCP traffic (real clock)', async () => {
    const peer = await RawTcpPeer.open();
    opened.push(peer);
    // Node emits 'close' before libuv has released a handle; let handles closed by earlier tests finish going away.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = handleCounts();
    // The system clock, counting the sleeps (protocol timers) still pending.
    let pendingSleeps = 0;
    const clock: Clock = {
      now: () => systemClock.now(),
      sleep: (ms, signal) => {
        pendingSleeps++;
        return systemClock.sleep(ms, signal).finally(() => pendingSleeps--);
      },
    };
    const a = await createSipStack({ bindAddress: '127.0.0.1', port: 0, clock });
    const b = await createSipStack({ bindAddress: '127.0.0.1', port: 0, clock });
    b.onRequest((incoming) => incoming.respond(200, 'OK'));
    for (const transport of ['udp', 'tcp'] as const) {
      const handlers = recordingHandlers();
      const target = { host: '127.0.0.1', port: b.localPort, transport };
      a.sendRequest(makeRequest('OPTIONS', target), target, handlers);
      await waitFor(() => handlers.responses.length === 1, `200 over ${transport}`);
    }
    // Pending transactions with real timers (Timer E/F/B) and an outbound connection still connecting.
    a.sendRequest(makeRequest('INVITE', peer.target), peer.target, recordingHandlers());
    a.sendRequest(makeRequest('OPTIONS', { host: '127.0.0.1', port: 9 }), { host: '127.0.0.1', port: 9, transport: 'udp' }, recordingHandlers());
    expect(handleCounts().get('UDPWrap') ?? 0).toBeGreaterThan(before.get('UDPWrap') ?? 0);
    expect(pendingSleeps).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pendingSleeps).toBe(0);
    // Other code in this process may release handles meanwhile, never should we add any.
    const after = handleCounts();
    for (const kind of ['UDPWrap', 'TCPServerWrap', 'TCPSocketWrap']) {
      expect([kind, after.get(kind) ?? 0]).toEqual([kind, Math.min(after.get(kind) ?? 0, before.get(kind) ?? 0)]);
    }
  });

  it('terminates pending transactions, leaves no timers, and refuses new requests with a transport error', async () => {
    const t = await openTestStack();
    const peer = await RawUdpPeer.open();
    opened.push(peer);
    const handlers = recordingHandlers();
    t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, recordingHandlers());
    expect(t.clock.sleepers).toBeGreaterThan(0);
    await t.stack.close();
    expect(t.clock.sleepers).toBe(0);
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(handlers.timeouts).toEqual([]);
    const late = recordingHandlers();
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, late);
    await waitFor(() => late.errors.length === 1, 'transport error after close');
  });
});
