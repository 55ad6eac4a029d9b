import { describe, expect, it, vi } from 'vitest';
import { SipDialog, dialogKey } from '../../../src/telephony/sip/dialog/dialog.js';
import { resolveIpLiteralOrFallback } from '../../../src/telephony/sip/dialog/next-hop.js';
import { parseSipMessage } from '../../../src/telephony/sip/message/parser.js';
import { parseSipUri } from '../../../src/telephony/sip/message/headers.js';
import { getHeader, getHeaders, setHeader, removeHeader, type SipResponse } from '../../../src/telephony/sip/message/types.js';
import type { SipTarget } from '../../../src/telephony/sip/transaction/types.js';
import { loadSipFixture } from './fixtures.js';

const TRUNK: SipTarget = { host: '203.0.113.1', port: 5060, transport: 'udp' };

function fixture200(): SipResponse {
  const parsed = parseSipMessage(loadSipFixture('200-ok-record-route.txt'));
  if (!parsed.ok || parsed.message.kind !== 'response') throw new Error('fixture');
  return parsed.message;
}

function dialogFrom(response: SipResponse, options: Partial<Parameters<typeof SipDialog.fromResponse>[1]> = {}): SipDialog {
  const made = SipDialog.fromResponse(response, { fallbackTarget: TRUNK, ...options });
  if (!made.ok) throw new Error(made.error);
  return made.value;
}

function withRecordRoute(values: string[]): SipResponse {
  const response = fixture200();
  removeHeader(response.headers, 'Record-Route');
  for (const v of values) response.headers.push(['Record-Route', v]);
  return response;
}

describe('SipDialog.fromResponse (RFC 3261 section 12.1.2)', () => {
  it('takes Call-ID, tags, CSeq, the Contact as remote target and the Record-Route list reversed as route set', () => {
    const dialog = dialogFrom(fixture200());
    expect(dialog.id).toEqual({ callId: 'a84b4c76e66710@127.0.0.1', localTag: '1928301774', remoteTag: 'a6c85cf' });
    expect(dialog.key).toBe(dialogKey(dialog.id));
    expect(dialog.state).toBe('confirmed');
    expect(dialog.localSequence).toBe(314159);
    expect(dialog.remoteTargetUri).toBe('sip:sipp@127.0.0.1:5070;transport=UDP');
    expect(dialog.routeSetUris).toEqual(['sip:proxy2.example.com;lr;transport=tcp', 'sip:[2001:db8::10]:5060;lr', 'sip:10.0.0.5;lr;ftag=1928301774']);
    expect(dialog.usesLooseRouting).toBe(true);
  });

  it('makes an early dialog from a 1xx with a To-tag', () => {
    const ringing = { ...fixture200(), status: 180, reason: 'Ringing' };
    expect(dialogFrom(ringing).state).toBe('early');
  });

  it('returns an error, never throws, for responses that cannot make a dialog', () => {
    const noTag = fixture200();
    setHeader(noTag.headers, 'To', '<sip:+4420791234@127.0.0.1:5070>');
    const badRoute = withRecordRoute(['<sip:10.0.0.5;lr']);
    const noContact = fixture200();
    removeHeader(noContact.headers, 'Contact');
    const noCallId = fixture200();
    removeHeader(noCallId.headers, 'Call-ID');
    for (const [response, error] of [
      [noTag, /To-tag/],
      [badRoute, /Record-Route/],
      [noContact, /Contact/],
      [noCallId, /Call-ID/],
      [{ ...fixture200(), status: 486 }, /does not create a dialog/],
      [{ ...fixture200(), status: 100 }, /does not create a dialog/],
    ] as const) {
      const made = SipDialog.fromResponse(response, { fallbackTarget: TRUNK });
      expect(made.ok).toBe(false);
      if (!made.ok) expect(made.error).toMatch(error);
    }
  });

  it('falls back to the Request-URI when a 2xx has no Contact and we said so', () => {
    const noContact = fixture200();
    removeHeader(noContact.headers, 'Contact');
    expect(dialogFrom(noContact, { requestUri: 'sip:+4420791234@203.0.113.1' }).remoteTargetUri).toBe('sip:+4420791234@203.0.113.1');
  });
});

