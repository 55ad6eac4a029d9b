// Server transactions (RFC 3261 sections 17.2.1 and 17.2.2, RFC 6026, section 13.3.1.4 2xx retransmission) driven
// on a virtual clock by a raw UDP/TCP peer.
import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, type SipRequest } from '../../../src/telephony/sip/message/types.js';
import type { IncomingRequest } from '../../../src/telephony/sip/transaction/types.js';
import {
  RawTcpPeer,
  RawUdpPeer,
  isResponse,
  openTestStack,
  peerRequest,
  runTo,
  waitFor,
  writeTcp,
  type TestStack,
} from './stack-helpers.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

interface Setup {
  t: TestStack;
  peer: RawUdpPeer;
  incoming: IncomingRequest[];
  via(branch: string): string;
  send(request: SipRequest): Promise<void>;
}

async function setup(answer?: (incoming: IncomingRequest) => void): Promise<Setup> {
  const t = await openTestStack();
  const peer = await RawUdpPeer.open();
  opened.push(t.stack, peer);
  const incoming: IncomingRequest[] = [];
  t.stack.onRequest((request) => {
    incoming.push(request);
    answer?.(request);
  });
  return {
    t,
    peer,
    incoming,
    via: (branch) => `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch};rport`,
    send: (request) => peer.send(request, t.stack.localPort),
  };
}

describe('non-INVITE server transaction (RFC 3261 17.2.2)', () => {
  it('answers a retransmission with the last response, not passing it up, until Timer J = 64*T1', async () => {
    const s = await setup((incoming) => incoming.respond(200, 'OK'));
    const options = peerRequest('OPTIONS', s.t.stack.localPort, s.via('z9hG4bKopt1'));
    await s.send(options);
    await waitFor(() => s.peer.responses(200).length === 1, 'first 200');
    await runTo(s.t.clock, 10_000);
    await s.send(options);
    await waitFor(() => s.peer.responses(200).length === 2, 'second 200');
    expect(s.incoming).toHaveLength(1);
    const [first, second] = s.peer.responses(200).map((r) => r.message);
    // Section 8.2.6.2: a To tag is added once per transaction, so the retransmitted answer is identical.
    expect(getHeader(first!.headers, 'To')).toMatch(/;tag=[0-9a-f]{16}$/);
    expect(getHeader(second!.headers, 'To')).toBe(getHeader(first!.headers, 'To'));

    await runTo(s.t.clock, 31_999);
    expect(s.t.stack.stats.serverTransactions).toBe(1);
    await runTo(s.t.clock, 32_000);
    expect(s.t.stack.stats.serverTransactions).toBe(0);
    // After Timer J the same request is new to the stack.
    await s.send(options);
    await waitFor(() => s.incoming.length === 2, 'passed up again after Timer J');
    expect(s.t.clock.sleepers).toBeGreaterThan(0);
  });

  it('discards retransmissions in Trying, re-sends the last 1xx in Proceeding', async () => {
    const s = await setup();
    const info = peerRequest('INFO', s.t.stack.localPort, s.via('z9hG4bKinfo1'));
    await s.send(info);
    await waitFor(() => s.incoming.length === 1, 'INFO at the TU');
    await s.send(info);
    await waitFor(() => s.t.trace.filter((e) => e.direction === 'in').length === 2, 'retransmission received');
    expect(s.t.trace.filter((e) => e.direction === 'out')).toHaveLength(0);
    s.incoming[0]!.respond(183, 'Session Progress');
    await s.send(info);
    await waitFor(() => s.peer.responses(183).length === 2, '1xx re-sent');
    s.incoming[0]!.respond(200, 'OK');
    await waitFor(() => s.peer.responses(200).length === 1, 'final');
    expect(s.incoming).toHaveLength(1);
  });

  it('forgets a request the TU never answers after 64*T1', async () => {
    const s = await setup();
    await s.send(peerRequest('INFO', s.t.stack.localPort, s.via('z9hG4bKinfo2')));
    await waitFor(() => s.incoming.length === 1, 'INFO');
    expect(s.t.stack.stats.serverTransactions).toBe(1);
    await runTo(s.t.clock, 32_000);
    expect(s.t.stack.stats.serverTransactions).toBe(0);
    expect(s.t.clock.sleepers).toBe(0);
  });

  it('answers a CANCEL that matches no transaction with 481, also when retransmitted, without the TU', async () => {
    const s = await setup();
    const cancel = peerRequest('CANCEL', s.t.stack.localPort, s.via('z9hG4bKnothing'));
    await s.send(cancel);
    await waitFor(() => s.peer.responses(481).length === 1, '481');
    await s.send(cancel);
    await waitFor(() => s.peer.responses(481).length === 2, 'second 481');
    expect(s.incoming).toHaveLength(0);
  });

  it('passes a CANCEL matching an INVITE transaction up; the TU answers 200 and 487', async () => {
    const s = await setup();
    const invite = peerRequest('INVITE', s.t.stack.localPort, s.via('z9hG4bKinv9'), { cseq: 3 });
    await s.send(invite);
    await waitFor(() => s.peer.responses(100).length === 1, '100 Trying');
    const cancel = peerRequest('CANCEL', s.t.stack.localPort, s.via('z9hG4bKinv9'), { cseq: 3, callId: getHeader(invite.headers, 'Call-ID')! });
    await s.send(cancel);
    await waitFor(() => s.incoming.length === 2, 'CANCEL at the TU');
    const [inviteIn, cancelIn] = s.incoming;
    expect(cancelIn!.request.method).toBe('CANCEL');
    cancelIn!.respond(200, 'OK');
    inviteIn!.respond(487, 'Request Terminated');
    await waitFor(() => s.peer.responses(200).length === 1 && s.peer.responses(487).length === 1, '200 and 487');
    expect(getHeader(s.peer.responses(487)[0]!.message.headers, 'CSeq')).toBe('3 INVITE');
  });
});

