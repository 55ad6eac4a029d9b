// The SIP carrier through a real Kamailio (Debian kamailio, dispatcher module) in front of two sipp far ends, on
// loopback: Kamailio spreads the INVITEs round robin, Record-Routes itself, and fails over to the other far end when
// one does not answer (tm fr_timer 2 s). Each call must complete end to end: answered, ACKed and hung up with a BYE
// that follows the route set through Kamailio (sipp exits 0 only when it got the ACK and the BYE of every call).
import { expect, it } from 'vitest';
import type { SipCarrier } from '../../../../src/telephony/sip/carrier/sip-carrier.js';
import { getHeader, getHeaders, type SipRequest } from '../../../../src/telephony/sip/message/types.js';
import type { SipTraceEvent } from '../../../../src/telephony/sip/transaction/stack.js';
import type { DialResult } from '../../../../src/telephony/carrier.js';
import { startSipp, type SippPeer } from '../../../helpers/sipp.js';
import { startKamailioDispatcher, startKamailioProxyAuth, type KamailioProxy } from '../../../helpers/kamailio.js';
import { freePort } from '../../../helpers/free-port.js';
import { describeWithPeer } from '../../../helpers/peers.js';
import { cleanupAfterEach, startTestSipCarrier } from '../../../helpers/sip-carrier.js';

type Transport = 'udp' | 'tcp';

const defer = cleanupAfterEach();

interface TracedCarrier {
  carrier: SipCarrier;
  /** Every SIP message our stack sent or received. */
  trace: SipTraceEvent[];
}

/** The carrier with the stack's trace on, so the test can see where each request went and which Route it carried. */
async function carrierVia(
  proxy: KamailioProxy,
  transport: Transport,
  credentials: { username: string; password: string } | Record<string, never> = {},
): Promise<TracedCarrier> {
  const trace: SipTraceEvent[] = [];
  const carrier = await startTestSipCarrier(defer, [{ name: 'kamailio', host: '127.0.0.1', port: proxy.port, transport, maxCps: 100, ...credentials }], {
    trace: (event) => trace.push(event),
  });
  return { carrier, trace };
}

async function sipp(calls: number, transport: Transport): Promise<SippPeer> {
  const peer = await startSipp({ scenario: 'uas-answer-wait-bye.xml', calls, transport });
  defer(() => peer.stop());
  return peer;
}

async function kamailio(destinations: string[]): Promise<KamailioProxy> {
  const proxy = await startKamailioDispatcher(destinations);
  defer(() => proxy.stop());
  return proxy;
}

