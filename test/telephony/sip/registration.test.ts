// Registering to a trunk (RFC 3261 section 10), against the fake stack on a virtual clock: the REGISTER we send,
// challenges, the granted lifetime and the refresh, 423, retries with backoff, removing the binding on stop, and
// responses that make no sense.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/domain/clock.js';
import { computeDigestResponse, parseDigestChallenge } from '../../../src/telephony/sip/auth/digest.js';
import { parseFromTo } from '../../../src/telephony/sip/message/headers.js';
import type { SipHeader, SipResponse } from '../../../src/telephony/sip/message/types.js';
import {
  refreshDelayMs,
  TrunkRegistration,
  type RegistrationDetail,
  type RegistrationState,
  type TrunkRegistrationOptions,
} from '../../../src/telephony/sip/ua/registration.js';
import { buildResponse, FakeSipStack, type FakeClientTransaction } from '../../helpers/fake-sip-stack.js';
import { TRUNK, flush } from './user-agent.helpers.js';

const CHALLENGE = 'Digest realm="trunk.example.com", nonce="n-1", algorithm=MD5, qop="auth", opaque="op"';
const OUR_CONTACT = '<sip:acme@192.0.2.10:5060;transport=udp>';

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[ ,])${name}=(?:"([^"]*)"|([^,\\s]+))`).exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

function setup(overrides: Partial<TrunkRegistrationOptions> = {}) {
  const clock = new VirtualClock('2025-03-01T09:00:00Z');
  const stack = new FakeSipStack();
  const changes: Array<[RegistrationState, RegistrationDetail]> = [];
  const registration = new TrunkRegistration({
    stack,
    clock,
    host: 'trunk.example.com',
    transport: 'udp',
    resolveTarget: async () => [TRUNK],
    username: 'acme',
    password: 'secret',
    expiresS: 600,
    onStateChange: (state, detail) => changes.push([state, detail]),
    ...overrides,
  });
  const advance = async (ms: number) => {
    await flush();
    await clock.runTo(clock.now().getTime() + ms, flush);
    await flush();
  };
  /** Starts and waits for the first REGISTER (the target is resolved first). */
  const started = async () => {
    registration.start();
    await flush();
    return stack.last('REGISTER');
  };
  const states = () => changes.map(([state]) => state);
  return { clock, stack, registration, changes, states, advance, started };
}

/** A 200 to a REGISTER listing bindings (Contact values with their expires). */
function ok(tx: FakeClientTransaction, headers: SipHeader[] = [['Contact', `${OUR_CONTACT};expires=600`]]): SipResponse {
  return tx.respond(200, 'OK', { toTag: 'reg', headers });
}

