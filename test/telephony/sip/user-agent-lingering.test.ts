// What the user agent and the stack keep of a call for the 64*T1 after it ends (RFC 3261 section 13.3.1.4, RFC 6026):
// enough to send a retransmitted 2xx the same ACK, to ACK and BYE a fork that answers late and to answer a late
// request in the dialog (ended-call.ts, invite-dialogs.ts, and transactions that let go of their request and handlers
// on the final response). The call, the InviteClient and the caller's progress listener are garbage as soon as the
// caller drops them: kept whole, they held ~20 KB a call for those 32 s. Real stack on loopback, a raw UDP far end.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, type SipHeader, type SipRequest } from '../../../src/telephony/sip/message/types.js';
import { buildResponse } from '../../../src/telephony/sip/transaction/response-builder.js';
import { SipUserAgent } from '../../../src/telephony/sip/ua/user-agent.js';
import { ANSWER, OFFER } from './user-agent.helpers.js';
import { makeRequest, openTestStack, RawUdpPeer, recordingHandlers, runTo, settle, waitFor, type TestStack } from './stack-helpers.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Whether nothing keeps `ref`'s object alive any more (a few collections, with turns of the loop between). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 5 && ref.deref() !== undefined; i++) {
    await settle();
    collectGarbage();
  }
  return ref.deref() === undefined;
}

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

async function setupCall(): Promise<{ t: TestStack; peer: RawUdpPeer; ua: SipUserAgent }> {
  const t = await openTestStack({ transports: ['udp'] });
  const peer = await RawUdpPeer.open();
  opened.push(t.stack, peer);
  const ua = new SipUserAgent({ stack: t.stack, clock: t.clock, sessionExpiresS: 0 });
  return { t, peer, ua };
}

/** The far end's 200 to our INVITE, from the dialog tagged `toTag`. */
function ok(invite: SipRequest, peer: RawUdpPeer, toTag: string) {
  return buildResponse(invite, 200, 'OK', {
    toTag,
    headers: [['Contact', `<sip:callee@127.0.0.1:${peer.port}>`], ['Content-Type', 'application/sdp']],
    body: Buffer.from(ANSWER),
  });
}

/** A request the callee sends in the dialog `toTag` of our INVITE. */
function fromCallee(invite: SipRequest, peer: RawUdpPeer, method: string, toTag: string, cseq: number): SipRequest {
  const headers: SipHeader[] = [
    ['Via', `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-callee-${method}-${cseq}`],
    ['Max-Forwards', '70'],
    ['From', `${getHeader(invite.headers, 'To')};tag=${toTag}`],
    ['To', getHeader(invite.headers, 'From')!],
    ['Call-ID', getHeader(invite.headers, 'Call-ID')!],
    ['CSeq', `${cseq} ${method}`],
  ];
  return { kind: 'request', method, uri: 'sip:ringcast@127.0.0.1', version: 'SIP/2.0', headers, body: Buffer.alloc(0) };
}

const withoutVia = (request: SipRequest) => request.headers.filter(([name]) => name !== 'Via');

