// The outgoing INVITE of the SIP user agent, against the fake stack on a virtual clock: what it sends, and how it
// reacts to provisional, 2xx and failure responses, challenges, 422, timeouts and cancellation.
import { describe, expect, it, vi } from 'vitest';
import { parseFromTo } from '../../../src/telephony/sip/message/headers.js';
import { getHeader } from '../../../src/telephony/sip/message/types.js';
import { parseDigestChallenge, computeDigestResponse } from '../../../src/telephony/sip/auth/digest.js';
import { buildResponse } from '../../helpers/fake-sip-stack.js';
import {
  ANSWER,
  CALLEE_CONTACT,
  OFFER,
  TRUNK,
  answer,
  answeredOutcome,
  asClient,
  flush,
  inviteOptions,
  isSettled,
  setup,
} from './user-agent.helpers.js';

const CHALLENGE_401 = 'Digest realm="trunk.example.com", nonce="n-1", algorithm=MD5, qop="auth", opaque="op"';

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[ ,])${name}=(?:"([^"]*)"|([^,\\s]+))`).exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

describe('the INVITE we send (RFC 3261 section 8.1.1, RFC 4028 section 7.1)', () => {
  it('carries Contact, From with tag and display name, To without tag, Call-ID, CSeq 1, Max-Forwards, Allow, Supported, Session-Expires, P-Asserted-Identity and the offer', () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions({ assertedIdentity: '<sip:+441632960001@trunk.example.com>', extraHeaders: [['X-Campaign', '42']] }));
    expect(stack.sent).toHaveLength(1);
    const tx = stack.last('INVITE');
    const { request } = tx;
    expect(tx.target).toEqual(TRUNK);
    expect(request.uri).toBe('sip:+442079460001@trunk.example.com');
    expect(tx.header('Contact')).toBe('<sip:ringcast@192.0.2.10:5060>');
    const from = parseFromTo(tx.header('From') ?? '');
    expect(from.ok && from.value.displayName).toBe('Ringcast Ltd');
    expect(from.ok && from.value.uriText).toBe('sip:+441632960001@trunk.example.com');
    expect(from.ok && from.value.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(tx.header('To')).toBe('<sip:+442079460001@trunk.example.com>');
    expect(tx.header('Call-ID')).toBe(invite.callId);
    expect(invite.callId).toMatch(/^[0-9a-f]{32}$/);
    expect(tx.header('CSeq')).toBe('1 INVITE');
    expect(tx.header('Max-Forwards')).toBe('70');
    expect(tx.header('Allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, INFO');
    expect(tx.header('Supported')).toBe('timer');
    expect(tx.header('Session-Expires')).toBe('1800');
    expect(tx.header('P-Asserted-Identity')).toBe('<sip:+441632960001@trunk.example.com>');
    expect(tx.header('X-Campaign')).toBe('42');
    expect(tx.header('User-Agent')).toBe('Ringcast');
    expect(tx.header('Content-Type')).toBe('application/sdp');
    expect(request.body.toString()).toBe(OFFER);
    expect(asClient(invite).state).toBe('calling');
  });

  it('says transport=tcp in Contact over TCP, leaves Session-Expires out when timers are off, and uses a new Call-ID and tag per call', () => {
    const { stack, ua } = setup({ sessionExpiresS: 0, userAgent: 'Test/1' });
    const a = ua.invite(inviteOptions({ target: { ...TRUNK, transport: 'tcp' } }));
    const b = ua.invite(inviteOptions());
    const [txA, txB] = stack.sentOf('INVITE');
    expect(txA?.header('Contact')).toBe('<sip:ringcast@192.0.2.10:5060;transport=tcp>');
    expect(txA?.header('Session-Expires')).toBeUndefined();
    expect(txA?.header('User-Agent')).toBe('Test/1');
    expect(a.callId).not.toBe(b.callId);
    expect(txA?.header('From')).not.toBe(txB?.header('From'));
    // One handler per user agent, however many calls.
    expect(stack.requestHandlers).toHaveLength(1);
    expect(stack.strayHandlers).toHaveLength(1);
  });

  it('throws for a URI that does not parse (configuration bug), and refuses calls after close', async () => {
    const { ua } = setup();
    expect(() => ua.invite(inviteOptions({ requestUri: 'tel:+44' }))).toThrow(TypeError);
    await ua.close();
    expect(await ua.invite(inviteOptions()).outcome).toMatchObject({ kind: 'failed', status: 503 });
  });
});

