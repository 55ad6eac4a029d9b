// The pure parts of log hygiene and metric labels: number masking, request-id acceptance, bounded label values.
import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, maskSipNumbers, maskUrlNumbers } from '../../src/observability/mask.js';
import { requestIdFrom } from '../../src/observability/request-id.js';
import { httpMethodLabel, sipCodeLabel, statusClassLabel } from '../../src/observability/metrics.js';
import { describeSipTrace } from '../../src/telephony/sip/transaction/trace.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('maskPhoneNumber', () => {
  it('keeps only the last 3 digits and the shape', () => {
    expect(maskPhoneNumber('+447722123456')).toBe('+*********456');
    expect(maskPhoneNumber('07722 123456')).toBe('*****' + ' ' + '***456');
    expect(maskPhoneNumber('020-7946-0001')).toBe('***-****-*001');
  });

  it('masks a number of 3 digits or fewer entirely, and leaves text without digits alone', () => {
    expect(maskPhoneNumber('999')).toBe('***');
    expect(maskPhoneNumber('12')).toBe('**');
    expect(maskPhoneNumber('anonymous')).toBe('anonymous');
    expect(maskPhoneNumber('')).toBe('');
  });
});

describe('maskSipNumbers', () => {
  it('masks the user part of sip, sips and tel URIs, not hosts or ports', () => {
    expect(maskSipNumbers('INVITE sip:07722123456@192.0.2.1:5060 SIP/2.0')).toBe('INVITE sip:********456@192.0.2.1:5060 SIP/2.0');
    expect(maskSipNumbers('To: <sips:+447722123456@trunk.example;user=phone>')).toBe('To: <sips:+*********456@trunk.example;user=phone>');
    expect(maskSipNumbers('P-Asserted-Identity: <tel:+442079460999>')).toBe('P-Asserted-Identity: <tel:+*********999>');
    expect(maskSipNumbers('OPTIONS sip:trunk.example.net SIP/2.0')).toBe('OPTIONS sip:trunk.example.net SIP/2.0');
    expect(maskSipNumbers('Contact: <sip:192.0.2.7:5070>')).toBe('Contact: <sip:192.0.2.7:5070>');
  });
});

describe('maskUrlNumbers', () => {
  it('masks digit runs of 5 or more in the query string, and keeps the path and short values', () => {
    expect(maskUrlNumbers('/api/campaigns/voice/12/phonenumbers?search=07722123456&pageSize=50')).toBe(
      '/api/campaigns/voice/12/phonenumbers?search=********456&pageSize=50',
    );
    expect(maskUrlNumbers('/api/campaigns/voice?status=1,2')).toBe('/api/campaigns/voice?status=1,2');
    expect(maskUrlNumbers('/api/campaigns/voice/1234567')).toBe('/api/campaigns/voice/1234567');
  });
});

describe('requestIdFrom', () => {
  it('adopts 1-128 visible ASCII characters', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('x'.repeat(128))).toBe('x'.repeat(128));
    expect(requestIdFrom('trace=1;span=2/~!')).toBe('trace=1;span=2/~!');
  });

  it('replaces a missing, empty, too long, spaced, non-ASCII or repeated id with a new UUID', () => {
    for (const bad of [undefined, '', 'x'.repeat(129), 'has space', 'tab\there', 'caf\u00e9', 'line\nbreak', ['a', 'b']]) {
      expect(requestIdFrom(bad)).toMatch(UUID);
    }
  });
});

describe('metric label values are bounded', () => {
  it('SIP codes 100-699 as themselves, anything else as "other"', () => {
    expect(sipCodeLabel(486)).toBe('486');
    expect(sipCodeLabel(200)).toBe('200');
    expect(sipCodeLabel(99)).toBe('other');
    expect(sipCodeLabel(700)).toBe('other');
    expect(sipCodeLabel(Number.NaN)).toBe('other');
  });

  it('HTTP methods outside the usual set and status classes', () => {
    expect(httpMethodLabel('GET')).toBe('GET');
    expect(httpMethodLabel('PROPFIND')).toBe('OTHER');
    expect(statusClassLabel(204)).toBe('2xx');
    expect(statusClassLabel(503)).toBe('5xx');
    expect(statusClassLabel(999)).toBe('other');
  });
});

describe('SIP_TRACE records (info level)', () => {
  it('show the numbers of an INVITE by their last 3 digits only', () => {
    const record = describeSipTrace({
      direction: 'out',
      transport: 'udp',
      address: '192.0.2.9',
      port: 5060,
      atMs: 0,
      message: {
        kind: 'request',
        method: 'INVITE',
        uri: 'sip:+447722123456@192.0.2.9:5060',
        version: 'SIP/2.0',
        headers: [
          ['Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1'],
          ['From', '<sip:+442079460999@192.0.2.9>;tag=1'],
          ['To', '<sip:+447722123456@192.0.2.9:5060>'],
          ['P-Asserted-Identity', '<sip:+442079460999@192.0.2.9>'],
          ['Call-ID', 'abc'],
        ],
        body: Buffer.alloc(0),
      },
    });
    expect(record.message).toMatch(/^INVITE sip:\+\*{9}456@192\.0\.2\.9:5060 SIP\/2\.0\r\n/);
    expect(record.message).not.toContain('447722123456');
    expect(record.message).not.toContain('442079460999');
    expect(record.message).toContain('Via: SIP/2.0/UDP 192.0.2.1:5060');
  });
});