describe('the REGISTER we send (RFC 3261 section 10.2)', () => {
  it('binds our Contact to username@host with Expires, a From tag, a new Call-ID and CSeq 1, to the resolved target', async () => {
    const { registration, started, states } = setup();
    const tx = await started();
    expect(tx.target).toEqual(TRUNK);
    expect(tx.request.uri).toBe('sip:trunk.example.com');
    expect(tx.header('To')).toBe('<sip:acme@trunk.example.com>');
    const from = parseFromTo(tx.header('From') ?? '');
    expect(from.ok && from.value.uriText).toBe('sip:acme@trunk.example.com');
    expect(from.ok && from.value.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(tx.header('Call-ID')).toMatch(/^[0-9a-f]{32}$/);
    expect(tx.header('CSeq')).toBe('1 REGISTER');
    expect(tx.header('Contact')).toBe(`${OUR_CONTACT};expires=600`);
    expect(tx.header('Expires')).toBe('600');
    expect(tx.header('Max-Forwards')).toBe('70');
    expect(tx.header('User-Agent')).toBe('Ringcast');
    expect(tx.header('Authorization')).toBeUndefined();
    expect(tx.request.body.length).toBe(0);
    expect(registration.state).toBe('registering');
    expect(states()).toEqual(['registering']);
    expect(registration.contactUri).toBe('sip:acme@192.0.2.10:5060;transport=udp');
  });

  it('puts the port in the Request-URI only, says transport=tcp over TCP, and escapes the user part', async () => {
    const { started } = setup({ port: 5080, transport: 'tcp', username: 'acme corp@x', resolveTarget: async () => [{ ...TRUNK, transport: 'tcp' }] });
    const tx = await started();
    expect(tx.request.uri).toBe('sip:trunk.example.com:5080');
    expect(tx.header('To')).toBe('<sip:acme%20corp%40x@trunk.example.com>');
    expect(tx.header('Contact')).toBe('<sip:acme%20corp%40x@192.0.2.10:5060;transport=tcp>;expires=600');
  });

  it('starts only once, and refuses a bad lifetime or an empty user name', async () => {
    const { registration, stack, started } = setup();
    await started();
    registration.start();
    await flush();
    expect(stack.sentOf('REGISTER')).toHaveLength(1);
    expect(() => setup({ expiresS: 0 })).toThrow(RangeError);
    expect(() => setup({ username: '' })).toThrow(RangeError);
  });
});

describe('challenges (RFC 3261 section 22)', () => {
  it('answers a 401 with Authorization for the REGISTER: CSeq 2, same Call-ID and From, digest over the Request-URI', async () => {
    const { registration, stack, started, states } = setup();
    const first = await started();
    first.respond(401, 'Unauthorized', { toTag: 'x', headers: [['WWW-Authenticate', CHALLENGE]] });
    expect(stack.sentOf('REGISTER')).toHaveLength(2);
    const second = stack.last('REGISTER');
    expect(second.header('CSeq')).toBe('2 REGISTER');
    expect(second.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(second.header('From')).toBe(first.header('From'));
    expect(second.branch).not.toBe(first.branch);
    const authorization = second.header('Authorization') ?? '';
    expect(param(authorization, 'username')).toBe('acme');
    expect(param(authorization, 'uri')).toBe('sip:trunk.example.com');
    const challenge = parseDigestChallenge(CHALLENGE);
    if (!challenge.ok) throw new Error(challenge.error);
    const expected = computeDigestResponse({
      challenge: challenge.value,
      username: 'acme',
      password: 'secret',
      method: 'REGISTER',
      uri: 'sip:trunk.example.com',
      cnonce: param(authorization, 'cnonce') ?? '',
      nonceCount: 1,
      qop: 'auth',
    });
    expect(param(authorization, 'response')).toBe(expected);
    expect(registration.state).toBe('registering');
    ok(second);
    expect(registration.state).toBe('registered');
    expect(states()).toEqual(['registering', 'registered']);
  });

  it('answers 407 with Proxy-Authorization', async () => {
    const { stack, started } = setup();
    (await started()).respond(407, 'Proxy Authentication Required', { headers: [['Proxy-Authenticate', 'Digest realm="proxy", nonce="p1"']] });
    expect(stack.last('REGISTER').header('Proxy-Authorization')).toMatch(/^Digest username="acme", realm="proxy", nonce="p1"/);
  });

  it('retries with the new nonce when the challenge says stale=true, and gives up (retrying) when the credentials are refused', async () => {
    const { registration, stack, started, changes } = setup();
    (await started()).respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE]] });
    stack.last('REGISTER').respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE.replace('n-1', 'n-2') + ', stale=true']] });
    expect(param(stack.last('REGISTER').header('Authorization') ?? '', 'nonce')).toBe('n-2');
    stack.last('REGISTER').respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE.replace('n-1', 'n-3')]] });
    expect(stack.sentOf('REGISTER')).toHaveLength(3);
    await flush();
    expect(registration.state).toBe('retrying');
    expect(changes.at(-1)?.[1]).toMatchObject({ status: 401, retryInMs: 5000 });
    expect(changes.at(-1)?.[1].reason).toMatch(/credentials refused/);
  });

  it('treats a 401 it cannot answer (no Digest challenge) as a failure', async () => {
    const { registration, started } = setup();
    (await started()).respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', 'Basic realm="x"']] });
    await flush();
    expect(registration.state).toBe('retrying');
    expect(registration.detail.reason).toMatch(/no Digest challenge/);
  });

  it('starts each refresh without credentials: the registrar hands out a new nonce', async () => {
    const { stack, started, advance } = setup();
    (await started()).respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE]] });
    ok(stack.last('REGISTER'), [['Contact', `${OUR_CONTACT};expires=120`]]);
    await advance(90_000);
    const refresh = stack.last('REGISTER');
    expect(refresh.header('CSeq')).toBe('3 REGISTER');
    expect(refresh.header('Authorization')).toBeUndefined();
    refresh.respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE.replace('n-1', 'n-9')]] });
    expect(param(stack.last('REGISTER').header('Authorization') ?? '', 'nonce')).toBe('n-9');
  });
});