describe('requests within the dialog (RFC 3261 section 12.2.1.1)', () => {
  it('loose routing: Request-URI is the remote target, Route is the route set, CSeq goes up by one', () => {
    const dialog = dialogFrom(fixture200());
    const { request } = dialog.createRequest('BYE');
    expect(request.method).toBe('BYE');
    expect(request.uri).toBe('sip:sipp@127.0.0.1:5070;transport=UDP');
    expect(getHeaders(request.headers, 'Route')).toEqual(['<sip:proxy2.example.com;lr;transport=tcp>, <sip:[2001:db8::10]:5060;lr>, <sip:10.0.0.5;lr;ftag=1928301774>']);
    expect(getHeader(request.headers, 'CSeq')).toBe('314160 BYE');
    expect(getHeader(request.headers, 'From')).toBe('"Ringcast" <sip:+4420790000@127.0.0.1>;tag=1928301774');
    expect(getHeader(request.headers, 'To')).toBe('<sip:+4420791234@127.0.0.1:5070>;tag=a6c85cf');
    expect(getHeader(request.headers, 'Call-ID')).toBe('a84b4c76e66710@127.0.0.1');
    expect(getHeader(request.headers, 'Max-Forwards')).toBe('70');
    expect(getHeader(request.headers, 'Via')).toBeUndefined();
    expect(dialog.createRequest('INFO').request.headers).toContainEqual(['CSeq', '314161 INFO']);
  });

  it('ACK reuses the CSeq number of the INVITE it acknowledges (section 13.2.2.4)', () => {
    const dialog = dialogFrom(fixture200());
    expect(getHeader(dialog.createRequest('ACK').request.headers, 'CSeq')).toBe('314159 ACK');
    dialog.createRequest('BYE');
    dialog.createRequest('INVITE', { body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' });
    expect(getHeader(dialog.createRequest('ACK').request.headers, 'CSeq')).toBe('314161 ACK');
    expect(getHeader(dialog.createRequest('ACK', { cseq: 314159 }).request.headers, 'CSeq')).toBe('314159 ACK');
    expect(dialog.localSequence).toBe(314161);
  });

  it('carries extra headers and a body with its Content-Type', () => {
    const dialog = dialogFrom(fixture200());
    const { request } = dialog.createRequest('INVITE', { headers: [['Contact', '<sip:me@192.0.2.1>']], body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' });
    expect(getHeader(request.headers, 'Contact')).toBe('<sip:me@192.0.2.1>');
    expect(getHeader(request.headers, 'Content-Type')).toBe('application/sdp');
    expect(request.body.toString()).toBe('v=0\r\n');
  });

  it('sends to the first route; a host name there goes to the original target unless a resolver places it', () => {
    expect(dialogFrom(fixture200()).nextHopTarget()).toEqual(TRUNK);
    const resolver = vi.fn((uri: Parameters<typeof resolveIpLiteralOrFallback>[0], fallback: SipTarget): SipTarget =>
      uri.host === 'proxy2.example.com' ? { host: '198.51.100.7', port: 5060, transport: 'tcp' } : fallback,
    );
    const dialog = dialogFrom(fixture200(), { resolveUriTarget: resolver });
    expect(dialog.createRequest('BYE').target).toEqual({ host: '198.51.100.7', port: 5060, transport: 'tcp' });
    expect(resolver.mock.calls[0]?.[0].host).toBe('proxy2.example.com');
    expect(resolver.mock.calls[0]?.[1]).toEqual(TRUNK);
  });

  it('sends to an IP route with its port and transport, or to the remote target when there is no route set', () => {
    expect(dialogFrom(withRecordRoute(['<sip:10.0.0.5:5080;lr;transport=tcp>'])).nextHopTarget()).toEqual({ host: '10.0.0.5', port: 5080, transport: 'tcp' });
    const direct = dialogFrom(withRecordRoute([]));
    expect(direct.nextHopTarget()).toEqual({ host: '127.0.0.1', port: 5070, transport: 'udp' });
    const { request } = direct.createRequest('BYE');
    expect(request.uri).toBe('sip:sipp@127.0.0.1:5070;transport=UDP');
    expect(getHeader(request.headers, 'Route')).toBeUndefined();
  });

  it('strict routing: the first route becomes the Request-URI, the remote target the last Route', () => {
    const dialog = dialogFrom(withRecordRoute(['<sip:10.0.0.9;lr>', '<sip:10.0.0.5:5070;method=INVITE>']));
    expect(dialog.usesLooseRouting).toBe(false);
    const { request, target } = dialog.createRequest('BYE');
    // The method parameter is not allowed in a Request-URI (section 19.1.1).
    expect(request.uri).toBe('sip:10.0.0.5:5070');
    expect(getHeader(request.headers, 'Route')).toBe('<sip:10.0.0.9;lr>, <sip:sipp@127.0.0.1:5070;transport=UDP>');
    expect(target).toEqual({ host: '10.0.0.5', port: 5070, transport: 'udp' });
  });
});

describe('dialog state over time', () => {
  it('a 2xx confirms an early dialog and recomputes its route set and target (section 13.2.2.4)', () => {
    const ringing: SipResponse = { ...withRecordRoute(['<sip:10.0.0.1;lr>']), status: 180, reason: 'Ringing' };
    setHeader(ringing.headers, 'Contact', '<sip:early@10.9.9.9>');
    const dialog = dialogFrom(ringing);
    expect(dialog.state).toBe('early');
    expect(dialog.routeSetUris).toEqual(['sip:10.0.0.1;lr']);
    expect(dialog.confirm(fixture200(), { fallbackTarget: TRUNK }).ok).toBe(true);
    expect(dialog.state).toBe('confirmed');
    expect(dialog.routeSetUris).toHaveLength(3);
    expect(dialog.remoteTargetUri).toBe('sip:sipp@127.0.0.1:5070;transport=UDP');
  });

  it('a target refresh moves the remote target; a bad Contact leaves it', () => {
    const dialog = dialogFrom(withRecordRoute([]));
    dialog.refreshRemoteTarget([['Contact', '<sip:moved@10.1.1.1:5099>']]);
    expect(dialog.remoteTargetUri).toBe('sip:moved@10.1.1.1:5099');
    expect(dialog.nextHopTarget()).toEqual({ host: '10.1.1.1', port: 5099, transport: 'udp' });
    dialog.refreshRemoteTarget([['Contact', 'garbage<']]);
    dialog.refreshRemoteTarget([]);
    expect(dialog.remoteTargetUri).toBe('sip:moved@10.1.1.1:5099');
  });

  it('rejects a remote CSeq lower than the last one (section 12.2.2)', () => {
    const dialog = dialogFrom(fixture200());
    expect(dialog.acceptRemoteSequence(5)).toBe(true);
    expect(dialog.acceptRemoteSequence(7)).toBe(true);
    expect(dialog.acceptRemoteSequence(7)).toBe(true);
    expect(dialog.acceptRemoteSequence(6)).toBe(false);
  });
});

describe('resolveIpLiteralOrFallback (RFC 3263 stand-in)', () => {
  const uri = (text: string) => {
    const parsed = parseSipUri(text);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  };
  it('uses IP literals, maddr, default ports, and falls back for names, sips and unknown transports', () => {
    expect(resolveIpLiteralOrFallback(uri('sip:10.0.0.1'), TRUNK)).toEqual({ host: '10.0.0.1', port: 5060, transport: 'udp' });
    expect(resolveIpLiteralOrFallback(uri('sip:[2001:db8::1]:5062;transport=TCP'), TRUNK)).toEqual({ host: '2001:db8::1', port: 5062, transport: 'tcp' });
    expect(resolveIpLiteralOrFallback(uri('sip:proxy.example.com;maddr=10.0.0.2'), TRUNK)).toEqual({ host: '10.0.0.2', port: 5060, transport: 'udp' });
    expect(resolveIpLiteralOrFallback(uri('sip:proxy.example.com'), TRUNK)).toBe(TRUNK);
    expect(resolveIpLiteralOrFallback(uri('sips:10.0.0.1'), TRUNK)).toBe(TRUNK);
    expect(resolveIpLiteralOrFallback(uri('sip:10.0.0.1;transport=ws'), TRUNK)).toBe(TRUNK);
  });
});
