// Client transactions (RFC 3261 sections 17.1.1 and 17.1.2, RFC 6026) driven on a virtual clock against a raw UDP or
// TCP peer: every retransmission time and timeout is asserted.
import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, getHeaders, type SipResponse } from '../../../src/telephony/sip/message/types.js';
import { parseVia } from '../../../src/telephony/sip/message/headers.js';
import { buildResponse } from '../../../src/telephony/sip/transaction/response-builder.js';
import {
  RawTcpPeer,
  RawUdpPeer,
  isRequest,
  makeRequest,
  openTestStack,
  recordingHandlers,
  runTo,
  waitFor,
  writeTcp,
  type TestStack,
} from './stack-helpers.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

async function setup(): Promise<{ t: TestStack; peer: RawUdpPeer }> {
  const t = await openTestStack();
  const peer = await RawUdpPeer.open();
  opened.push(t.stack, peer);
  return { t, peer };
}

function branchOf(message: { headers: Array<[string, string]> }): string | undefined {
  const via = parseVia(getHeaders(message.headers, 'Via'));
  return via.ok ? via.value[0]?.branch : undefined;
}

describe('INVITE client transaction over UDP (RFC 3261 17.1.1)', () => {
  it('retransmits on Timer A (T1 doubling) and times out on Timer B = 64*T1', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    await runTo(t.clock, 40_000);
    expect(t.sentAt(isRequest('INVITE'))).toEqual([0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    expect(handlers.timeouts).toEqual([32_000]);
    expect(handlers.responses).toEqual([]);
    await waitFor(() => peer.requests('INVITE').length === 7, 'seven INVITEs at the peer');
    // Every retransmission is the same transaction: same branch.
    expect(new Set(peer.requests('INVITE').map((r) => branchOf(r.message))).size).toBe(1);
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });

  it('stops Timer A and Timer B on a provisional response (no timeout while ringing)', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    await runTo(t.clock, 600);
    await waitFor(() => peer.requests('INVITE').length === 2, 'two INVITEs');
    await peer.respond(peer.requests('INVITE')[0]!.message, 180, 'Ringing', t.stack.localPort);
    await waitFor(() => handlers.responses.length === 1, '180 at the TU');
    await runTo(t.clock, 100_000);
    expect(t.sentAt(isRequest('INVITE'))).toEqual([0, 500]);
    expect(handlers.timeouts).toEqual([]);
    expect(t.stack.stats.clientTransactions).toBe(1);
  });

  it('ACKs a non-2xx itself with the INVITE branch, passes it once, re-ACKs retransmissions until Timer D (32 s)', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    const routeSet: Array<[string, string]> = [['Route', '<sip:proxy1.example;lr>'], ['Route', '<sip:proxy2.example;lr>']];
    const invite = makeRequest('INVITE', peer.target, { headers: routeSet, cseq: 7 });
    const tx = t.stack.sendRequest(invite, peer.target, handlers);
    const strays: SipResponse[] = [];
    t.stack.onStrayResponse((response) => strays.push(response));
    await waitFor(() => peer.requests('INVITE').length === 1, 'INVITE');
    const received = peer.requests('INVITE')[0]!.message;
    await runTo(t.clock, 1000);
    await peer.respond(received, 486, 'Busy Here', t.stack.localPort, 'busytag');
    await waitFor(() => peer.requests('ACK').length === 1, 'ACK');

    const ack = peer.requests('ACK')[0]!.message;
    expect(ack.uri).toBe(received.uri);
    expect(branchOf(ack)).toBe(tx.branch);
    expect(getHeaders(ack.headers, 'Via')).toHaveLength(1);
    expect(getHeader(ack.headers, 'To')).toContain('tag=busytag');
    expect(getHeader(ack.headers, 'CSeq')).toBe('7 ACK');
    expect(getHeader(ack.headers, 'Call-ID')).toBe(getHeader(invite.headers, 'Call-ID'));
    expect(getHeader(ack.headers, 'From')).toBe(getHeader(invite.headers, 'From'));
    expect(getHeaders(ack.headers, 'Route')).toEqual(['<sip:proxy1.example;lr>', '<sip:proxy2.example;lr>']);
    expect(handlers.responses.map((r) => r.status)).toEqual([486]);

    // A retransmitted 486 in Completed: ACK re-sent, nothing new for the TU.
    await runTo(t.clock, 20_000);
    await peer.respond(received, 486, 'Busy Here', t.stack.localPort, 'busytag');
    await waitFor(() => peer.requests('ACK').length === 2, 'second ACK');
    expect(handlers.responses).toHaveLength(1);
    expect(t.sentAt(isRequest('ACK'))).toEqual([1000, 20_000]);
    // Timer A stopped with the final response.
    expect(t.sentAt(isRequest('INVITE'))).toEqual([0, 500]);

    // Timer D (32 s after the 486): terminated; a late 486 is now stray.
    await runTo(t.clock, 32_999);
    expect(t.stack.stats.clientTransactions).toBe(1);
    await runTo(t.clock, 33_000);
    expect(t.stack.stats.clientTransactions).toBe(0);
    await peer.respond(received, 486, 'Busy Here', t.stack.localPort, 'busytag');
    await waitFor(() => strays.length === 1, 'stray 486');
    expect(peer.requests('ACK')).toHaveLength(2);
    expect(handlers.timeouts).toEqual([]);
  });

  it('passes every 2xx, retransmitted or forked, while Accepted (RFC 6026 Timer M = 64*T1); ignores a late 180', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    const strays: SipResponse[] = [];
    t.stack.onStrayResponse((response) => strays.push(response));
    await waitFor(() => peer.requests('INVITE').length === 1, 'INVITE');
    const received = peer.requests('INVITE')[0]!.message;
    await runTo(t.clock, 1000);
    await peer.respond(received, 200, 'OK', t.stack.localPort, 'fork1');
    await waitFor(() => handlers.responses.length === 1, 'first 200');
    await runTo(t.clock, 3000);
    await peer.respond(received, 200, 'OK', t.stack.localPort, 'fork1');
    await peer.respond(received, 200, 'OK', t.stack.localPort, 'fork2');
    await peer.respond(received, 180, 'Ringing', t.stack.localPort, 'fork1');
    await waitFor(() => handlers.responses.length === 3, 'three 200s');
    expect(handlers.responses.map((r) => [r.status, getHeader(r.headers, 'To')?.split('tag=')[1]])).toEqual([
      [200, 'fork1'],
      [200, 'fork1'],
      [200, 'fork2'],
    ]);
    // The transaction never ACKs a 2xx (the TU does) and stopped retransmitting the INVITE.
    expect(t.sentAt(isRequest('ACK'))).toEqual([]);
    expect(t.sentAt(isRequest('INVITE'))).toEqual([0, 500]);

    await runTo(t.clock, 1000 + 32_000 - 1);
    expect(t.stack.stats.clientTransactions).toBe(1);
    await runTo(t.clock, 1000 + 32_000);
    expect(t.stack.stats.clientTransactions).toBe(0);
    await peer.respond(received, 200, 'OK', t.stack.localPort, 'fork1');
    await waitFor(() => strays.length === 1, 'stray 200 after Timer M');
    expect(handlers.responses).toHaveLength(3);
    expect(handlers.timeouts).toEqual([]);
  });

  it('ends an INVITE whose CANCEL gets no final response within 64*T1 (RFC 3261 9.1)', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    const invite = t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    await waitFor(() => peer.requests('INVITE').length === 1, 'INVITE');
    await peer.respond(peer.requests('INVITE')[0]!.message, 180, 'Ringing', t.stack.localPort);
    await waitFor(() => handlers.responses.length === 1, '180');
    await runTo(t.clock, 10_000);
    const cancelHandlers = recordingHandlers(t.clock);
    const cancel = t.stack.sendCancel(invite, cancelHandlers)!;
    expect(cancel.branch).toBe(invite.branch);
    await waitFor(() => peer.requests('CANCEL').length === 1, 'CANCEL');
    await peer.respond(peer.requests('CANCEL')[0]!.message, 200, 'OK', t.stack.localPort);
    await waitFor(() => cancelHandlers.responses.length === 1, '200 to CANCEL');
    await runTo(t.clock, 10_000 + 32_000);
    expect(handlers.timeouts).toEqual([42_000]);
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });

  it('terminate() stops retransmissions and forgets the transaction', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    const tx = t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    await runTo(t.clock, 600);
    tx.terminate();
    await runTo(t.clock, 60_000);
    expect(t.sentAt(isRequest('INVITE'))).toEqual([0, 500]);
    expect(handlers.timeouts).toEqual([]);
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });
});

