// Registering to a trunk against a real registrar: Kamailio (Debian kamailio: auth, usrloc in memory, registrar) that
// challenges each REGISTER with a 401 and keeps the binding. The proof that the binding is real: sipp calls our
// user name through Kamailio, Kamailio looks the user up and relays the INVITE to the Contact we registered, and our
// user agent's answer to an unsolicited INVITE (480) comes back to sipp. On shutdown the binding is removed.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { SipCarrier, SipCarrierLogger } from '../../../../src/telephony/sip/carrier/sip-carrier.js';
import { parseSipUri } from '../../../../src/telephony/sip/message/headers.js';
import { getHeader, type SipRequest } from '../../../../src/telephony/sip/message/types.js';
import type { SipTraceEvent } from '../../../../src/telephony/sip/transaction/stack.js';
import type { RegistrationState } from '../../../../src/telephony/sip/ua/registration.js';
import { startKamailio, type KamailioProxy } from '../../../helpers/kamailio.js';
import { describeWithPeer } from '../../../helpers/peers.js';
import { cleanupAfterEach, sippExitCode, startTestSipCarrier } from '../../../helpers/sip-carrier.js';
import { startSipp } from '../../../helpers/sipp.js';

const REGISTRAR_TEMPLATE = fileURLToPath(new URL('../../../fixtures/kamailio/registrar.cfg.template', import.meta.url));
const USERNAME = 'acme-trunk';
const PASSWORD = 'correct horse';

const defer = cleanupAfterEach();

async function registrar(): Promise<KamailioProxy> {
  const proxy = await startKamailio(REGISTRAR_TEMPLATE, () => ({ '@@PASSWORD@@': PASSWORD }));
  defer(() => proxy.stop());
  return proxy;
}

interface Registered {
  carrier: SipCarrier;
  trace: SipTraceEvent[];
  logs: Array<{ level: 'info' | 'warn'; obj: object; msg: string }>;
}

async function carrierRegisteringTo(proxy: KamailioProxy, transport: 'udp' | 'tcp', password: string): Promise<Registered> {
  const trace: SipTraceEvent[] = [];
  const logs: Registered['logs'] = [];
  const log: SipCarrierLogger = {
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
  };
  const carrier = await startTestSipCarrier(
    defer,
    [{ name: 'registrar', host: '127.0.0.1', port: proxy.port, transport, username: USERNAME, password, register: true, registerExpiresS: 300 }],
    { trace: (event) => trace.push(event), log },
  );
  return { carrier, trace, logs };
}

function registrationState(carrier: SipCarrier): RegistrationState | undefined {
  return carrier.registrations()[0]?.state;
}