describe('provisional responses', () => {
  it('reports each 1xx, keeps an early dialog per To-tag, and ignores a late 1xx after the 2xx', async () => {
    const { stack, ua } = setup();
    const onProgress = vi.fn();
    const invite = ua.invite(inviteOptions({ onProgress }));
    const client = asClient(invite);
    const tx = stack.last('INVITE');
    tx.respond(100, 'Trying');
    expect(client.state).toBe('proceeding');
    expect(client.earlyDialogTags).toEqual([]);
    tx.respond(180, 'Ringing', { toTag: 'fork-a', headers: [['Contact', '<sip:a@198.51.100.21>']] });
    tx.respond(183, 'Session Progress', { toTag: 'fork-b', headers: [['Contact', '<sip:b@198.51.100.22>']], body: ANSWER });
    tx.respond(180, 'Ringing', { toTag: 'fork-a', headers: [['Contact', '<sip:a@198.51.100.21>']] });
    expect(client.earlyDialogTags).toEqual(['fork-a', 'fork-b']);
    expect(onProgress.mock.calls).toEqual([[100, 'Trying'], [180, 'Ringing'], [183, 'Session Progress'], [180, 'Ringing']]);

    answer(tx, { tag: 'fork-b' });
    tx.respond(180, 'Ringing', { toTag: 'fork-a' });
    expect(onProgress).toHaveBeenCalledTimes(4);
    expect(client.state).toBe('answered');
    expect(client.earlyDialogTags).toEqual([]);
    await answeredOutcome(invite);
  });

  it('drops an early dialog on 199 Early Dialog Terminated (RFC 6228)', () => {
    const { stack, ua } = setup();
    const client = asClient(ua.invite(inviteOptions()));
    const tx = stack.last('INVITE');
    tx.respond(180, 'Ringing', { toTag: 'a', headers: [['Contact', '<sip:a@198.51.100.21>']] });
    tx.respond(199, 'Early Dialog Terminated', { toTag: 'a' });
    expect(client.earlyDialogTags).toEqual([]);
  });
});