describe('non-INVITE client transaction over UDP (RFC 3261 17.1.2)', () => {
  it('retransmits on Timer E doubling from T1 capped at T2 = 4 s, times out on Timer F = 64*T1', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, handlers);
    await runTo(t.clock, 40_000);
    expect(t.sentAt(isRequest('OPTIONS'))).toEqual([0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(handlers.timeouts).toEqual([32_000]);
    await waitFor(() => peer.requests('OPTIONS').length === 11, 'eleven OPTIONS at the peer');
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });

  it('after a 1xx, Timer E fires every T2, and Timer F still times out', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('BYE', peer.target), peer.target, handlers);
    await runTo(t.clock, 600);
    await waitFor(() => peer.requests('BYE').length === 2, 'two BYEs');
    await peer.respond(peer.requests('BYE')[0]!.message, 100, 'Trying', t.stack.localPort);
    await waitFor(() => handlers.responses.length === 1, '100 at the TU');
    await runTo(t.clock, 40_000);
    // The E interval running at the 1xx (1 s) finishes, then T2 each time.
    expect(t.sentAt(isRequest('BYE'))).toEqual([0, 500, 1500, 5500, 9500, 13_500, 17_500, 21_500, 25_500, 29_500]);
    expect(handlers.timeouts).toEqual([32_000]);
  });

  it('uses custom T1/T2 for Timers E and F', async () => {
    const t = await openTestStack({ timers: { t1Ms: 100, t2Ms: 300 } });
    const peer = await RawUdpPeer.open();
    opened.push(t.stack, peer);
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, handlers);
    await runTo(t.clock, 10_000);
    expect(t.sentAt(isRequest('OPTIONS'))).toEqual([0, 100, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000, 3300, 3600, 3900, 4200, 4500, 4800, 5100, 5400, 5700, 6000, 6300]);
    expect(handlers.timeouts).toEqual([6400]);
  });

  it('passes the final response once and absorbs retransmissions until Timer K = T4', async () => {
    const { t, peer } = await setup();
    const handlers = recordingHandlers(t.clock);
    const strays: SipResponse[] = [];
    t.stack.onStrayResponse((response) => strays.push(response));
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, handlers);
    await waitFor(() => peer.requests('OPTIONS').length === 1, 'OPTIONS');
    const received = peer.requests('OPTIONS')[0]!.message;
    await runTo(t.clock, 1000);
    await peer.respond(received, 200, 'OK', t.stack.localPort);
    await waitFor(() => handlers.responses.length === 1, '200');
    await runTo(t.clock, 3000);
    await peer.respond(received, 200, 'OK', t.stack.localPort);
    await waitFor(() => t.trace.filter((e) => e.direction === 'in').length === 2, 'retransmitted 200 received');
    expect(handlers.responses).toHaveLength(1);
    expect(strays).toHaveLength(0);
    expect(t.sentAt(isRequest('OPTIONS'))).toEqual([0, 500]);
    await runTo(t.clock, 5999);
    expect(t.stack.stats.clientTransactions).toBe(1);
    await runTo(t.clock, 6000);
    expect(t.stack.stats.clientTransactions).toBe(0);
    await peer.respond(received, 200, 'OK', t.stack.localPort);
    await waitFor(() => strays.length === 1, 'stray 200 after Timer K');
    expect(handlers.timeouts).toEqual([]);
    expect(t.clock.sleepers).toBe(0);
  });
});

