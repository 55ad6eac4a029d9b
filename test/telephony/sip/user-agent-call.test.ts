// The answered call of the SIP user agent: BYE both ways and at once, re-INVITEs from the callee, requests in and
// out of dialogs, RFC 4028 session timers, stray 2xx, and close(). Fake stack, virtual clock.
import { describe, expect, it, vi } from 'vitest';
import { getHeader } from '../../../src/telephony/sip/message/types.js';
import { withSdpDirection } from '../../../src/telephony/sip/sdp/sdp.js';
import { buildResponse, requestFromCallee } from '../../helpers/fake-sip-stack.js';
import {
  ANSWER,
  CALLEE_CONTACT,
  OFFER,
  answeredCall,
  flush,
  inviteOptions,
  isSettled,
  setup,
} from './user-agent.helpers.js';

const NEW_SDP = ANSWER.replace('6000', '6002').replace('777 1', '777 2');
const HOLD_SDP = NEW_SDP.replace('a=sendrecv', 'a=sendonly').replace('777 2', '777 3');

describe('BYE (RFC 3261 section 15)', () => {
  it('a BYE from the callee is answered 200 and ends the call by the callee, with the Q.850 reason', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const bye = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'BYE', 1, { headers: [['Reason', 'Q.850;cause=16;text="Normal call clearing"']] }));
    expect(bye.responses.map((r) => r.status)).toEqual([200]);
    expect(await call.ended).toEqual({ by: 'callee', q850Cause: 16, reason: 'Normal call clearing' });
    await call.hangup();
    expect(stack.sentOf('BYE')).toHaveLength(0);
  });

  it('hangup() sends BYE through the route set and ends the call by us when it completes; once only', async () => {
    const { stack, call, impl } = await answeredCall({ answerHeaders: [['Record-Route', '<sip:10.0.0.2;lr>, <sip:10.0.0.1;lr>']] });
    const done = call.hangup();
    const again = call.hangup();
    expect(stack.sentOf('BYE')).toHaveLength(1);
    const bye = stack.last('BYE');
    expect(bye.target).toEqual({ host: '10.0.0.1', port: 5060, transport: 'udp' });
    expect(bye.request.uri).toBe('sip:callee@198.51.100.20:5062');
    expect(bye.header('Route')).toBe('<sip:10.0.0.1;lr>, <sip:10.0.0.2;lr>');
    expect(bye.header('CSeq')).toBe('2 BYE');
    expect(bye.header('To')).toContain('tag=callee-1');
    expect(impl.state).toBe('terminating');
    expect(await isSettled(call.ended)).toBe(false);
    bye.respond(200, 'OK');
    await Promise.all([done, again]);
    expect(await call.ended).toEqual({ by: 'us' });
    expect(impl.state).toBe('terminated');
  });

  it('a BYE that times out or cannot be sent still ends the call', async () => {
    const { stack, call } = await answeredCall();
    void call.hangup();
    stack.last('BYE').timeout();
    expect(await call.ended).toEqual({ by: 'us' });
  });

  it('BYE glare: both hang up at once and the call ends once', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const ended = vi.fn();
    void call.ended.then(ended);
    void call.hangup();
    const theirs = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'BYE', 1));
    expect(theirs.responses.map((r) => r.status)).toEqual([200]);
    await flush();
    expect(await call.ended).toEqual({ by: 'us' });
    stack.last('BYE').respond(481, 'Call/Transaction Does Not Exist');
    const late = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'BYE', 2));
    expect(late.responses.map((r) => r.status)).toEqual([200]);
    await flush();
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('a challenged BYE is sent again with credentials (CSeq + 1); a second refusal ends the call anyway', async () => {
    const { stack, call } = await answeredCall({ invite: { credentials: { username: 'alice', password: 'secret' } } });
    void call.hangup();
    stack.last('BYE').respond(407, 'Proxy Authentication Required', { headers: [['Proxy-Authenticate', 'Digest realm="proxy", nonce="b1", qop="auth"']] });
    const retry = stack.last('BYE');
    expect(retry.header('CSeq')).toBe('3 BYE');
    expect(retry.header('Proxy-Authorization')).toMatch(/realm="proxy", nonce="b1", uri="sip:callee@198.51.100.20:5062"/);
    retry.respond(407, 'Proxy Authentication Required', { headers: [['Proxy-Authenticate', 'Digest realm="proxy", nonce="b2", qop="auth"']] });
    expect(stack.sentOf('BYE')).toHaveLength(2);
    expect(await call.ended).toEqual({ by: 'us' });
  });
});