describe('INVITE server transaction (RFC 3261 17.2.1, RFC 6026)', () => {
  it('re-sends a 2xx on Timer G (T1 doubling to T2) until the ACK (matched by Call-ID and CSeq) arrives; the ACK goes up', async () => {
    const s = await setup((incoming) => {
      if (incoming.request.method === 'INVITE') incoming.respond(200, 'OK', { toTag: 'ours' });
    });
    const invite = peerRequest('INVITE', s.t.stack.localPort, s.via('z9hG4bKreinv'), { cseq: 5, toTag: 'ours' });
    await s.send(invite);
    await waitFor(() => s.peer.responses(200).length === 1, 'first 200');
    // No 100 Trying: the TU answered at once.
    expect(s.peer.responses(100)).toHaveLength(0);
    await runTo(s.t.clock, 8000);
    const ack = peerRequest('ACK', s.t.stack.localPort, s.via('z9hG4bKack2xx'), {
      cseq: 5,
      callId: getHeader(invite.headers, 'Call-ID')!,
      toTag: 'ours',
    });
    await s.send(ack);
    await waitFor(() => s.incoming.length === 2, 'ACK passed up');
    expect(s.incoming[1]!.request.method).toBe('ACK');
    await runTo(s.t.clock, 40_000);
    expect(s.t.sentAt(isResponse(200))).toEqual([0, 500, 1500, 3500, 7500]);
    await waitFor(() => s.peer.responses(200).length === 5, 'five 200s at the peer');
    expect(s.t.stack.stats.serverTransactions).toBe(0);
    expect(s.t.clock.sleepers).toBe(0);
  });

  it('gives up re-sending a 2xx after 64*T1 without an ACK (Timer L)', async () => {
    const s = await setup((incoming) => incoming.respond(200, 'OK'));
    await s.send(peerRequest('INVITE', s.t.stack.localPort, s.via('z9hG4bKnoack')));
    await waitFor(() => s.peer.responses(200).length === 1, 'first 200');
    await runTo(s.t.clock, 60_000);
    expect(s.t.sentAt(isResponse(200))).toEqual([0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(s.t.stack.stats.serverTransactions).toBe(0);
    expect(s.t.clock.sleepers).toBe(0);
  });

  it('sends 100 Trying when the TU does not answer at once and re-sends it for a retransmitted INVITE', async () => {
    const s = await setup();
    const invite = peerRequest('INVITE', s.t.stack.localPort, s.via('z9hG4bKslow'));
    await s.send(invite);
    await waitFor(() => s.peer.responses(100).length === 1, '100 Trying');
    expect(getHeader(s.peer.responses(100)[0]!.message.headers, 'To')).not.toContain('tag=');
    await s.send(invite);
    await waitFor(() => s.peer.responses(100).length === 2, '100 re-sent');
    expect(s.incoming).toHaveLength(1);
  });

  it('re-sends a non-2xx on Timer G until the ACK with the INVITE branch, which is absorbed; Timer I then ends it', async () => {
    const s = await setup();
    const invite = peerRequest('INVITE', s.t.stack.localPort, s.via('z9hG4bKbusy'), { cseq: 9 });
    await s.send(invite);
    await waitFor(() => s.incoming.length === 1, 'INVITE at the TU');
    s.incoming[0]!.respond(486, 'Busy Here');
    await runTo(s.t.clock, 2000);
    const busy = s.peer.responses(486);
    await waitFor(() => s.peer.responses(486).length === 3, 'three 486s');
    const toWithTag = getHeader(busy[0]!.message.headers, 'To')!;
    const ack = peerRequest('ACK', s.t.stack.localPort, s.via('z9hG4bKbusy'), {
      cseq: 9,
      callId: getHeader(invite.headers, 'Call-ID')!,
    });
    ack.headers = ack.headers.map(([n, v]) => (n === 'To' ? [n, toWithTag] : [n, v]));
    await s.send(ack);
    await waitFor(() => s.t.trace.filter((e) => e.direction === 'in').length === 2, 'ACK received');
    // Absorbed: the TU never sees the ACK of a non-2xx.
    expect(s.incoming).toHaveLength(1);
    await runTo(s.t.clock, 2000 + 4999);
    expect(s.t.stack.stats.serverTransactions).toBe(1);
    await runTo(s.t.clock, 2000 + 5000);
    expect(s.t.stack.stats.serverTransactions).toBe(0);
    expect(s.t.sentAt(isResponse(486))).toEqual([0, 500, 1500]);
    expect(s.t.clock.sleepers).toBe(0);
  });

  it('stops re-sending a non-2xx on Timer H = 64*T1 when no ACK comes', async () => {
    const s = await setup((incoming) => incoming.respond(603, 'Decline'));
    await s.send(peerRequest('INVITE', s.t.stack.localPort, s.via('z9hG4bKdecline')));
    await waitFor(() => s.peer.responses(603).length === 1, 'first 603');
    await runTo(s.t.clock, 60_000);
    expect(s.t.sentAt(isResponse(603))).toEqual([0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(s.t.stack.stats.serverTransactions).toBe(0);
  });
});

describe('requests the stack answers itself', () => {
  it('answers 400 to a request with a missing or broken CSeq or Call-ID, and never answers a broken ACK', async () => {
    const s = await setup((incoming) => incoming.respond(200, 'OK'));
    const noCseq = peerRequest('OPTIONS', s.t.stack.localPort, s.via('z9hG4bKbad1'));
    noCseq.headers = noCseq.headers.filter(([n]) => n !== 'CSeq');
    const mismatch = peerRequest('OPTIONS', s.t.stack.localPort, s.via('z9hG4bKbad2'));
    mismatch.headers = mismatch.headers.map(([n, v]) => (n === 'CSeq' ? [n, '1 INVITE'] : [n, v]));
    const noCallId = peerRequest('OPTIONS', s.t.stack.localPort, s.via('z9hG4bKbad3'));
    noCallId.headers = noCallId.headers.filter(([n]) => n !== 'Call-ID');
    const badAck = peerRequest('ACK', s.t.stack.localPort, s.via('z9hG4bKbad4'));
    badAck.headers = badAck.headers.filter(([n]) => n !== 'CSeq');
    for (const request of [noCseq, mismatch, noCallId, badAck]) await s.send(request);
    await waitFor(() => s.peer.responses(400).length === 3, 'three 400s');
    expect(s.peer.responses(400).map((r) => r.message.reason).sort()).toEqual([
      'Bad Request - CSeq Method Mismatch',
      'Bad Request - Missing CSeq',
      'Bad Request - Missing Call-ID',
    ]);
    expect(s.incoming).toHaveLength(0);
    expect(s.t.stack.stats.badRequests).toBe(4);
  });

  it('drops a request whose Via cannot be parsed (no response can be routed)', async () => {
    const s = await setup((incoming) => incoming.respond(200, 'OK'));
    await s.send(peerRequest('OPTIONS', s.t.stack.localPort, 'SIP/2.0/UDP'));
    await waitFor(() => s.t.stack.stats.droppedRequests === 1, 'request dropped');
    expect(s.peer.received).toHaveLength(0);
  });

  it('answers 500 when the TU handler throws, and 503 when there is no handler', async () => {
    const s = await setup(() => {
      throw new Error('bug in the TU');
    });
    await s.send(peerRequest('OPTIONS', s.t.stack.localPort, s.via('z9hG4bKthrow')));
    await waitFor(() => s.peer.responses(500).length === 1, '500');

    const t = await openTestStack();
    opened.push(t.stack);
    await s.peer.send(peerRequest('OPTIONS', t.stack.localPort, s.via('z9hG4bKnohandler')), t.stack.localPort);
    await waitFor(() => s.peer.responses(503).length === 1, '503');
  });
});

describe('server transactions over TCP', () => {
  it('answers on the connection the request came on and ends at once (Timer J = 0)', async () => {
    const t = await openTestStack();
    const peer = await RawTcpPeer.open();
    opened.push(t.stack, peer);
    t.stack.onRequest((incoming) => incoming.respond(200, 'OK'));
    const socket = await peer.connect(t.stack.localPort);
    writeTcp(socket, peerRequest('BYE', t.stack.localPort, `SIP/2.0/TCP 127.0.0.1:${peer.port};branch=z9hG4bKtcpbye;rport`));
    await waitFor(() => peer.responses(200).length === 1, '200 on the connection');
    expect(peer.responses(200)[0]!.socket).toBe(socket);
    expect(t.stack.stats.serverTransactions).toBe(0);
    expect(t.clock.sleepers).toBe(0);
  });
});