describe('the lifetime granted and the refresh (RFC 3261 sections 10.2.1, 10.2.4)', () => {
  it('refreshes a 120 s binding after 90 s with the same Call-ID and From tag and the next CSeq, staying registered', async () => {
    const { registration, stack, started, advance, states, clock } = setup();
    const first = await started();
    ok(first, [['Contact', `<sip:phone@198.51.100.7:5060>;expires=3000, ${OUR_CONTACT};expires=120`]]);
    expect(registration.state).toBe('registered');
    expect(registration.detail).toMatchObject({ expiresS: 120, status: 200 });
    expect(registration.registeredUntil?.getTime()).toBe(clock.now().getTime() + 120_000);
    await advance(89_999);
    expect(stack.sentOf('REGISTER')).toHaveLength(1);
    await advance(1);
    expect(stack.sentOf('REGISTER')).toHaveLength(2);
    const refresh = stack.last('REGISTER');
    expect(refresh.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(refresh.header('From')).toBe(first.header('From'));
    expect(refresh.header('CSeq')).toBe('2 REGISTER');
    expect(refresh.header('Expires')).toBe('600');
    expect(registration.state).toBe('registered');
    ok(refresh, [['Contact', `${OUR_CONTACT};expires=120`]]);
    await advance(90_000);
    expect(stack.last('REGISTER').header('CSeq')).toBe('3 REGISTER');
    // Refreshes are not state changes.
    expect(states()).toEqual(['registering', 'registered']);
  });

  it('falls back to the Expires header, then to what it asked for', async () => {
    const a = setup();
    ok(await a.started(), [['Expires', '300']]);
    expect(a.registration.detail.expiresS).toBe(300);
    await a.advance(269_999);
    expect(a.stack.sentOf('REGISTER')).toHaveLength(1);
    await a.advance(1);
    expect(a.stack.sentOf('REGISTER')).toHaveLength(2);

    const b = setup();
    ok(await b.started(), []);
    expect(b.registration.detail.expiresS).toBe(600);
    await b.advance(539_999);
    expect(b.stack.sentOf('REGISTER')).toHaveLength(1);
    await b.advance(1);
    expect(b.stack.sentOf('REGISTER')).toHaveLength(2);
  });

  it('takes a lone Contact the registrar rewrote (NAT) as ours', async () => {
    const { registration, started } = setup();
    ok(await started(), [['Contact', '<sip:acme@203.0.113.50:40000;transport=udp>;expires=200'], ['Expires', '900']]);
    expect(registration.detail.expiresS).toBe(200);
  });

  it('refreshes at the earlier of 90 % and 30 s before the end, never before half', () => {
    expect(refreshDelayMs(120)).toBe(90_000);
    expect(refreshDelayMs(600)).toBe(540_000);
    expect(refreshDelayMs(3600)).toBe(3_240_000);
    expect(refreshDelayMs(60)).toBe(30_000);
    expect(refreshDelayMs(10)).toBe(5_000);
  });

  it('asks again for the Min-Expires of a 423, and keeps asking for it in refreshes (section 10.2.8)', async () => {
    const { registration, stack, started, advance } = setup({ expiresS: 60 });
    const first = await started();
    first.respond(423, 'Interval Too Brief', { headers: [['Min-Expires', '1800']] });
    const second = stack.last('REGISTER');
    expect(second.header('CSeq')).toBe('2 REGISTER');
    expect(second.header('Expires')).toBe('1800');
    expect(second.header('Contact')).toBe(`${OUR_CONTACT};expires=1800`);
    ok(second, [['Contact', `${OUR_CONTACT};expires=1800`]]);
    expect(registration.state).toBe('registered');
    await advance(1_620_000);
    expect(stack.last('REGISTER').header('Expires')).toBe('1800');
  });

  it('answers a challenge after a 423 with the same realm and goes on', async () => {
    const { registration, stack, started } = setup({ expiresS: 60 });
    (await started()).respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE]] });
    stack.last('REGISTER').respond(423, 'Interval Too Brief', { headers: [['Min-Expires', '300']] });
    const third = stack.last('REGISTER');
    expect(third.header('CSeq')).toBe('3 REGISTER');
    expect(param(third.header('Authorization') ?? '', 'nc')).toBe('00000002');
    ok(third, [['Contact', `${OUR_CONTACT};expires=300`]]);
    expect(registration.state).toBe('registered');
  });

  it('fails (retrying) on a 423 without a usable Min-Expires, or one no longer than what it asked for', async () => {
    const a = setup();
    (await a.started()).respond(423, 'Interval Too Brief');
    await flush();
    expect(a.registration.state).toBe('retrying');
    const b = setup();
    (await b.started()).respond(423, 'Interval Too Brief', { headers: [['Min-Expires', '600']] });
    await flush();
    expect(b.registration.state).toBe('retrying');
    expect(b.stack.sentOf('REGISTER')).toHaveLength(1);
  });

  it('treats a 2xx granting 0 s as a failure', async () => {
    const { registration, started } = setup();
    ok(await started(), [['Contact', `${OUR_CONTACT};expires=0`]]);
    await flush();
    expect(registration.state).toBe('retrying');
    expect(registration.detail.reason).toMatch(/no time/);
  });
});