function uriOf(port: number, transport: Transport): string {
  return `sip:127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
}

let callNumber = 0;
/** One call: dialled, answered (sipp is silent: AMD says machine after 2.5 s), hung up by us. */
async function callAndHangUp(carrier: SipCarrier): Promise<DialResult['kind']> {
  callNumber += 1;
  const result = await carrier.dial({ callId: `kam-${callNumber}`, to: '+442079460001', from: '+441632960001', ringTimeoutMs: 10_000 });
  if (result.kind !== 'answered') return result.kind;
  await result.call.hangup();
  expect((await result.call.ended).by).toBe('us');
  return result.kind;
}

/** Calls `total` calls, `parallel` at a time. */
async function callAll(carrier: SipCarrier, total: number, parallel: number): Promise<DialResult['kind'][]> {
  const kinds: DialResult['kind'][] = [];
  for (let done = 0; done < total; done += parallel) {
    const batch = Math.min(parallel, total - done);
    kinds.push(...(await Promise.all(Array.from({ length: batch }, () => callAndHangUp(carrier)))));
  }
  return kinds;
}

async function sippExit(peer: SippPeer, proxy: KamailioProxy): Promise<number | null> {
  const code = await Promise.race([peer.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 8000))]);
  if (code !== 0) {
    console.error(
      `sipp on ${peer.port} ${String(code)}:\n${peer.output().slice(-3000)}\n${peer.messages().slice(-6000)}\n` +
        `kamailio:\n${proxy.output().slice(-4000)}`,
    );
  }
  return code === 'running' ? null : code;
}

/** The requests sipp received, method per message, from its -trace_msg log. */
function receivedRequests(peer: SippPeer): Array<{ method: string; text: string }> {
  return peer
    .messages()
    .split(/^-{5,}.*$/m)
    .filter((block) => /message received/.test(block))
    .map((block) => block.slice(block.indexOf('\n', block.indexOf('message received')) + 1).trimStart())
    .map((text) => ({ method: /^([A-Z]+) sip:/.exec(text)?.[1] ?? '', text }))
    .filter((r) => r.method !== '');
}

const sent = (trace: SipTraceEvent[], method: string) =>
  trace.filter((e): e is SipTraceEvent & { message: SipRequest } => e.direction === 'out' && e.message.kind === 'request' && e.message.method === method);

/** Our ACKs and BYEs went to Kamailio with its Record-Route as Route, and reached sipp through it. */
function expectInDialogRequestsViaProxy(trace: SipTraceEvent[], proxy: KamailioProxy, peers: SippPeer[], transport: Transport): void {
  const invites = sent(trace, 'INVITE');
  const callIds = new Set(invites.map((e) => getHeader(e.message.headers, 'Call-ID')));
  for (const method of ['ACK', 'BYE']) {
    const requests = sent(trace, method);
    expect(new Set(requests.map((e) => getHeader(e.message.headers, 'Call-ID')))).toEqual(callIds);
    for (const event of requests) {
      expect({ port: event.port, transport: event.transport }).toEqual({ port: proxy.port, transport });
      // Loose routing: the Request-URI is sipp's Contact, Kamailio's Record-Route (with lr) is the Route.
      const routes = getHeaders(event.message.headers, 'Route').join(',');
      expect(routes).toContain(`127.0.0.1:${proxy.port}`);
      expect(routes).toContain(';lr');
      expect(peers.map((p) => p.port)).toContain(Number(/^sip:127\.0\.0\.1:(\d+)/.exec(event.message.uri)?.[1]));
    }
  }
  // sipp got each ACK and BYE from Kamailio: its Via is on top (Kamailio took its own Route off, loose_route).
  for (const peer of peers) {
    for (const request of receivedRequests(peer).filter((r) => r.method === 'ACK' || r.method === 'BYE')) {
      const topVia = /^(?:Via|v):\s*(.*)$/im.exec(request.text)?.[1] ?? '';
      expect(topVia).toContain(`127.0.0.1:${proxy.port}`);
    }
  }
}

function invitesHandled(peer: SippPeer): number {
  return receivedRequests(peer).filter((r) => r.method === 'INVITE').length;
}

describeWithPeer(['sipp', 'kamailio', 'espeak-ng'], 'SIP carrier through Kamailio dispatcher', () => {
  // Same transport on both sides: Kamailio Record-Routes once. Different ones: twice (r2=on, one entry per side), and
  // our route set must start with the entry for our side.
  const legs: Array<[ours: Transport, far: Transport]> = [['udp', 'udp'], ['tcp', 'tcp'], ['udp', 'tcp'], ['tcp', 'udp']];
  for (const [transport, far] of legs) {
    it(`${transport} to Kamailio, ${far} to sipp: 4 calls spread round robin over two far ends, ACK and BYE follow the Record-Route`, async () => {
      const [a, b] = [await sipp(2, far), await sipp(2, far)];
      const proxy = await kamailio([uriOf(a.port, far), uriOf(b.port, far)]);
      const { carrier, trace } = await carrierVia(proxy, transport);

      expect(await callAll(carrier, 4, 2)).toEqual(['answered', 'answered', 'answered', 'answered']);

      expect([await sippExit(a, proxy), await sippExit(b, proxy)]).toEqual([0, 0]);
      expect([invitesHandled(a), invitesHandled(b)]).toEqual([2, 2]);
      expectInDialogRequestsViaProxy(trace, proxy, [a, b], transport);
      expect(proxy.output().match(/in-dialog BYE/g)).toHaveLength(4);
      const byeRoutes = getHeaders(sent(trace, 'BYE')[0]!.message.headers, 'Route').join(',');
      expect(byeRoutes.match(/r2=on/g) ?? []).toHaveLength(transport === far ? 0 : 2);
    }, 45_000);
  }

  it('udp: one far end down: Kamailio fails over after fr_timer and every call is answered by the live one', async () => {
    const live = await sipp(3, 'udp');
    const dead = await freePort();
    const proxy = await kamailio([uriOf(dead, 'udp'), uriOf(live.port, 'udp')]);
    const { carrier, trace } = await carrierVia(proxy, 'udp');

    const started = Date.now();
    expect(await callAll(carrier, 3, 3)).toEqual(['answered', 'answered', 'answered']);
    const elapsed = Date.now() - started;

    expect(await sippExit(live, proxy)).toBe(0);
    expect(invitesHandled(live)).toBe(3);
    expectInDialogRequestsViaProxy(trace, proxy, [live], 'udp');
    // Round robin picked the dead one for some of them: those waited out fr_timer (2 s) and went to the live one.
    expect(proxy.output()).toMatch(new RegExp(`failover of .* to sip:127\\.0\\.0\\.1:${live.port}`));
    expect(proxy.output()).toMatch(new RegExp(`INVITE .* to sip:127\\.0\\.0\\.1:${dead}`));
    expect(elapsed).toBeGreaterThanOrEqual(2000);
  }, 45_000);

  it('udp: one far end stopped between calls: the calls after it still complete', async () => {
    const a = await sipp(1, 'udp');
    const b = await sipp(3, 'udp');
    const proxy = await kamailio([uriOf(a.port, 'udp'), uriOf(b.port, 'udp')]);
    const { carrier } = await carrierVia(proxy, 'udp');

    // Two calls: one each (round robin); a has done its one call and exits.
    expect(await callAll(carrier, 2, 2)).toEqual(['answered', 'answered']);
    expect(await sippExit(a, proxy)).toBe(0);
    await a.stop();
    // a is gone: the next two calls reach b (the one round robin gives to a fails over after 2 s).
    expect(await callAll(carrier, 2, 2)).toEqual(['answered', 'answered']);
    expect(await sippExit(b, proxy)).toBe(0);
    expect([invitesHandled(a), invitesHandled(b)]).toEqual([1, 3]);
    expect(proxy.output()).toMatch(new RegExp(`failover of .* to sip:127\\.0\\.0\\.1:${b.port}`));
  }, 45_000);
});

describeWithPeer(['sipp', 'kamailio', 'espeak-ng'], 'SIP carrier through a Kamailio that demands proxy authentication (407)', () => {
  it('answers the 407 with Proxy-Authorization (qop=auth) that Kamailio accepts, and the call completes', async () => {
    const peer = await sipp(1, 'udp');
    const proxy = await startKamailioProxyAuth(`sip:127.0.0.1:${peer.port}`, 's3cret');
    defer(() => proxy.stop());
    const { carrier, trace } = await carrierVia(proxy, 'udp', { username: 'ringcast', password: 's3cret' });
    expect(await callAll(carrier, 1, 1)).toEqual(['answered']);
    const invites = sent(trace, 'INVITE');
    expect(invites).toHaveLength(2);
    expect(getHeader(invites[0]!.message.headers, 'Proxy-Authorization')).toBeUndefined();
    const credentials = getHeader(invites[1]!.message.headers, 'Proxy-Authorization') ?? '';
    expect(credentials).toMatch(/^Digest /);
    expect(credentials).toMatch(/username="ringcast"/);
    expect(credentials).toMatch(/qop=auth/);
    expect(credentials).toMatch(/nc=00000001/);
    expect(proxy.output()).toMatch(/authorised .* as ringcast/);
    expect(await sippExit(peer, proxy)).toBe(0);
  }, 40_000);

  it('a wrong password is challenged again and the call fails as 407, without looping', async () => {
    const peer = await sipp(1, 'udp');
    const proxy = await startKamailioProxyAuth(`sip:127.0.0.1:${peer.port}`, 's3cret');
    defer(() => proxy.stop());
    const { carrier, trace } = await carrierVia(proxy, 'udp', { username: 'ringcast', password: 'wrong' });
    const result = await carrier.dial({ callId: 'kam-407', to: '+442079460001', from: '+441632960001', ringTimeoutMs: 10_000 });
    expect(result).toMatchObject({ kind: 'failed', sipCode: 407 });
    expect(sent(trace, 'INVITE')).toHaveLength(2);
  }, 40_000);
});
