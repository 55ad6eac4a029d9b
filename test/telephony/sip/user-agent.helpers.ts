// Shared set-up for the user agent tests: a user agent over the fake stack on a virtual clock, the SDP of both
// sides, and short-hands to answer the INVITE and move time.
import { VirtualClock } from '../../../src/domain/clock.js';
import { buildSdpOffer } from '../../../src/telephony/sip/sdp/sdp.js';
import type { SipHeader } from '../../../src/telephony/sip/message/types.js';
import type { SipTarget } from '../../../src/telephony/sip/transaction/types.js';
import { InviteClient } from '../../../src/telephony/sip/ua/invite-client.js';
import { SipCallImpl } from '../../../src/telephony/sip/ua/sip-call.js';
import {
  SipUserAgent,
  type InviteOptions,
  type InviteOutcome,
  type OutgoingInvite,
  type SipCall,
  type SipUserAgentOptions,
} from '../../../src/telephony/sip/ua/user-agent.js';
import { FakeSipStack, type FakeClientTransaction } from '../../helpers/fake-sip-stack.js';

export const TRUNK: SipTarget = { host: '203.0.113.1', port: 5060, transport: 'udp' };
export const CALLEE_CONTACT = '<sip:callee@198.51.100.20:5062>';
export const OFFER = buildSdpOffer({ address: '192.0.2.10', port: 40000, sessionId: '1234', sessionVersion: 1, codecs: ['PCMU', 'PCMA'] });
export const ANSWER = buildSdpOffer({ address: '198.51.100.20', port: 6000, sessionId: '777', sessionVersion: 1, codecs: ['PCMU'] }).replace('o=ringcast', 'o=callee');

export function inviteOptions(overrides: Partial<InviteOptions> = {}): InviteOptions {
  return {
    target: TRUNK,
    requestUri: 'sip:+442079460001@trunk.example.com',
    fromUri: 'sip:+441632960001@trunk.example.com',
    fromDisplayName: 'Ringcast Ltd',
    toUri: 'sip:+442079460001@trunk.example.com',
    sdpOffer: OFFER,
    ...overrides,
  };
}

/** Lets promise callbacks and woken timers run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface Harness {
  clock: VirtualClock;
  stack: FakeSipStack;
  ua: SipUserAgent;
  /** Moves virtual time on, letting each woken timer act before the next. */
  advance(ms: number): Promise<void>;
}

export function setup(options: Partial<SipUserAgentOptions> = {}): Harness {
  const clock = new VirtualClock('2025-03-01T09:00:00Z');
  const stack = new FakeSipStack();
  const ua = new SipUserAgent({ stack, clock, ...options });
  return {
    clock,
    stack,
    ua,
    advance: async (ms) => {
      await flush();
      await clock.runTo(clock.now().getTime() + ms, flush);
      await flush();
    },
  };
}

/** Whether a promise has settled yet, without waiting for it. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await flush();
  return settled;
}

export function asClient(invite: OutgoingInvite): InviteClient {
  if (!(invite instanceof InviteClient)) throw new Error('not an InviteClient');
  return invite;
}

export function asCallImpl(call: SipCall): SipCallImpl {
  if (!(call instanceof SipCallImpl)) throw new Error('not a SipCallImpl');
  return call;
}

/** Answers an INVITE transaction with a 200 carrying the callee's SDP and Contact. */
export function answer(tx: FakeClientTransaction, options: { tag?: string; headers?: SipHeader[]; body?: string } = {}) {
  return tx.respond(200, 'OK', {
    toTag: options.tag ?? 'callee-1',
    headers: [['Contact', CALLEE_CONTACT], ...(options.headers ?? [])],
    body: options.body ?? ANSWER,
  });
}

export async function answeredOutcome(invite: OutgoingInvite): Promise<Extract<InviteOutcome, { kind: 'answered' }>> {
  const outcome = await invite.outcome;
  if (outcome.kind !== 'answered') throw new Error(`expected answered, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** A user agent with one answered call; `answerHeaders` go on the 200 (Session-Expires, Record-Route...). */
export async function answeredCall(
  options: { ua?: Partial<SipUserAgentOptions>; invite?: Partial<InviteOptions>; answerHeaders?: SipHeader[] } = {},
) {
  const harness = setup(options.ua);
  const invite = harness.ua.invite(inviteOptions(options.invite));
  const inviteTx = harness.stack.last('INVITE');
  inviteTx.respond(180, 'Ringing', { toTag: 'callee-1' });
  const response = answer(inviteTx, { headers: options.answerHeaders ?? [] });
  const outcome = await answeredOutcome(invite);
  return { ...harness, invite, inviteTx, response, call: outcome.call, impl: asCallImpl(outcome.call), outcome };
}