/** Polls until the registration reaches `state`; fails with what it saw and Kamailio's log otherwise. */
async function waitForState(carrier: SipCarrier, state: RegistrationState, proxy: KamailioProxy, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (registrationState(carrier) !== state) {
    if (Date.now() > deadline) {
      throw new Error(`registration is ${JSON.stringify(carrier.registrations())}, not ${state}\nkamailio:\n${proxy.output().slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The requests of `method` we sent, once per CSeq, in order. */
function uniqueRequests(trace: readonly SipTraceEvent[], method: string): Map<string, SipRequest> {
  const out = new Map<string, SipRequest>();
  for (const { direction, message } of trace) {
    if (direction !== 'out' || message.kind !== 'request' || message.method !== method) continue;
    const cseq = getHeader(message.headers, 'CSeq') ?? '';
    if (!out.has(cseq)) out.set(cseq, message);
  }
  return out;
}

/** The distinct statuses received per CSeq. */
function responseStatuses(trace: readonly SipTraceEvent[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const { direction, message } of trace) {
    if (direction !== 'in' || message.kind !== 'response') continue;
    const statuses = (out[getHeader(message.headers, 'CSeq') ?? ''] ??= []);
    if (!statuses.includes(message.status)) statuses.push(message.status);
  }
  return out;
}

describeWithPeer(['kamailio', 'sipp', 'espeak-ng'], 'SIP carrier registering to Kamailio (registrar with digest auth)', () => {
  it.each(['udp', 'tcp'] as const)(
    'registers over %s after a 401, is reachable through the registrar (a relayed INVITE gets our 480), and unregisters on close',
    async (transport) => {
      const proxy = await registrar();
      const { carrier, trace, logs } = await carrierRegisteringTo(proxy, transport, PASSWORD);
      await waitForState(carrier, 'registered', proxy);

      // Each REGISTER once by CSeq (a UDP retransmission under load is the same request).
      const registers = uniqueRequests(trace, 'REGISTER');
      expect([...registers.keys()]).toEqual(['1 REGISTER', '2 REGISTER']);
      const first = registers.get('1 REGISTER')!;
      const second = registers.get('2 REGISTER')!;
      expect(first.uri).toBe(`sip:127.0.0.1:${proxy.port}`);
      expect(getHeader(first.headers, 'Authorization')).toBeUndefined();
      expect(getHeader(second.headers, 'Authorization')).toMatch(new RegExp(`^Digest username="${USERNAME}", realm="127.0.0.1"`));
      expect(getHeader(second.headers, 'Call-ID')).toBe(getHeader(first.headers, 'Call-ID'));
      expect(responseStatuses(trace)).toEqual({ '1 REGISTER': [401], '2 REGISTER': [200] });
      const status = carrier.registrations()[0];
      expect(status).toMatchObject({ trunk: 'registrar', state: 'registered', detail: { status: 200, expiresS: 300 } });
      expect(status?.registeredUntil?.getTime()).toBeGreaterThan(Date.now() + 290_000);
      expect(logs.map((l) => [l.level, l.msg])).toEqual([
        ['info', 'trunk registrar: registration registering'],
        ['info', 'trunk registrar: registration registered'],
      ]);

      // A caller dials our user name at the registrar: Kamailio relays the INVITE to our Contact, we answer 480.
      const caller = await startSipp({ scenario: 'uac-invite-expect-480.xml', extraArgs: ['-s', USERNAME, `127.0.0.1:${proxy.port}`] });
      defer(() => caller.stop());
      expect(await sippExitCode(caller)).toBe(0);
      const invite = trace.find((e) => e.direction === 'in' && e.message.kind === 'request' && e.message.method === 'INVITE');
      expect(invite?.transport).toBe(transport);
      const requestUri = invite?.message.kind === 'request' ? parseSipUri(invite.message.uri) : undefined;
      expect(requestUri?.ok && requestUri.value.user).toBe(USERNAME);
      expect(trace.some((e) => e.direction === 'out' && e.message.kind === 'response' && e.message.status === 480)).toBe(true);

      // Closing removes the binding: REGISTER Expires: 0, challenged and accepted, before the stack goes.
      await carrier.close();
      const all = uniqueRequests(trace, 'REGISTER');
      expect([...all.keys()]).toEqual(['1 REGISTER', '2 REGISTER', '3 REGISTER', '4 REGISTER']);
      expect([3, 4].map((seq) => getHeader(all.get(`${seq} REGISTER`)!.headers, 'Expires'))).toEqual(['0', '0']);
      expect(responseStatuses(trace)).toMatchObject({ '3 REGISTER': [401], '4 REGISTER': [200] });
      expect(registrationState(carrier)).toBe('stopped');
      expect(logs.at(-1)?.msg).toBe('trunk registrar: registration stopped');
    },
  );

  it('with a wrong password never gets registered: retrying, with the 401 reported', async () => {
    const proxy = await registrar();
    const { carrier, logs } = await carrierRegisteringTo(proxy, 'udp', 'wrong password');
    await waitForState(carrier, 'retrying', proxy);
    const status = carrier.registrations()[0];
    expect(status?.detail).toMatchObject({ status: 401, retryInMs: 5000 });
    expect(status?.detail.reason).toMatch(/credentials refused/);
    expect(status?.registeredUntil).toBeUndefined();
    // Still not registered a while later (the retry is 5 s away), and the failure was logged as a warning.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(registrationState(carrier)).toBe('retrying');
    expect(logs.find((l) => l.level === 'warn')).toMatchObject({ msg: 'trunk registrar: registration failed, retrying', obj: { trunk: 'registrar', status: 401 } });
    expect(logs.some((l) => (l.obj as { registration?: string }).registration === 'registered')).toBe(false);
    // Never registered, so nothing to remove on close.
    await carrier.close();
    expect(registrationState(carrier)).toBe('stopped');
  });
});