describe('client transactions over TCP (no retransmission, D = K = 0)', () => {
  async function tcpSetup(): Promise<{ t: TestStack; peer: RawTcpPeer }> {
    const t = await openTestStack();
    const peer = await RawTcpPeer.open();
    opened.push(t.stack, peer);
    return { t, peer };
  }

  it('sends the INVITE once (no Timer A) and still times out on Timer B', async () => {
    const { t, peer } = await tcpSetup();
    const handlers = recordingHandlers(t.clock);
    const tx = t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    expect(getHeader(tx.request!.headers, 'Via')).toMatch(/^SIP\/2\.0\/TCP 127\.0\.0\.1:\d+;branch=z9hG4bK[^;]+;rport$/);
    await waitFor(() => peer.requests('INVITE').length === 1, 'INVITE over TCP');
    await runTo(t.clock, 40_000);
    expect(t.sentAt(isRequest('INVITE'))).toEqual([0]);
    expect(handlers.timeouts).toEqual([32_000]);
  });

  it('sends a non-INVITE once (no Timer E), times out on Timer F', async () => {
    const { t, peer } = await tcpSetup();
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, handlers);
    await runTo(t.clock, 40_000);
    expect(t.sentAt(isRequest('OPTIONS'))).toEqual([0]);
    expect(handlers.timeouts).toEqual([32_000]);
  });

  it('ACKs a non-2xx on the same connection and terminates at once (Timer D = 0)', async () => {
    const { t, peer } = await tcpSetup();
    const handlers = recordingHandlers(t.clock);
    const tx = t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, handlers);
    await waitFor(() => peer.requests('INVITE').length === 1, 'INVITE');
    const { message, socket } = peer.requests('INVITE')[0]!;
    writeTcp(socket, buildResponse(message, 603, 'Decline', { toTag: 'd1' }));
    await waitFor(() => peer.requests('ACK').length === 1, 'ACK over TCP');
    expect(peer.requests('ACK')[0]!.socket).toBe(socket);
    expect(branchOf(peer.requests('ACK')[0]!.message)).toBe(tx.branch);
    expect(handlers.responses.map((r) => r.status)).toEqual([603]);
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });

  it('terminates a non-INVITE on its final response (Timer K = 0)', async () => {
    const { t, peer } = await tcpSetup();
    const handlers = recordingHandlers(t.clock);
    t.stack.sendRequest(makeRequest('BYE', peer.target), peer.target, handlers);
    await waitFor(() => peer.requests('BYE').length === 1, 'BYE');
    const { message, socket } = peer.requests('BYE')[0]!;
    writeTcp(socket, buildResponse(message, 200, 'OK', {}));
    await waitFor(() => handlers.responses.length === 1, '200 to BYE');
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });
});