describe('re-INVITE from the callee (RFC 3261 section 14.2)', () => {
  it('is answered 200 with our SDP, Contact and the session timer; listeners get the new SDP; the ACK ends it', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const listener = vi.fn();
    call.onRemoteSdp(listener);
    const reinvite = stack.receive(
      requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 2, {
        headers: [['Contact', '<sip:callee@198.51.100.20:5064>'], ['Supported', 'timer'], ['Session-Expires', '1800;refresher=uac']],
        body: NEW_SDP,
      }),
    );
    const ok = reinvite.lastResponse!;
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe(OFFER);
    expect(reinvite.header('Content-Type')).toBe('application/sdp');
    expect(reinvite.header('Contact')).toBe('<sip:ringcast@192.0.2.10:5060>');
    expect(reinvite.header('Session-Expires')).toBe('1800;refresher=uac');
    expect(reinvite.header('Require')).toBe('timer');
    expect(listener).toHaveBeenCalledWith(NEW_SDP);
    expect(call.remoteSdp).toBe(NEW_SDP);
    stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'ACK', 2));
    // The re-INVITE moved the remote target (target refresh, section 12.2).
    void call.hangup();
    expect(stack.last('BYE').target).toEqual({ host: '198.51.100.20', port: 5064, transport: 'udp' });
  });

  it('answers hold (sendonly) with recvonly and a new o= version, and going back with sendrecv', async () => {
    const { stack, inviteTx } = await answeredCall();
    const hold = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 2, { body: HOLD_SDP }));
    const held = hold.lastResponse!.body.toString();
    expect(held).toBe(withSdpDirection(OFFER, 'recvonly'));
    expect(held).toContain('o=ringcast 1234 2 ');
    stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'ACK', 2));
    const resume = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 3, { body: NEW_SDP }));
    expect(resume.lastResponse!.body.toString()).toContain('o=ringcast 1234 3 ');
    expect(resume.lastResponse!.body.toString()).toContain('a=sendrecv');
  });

  it('an offerless re-INVITE gets our offer in the 2xx and the answer comes in the ACK', async () => {
    const { stack, call, inviteTx } = await answeredCall();
    const listener = vi.fn();
    call.onRemoteSdp(listener);
    const reinvite = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 2));
    expect(reinvite.lastResponse!.status).toBe(200);
    expect(reinvite.lastResponse!.body.toString()).toBe(OFFER);
    expect(listener).not.toHaveBeenCalled();
    stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'ACK', 2, { body: NEW_SDP }));
    expect(listener).toHaveBeenCalledWith(NEW_SDP);
  });

  it('a second re-INVITE before the ACK of the first gets 500 with Retry-After', async () => {
    const { stack, inviteTx } = await answeredCall();
    stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 2, { body: NEW_SDP }));
    const second = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 3, { body: NEW_SDP }));
    expect(second.lastResponse!.status).toBe(500);
    expect(Number(second.header('Retry-After'))).toBeLessThanOrEqual(10);
  });

  it('rejects an interval below our Min-SE with 422, an offer without a common codec with 488, a non-SDP body with 415', async () => {
    const { stack, inviteTx, call } = await answeredCall({ ua: { minSessionExpiresS: 300 } });
    const short = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 2, { headers: [['Session-Expires', '120']], body: NEW_SDP }));
    expect(short.lastResponse!.status).toBe(422);
    expect(short.header('Min-SE')).toBe('300');
    const g729 = NEW_SDP.replace(/RTP\/AVP .*/, 'RTP/AVP 18').replace(/a=rtpmap:0 .*\r\n/, '');
    const noCodec = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 3, { body: g729 }));
    expect(noCodec.lastResponse!.status).toBe(488);
    const text = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 4, { headers: [['Content-Type', 'text/plain']], body: 'hello' }));
    expect(text.lastResponse!.status).toBe(415);
    expect(text.header('Accept')).toBe('application/sdp');
    expect(call.remoteSdp).toBe(ANSWER);
  });
});