describe('2xx (RFC 3261 section 13.2.2.4, RFC 6026)', () => {
  it('creates the dialog, ACKs to the remote target, and settles answered once with the SDP answer', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    const tx = stack.last('INVITE');
    const response = answer(tx);
    const outcome = await answeredOutcome(invite);
    expect(outcome.remoteSdp).toBe(ANSWER);
    expect(outcome.response).toBe(response);
    expect(outcome.call.callId).toBe(invite.callId);
    expect(outcome.call.remoteSdp).toBe(ANSWER);
    expect(stack.acks).toHaveLength(1);
    const ack = stack.acks[0]!;
    expect(ack.target).toEqual({ host: '198.51.100.20', port: 5062, transport: 'udp' });
    expect(ack.request.method).toBe('ACK');
    expect(ack.request.uri).toBe('sip:callee@198.51.100.20:5062');
    expect(getHeader(ack.request.headers, 'CSeq')).toBe('1 ACK');
    expect(getHeader(ack.request.headers, 'To')).toBe('<sip:+442079460001@trunk.example.com>;tag=callee-1');
    expect(getHeader(ack.request.headers, 'From')).toBe(tx.header('From'));
    expect(getHeader(ack.request.headers, 'Call-ID')).toBe(invite.callId);
    expect(getHeader(ack.request.headers, 'Via')).toMatch(/branch=z9hG4bK-fake-2/);
    expect(stack.sentOf('ACK')).toHaveLength(0); // the ACK of a 2xx is not a transaction
  });

  it('sends the ACK through the route set (Record-Route reversed, loose routing)', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    answer(stack.last('INVITE'), { headers: [['Record-Route', '<sip:10.0.0.2;lr>, <sip:10.0.0.1:5070;lr>']] });
    await answeredOutcome(invite);
    const ack = stack.acks[0]!;
    expect(ack.target).toEqual({ host: '10.0.0.1', port: 5070, transport: 'udp' });
    expect(ack.request.uri).toBe('sip:callee@198.51.100.20:5062');
    expect(getHeader(ack.request.headers, 'Route')).toBe('<sip:10.0.0.1:5070;lr>, <sip:10.0.0.2;lr>');
  });

  it('sends the same ACK again for each retransmitted 2xx', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    const tx = stack.last('INVITE');
    const response = answer(tx);
    tx.deliver(response);
    tx.deliver(response);
    await answeredOutcome(invite);
    expect(stack.acks).toHaveLength(3);
    const withoutVia = (i: number) => stack.acks[i]!.request.headers.filter(([n]) => n !== 'Via');
    expect(withoutVia(1)).toEqual(withoutVia(0));
    expect(withoutVia(2)).toEqual(withoutVia(0));
    expect(stack.acks[2]!.request.uri).toBe(stack.acks[0]!.request.uri);
  });

  it('ACKs a 2xx from a second fork and ends it with a BYE in its own dialog; the outcome stays the first answer', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    const tx = stack.last('INVITE');
    answer(tx, { tag: 'first' });
    tx.respond(200, 'OK', { toTag: 'second', headers: [['Contact', '<sip:other@198.51.100.30>']], body: ANSWER });
    const outcome = await answeredOutcome(invite);
    expect(getHeader(outcome.response.headers, 'To')).toContain('tag=first');
    expect(stack.acks.map((a) => getHeader(a.request.headers, 'To'))).toEqual([
      '<sip:+442079460001@trunk.example.com>;tag=first',
      '<sip:+442079460001@trunk.example.com>;tag=second',
    ]);
    const bye = stack.last('BYE');
    expect(bye.header('To')).toContain('tag=second');
    expect(bye.request.uri).toBe('sip:other@198.51.100.30');
    expect(bye.target).toEqual({ host: '198.51.100.30', port: 5060, transport: 'udp' });
    expect(bye.header('CSeq')).toBe('2 BYE');
    bye.respond(200, 'OK');
    expect(stack.sentOf('BYE')).toHaveLength(1);
    expect(ua.activeCallCount).toBe(1);
  });

  it('a 2xx without To-tag cannot make a dialog: ACKed, and the call fails with that status', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    stack.last('INVITE').respond(200, 'OK', { headers: [['Contact', CALLEE_CONTACT]], body: ANSWER });
    expect(await invite.outcome).toMatchObject({ kind: 'failed', status: 200, reason: expect.stringMatching(/To-tag/) });
    expect(stack.acks).toHaveLength(1);
    expect(stack.acks[0]!.target).toEqual(TRUNK);
    expect(stack.acks[0]!.request.uri).toBe('sip:callee@198.51.100.20:5062');
  });
});

