// Blind transfer by REFER (RFC 3515) in an answered call: the REFER as sent, its challenges and refusals, and the
// NOTIFYs of the implicit subscription with their message/sipfrag bodies (RFC 3420). Fake stack, virtual clock.
import { describe, expect, it, vi } from 'vitest';
import type { SipHeader, SipRequest } from '../../../src/telephony/sip/message/types.js';
import { requestFromCallee } from '../../helpers/fake-sip-stack.js';
import { answeredCall, isSettled } from './user-agent.helpers.js';

const TARGET = 'sip:+442079460099@trunk.example.com';

/** A NOTIFY of the refer subscription from the callee, with a sipfrag status line. */
function notify(
  invite: SipRequest,
  cseq: number,
  options: { frag?: string; state?: string; event?: string; headers?: SipHeader[] } = {},
): SipRequest {
  const headers: SipHeader[] = [
    ['Event', options.event ?? 'refer'],
    ['Subscription-State', options.state ?? 'active;expires=60'],
    ...(options.headers ?? []),
  ];
  if (options.frag !== undefined) headers.push(['Content-Type', 'message/sipfrag;version=2.0']);
  return requestFromCallee(invite, 'callee-1', 'NOTIFY', cseq, { headers, ...(options.frag !== undefined ? { body: options.frag } : {}) });
}