describe('requests in and out of dialogs', () => {
  it('OPTIONS in or out of a dialog gets 200 with Allow and Accept; INFO in a dialog gets 200', async () => {
    const { stack, inviteTx } = await answeredCall();
    const inDialog = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'OPTIONS', 2));
    expect(inDialog.lastResponse!.status).toBe(200);
    expect(inDialog.header('Allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, INFO');
    expect(inDialog.header('Accept')).toBe('application/sdp');
    const outOfDialog = requestFromCallee(inviteTx.request, 'callee-1', 'OPTIONS', 1);
    outOfDialog.headers = outOfDialog.headers.map(([n, v]) => [n, n === 'To' ? '<sip:ringcast@192.0.2.10>' : n === 'Call-ID' ? 'ping-1' : v]);
    const ping = stack.receive(outOfDialog);
    expect(ping.lastResponse!.status).toBe(200);
    expect(ping.header('Allow')).toContain('INVITE');
    const unknownDialogOptions = stack.receive(requestFromCallee(inviteTx.request, 'someone-else', 'OPTIONS', 1));
    expect(unknownDialogOptions.lastResponse!.status).toBe(200);
    const info = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INFO', 3, { headers: [['Content-Type', 'application/dtmf-relay']], body: 'Signal=5\r\nDuration=160\r\n' }));
    expect(info.lastResponse!.status).toBe(200);
  });

  it('a request for an unknown dialog gets 481; out of order CSeq 500; an unsupported method 405', async () => {
    const { stack, inviteTx } = await answeredCall();
    expect(stack.receive(requestFromCallee(inviteTx.request, 'not-our-callee', 'BYE', 1)).lastResponse!.status).toBe(481);
    expect(stack.receive(requestFromCallee(inviteTx.request, 'not-our-callee', 'INFO', 1)).lastResponse!.status).toBe(481);
    expect(stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INFO', 5)).lastResponse!.status).toBe(200);
    expect(stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INFO', 4)).lastResponse!.status).toBe(500);
    const refer = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'REFER', 6));
    expect(refer.lastResponse!.status).toBe(405);
    expect(refer.header('Allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, INFO');
    // The stack passes up only a CANCEL that matched an INVITE transaction: one we already answered (section 9.2).
    expect(stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'CANCEL', 6)).lastResponse!.status).toBe(200);
  });

  it('outside dialogs: INVITE 480, BYE 481, NOTIFY 405, a request without Call-ID 400, ACK nothing', () => {
    const { stack, ua } = setup();
    ua.invite(inviteOptions());
    const invite = stack.last('INVITE').request;
    const outside = (method: string) => {
      const request = requestFromCallee(invite, 'x', method, 1);
      request.headers = request.headers.map(([n, v]) => [n, n === 'To' ? '<sip:ringcast@192.0.2.10>' : v]);
      return stack.receive(request);
    };
    expect(outside('INVITE').lastResponse!.status).toBe(480);
    expect(outside('BYE').lastResponse!.status).toBe(481);
    expect(outside('NOTIFY').lastResponse!.status).toBe(405);
    expect(outside('ACK').responses).toEqual([]);
    const broken = requestFromCallee(invite, 'x', 'BYE', 1);
    broken.headers = broken.headers.filter(([n]) => n !== 'Call-ID');
    expect(stack.receive(broken).lastResponse!.status).toBe(400);
    const mismatch = requestFromCallee(invite, 'x', 'BYE', 1);
    mismatch.headers = mismatch.headers.map(([n, v]) => [n, n === 'CSeq' ? '1 INVITE' : v]);
    expect(stack.receive(mismatch).lastResponse!.status).toBe(400);
  });
});

