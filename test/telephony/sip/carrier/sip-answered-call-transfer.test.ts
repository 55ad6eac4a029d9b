// The transfer step on the SIP carrier: the Refer-To is the target at the trunk, written as the trunk wants numbers;
// an answered REFER ends our leg with BYE ("transferred"); refusals and target failures map to dial failures.
import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../../../src/domain/clock.js';
import type { MediaSession } from '../../../../src/media/session/types.js';
import type { TextToSpeech } from '../../../../src/media/tts/types.js';
import { SipAnsweredCall, TRANSFER_MARGIN_MS, transferFailure } from '../../../../src/telephony/sip/carrier/sip-answered-call.js';
import { trunkRequestUri } from '../../../../src/telephony/sip/carrier/trunk-uri.js';
import type { ReferFailureCause, ReferResult, SipCall, SipCallEnd } from '../../../../src/telephony/sip/ua/user-agent.js';

function fakeSipCall(referResult: ReferResult) {
  let resolveEnded!: (end: SipCallEnd) => void;
  const ended = new Promise<SipCallEnd>((resolve) => (resolveEnded = resolve));
  const call = {
    callId: 'c1',
    remoteSdp: '',
    ended,
    onRemoteSdp: () => {},
    hangup: vi.fn(async () => {
      resolveEnded({ by: 'us' });
    }),
    refer: vi.fn(async () => referResult),
  } satisfies SipCall;
  return call;
}

function answeredCall(sipCall: SipCall, numberFormat: 'e164' | 'digits' = 'e164') {
  const media = { stopPlayback: vi.fn(), close: vi.fn(async () => {}) } as unknown as MediaSession;
  const tts = { render: async () => new Int16Array(0) } satisfies TextToSpeech;
  return new SipAnsweredCall({
    sipCall,
    media,
    tts,
    clock: new VirtualClock('2025-03-01T09:00:00Z'),
    amd: { result: 'human', reason: 'test', afterMs: 0 },
    defaultVoice: 'en-gb',
    trunk: { host: 'trunk.example.com', port: 5070, transport: 'tcp', numberFormat },
    onEnded: () => {},
  });
}

describe('SipAnsweredCall.transfer', () => {
  it('REFERs to the target at the trunk with the ring timeout plus a margin; answered hangs up our leg as transferred', async () => {
    const sipCall = fakeSipCall({ kind: 'answered', status: 200, reason: 'OK' });
    const call = answeredCall(sipCall);
    expect(await call.transfer('+442079460099', 20_000)).toEqual({ kind: 'answered' });
    expect(sipCall.refer).toHaveBeenCalledWith('sip:+442079460099@trunk.example.com:5070;transport=tcp', { timeoutMs: 20_000 + TRANSFER_MARGIN_MS });
    expect(sipCall.hangup).toHaveBeenCalledTimes(1);
    expect(await call.ended).toEqual({ by: 'us', reason: 'transferred' });
  });

  it('writes the number as digits for a digits trunk, as the INVITE does', async () => {
    const sipCall = fakeSipCall({ kind: 'failed', cause: 'timeout', reason: 'x' });
    await answeredCall(sipCall, 'digits').transfer('+442079460099', 15_000);
    expect(sipCall.refer).toHaveBeenCalledWith('sip:442079460099@trunk.example.com:5070;transport=tcp', expect.anything());
    expect(trunkRequestUri('+442079460099', { host: 'h.example', transport: 'udp', numberFormat: 'e164' })).toBe('sip:+442079460099@h.example');
  });

  it('a failed transfer keeps the call up and maps to the dial failure', async () => {
    const sipCall = fakeSipCall({ kind: 'failed', cause: 'target-failed', status: 486, reason: 'busy' });
    expect(await answeredCall(sipCall).transfer('+442079460099', 15_000)).toEqual({ kind: 'failed', failure: 'busy' });
    expect(sipCall.hangup).not.toHaveBeenCalled();
  });

  it.each([
    ['target-failed', 486, 'busy'],
    ['target-failed', 600, 'busy'],
    ['target-failed', 480, 'no_answer'],
    ['target-failed', 487, 'no_answer'],
    ['target-failed', 408, 'no_answer'],
    ['target-failed', 603, 'rejected'],
    ['target-failed', 404, 'invalid_number'],
    ['target-failed', 484, 'invalid_number'],
    ['target-failed', 500, 'failed'],
    ['refused', 403, 'failed'],
    ['refused', 405, 'failed'],
    ['refused', 603, 'rejected'],
    ['no-response', 408, 'failed'],
    ['timeout', undefined, 'no_answer'],
    ['subscription-ended', undefined, 'failed'],
    ['call-ended', undefined, 'failed'],
    ['busy', undefined, 'failed'],
    ['invalid-target', undefined, 'failed'],
  ] as const)('%s %s is %s', (cause: ReferFailureCause, status: number | undefined, failure) => {
    const result: Extract<ReferResult, { kind: 'failed' }> = status === undefined ? { kind: 'failed', cause, reason: '' } : { kind: 'failed', cause, status, reason: '' };
    expect(transferFailure(result)).toBe(failure);
  });
});