describe('failures and retries', () => {
  it('retries after 503, timeout and transport errors with backoff from 5 s doubling to 5 min, reporting each', async () => {
    const { registration, stack, started, advance, changes } = setup();
    (await started()).respond(503, 'Service Unavailable');
    await flush();
    expect(registration.state).toBe('retrying');
    expect(registration.detail).toMatchObject({ status: 503, retryInMs: 5000, reason: '503 Service Unavailable' });
    await advance(4_999);
    expect(stack.sentOf('REGISTER')).toHaveLength(1);
    await advance(1);
    expect(stack.sentOf('REGISTER')).toHaveLength(2);
    expect(registration.state).toBe('registering');
    // Same Call-ID, next CSeq, across attempts.
    expect(stack.last('REGISTER').header('CSeq')).toBe('2 REGISTER');
    stack.last('REGISTER').timeout();
    await flush();
    expect(registration.detail).toMatchObject({ status: 408, retryInMs: 10_000 });
    await advance(10_000);
    stack.last('REGISTER').transportError();
    await flush();
    expect(registration.detail).toMatchObject({ status: 503, retryInMs: 20_000 });
    expect(registration.detail.reason).toMatch(/ECONNREFUSED/);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await advance(registration.detail.retryInMs ?? 0);
      stack.last('REGISTER').respond(500, 'Server Error');
      await flush();
      delays.push(registration.detail.retryInMs ?? 0);
    }
    expect(delays).toEqual([40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(changes.filter(([state]) => state === 'retrying')).toHaveLength(9);
    // Success resets the backoff.
    await advance(300_000);
    ok(stack.last('REGISTER'), [['Contact', `${OUR_CONTACT};expires=120`]]);
    expect(registration.state).toBe('registered');
    await advance(90_000);
    stack.last('REGISTER').respond(503, 'Service Unavailable');
    await flush();
    expect(registration.state).toBe('retrying');
    expect(registration.detail.retryInMs).toBe(5_000);
  });

  it('waits for the Retry-After of the registrar (within the 5 min cap)', async () => {
    const a = setup();
    (await a.started()).respond(503, 'Service Unavailable', { headers: [['Retry-After', '60']] });
    await flush();
    expect(a.registration.detail.retryInMs).toBe(60_000);
    const b = setup();
    (await b.started()).respond(503, 'Service Unavailable', { headers: [['Retry-After', '3600 (maintenance)']] });
    await flush();
    expect(b.registration.detail.retryInMs).toBe(300_000);
  });

  it('retries when the registrar does not resolve, resolving again next time', async () => {
    let calls = 0;
    const { registration, stack, advance } = setup({
      resolveTarget: async () => {
        calls += 1;
        if (calls === 1) return [];
        if (calls === 2) throw new Error('DNS down');
        return [TRUNK];
      },
    });
    registration.start();
    await flush();
    expect(registration.state).toBe('retrying');
    expect(registration.detail.reason).toMatch(/did not resolve/);
    await advance(5_000);
    expect(registration.state).toBe('retrying');
    await advance(10_000);
    expect(stack.sentOf('REGISTER')).toHaveLength(1);
    expect(registration.state).toBe('registering');
  });

  it('keeps the target for refreshes, and resolves again after a failure', async () => {
    let calls = 0;
    const { stack, started, advance } = setup({
      resolveTarget: async () => {
        calls += 1;
        return [TRUNK];
      },
    });
    ok(await started(), [['Contact', `${OUR_CONTACT};expires=120`]]);
    await advance(90_000);
    expect(calls).toBe(1);
    stack.last('REGISTER').respond(503, 'Service Unavailable');
    await advance(5_000);
    expect(calls).toBe(2);
  });
});

describe('responses that make no sense are ignored', () => {
  it('ignores other Call-IDs and CSeqs, bad statuses, provisional responses, and answers to superseded REGISTERs', async () => {
    const { registration, stack, started, changes } = setup();
    const first = await started();
    const bad = (mutate: (response: SipResponse) => void) => {
      const response = buildResponse(first.request, 200, 'OK', { toTag: 'x', headers: [['Contact', `${OUR_CONTACT};expires=600`]] });
      mutate(response);
      first.deliver(response);
    };
    bad((r) => (r.headers = r.headers.map(([n, v]): SipHeader => (n === 'Call-ID' ? [n, 'someone-else'] : [n, v]))));
    bad((r) => (r.headers = r.headers.map(([n, v]): SipHeader => (n === 'CSeq' ? [n, '7 REGISTER'] : [n, v]))));
    bad((r) => (r.headers = r.headers.map(([n, v]): SipHeader => (n === 'CSeq' ? [n, '1 INVITE'] : [n, v]))));
    bad((r) => (r.headers = r.headers.map(([n, v]): SipHeader => (n === 'CSeq' ? [n, 'garbage'] : [n, v]))));
    bad((r) => (r.headers = r.headers.filter(([n]) => n !== 'CSeq' && n !== 'Call-ID')));
    bad((r) => (r.status = 99));
    bad((r) => (r.status = 700));
    first.respond(100, 'Trying');
    first.respond(180, 'Ringing');
    await flush();
    expect(registration.state).toBe('registering');
    expect(changes).toHaveLength(1);

    first.respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE]] });
    // A late answer to the first REGISTER, after the second went.
    first.respond(200, 'OK', { headers: [['Contact', `${OUR_CONTACT};expires=600`]] });
    first.timeout();
    await flush();
    expect(registration.state).toBe('registering');
    expect(stack.sentOf('REGISTER')).toHaveLength(2);
    ok(stack.last('REGISTER'));
    expect(registration.state).toBe('registered');
  });

  it('survives a 2xx with garbage Contact and Expires (uses what it asked for)', async () => {
    const { registration, started } = setup();
    ok(await started(), [['Contact', '<<<not a uri'], ['Expires', 'soon']]);
    expect(registration.state).toBe('registered');
    expect(registration.detail.expiresS).toBe(600);
  });

  it('survives challenges that do not parse and huge Min-Expires / Retry-After', async () => {
    const { registration, stack, started } = setup();
    (await started()).respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', 'Digest realm="unterminated']] });
    await flush();
    expect(registration.state).toBe('retrying');
    const b = setup();
    (await b.started()).respond(423, 'Interval Too Brief', { headers: [['Min-Expires', '99999999999999']] });
    await flush();
    expect(b.registration.state).toBe('retrying');
    expect(b.stack.sentOf('REGISTER')).toHaveLength(1);
    expect(stack.sentOf('REGISTER')).toHaveLength(1);
  });
});