describe('authentication (RFC 3261 sections 22.2 and 22.3)', () => {
  it('re-sends the INVITE once with Authorization after a 401: CSeq 2, same Call-ID and From, new branch; the ACK carries the same credentials', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions({ credentials: { username: 'alice', password: 'secret' } }));
    const first = stack.last('INVITE');
    first.respond(401, 'Unauthorized', { toTag: 'x', headers: [['WWW-Authenticate', CHALLENGE_401]] });
    const second = stack.last('INVITE');
    expect(second).not.toBe(first);
    expect(second.header('CSeq')).toBe('2 INVITE');
    expect(second.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(second.header('From')).toBe(first.header('From'));
    expect(second.header('To')).toBe(first.header('To'));
    expect(second.branch).not.toBe(first.branch);
    const authorization = second.header('Authorization') ?? '';
    expect(param(authorization, 'username')).toBe('alice');
    expect(param(authorization, 'uri')).toBe('sip:+442079460001@trunk.example.com');
    expect(param(authorization, 'nc')).toBe('00000001');
    expect(param(authorization, 'opaque')).toBe('op');
    const challenge = parseDigestChallenge(CHALLENGE_401);
    if (!challenge.ok) throw new Error(challenge.error);
    expect(param(authorization, 'response')).toBe(
      computeDigestResponse({
        challenge: challenge.value, username: 'alice', password: 'secret', method: 'INVITE', uri: 'sip:+442079460001@trunk.example.com',
        cnonce: param(authorization, 'cnonce') ?? '', nonceCount: 1, qop: 'auth',
      }),
    );
    answer(second);
    await answeredOutcome(invite);
    expect(getHeader(stack.acks[0]!.request.headers, 'Authorization')).toBe(authorization);
    expect(getHeader(stack.acks[0]!.request.headers, 'CSeq')).toBe('2 ACK');
  });

  it('answers 407 with Proxy-Authorization', () => {
    const { stack, ua } = setup();
    ua.invite(inviteOptions({ credentials: { username: 'alice', password: 'secret' } }));
    stack.last('INVITE').respond(407, 'Proxy Authentication Required', { headers: [['Proxy-Authenticate', 'Digest realm="proxy", nonce="p1", qop="auth"']] });
    const retry = stack.last('INVITE');
    expect(retry.header('Proxy-Authorization')).toMatch(/^Digest username="alice", realm="proxy", nonce="p1"/);
    expect(retry.header('Authorization')).toBeUndefined();
  });

  it('fails on a second challenge for the same realm, unless it is stale (then retries with the new nonce)', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions({ credentials: { username: 'alice', password: 'wrong' } }));
    stack.last('INVITE').respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE_401]] });
    stack.last('INVITE').respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE_401.replace('n-1', 'n-2') + ', stale=true']] });
    const third = stack.last('INVITE');
    expect(third.header('CSeq')).toBe('3 INVITE');
    expect(param(third.header('Authorization') ?? '', 'nonce')).toBe('n-2');
    third.respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE_401.replace('n-1', 'n-3')]] });
    expect(stack.sentOf('INVITE')).toHaveLength(3);
    expect(await invite.outcome).toEqual({ kind: 'failed', status: 401, reason: 'Unauthorized', timedOut: false });
  });

  it('fails with the 401 when no credentials are configured or the challenge cannot be answered', async () => {
    const { stack, ua } = setup();
    const noCredentials = ua.invite(inviteOptions());
    stack.last('INVITE').respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE_401]] });
    expect(await noCredentials.outcome).toMatchObject({ kind: 'failed', status: 401 });
    const basic = ua.invite(inviteOptions({ credentials: { username: 'a', password: 'b' } }));
    stack.last('INVITE').respond(407, 'Proxy Authentication Required', { headers: [['Proxy-Authenticate', 'Basic realm="x"']] });
    expect(await basic.outcome).toMatchObject({ kind: 'failed', status: 407 });
    expect(stack.sentOf('INVITE')).toHaveLength(2);
  });
});

describe('422 Session Interval Too Small (RFC 4028 section 7.4)', () => {
  it('retries once with Session-Expires raised to the Min-SE of the 422 and that Min-SE', async () => {
    const { stack, ua } = setup({ sessionExpiresS: 90 });
    const invite = ua.invite(inviteOptions());
    stack.last('INVITE').respond(422, 'Session Interval Too Small', { headers: [['Min-SE', '600']] });
    const retry = stack.last('INVITE');
    expect(retry.header('CSeq')).toBe('2 INVITE');
    expect(retry.header('Session-Expires')).toBe('600');
    expect(retry.header('Min-SE')).toBe('600');
    retry.respond(422, 'Session Interval Too Small', { headers: [['Min-SE', '1200']] });
    expect(stack.sentOf('INVITE')).toHaveLength(2);
    expect(await invite.outcome).toMatchObject({ kind: 'failed', status: 422 });
  });
});

