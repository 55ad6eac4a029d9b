import { describe, expect, it } from 'vitest';
import {
  answerDirectionFor,
  buildSdpOffer,
  offeredFromSdp,
  parseSdpAnswer,
  parseSessionDescription,
  withSdpDirection,
} from '../../../src/telephony/sip/sdp/sdp.js';

const OFFER_OPTIONS = { address: '192.0.2.10', port: 40000, sessionId: '1234', sessionVersion: 1, codecs: ['PCMU', 'PCMA'] as ('PCMU' | 'PCMA')[] };

function answer(lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

const SIPP_ANSWER = answer([
  'v=0',
  'o=sipp 1700000000 1700000000 IN IP4 127.0.0.1',
  's=sipp',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
]);

describe('buildSdpOffer (RFC 4566, RFC 3264 section 5)', () => {
  it('writes one audio stream with G.711, telephone-event, ptime and sendrecv, in CRLF lines', () => {
    expect(buildSdpOffer(OFFER_OPTIONS)).toBe(
      answer([
        'v=0',
        'o=ringcast 1234 1 IN IP4 192.0.2.10',
        's=ringcast',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
      ]),
    );
  });

  it('follows the codec order, another DTMF payload type and ptime, and IPv6', () => {
    const sdp = buildSdpOffer({ address: '2001:db8::10', port: 4002, sessionId: 9n, sessionVersion: '2', codecs: ['PCMA'], dtmfPayloadType: 96, ptimeMs: 30 });
    expect(sdp).toContain('o=ringcast 9 2 IN IP6 2001:db8::10\r\n');
    expect(sdp).toContain('c=IN IP6 2001:db8::10\r\n');
    expect(sdp).toContain('m=audio 4002 RTP/AVP 8 96\r\n');
    expect(sdp).toContain('a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\na=ptime:30\r\n');
    expect(sdp).not.toContain('PCMU');
  });

  it('can leave telephone-event out', () => {
    const sdp = buildSdpOffer({ ...OFFER_OPTIONS, dtmfPayloadType: null });
    expect(sdp).toContain('m=audio 40000 RTP/AVP 0 8\r\n');
    expect(sdp).not.toContain('telephone-event');
  });

  it('refuses arguments that would put a broken offer on the wire (our bug, so it throws)', () => {
    expect(() => buildSdpOffer({ ...OFFER_OPTIONS, codecs: [] })).toThrow(RangeError);
    expect(() => buildSdpOffer({ ...OFFER_OPTIONS, port: 0 })).toThrow(RangeError);
    expect(() => buildSdpOffer({ ...OFFER_OPTIONS, dtmfPayloadType: 8 })).toThrow(RangeError);
    expect(() => buildSdpOffer({ ...OFFER_OPTIONS, sessionId: 'x1' })).toThrow(RangeError);
  });

  it('parses back as what it offered', () => {
    expect(offeredFromSdp(buildSdpOffer(OFFER_OPTIONS))).toEqual({ ok: true, value: { codecs: ['PCMU', 'PCMA'], dtmfPayloadType: 101 } });
  });
});

describe('parseSdpAnswer (RFC 3264 sections 6 and 7)', () => {
  it('reads address, port, codec, telephone-event, direction and ptime from a sipp answer', () => {
    expect(parseSdpAnswer(SIPP_ANSWER, { codecs: ['PCMU', 'PCMA'], dtmfPayloadType: 101 })).toEqual({
      ok: true,
      value: { address: '127.0.0.1', port: 6000, codec: 'PCMU', payloadType: 0, dtmfPayloadType: 101, direction: 'sendrecv', ptimeMs: 20 },
    });
  });

  it('picks the first payload type of the answer that we offered', () => {
    const sdp = SIPP_ANSWER.replace('RTP/AVP 0 8 101', 'RTP/AVP 18 8 0 101');
    const r = parseSdpAnswer(sdp, { codecs: ['PCMU', 'PCMA'] });
    expect(r.ok && r.value.codec).toBe('PCMA');
    expect(r.ok && r.value.payloadType).toBe(8);
    const onlyPcmu = parseSdpAnswer(sdp, { codecs: ['PCMU'] });
    expect(onlyPcmu.ok && onlyPcmu.value.codec).toBe('PCMU');
  });

  it('takes the media-level connection over the session level, and the answerer’s telephone-event number', () => {
    const sdp = answer([
      'v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0',
      'm=audio 7000 RTP/AVP 8 97', 'c=IN IP4 203.0.113.5', 'a=rtpmap:97 telephone-event/8000', 'a=recvonly',
    ]);
    expect(parseSdpAnswer(sdp)).toEqual({
      ok: true,
      value: { address: '203.0.113.5', port: 7000, codec: 'PCMA', payloadType: 8, dtmfPayloadType: 97, direction: 'recvonly' },
    });
  });

  it('maps a dynamic payload type by its rtpmap, and reports no DTMF when we offered none', () => {
    const sdp = answer(['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 7000 RTP/AVP 100 101', 'a=rtpmap:100 pcmu/8000', 'a=rtpmap:101 telephone-event/8000']);
    const r = parseSdpAnswer(sdp, { codecs: ['PCMU'], dtmfPayloadType: null });
    expect(r).toEqual({ ok: true, value: { address: '10.0.0.1', port: 7000, codec: 'PCMU', payloadType: 100, direction: 'sendrecv' } });
  });

  it('uses the session-level direction when the media has none, and accepts bare LF line ends', () => {
    const sdp = ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'a=sendonly', 'm=audio 7000 RTP/AVP 0'].join('\n');
    const r = parseSdpAnswer(sdp);
    expect(r.ok && r.value.direction).toBe('sendonly');
  });

  it('rejects a declined stream, no codec in common, no connection, no audio, SRTP', () => {
    const cases: Array<[string, RegExp]> = [
      [SIPP_ANSWER.replace('m=audio 6000', 'm=audio 0'), /declined/],
      [SIPP_ANSWER.replace('RTP/AVP 0 8 101', 'RTP/AVP 18 101').replace(/a=rtpmap:[08] .*\r\n/g, ''), /no codec in common/],
      [SIPP_ANSWER.replace('c=IN IP4 127.0.0.1\r\n', ''), /no c= connection/],
      [SIPP_ANSWER.replace('m=audio', 'm=video'), /no audio/],
      [SIPP_ANSWER.replace('RTP/AVP', 'RTP/SAVP'), /unsupported media profile/],
    ];
    for (const [sdp, error] of cases) {
      const r = parseSdpAnswer(sdp);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(error);
    }
  });

  it('never throws on garbage', () => {
    const inputs = ['', 'hello', 'v=1\r\n', 'v=0\r\nm=audio x RTP/AVP 0', 'v=0\r\nc=IN IP4\r\n', 'v=0\r\nm=audio 99999 RTP/AVP 0', 'x'.repeat(20_000), '\u0000=\u0000'];
    for (let i = 0; i < 500; i++) {
      const chars = SIPP_ANSWER.split('');
      for (let k = 0; k < 5; k++) chars[Math.floor(Math.random() * chars.length)] = String.fromCharCode(Math.floor(Math.random() * 128));
      inputs.push(chars.join(''));
    }
    for (const input of inputs) {
      expect(() => parseSdpAnswer(input)).not.toThrow();
      expect(() => parseSessionDescription(input)).not.toThrow();
    }
    expect(parseSdpAnswer('').ok).toBe(false);
  });
});