describe('session timers (RFC 4028)', () => {
  it('refresher=uac: we re-INVITE with the same SDP at half the interval, and again after each refresh', async () => {
    const { stack, call, advance } = await answeredCall({ answerHeaders: [['Session-Expires', '1800;refresher=uac'], ['Require', 'timer']] });
    const listener = vi.fn();
    call.onRemoteSdp(listener);
    await advance(899_999);
    expect(stack.sentOf('INVITE')).toHaveLength(1);
    await advance(1);
    const refresh = stack.last('INVITE');
    expect(stack.sentOf('INVITE')).toHaveLength(2);
    expect(refresh.header('CSeq')).toBe('2 INVITE');
    expect(refresh.request.uri).toBe('sip:callee@198.51.100.20:5062');
    expect(refresh.header('To')).toContain('tag=callee-1');
    expect(refresh.header('Session-Expires')).toBe('1800;refresher=uac');
    expect(refresh.header('Contact')).toBe('<sip:ringcast@192.0.2.10:5060>');
    expect(refresh.request.body.toString()).toBe(OFFER);
    const ok = refresh.respond(200, 'OK', { headers: [['Contact', CALLEE_CONTACT], ['Session-Expires', '1800;refresher=uac']], body: ANSWER });
    expect(stack.acks).toHaveLength(2);
    expect(getHeader(stack.acks[1]!.request.headers, 'CSeq')).toBe('2 ACK');
    refresh.deliver(ok); // retransmitted 2xx of the re-INVITE: the same ACK again
    expect(stack.acks).toHaveLength(3);
    expect(listener).not.toHaveBeenCalled(); // same SDP as before
    await advance(900_000);
    expect(stack.sentOf('INVITE')).toHaveLength(3);
    expect(stack.last('INVITE').header('CSeq')).toBe('3 INVITE');
  });

  it('no refresher in the 2xx after we asked: we refresh', async () => {
    const { stack, advance } = await answeredCall({ answerHeaders: [['Session-Expires', '600']] });
    await advance(300_000);
    expect(stack.sentOf('INVITE')).toHaveLength(2);
  });

  it('no Session-Expires in the 2xx: no session timer at all', async () => {
    const { stack, call, advance } = await answeredCall();
    await advance(4 * 3600_000);
    expect(stack.sentOf('INVITE')).toHaveLength(1);
    expect(await isSettled(call.ended)).toBe(false);
  });

  it('refresher=uas: without a refresh, BYE at the interval minus min(32 s, a third), ended by the network', async () => {
    const { stack, call, advance } = await answeredCall({ answerHeaders: [['Session-Expires', '1800;refresher=uas']] });
    await advance(1_767_999);
    expect(stack.sentOf('BYE')).toHaveLength(0);
    await advance(1);
    expect(stack.sentOf('BYE')).toHaveLength(1);
    stack.last('BYE').respond(200, 'OK');
    expect(await call.ended).toEqual({ by: 'network', reason: 'session timer expired' });
  });

  it('refresher=uas: a re-INVITE from the callee restarts the timer (a third of 90 s is less than 32 s)', async () => {
    const { stack, inviteTx, call, advance } = await answeredCall({ answerHeaders: [['Session-Expires', '90;refresher=uas']] });
    await advance(50_000);
    const refresh = stack.receive(
      requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 2, { headers: [['Session-Expires', '90;refresher=uac'], ['Supported', 'timer']], body: ANSWER }),
    );
    expect(refresh.lastResponse!.status).toBe(200);
    expect(refresh.header('Session-Expires')).toBe('90;refresher=uac');
    stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'ACK', 2));
    await advance(59_999);
    expect(stack.sentOf('BYE')).toHaveLength(0);
    await advance(1);
    expect(stack.sentOf('BYE')).toHaveLength(1);
    stack.last('BYE').respond(200, 'OK');
    expect(await call.ended).toMatchObject({ by: 'network' });
  });

  it('a refresh answered 481 (or timing out) ends the call with BYE', async () => {
    const first = await answeredCall({ answerHeaders: [['Session-Expires', '600;refresher=uac']] });
    await first.advance(300_000);
    first.stack.last('INVITE').respond(481, 'Call/Transaction Does Not Exist');
    const bye = first.stack.last('BYE');
    expect(bye.header('CSeq')).toBe('3 BYE');
    bye.respond(200, 'OK');
    expect(await first.call.ended).toEqual({ by: 'network', sipCode: 481, reason: 'session refresh failed: 481 Call/Transaction Does Not Exist' });

    const second = await answeredCall({ answerHeaders: [['Session-Expires', '600;refresher=uac']] });
    await second.advance(300_000);
    second.stack.last('INVITE').timeout();
    second.stack.last('BYE').respond(200, 'OK');
    expect(await second.call.ended).toMatchObject({ by: 'network', sipCode: 408 });
  });

  it('a refresh refused otherwise keeps the call until the session expires', async () => {
    const { stack, call, advance } = await answeredCall({ answerHeaders: [['Session-Expires', '600;refresher=uac']] });
    await advance(300_000);
    stack.last('INVITE').respond(488, 'Not Acceptable Here');
    expect(stack.sentOf('BYE')).toHaveLength(0);
    await advance(299_999);
    expect(stack.sentOf('BYE')).toHaveLength(0);
    await advance(1);
    stack.last('BYE').respond(200, 'OK');
    expect(await call.ended).toEqual({ by: 'network', reason: 'session timer expired' });
  });

  it('a refresh answered 422 is retried with the Min-SE; 401 with credentials; 491 after 2.1-4 s', async () => {
    const { stack, advance } = await answeredCall({
      invite: { credentials: { username: 'alice', password: 'secret' } },
      answerHeaders: [['Session-Expires', '600;refresher=uac']],
    });
    await advance(300_000);
    stack.last('INVITE').respond(422, 'Session Interval Too Small', { headers: [['Min-SE', '900']] });
    const raised = stack.last('INVITE');
    expect(raised.header('Session-Expires')).toBe('900;refresher=uac');
    expect(raised.header('Min-SE')).toBe('900');
    expect(raised.header('CSeq')).toBe('3 INVITE');
    raised.respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', 'Digest realm="r", nonce="z", qop="auth"']] });
    const authed = stack.last('INVITE');
    expect(authed.header('CSeq')).toBe('4 INVITE');
    expect(authed.header('Authorization')).toMatch(/^Digest username="alice"/);
    authed.respond(491, 'Request Pending');
    expect(stack.sentOf('INVITE')).toHaveLength(4);
    await advance(2_099);
    expect(stack.sentOf('INVITE')).toHaveLength(4);
    await advance(1_901);
    expect(stack.sentOf('INVITE')).toHaveLength(5);
    const retried = stack.last('INVITE');
    retried.respond(200, 'OK', { headers: [['Contact', CALLEE_CONTACT], ['Session-Expires', '900;refresher=uac']], body: ANSWER });
    expect(getHeader(stack.acks[stack.acks.length - 1]!.request.headers, 'CSeq')).toBe('5 ACK');
  });

  it('a re-INVITE from the callee while our refresh is pending gets 491', async () => {
    const { stack, inviteTx, advance } = await answeredCall({ answerHeaders: [['Session-Expires', '600;refresher=uac']] });
    await advance(300_000);
    expect(stack.sentOf('INVITE')).toHaveLength(2);
    const glare = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'INVITE', 2, { body: NEW_SDP }));
    expect(glare.lastResponse!.status).toBe(491);
  });

  it('a refresh answered with a new SDP reaches the listeners', async () => {
    const { stack, call, advance } = await answeredCall({ answerHeaders: [['Session-Expires', '600;refresher=uac']] });
    const listener = vi.fn();
    call.onRemoteSdp(listener);
    await advance(300_000);
    stack.last('INVITE').respond(200, 'OK', { headers: [['Contact', CALLEE_CONTACT], ['Session-Expires', '600;refresher=uac']], body: NEW_SDP });
    expect(listener).toHaveBeenCalledWith(NEW_SDP);
    expect(call.remoteSdp).toBe(NEW_SDP);
  });
});

