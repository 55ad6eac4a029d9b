// RFC 4733 telephone-events: the payload fields decode, every DTMF key maps, and a key press is one digit however
// many times its end packet comes (a capture from sipp, which sends it three times), or when its end is lost.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  TelephoneEventReceiver,
  dtmfDigitOf,
  dtmfEventOf,
  parseTelephoneEvent,
  serializeTelephoneEvent,
} from '../../src/media/dtmf/rfc4733.js';
import { parseRtpPacket, type RtpPacket } from '../../src/media/rtp/rtp-packet.js';

const captured: RtpPacket[] = readFileSync(new URL('../fixtures/rtp/sipp-dtmf-2833-1.hex', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const result = parseRtpPacket(Buffer.from(line, 'hex'));
    if (!result.ok) throw new Error(result.message);
    return result.packet;
  });

/** The packets a sender makes for one key press: progress every 50 ms (400 units), then the end three times. */
function keyPress(digit: string, timestamp: number, progressPackets = 3): { timestamp: number; payload: Uint8Array }[] {
  const event = dtmfEventOf(digit)!;
  const packets = [];
  for (let i = 1; i <= progressPackets; i++) {
    packets.push({ timestamp, payload: serializeTelephoneEvent({ event, end: false, volumeMinusDbm0: 10, durationSamples: 400 * i }) });
  }
  const end = serializeTelephoneEvent({ event, end: true, volumeMinusDbm0: 10, durationSamples: 400 * (progressPackets + 1) });
  for (let i = 0; i < 3; i++) packets.push({ timestamp, payload: end });
  return packets;
}

describe('parseTelephoneEvent', () => {
  it('decodes event, end bit, volume and duration (the captured end packet of key 1)', () => {
    const result = parseTelephoneEvent(captured[7]!.payload);
    expect(result).toEqual({ ok: true, event: { event: 1, end: true, volumeMinusDbm0: 10, durationSamples: 0x08c0 } });
    expect(parseTelephoneEvent(captured[0]!.payload)).toMatchObject({ ok: true, event: { end: false, durationSamples: 0 } });
  });

  it('ignores the reserved bit and round-trips through serializeTelephoneEvent', () => {
    expect(parseTelephoneEvent(Uint8Array.from([11, 0x40 | 0x3f, 0xff, 0xff]))).toEqual({
      ok: true,
      event: { event: 11, end: false, volumeMinusDbm0: 63, durationSamples: 65535 },
    });
    const event = { event: 15, end: true, volumeMinusDbm0: 7, durationSamples: 1234 };
    expect(parseTelephoneEvent(serializeTelephoneEvent(event))).toEqual({ ok: true, event });
  });

  it('answers a short payload with a code', () => {
    for (const length of [0, 1, 3]) {
      expect(parseTelephoneEvent(new Uint8Array(length))).toMatchObject({ ok: false, code: 'RFC4733_TOO_SHORT' });
    }
  });
});

describe('DTMF event codes (RFC 4733 section 3.2)', () => {
  it('maps 0-9, *, #, A-D both ways and nothing else', () => {
    expect(Array.from({ length: 16 }, (_, event) => dtmfDigitOf(event)).join('')).toBe('0123456789*#ABCD');
    expect(dtmfDigitOf(16)).toBeNull(); // flash
    expect(dtmfDigitOf(255)).toBeNull();
    expect(dtmfEventOf('*')).toBe(10);
    expect(dtmfEventOf('#')).toBe(11);
    expect(dtmfEventOf('d')).toBe(15);
    expect(dtmfEventOf('E')).toBeNull();
    expect(dtmfEventOf('12')).toBeNull();
  });
});

describe('TelephoneEventReceiver', () => {
  it('reports the captured key press once, on the first end packet', () => {
    const receiver = new TelephoneEventReceiver();
    const perPacket = captured.map((packet) => receiver.push(packet));
    expect(perPacket.flat()).toEqual(['1']);
    expect(perPacket[7]).toEqual(['1']);
  });

  it('reports a sequence of keys in order, each once, including the same key twice', () => {
    const receiver = new TelephoneEventReceiver();
    const keys = ['1', '2', '2', '#', '*', 'A', '0'];
    const digits = keys.flatMap((key, i) => keyPress(key, 8000 * (i + 1)).flatMap((packet) => receiver.push(packet)));
    expect(digits).toEqual(keys);
  });

  it('still reports a key whose end packets were all lost, when the next key starts', () => {
    const receiver = new TelephoneEventReceiver();
    const lostEnd = keyPress('5', 1000).slice(0, 3);
    const digits = [...lostEnd, ...keyPress('6', 9000)].flatMap((packet) => receiver.push(packet));
    expect(digits).toEqual(['5', '6']);
  });

  it('drops an end packet that comes late, after the next key began', () => {
    const receiver = new TelephoneEventReceiver();
    const first = keyPress('7', 1000);
    const second = keyPress('8', 9000);
    const digits = [...first, second[0]!, first.at(-1)!, ...second.slice(1)].flatMap((packet) => receiver.push(packet));
    expect(digits).toEqual(['7', '8']);
  });

  it('reports a key whose only packet is an end packet', () => {
    const receiver = new TelephoneEventReceiver();
    expect(keyPress('9', 1000, 0).flatMap((packet) => receiver.push(packet))).toEqual(['9']);
  });

  it('ignores non-DTMF events and malformed payloads', () => {
    const receiver = new TelephoneEventReceiver();
    const flash = serializeTelephoneEvent({ event: 16, end: true, volumeMinusDbm0: 10, durationSamples: 800 });
    expect(receiver.push({ timestamp: 1, payload: flash })).toEqual([]);
    expect(receiver.push({ timestamp: 2, payload: new Uint8Array(2) })).toEqual([]);
    expect(keyPress('3', 3).flatMap((packet) => receiver.push(packet))).toEqual(['3']);
  });
});