describe('withSdpDirection (RFC 3264 sections 6.1 and 8)', () => {
  const ours = buildSdpOffer(OFFER_OPTIONS);

  it('answers hold with the mirrored direction', () => {
    expect(answerDirectionFor('sendonly')).toBe('recvonly');
    expect(answerDirectionFor('recvonly')).toBe('sendonly');
    expect(answerDirectionFor('inactive')).toBe('inactive');
    expect(answerDirectionFor('sendrecv')).toBe('sendrecv');
  });

  it('changes the direction and bumps the o= version only when the text changes', () => {
    expect(withSdpDirection(ours, 'sendrecv')).toBe(ours);
    const held = withSdpDirection(ours, 'recvonly');
    expect(held).toContain('a=recvonly\r\n');
    expect(held).not.toContain('a=sendrecv');
    expect(held).toContain('o=ringcast 1234 2 IN IP4');
    const back = withSdpDirection(held, 'sendrecv');
    expect(back).toContain('o=ringcast 1234 3 IN IP4');
    expect(back.replace('1234 3', '1234 1')).toBe(ours);
  });

  it('adds a direction to an audio section without one, and leaves text it cannot edit alone', () => {
    const bare = 'v=0\r\no=- 5 7 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
    expect(withSdpDirection(bare, 'inactive')).toBe('v=0\r\no=- 5 8 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=inactive\r\n');
    expect(withSdpDirection('not sdp', 'inactive')).toBe('not sdp');
  });
});