describe('stray 2xx (RFC 6026: after Timer M)', () => {
  it('for a known dialog: the same ACK again', async () => {
    const { stack, response } = await answeredCall();
    stack.stray(response);
    expect(stack.acks).toHaveLength(2);
    expect(stack.acks[1]!.request.headers.filter(([n]) => n !== 'Via')).toEqual(stack.acks[0]!.request.headers.filter(([n]) => n !== 'Via'));
    expect(stack.sentOf('BYE')).toHaveLength(0);
  });

  it('for a known Call-ID with a new To-tag: ACK, then BYE', async () => {
    const { stack, inviteTx } = await answeredCall();
    stack.stray(buildResponse(inviteTx.request, 200, 'OK', { toTag: 'late-fork', headers: [['Contact', '<sip:late@198.51.100.40>']], body: ANSWER }));
    expect(stack.acks).toHaveLength(2);
    expect(getHeader(stack.acks[1]!.request.headers, 'To')).toContain('tag=late-fork');
    expect(stack.last('BYE').header('To')).toContain('tag=late-fork');
  });

  it('for an unknown Call-ID: ACK, then BYE, sent to its Contact; a retransmission is only ACKed again', () => {
    const { stack, ua } = setup();
    ua.invite(inviteOptions());
    const foreign = structuredClone(stack.last('INVITE').request);
    foreign.headers = foreign.headers.map(([n, v]) => [n, n === 'Call-ID' ? 'forgotten-call' : v]);
    const ok = buildResponse(foreign, 200, 'OK', { toTag: 'ghost', headers: [['Contact', '<sip:ghost@198.51.100.50:5090>']], body: ANSWER });
    stack.stray(ok);
    expect(stack.acks).toHaveLength(1);
    expect(stack.acks[0]!.target).toEqual({ host: '198.51.100.50', port: 5090, transport: 'udp' });
    const bye = stack.last('BYE');
    expect(bye.header('Call-ID')).toBe('forgotten-call');
    expect(bye.target).toEqual({ host: '198.51.100.50', port: 5090, transport: 'udp' });
    stack.stray(ok);
    expect(stack.acks).toHaveLength(2);
    expect(stack.sentOf('BYE')).toHaveLength(1);
  });

  it('ignores stray non-2xx and stray 2xx to other methods', async () => {
    const { stack, inviteTx } = await answeredCall();
    stack.stray(buildResponse(inviteTx.request, 486, 'Busy Here', { toTag: 'x' }));
    const bye = structuredClone(inviteTx.request);
    bye.headers = bye.headers.map(([n, v]) => [n, n === 'CSeq' ? '9 BYE' : v]);
    stack.stray(buildResponse(bye, 200, 'OK', { toTag: 'x' }));
    expect(stack.acks).toHaveLength(1);
  });
});