describe('stop()', () => {
  it('removes the binding with Expires: 0 (same Call-ID, next CSeq), waits for the answer, and leaves no timer', async () => {
    const { registration, stack, started, clock, states } = setup();
    const first = await started();
    ok(first);
    const stopping = registration.stop();
    await flush();
    expect(registration.state).toBe('unregistering');
    const remove = stack.last('REGISTER');
    expect(remove.header('Expires')).toBe('0');
    expect(remove.header('Contact')).toBe(`${OUR_CONTACT};expires=0`);
    expect(remove.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(remove.header('CSeq')).toBe('2 REGISTER');
    remove.respond(401, 'Unauthorized', { headers: [['WWW-Authenticate', CHALLENGE]] });
    const authorised = stack.last('REGISTER');
    expect(authorised.header('CSeq')).toBe('3 REGISTER');
    expect(authorised.header('Expires')).toBe('0');
    expect(authorised.header('Authorization')).toMatch(/^Digest username="acme"/);
    authorised.respond(200, 'OK');
    await stopping;
    expect(registration.state).toBe('stopped');
    expect(registration.detail).toEqual({ reason: 'unregistered', status: 200 });
    expect(states()).toEqual(['registering', 'registered', 'unregistering', 'stopped']);
    await flush();
    expect(clock.sleepers).toBe(0);
    // Late answers change nothing; a second stop is the same stop.
    first.respond(503, 'Service Unavailable');
    await registration.stop();
    expect(registration.state).toBe('stopped');
    expect(stack.sentOf('REGISTER')).toHaveLength(3);
  });

  it('gives up waiting for the registrar after the bounded wait, and stops the retransmissions', async () => {
    const { registration, stack, started, advance } = setup({ unregisterTimeoutMs: 2000 });
    ok(await started());
    let stopped = false;
    void registration.stop().then(() => (stopped = true));
    await advance(1_999);
    expect(stopped).toBe(false);
    await advance(1);
    expect(stopped).toBe(true);
    expect(registration.state).toBe('stopped');
    expect(registration.detail.reason).toMatch(/no answer/);
    expect(stack.last('REGISTER').terminated).toBe(true);
  });

  it('sends nothing when it never registered, and forgets the REGISTER in flight', async () => {
    const { registration, stack, started, clock } = setup();
    const first = await started();
    await registration.stop();
    expect(registration.state).toBe('stopped');
    expect(first.terminated).toBe(true);
    expect(stack.sentOf('REGISTER')).toHaveLength(1);
    ok(first);
    await flush();
    expect(registration.state).toBe('stopped');
    expect(clock.sleepers).toBe(0);

    const idle = setup();
    await idle.registration.stop();
    expect(idle.registration.state).toBe('stopped');
    idle.registration.start();
    await flush();
    expect(idle.stack.sent).toHaveLength(0);
  });

  it('cancels the retry timer and still removes a binding it had before a refresh failed', async () => {
    const { registration, stack, started, advance, clock } = setup();
    ok(await started(), [['Contact', `${OUR_CONTACT};expires=120`]]);
    await advance(90_000);
    stack.last('REGISTER').respond(503, 'Service Unavailable');
    await flush();
    expect(registration.state).toBe('retrying');
    const stopping = registration.stop();
    await flush();
    expect(stack.last('REGISTER').header('Expires')).toBe('0');
    stack.last('REGISTER').respond(200, 'OK');
    await stopping;
    await advance(600_000);
    expect(stack.sentOf('REGISTER')).toHaveLength(3);
    expect(clock.sleepers).toBe(0);
  });

  it('stops while resolving without sending anything afterwards', async () => {
    let release: (targets: typeof TRUNK[]) => void = () => {};
    const { registration, stack } = setup({ resolveTarget: () => new Promise((resolve) => (release = resolve)) });
    registration.start();
    await registration.stop();
    release([TRUNK]);
    await flush();
    expect(stack.sent).toHaveLength(0);
    expect(registration.state).toBe('stopped');
  });
});