describe('what an ended call leaves behind for 64*T1', () => {
  it('the call, its InviteClient and the progress listener are collected; a retransmitted 2xx still gets the same ACK, a late fork ACK and BYE, a late BYE 200', async () => {
    const { t, peer, ua } = await setupCall();
    // Everything the caller holds lives in this function only.
    const placed = await (async () => {
      const onProgress = () => {};
      const invite = ua.invite({
        target: peer.target,
        requestUri: `sip:+442079460001@127.0.0.1:${peer.port}`,
        fromUri: 'sip:+441632960001@127.0.0.1',
        toUri: `sip:+442079460001@127.0.0.1:${peer.port}`,
        sdpOffer: OFFER,
        onProgress,
      });
      await waitFor(() => peer.requests('INVITE').length === 1, 'INVITE');
      const inviteRequest = peer.requests('INVITE')[0]!.message;
      await peer.send(buildResponse(inviteRequest, 180, 'Ringing', { toTag: 'callee-1' }), t.stack.localPort);
      const answer = ok(inviteRequest, peer, 'callee-1');
      await peer.send(answer, t.stack.localPort);
      const outcome = await invite.outcome;
      if (outcome.kind !== 'answered') throw new Error(`not answered: ${JSON.stringify(outcome)}`);
      const ended = outcome.call.hangup();
      await waitFor(() => peer.requests('BYE').length === 1, 'BYE');
      await peer.respond(peer.requests('BYE')[0]!.message, 200, 'OK', t.stack.localPort, 'callee-1');
      await ended;
      return { call: new WeakRef(outcome.call), invite: new WeakRef(invite), listener: new WeakRef(onProgress), inviteRequest, answer };
    })();

    expect(await collected(placed.call)).toBe(true);
    expect(await collected(placed.invite)).toBe(true);
    expect(await collected(placed.listener)).toBe(true);
    // The INVITE transaction (Accepted, Timer M) and the BYE's (Completed, Timer K) are still there.
    expect(t.stack.stats.clientTransactions).toBe(2);

    // Our ACK was lost: the callee sends its 200 again, and gets the same ACK again.
    await waitFor(() => peer.requests('ACK').length === 1, 'ACK');
    await peer.send(placed.answer, t.stack.localPort);
    await waitFor(() => peer.requests('ACK').length === 2, 'ACK again');
    const [first, again] = peer.requests('ACK').map((r) => r.message);
    expect(withoutVia(again!)).toEqual(withoutVia(first!));

    // Another fork answers late: ACK, then BYE in its own dialog.
    await peer.send(ok(placed.inviteRequest, peer, 'fork-2'), t.stack.localPort);
    await waitFor(() => peer.requests('BYE').length === 2, 'BYE to the fork');
    const forkAck = peer.requests('ACK')[2]!.message;
    expect(getHeader(forkAck.headers, 'To')).toContain('tag=fork-2');
    expect(getHeader(peer.requests('BYE')[1]!.message.headers, 'To')).toContain('tag=fork-2');

    // A BYE of the ended dialog crossing ours gets 200; any other request in it 481.
    await peer.send(fromCallee(placed.inviteRequest, peer, 'BYE', 'callee-1', 1), t.stack.localPort);
    await peer.send(fromCallee(placed.inviteRequest, peer, 'INFO', 'callee-1', 2), t.stack.localPort);
    await waitFor(() => peer.responses().length === 2, 'answers to the late requests');
    expect(peer.responses().map((r) => `${r.message.status} ${getHeader(r.message.headers, 'CSeq')}`)).toEqual(['200 1 BYE', '481 2 INFO']);

    // 64*T1 later the user agent and the stack have forgotten the call.
    await runTo(t.clock, 40_000);
    expect(t.stack.stats.clientTransactions).toBe(0);
    expect(ua.activeCallCount).toBe(0);
  });
});

describe('a client transaction with its final response keeps only what its lingering state needs', () => {
  it('non-INVITE: the request and the handlers go on the final response; Completed still absorbs retransmissions for Timer K', async () => {
    const { t, peer } = await setupCall();
    const tx = await (async () => {
      const handlers = recordingHandlers(t.clock);
      const sent = t.stack.sendRequest(makeRequest('OPTIONS', peer.target), peer.target, handlers);
      expect(sent.request?.method).toBe('OPTIONS');
      await waitFor(() => peer.requests('OPTIONS').length === 1, 'OPTIONS');
      await peer.respond(peer.requests('OPTIONS')[0]!.message, 200, 'OK', t.stack.localPort);
      await waitFor(() => handlers.responses.length === 1, '200');
      return { sent, handlers: new WeakRef(handlers) };
    })();
    expect(tx.sent.request).toBeUndefined();
    expect(await collected(tx.handlers)).toBe(true);
    expect(t.stack.stats.clientTransactions).toBe(1);
    await peer.respond(peer.requests('OPTIONS')[0]!.message, 200, 'OK', t.stack.localPort);
    await settle();
    await runTo(t.clock, 6000);
    expect(t.stack.stats.clientTransactions).toBe(0);
  });

  it('INVITE: the request goes on a 2xx (Accepted) and on a non-2xx (Completed, which still re-sends its ACK); no CANCEL is built then', async () => {
    const { t, peer } = await setupCall();
    const accepted = t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, recordingHandlers(t.clock));
    const rejected = t.stack.sendRequest(makeRequest('INVITE', peer.target), peer.target, recordingHandlers(t.clock));
    await waitFor(() => peer.requests('INVITE').length === 2, 'INVITEs');
    const [first, second] = peer.requests('INVITE').map((r) => r.message);
    await peer.respond(first!, 200, 'OK', t.stack.localPort);
    await peer.respond(second!, 486, 'Busy Here', t.stack.localPort);
    await waitFor(() => peer.requests('ACK').length === 1, 'ACK of the 486');
    expect(accepted.request).toBeUndefined();
    expect(rejected.request).toBeUndefined();
    expect(t.stack.sendCancel(rejected, recordingHandlers())).toBeUndefined();
    await peer.respond(second!, 486, 'Busy Here', t.stack.localPort);
    await waitFor(() => peer.requests('ACK').length === 2, 'the ACK again');
    expect(peer.requests('CANCEL')).toHaveLength(0);
  });
});