describe('close()', () => {
  it('hangs up calls, cancels pending INVITEs, waits for them, then answers 503', async () => {
    const { stack, ua, call, inviteTx } = await answeredCall();
    const pending = ua.invite(inviteOptions());
    const pendingTx = stack.last('INVITE');
    pendingTx.respond(180, 'Ringing', { toTag: 'p', headers: [['Contact', CALLEE_CONTACT]] });
    const closed = ua.close();
    await flush();
    expect(stack.sentOf('BYE')).toHaveLength(1);
    expect(stack.sentOf('CANCEL')).toHaveLength(1);
    expect(await isSettled(closed)).toBe(false);
    stack.last('BYE').respond(200, 'OK');
    pendingTx.respond(487, 'Request Terminated', { toTag: 'p' });
    await closed;
    expect(await call.ended).toEqual({ by: 'us' });
    expect(await pending.outcome).toEqual({ kind: 'cancelled' });
    const late = stack.receive(requestFromCallee(inviteTx.request, 'callee-1', 'BYE', 1));
    expect(late.lastResponse!.status).toBe(503);
  });
});

it('with session timers off we ask for none, but still honour a 2xx that imposes one', async () => {
  const { stack, advance } = await answeredCall({ ua: { sessionExpiresS: 0 }, answerHeaders: [['Session-Expires', '1800;refresher=uac'], ['Require', 'timer']] });
  expect(stack.sentOf('INVITE')[0]!.header('Session-Expires')).toBeUndefined();
  await advance(900_000);
  expect(stack.sentOf('INVITE')).toHaveLength(2);
});