describe('failures', () => {
  it('reports status, reason phrase and the Q.850 cause of a Reason header', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    const tx = stack.last('INVITE');
    tx.respond(180, 'Ringing', { toTag: 't', headers: [['Contact', CALLEE_CONTACT]] });
    tx.respond(486, 'Busy Here', { toTag: 't', headers: [['Reason', 'Q.850;cause=17;text="User busy"']] });
    expect(await invite.outcome).toEqual({ kind: 'failed', status: 486, reason: 'Busy Here', q850Cause: 17, q850Text: 'User busy', timedOut: false });
    expect(asClient(invite).earlyDialogTags).toEqual([]);
  });

  it('treats 3xx and 6xx as failures too', async () => {
    const { stack, ua } = setup();
    const redirected = ua.invite(inviteOptions());
    stack.last('INVITE').respond(302, 'Moved Temporarily', { headers: [['Contact', '<sip:elsewhere@10.0.0.1>']] });
    const declined = ua.invite(inviteOptions());
    stack.last('INVITE').respond(603, 'Decline');
    expect(await redirected.outcome).toMatchObject({ kind: 'failed', status: 302 });
    expect(await declined.outcome).toMatchObject({ kind: 'failed', status: 603, reason: 'Decline' });
  });

  it('Timer B gives 408 timed out; a transport error gives 503', async () => {
    const { stack, ua } = setup();
    const silent = ua.invite(inviteOptions());
    stack.last('INVITE').timeout();
    const refused = ua.invite(inviteOptions());
    stack.last('INVITE').transportError('connect ECONNREFUSED 203.0.113.1:5060');
    expect(await silent.outcome).toEqual({ kind: 'failed', status: 408, reason: 'Request Timeout', timedOut: true });
    expect(await refused.outcome).toMatchObject({ kind: 'failed', status: 503, timedOut: false, reason: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('cancel() (RFC 3261 section 9.1)', () => {
  it('before any 1xx: no CANCEL yet; it goes out on the first 1xx, and the 487 settles cancelled', async () => {
    const { stack, ua } = setup();
    const onProgress = vi.fn();
    const invite = ua.invite(inviteOptions({ onProgress }));
    invite.cancel();
    expect(asClient(invite).state).toBe('cancel-pending');
    expect(stack.sentOf('CANCEL')).toHaveLength(0);
    const tx = stack.last('INVITE');
    tx.respond(100, 'Trying');
    const cancel = stack.last('CANCEL');
    expect(cancel.branch).toBe(tx.branch);
    expect(cancel.header('CSeq')).toBe('1 CANCEL');
    expect(onProgress).not.toHaveBeenCalled();
    expect(await isSettled(invite.outcome)).toBe(false);
    cancel.respond(200, 'OK');
    tx.respond(487, 'Request Terminated', { toTag: 'x' });
    expect(await invite.outcome).toEqual({ kind: 'cancelled' });
  });

  it('before any 1xx: a final non-2xx arriving first settles cancelled without a CANCEL', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    invite.cancel();
    stack.last('INVITE').respond(486, 'Busy Here');
    expect(await invite.outcome).toEqual({ kind: 'cancelled' });
    expect(stack.sentOf('CANCEL')).toHaveLength(0);
  });

  it('before any 1xx: Timer B settles cancelled', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    invite.cancel();
    stack.last('INVITE').timeout();
    expect(await invite.outcome).toEqual({ kind: 'cancelled' });
  });

  it('after a 1xx: CANCEL at once through the stack, cancelled on the 487; a second cancel() does nothing', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    const tx = stack.last('INVITE');
    tx.respond(180, 'Ringing', { toTag: 'r', headers: [['Contact', CALLEE_CONTACT]] });
    invite.cancel();
    invite.cancel();
    expect(stack.sentOf('CANCEL')).toHaveLength(1);
    expect(asClient(invite).state).toBe('cancelling');
    tx.respond(487, 'Request Terminated', { toTag: 'r' });
    expect(await invite.outcome).toEqual({ kind: 'cancelled' });
    invite.cancel();
    expect(stack.sentOf('CANCEL')).toHaveLength(1);
  });

  it('a 200 that crosses the CANCEL is ACKed, then BYE; the outcome is cancelled', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    const tx = stack.last('INVITE');
    tx.respond(180, 'Ringing', { toTag: 'callee-1', headers: [['Contact', CALLEE_CONTACT]] });
    invite.cancel();
    stack.last('CANCEL').respond(481, 'Call/Transaction Does Not Exist');
    answer(tx);
    expect(await invite.outcome).toEqual({ kind: 'cancelled' });
    expect(stack.acks).toHaveLength(1);
    const bye = stack.last('BYE');
    expect(bye.header('To')).toContain('tag=callee-1');
    expect(bye.target).toEqual({ host: '198.51.100.20', port: 5062, transport: 'udp' });
  });

  it('a 200 arriving while the CANCEL waits for a 1xx is ACKed and BYEd too', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    invite.cancel();
    answer(stack.last('INVITE'));
    expect(await invite.outcome).toEqual({ kind: 'cancelled' });
    expect(stack.acks).toHaveLength(1);
    expect(stack.sentOf('BYE')).toHaveLength(1);
    expect(stack.sentOf('CANCEL')).toHaveLength(0);
  });

  it('settles cancelled anyway when no final response comes within 64*T1 of the CANCEL', async () => {
    const { stack, ua, advance } = setup();
    const invite = ua.invite(inviteOptions());
    stack.last('INVITE').respond(183, 'Session Progress');
    invite.cancel();
    await advance(64 * 500 - 1);
    expect(await isSettled(invite.outcome)).toBe(false);
    await advance(1);
    expect(await invite.outcome).toEqual({ kind: 'cancelled' });
    // A 200 after that is still ACKed and hung up.
    answer(stack.last('INVITE'));
    await flush();
    expect(stack.acks).toHaveLength(1);
    expect(stack.sentOf('BYE')).toHaveLength(1);
  });
});