describe('REFER (RFC 3515)', () => {
  it('202, NOTIFY 100, NOTIFY 200: answered; the REFER carries Refer-To and Referred-By; every NOTIFY gets 200', async () => {
    const { stack, call, inviteTx } = await answeredCall({ answerHeaders: [['Record-Route', '<sip:10.0.0.1;lr>']] });
    const onProgress = vi.fn();
    const result = call.refer(TARGET, { timeoutMs: 30_000, onProgress });
    const refer = stack.last('REFER');
    expect(refer.request.uri).toBe('sip:callee@198.51.100.20:5062');
    expect(refer.target).toEqual({ host: '10.0.0.1', port: 5060, transport: 'udp' });
    expect(refer.header('Route')).toBe('<sip:10.0.0.1;lr>');
    expect(refer.header('CSeq')).toBe('2 REFER');
    expect(refer.header('To')).toContain('tag=callee-1');
    expect(refer.header('Refer-To')).toBe(`<${TARGET}>`);
    expect(refer.header('Referred-By')).toBe('<sip:+441632960001@trunk.example.com>');
    expect(refer.header('Contact')).toBe('<sip:ringcast@192.0.2.10:5060>');
    refer.respond(202, 'Accepted');
    const trying = stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 100 Trying\r\n' }));
    expect(trying.responses.map((r) => r.status)).toEqual([200]);
    expect(onProgress).toHaveBeenCalledWith(100, 'Trying');
    expect(await isSettled(result)).toBe(false);
    const ringing = stack.receive(notify(inviteTx.request, 2, { frag: 'SIP/2.0 180 Ringing\r\n' }));
    expect(ringing.responses.map((r) => r.status)).toEqual([200]);
    const ok = stack.receive(notify(inviteTx.request, 3, { frag: 'SIP/2.0 200 OK\r\n', state: 'terminated;reason=noresource' }));
    expect(ok.responses.map((r) => r.status)).toEqual([200]);
    expect(await result).toEqual({ kind: 'answered', status: 200, reason: 'OK' });
    expect(onProgress).toHaveBeenCalledTimes(2);
    // REFER does not end the call: the transferor hangs up.
    expect(await isSettled(call.ended)).toBe(false);
    expect(stack.sentOf('BYE')).toHaveLength(0);
    // The subscription is over: a late NOTIFY gets 481.
    expect(stack.receive(notify(inviteTx.request, 4, { frag: 'SIP/2.0 200 OK\r\n' })).lastResponse!.status).toBe(481);
  });

  it('a final sipfrag with the subscription still active: answered, and the closing NOTIFY still gets 200', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(202, 'Accepted');
    stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 200 OK' }));
    expect(await result).toMatchObject({ kind: 'answered', status: 200 });
    const closing = stack.receive(notify(inviteTx.request, 2, { state: 'terminated;reason=noresource' }));
    expect(closing.lastResponse!.status).toBe(200);
  });

  it('202, NOTIFY 486: failed with the target status (busy for the carrier)', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(202, 'Accepted');
    stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 100 Trying\r\n' }));
    const busy = stack.receive(notify(inviteTx.request, 2, { frag: 'SIP/2.0 486 Busy Here\r\n', state: 'terminated;reason=noresource' }));
    expect(busy.lastResponse!.status).toBe(200);
    expect(await result).toEqual({ kind: 'failed', cause: 'target-failed', status: 486, reason: 'the transfer target answered 486 Busy Here' });
    expect(await isSettled(call.ended)).toBe(false);
  });

  it.each([
    [403, 'Forbidden'],
    [405, 'Method Not Allowed'],
    [603, 'Decline'],
  ])('a REFER refused %i is failed with that status, and no NOTIFY is taken afterwards', async (status, reason) => {
    const { stack, call, inviteTx } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(status, reason);
    expect(await result).toEqual({ kind: 'failed', cause: 'refused', status, reason: `the REFER was refused: ${status} ${reason}` });
    expect(stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 200 OK' })).lastResponse!.status).toBe(481);
  });

  it('no final NOTIFY within timeoutMs: failed, timeout; NOTIFYs still get 200 for 64*T1, then 481', async () => {
    const { stack, call, inviteTx, advance } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 25_000 });
    stack.last('REFER').respond(202, 'Accepted');
    stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 180 Ringing' }));
    await advance(24_999);
    expect(await isSettled(result)).toBe(false);
    await advance(1);
    expect(await result).toEqual({ kind: 'failed', cause: 'timeout', reason: 'no final NOTIFY within 25 s' });
    expect(stack.receive(notify(inviteTx.request, 2, { frag: 'SIP/2.0 180 Ringing' })).lastResponse!.status).toBe(200);
    await advance(32_000);
    expect(stack.receive(notify(inviteTx.request, 3, { frag: 'SIP/2.0 200 OK' })).lastResponse!.status).toBe(481);
    expect(await isSettled(call.ended)).toBe(false);
  });

  it('no response to the REFER at all (Timer F): failed, no-response 408', async () => {
    const { stack, call } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 60_000 });
    stack.last('REFER').timeout();
    expect(await result).toMatchObject({ kind: 'failed', cause: 'no-response', status: 408 });
  });

  it('a 407 is answered with credentials (CSeq + 1); NOTIFYs with the id of either REFER are ours', async () => {
    const { stack, call, inviteTx } = await answeredCall({ invite: { credentials: { username: 'alice', password: 'secret' } } });
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(407, 'Proxy Authentication Required', { headers: [['Proxy-Authenticate', 'Digest realm="proxy", nonce="r1", qop="auth"']] });
    const retry = stack.last('REFER');
    expect(stack.sentOf('REFER')).toHaveLength(2);
    expect(retry.header('CSeq')).toBe('3 REFER');
    expect(retry.header('Proxy-Authorization')).toMatch(/^Digest username="alice", realm="proxy", nonce="r1", uri="sip:callee@198.51.100.20:5062"/);
    expect(retry.header('Refer-To')).toBe(`<${TARGET}>`);
    retry.respond(202, 'Accepted');
    const wrongId = stack.receive(notify(inviteTx.request, 1, { event: 'refer;id=99', frag: 'SIP/2.0 200 OK' }));
    expect(wrongId.lastResponse!.status).toBe(481);
    stack.receive(notify(inviteTx.request, 2, { event: 'refer;id=3', frag: 'SIP/2.0 200 OK', state: 'terminated' }));
    expect(await result).toMatchObject({ kind: 'answered', status: 200 });
  });

  it('a second refusal of our credentials is failed with that status', async () => {
    const { stack, call } = await answeredCall({ invite: { credentials: { username: 'alice', password: 'secret' } } });
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    const challenge: SipHeader[] = [['WWW-Authenticate', 'Digest realm="r", nonce="n1"']];
    stack.last('REFER').respond(401, 'Unauthorized', { headers: challenge });
    stack.last('REFER').respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', 'Digest realm="r", nonce="n2"']] });
    expect(await result).toMatchObject({ kind: 'failed', cause: 'refused', status: 401 });
    expect(stack.sentOf('REFER')).toHaveLength(2);
  });

  it('Subscription-State: terminated without a final status is failed, subscription-ended', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(202, 'Accepted');
    stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 100 Trying' }));
    const end = stack.receive(notify(inviteTx.request, 2, { frag: 'SIP/2.0 100 Trying', state: 'terminated;reason=timeout' }));
    expect(end.lastResponse!.status).toBe(200);
    expect(await result).toEqual({
      kind: 'failed',
      cause: 'subscription-ended',
      reason: 'the transfer subscription ended without a final status (timeout)',
    });
  });

  it('a NOTIFY before the 202 counts, and a garbage or missing sipfrag body is answered 200 and ignored', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    expect(stack.receive(notify(inviteTx.request, 1, { frag: 'hello there' })).lastResponse!.status).toBe(200);
    expect(stack.receive(notify(inviteTx.request, 2)).lastResponse!.status).toBe(200);
    expect(await isSettled(result)).toBe(false);
    stack.receive(notify(inviteTx.request, 3, { frag: 'SIP/2.0 200 OK' }));
    stack.last('REFER').respond(202, 'Accepted');
    expect(await result).toMatchObject({ kind: 'answered' });
  });

  it('NOTIFYs of another event get 489; out of order 500; without any REFER a NOTIFY is still 405', async () => {
    const before = await answeredCall();
    expect(before.stack.receive(notify(before.inviteTx.request, 1, { frag: 'SIP/2.0 200 OK' })).lastResponse!.status).toBe(405);

    const { stack, call, inviteTx } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(202, 'Accepted');
    const presence = stack.receive(notify(inviteTx.request, 5, { event: 'presence' }));
    expect(presence.lastResponse!.status).toBe(489);
    expect(presence.header('Allow-Events')).toBe('refer');
    expect(stack.receive(notify(inviteTx.request, 4, { frag: 'SIP/2.0 200 OK' })).lastResponse!.status).toBe(500);
    // The compact form of Event (o) is understood.
    const compact = notify(inviteTx.request, 6, { frag: 'SIP/2.0 200 OK' });
    compact.headers = compact.headers.map(([n, v]) => [n === 'Event' ? 'o' : n, v]);
    expect(stack.receive(compact).lastResponse!.status).toBe(200);
    expect(await result).toMatchObject({ kind: 'answered' });
  });

  it('one REFER at a time; none once the call has ended', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const first = call.refer(TARGET, { timeoutMs: 30_000 });
    expect(await call.refer(TARGET, { timeoutMs: 30_000 })).toMatchObject({ kind: 'failed', cause: 'busy' });
    expect(stack.sentOf('REFER')).toHaveLength(1);
    stack.last('REFER').respond(202, 'Accepted');
    stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 603 Decline', state: 'terminated' }));
    expect(await first).toMatchObject({ kind: 'failed', cause: 'target-failed', status: 603 });
    // After an outcome, another transfer may be tried.
    void call.refer(TARGET, { timeoutMs: 30_000 });
    expect(stack.sentOf('REFER')).toHaveLength(2);
    expect(stack.last('REFER').header('CSeq')).toBe('3 REFER');
    stack.last('REFER').respond(403, 'Forbidden');
    void call.hangup();
    stack.last('BYE').respond(200, 'OK');
    await call.ended;
    expect(await call.refer(TARGET, { timeoutMs: 30_000 })).toMatchObject({ kind: 'failed', cause: 'call-ended' });
    expect(stack.sentOf('REFER')).toHaveLength(2);
  });

  it('a second REFER while the first subscription lingers: NOTIFYs without id go to the first, with id=CSeq to theirs', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const first = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(202, 'Accepted');
    stack.receive(notify(inviteTx.request, 1, { frag: 'SIP/2.0 486 Busy Here' }));
    expect(await first).toMatchObject({ kind: 'failed', status: 486 });
    const second = call.refer(TARGET, { timeoutMs: 30_000 });
    expect(stack.last('REFER').header('CSeq')).toBe('3 REFER');
    stack.last('REFER').respond(202, 'Accepted');
    // The first one's closing NOTIFY (no id: the first REFER of the dialog) does not end the second.
    expect(stack.receive(notify(inviteTx.request, 2, { state: 'terminated;reason=noresource' })).lastResponse!.status).toBe(200);
    expect(await isSettled(second)).toBe(false);
    expect(stack.receive(notify(inviteTx.request, 3, { event: 'refer;id=2', frag: 'SIP/2.0 200 OK' })).lastResponse!.status).toBe(481);
    stack.receive(notify(inviteTx.request, 4, { event: 'refer;id=3', frag: 'SIP/2.0 100 Trying' }));
    expect(await isSettled(second)).toBe(false);
    // With the first one over, a NOTIFY without id is the second's.
    stack.receive(notify(inviteTx.request, 5, { frag: 'SIP/2.0 200 OK', state: 'terminated' }));
    expect(await second).toMatchObject({ kind: 'answered' });
  });

  it('we hang up while the REFER is pending: failed, call-ended', async () => {
    const { stack, call } = await answeredCall();
    const result = call.refer(TARGET, { timeoutMs: 30_000 });
    stack.last('REFER').respond(202, 'Accepted');
    void call.hangup();
    stack.last('BYE').respond(200, 'OK');
    expect(await result).toMatchObject({ kind: 'failed', cause: 'call-ended' });
  });

  it('the callee hangs up after the 202: its final NOTIFY still counts (RFC 5057); without one, call-ended after 64*T1', async () => {
    const first = await answeredCall();
    const result = first.call.refer(TARGET, { timeoutMs: 60_000 });
    first.stack.last('REFER').respond(202, 'Accepted');
    first.stack.receive(requestFromCallee(first.inviteTx.request, 'callee-1', 'BYE', 1));
    expect(await first.call.ended).toMatchObject({ by: 'callee' });
    const ok = first.stack.receive(notify(first.inviteTx.request, 2, { frag: 'SIP/2.0 200 OK', state: 'terminated;reason=noresource' }));
    expect(ok.lastResponse!.status).toBe(200);
    expect(await result).toMatchObject({ kind: 'answered' });

    const second = await answeredCall();
    const lost = second.call.refer(TARGET, { timeoutMs: 60_000 });
    second.stack.last('REFER').respond(202, 'Accepted');
    second.stack.receive(requestFromCallee(second.inviteTx.request, 'callee-1', 'BYE', 1));
    await second.advance(31_999);
    expect(await isSettled(lost)).toBe(false);
    await second.advance(1);
    expect(await lost).toMatchObject({ kind: 'failed', cause: 'call-ended' });
  });

  it('a target URI that is not a SIP URI fails without sending anything', async () => {
    const { stack, call } = await answeredCall();
    expect(await call.refer('tel:+442079460099', { timeoutMs: 30_000 })).toMatchObject({ kind: 'failed', cause: 'invalid-target' });
    expect(stack.sentOf('REFER')).toHaveLength(0);
  });
});
