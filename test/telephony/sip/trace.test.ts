import { describe, expect, it } from 'vitest';
import { describeSipTrace } from '../../../src/telephony/sip/transaction/trace.js';
import type { SipRequest } from '../../../src/telephony/sip/message/types.js';

const options: SipRequest = {
  kind: 'request',
  method: 'OPTIONS',
  uri: 'sip:trunk.example.net',
  version: 'SIP/2.0',
  headers: [
    ['Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1'],
    ['Call-ID', 'abc'],
  ],
  body: Buffer.alloc(0),
};

describe('SIP_TRACE records', () => {
  it('say which way, to whom, and the message as sent', () => {
    const record = describeSipTrace({ direction: 'out', message: options, transport: 'udp', address: '192.0.2.9', port: 5060, atMs: 0 });
    expect(record.direction).toBe('sent');
    expect(record.peer).toBe('udp:192.0.2.9:5060');
    expect(record.message).toMatch(/^OPTIONS sip:trunk\.example\.net SIP\/2\.0\r\nVia: /);
  });

  it('cut a huge message', () => {
    const big: SipRequest = { ...options, body: Buffer.alloc(10_000, 0x61) };
    const record = describeSipTrace({ direction: 'in', message: big, transport: 'tcp', address: '192.0.2.9', port: 5060, atMs: 0 });
    expect(record.direction).toBe('received');
    expect(record.message.length).toBeLessThan(4100);
    expect(record.message).toMatch(/characters\)$/);
  });
});