describe('malformed input from the network never throws', () => {
  it('a 1xx with a bad Record-Route is reported but makes no early dialog; a 2xx with a bad Contact is sent via the trunk', async () => {
    const { stack, ua } = setup();
    const onProgress = vi.fn();
    const invite = ua.invite(inviteOptions({ onProgress }));
    const tx = stack.last('INVITE');
    tx.respond(180, 'Ringing', { toTag: 't', headers: [['Record-Route', '<sip:broken'], ['Contact', CALLEE_CONTACT]] });
    expect(onProgress).toHaveBeenCalledWith(180, 'Ringing');
    expect(asClient(invite).earlyDialogTags).toEqual([]);
    tx.respond(200, 'OK', { toTag: 't', headers: [['Contact', 'not a contact <']], body: ANSWER });
    await answeredOutcome(invite);
    // No usable Contact: the remote target falls back to the Request-URI, a host name, so the ACK goes to the trunk.
    expect(stack.acks[0]!.target).toEqual(TRUNK);
    expect(stack.acks[0]!.request.uri).toBe('sip:+442079460001@trunk.example.com');
  });

  it('a failure with a garbled Reason still fails cleanly', async () => {
    const { stack, ua } = setup();
    const invite = ua.invite(inviteOptions());
    stack.last('INVITE').respond(480, 'Temporarily Unavailable', { headers: [['Reason', 'Q.850;cause=;;"']] });
    expect(await invite.outcome).toEqual({ kind: 'failed', status: 480, reason: 'Temporarily Unavailable', timedOut: false });
  });

  it('randomly damaged 2xx responses, strays and requests settle the call or are answered, and never throw', async () => {
    const { stack, ua } = setup();
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const kinds = new Set<string>();
    const junk = ['', ';', '<', '>', '"', ',', 'tag=', '<sip:>', 'sip:@', '\u00ff', 'Digest', '99999999999 INVITE', 'x'.repeat(300)];
    for (let i = 0; i < 300; i++) {
      const invite = ua.invite(inviteOptions());
      const tx = stack.last('INVITE');
      const ok = buildResponse(tx.request, 200, 'OK', {
        toTag: `t${i}`,
        headers: [['Contact', CALLEE_CONTACT], ['Record-Route', '<sip:10.0.0.1;lr>'], ['Session-Expires', '1800;refresher=uac']],
        body: ANSWER,
      });
      const damaged = structuredClone(ok);
      damaged.headers = damaged.headers.map(([n, v]) => [n, random() < 0.3 ? (junk[Math.floor(random() * junk.length)] ?? '') : v]);
      if (random() < 0.5) damaged.headers = damaged.headers.filter(() => random() < 0.8);
      // Half the time the damaged copy comes first and decides the outcome; then the good one arrives anyway.
      const order = random() < 0.5 ? [damaged, ok] : [ok, damaged];
      for (const response of order) expect(() => tx.deliver(response)).not.toThrow();
      expect(() => stack.stray(damaged)).not.toThrow();
      const request = structuredClone(tx.request);
      request.method = random() < 0.5 ? 'BYE' : 'INVITE';
      request.headers = request.headers.map(([n, v]) => [n, random() < 0.3 ? (junk[Math.floor(random() * junk.length)] ?? '') : v]);
      expect(() => stack.receive(request)).not.toThrow();
      const { kind } = await invite.outcome;
      expect(['answered', 'failed']).toContain(kind);
      kinds.add(kind);
    }
    expect([...kinds].sort()).toEqual(['answered', 'failed']);
  });
});
