import { describe, expect, it } from 'vitest';
import { smsParts, splitSms } from '../../src/domain/sms-parts.js';
import { destinationAddress, senderAddress, submitParts, TON_ALPHANUMERIC, TON_INTERNATIONAL } from '../../src/sms/smpp/submit-rules.js';
import { formatReceipt, parseReceipt } from '../../src/sms/smpp/receipt.js';

describe('SMPP sender and destination addresses', () => {
  it('sends an alphanumeric id with a letter as ton 5 and E.164 as international without the plus', () => {
    expect(senderAddress('Ringcast')).toEqual({ ton: TON_ALPHANUMERIC, npi: 0, addr: 'Ringcast' });
    expect(senderAddress('Shop 24')).toEqual({ ton: TON_ALPHANUMERIC, npi: 0, addr: 'Shop 24' });
    expect(senderAddress('+447700900123')).toEqual({ ton: TON_INTERNATIONAL, npi: 1, addr: '447700900123' });
    expect(destinationAddress('+447912000001')).toEqual({ ton: TON_INTERNATIONAL, npi: 1, addr: '447912000001' });
  });

  it('refuses senders that are neither: too long, no letter, punctuation, national numbers', () => {
    for (const bad of ['RingcastLtd1', '12345', 'Ring-cast', '07700900123', '']) {
      expect(senderAddress(bad)).toBeInstanceOf(Error);
    }
    expect(destinationAddress('07912000001')).toBeInstanceOf(Error);
  });
});

describe('splitSms', () => {
  it('agrees with smsParts on the number of parts and never splits an escape or a surrogate pair', () => {
    const texts = ['hi', 'a'.repeat(160), 'a'.repeat(161), 'a'.repeat(152) + '€' + 'b'.repeat(10), 'é'.repeat(300), 'x'.repeat(66) + '😀' + 'y'.repeat(10), 'Ж'.repeat(300)];
    for (const text of texts) {
      const { encoding, segments } = splitSms(text);
      expect(segments.join('')).toBe(text);
      expect(segments.length).toBe(smsParts(text).parts);
      expect(encoding).toBe(smsParts(text).encoding);
    }
    expect(splitSms('a'.repeat(152) + '€' + 'b'.repeat(10)).segments[0]).toBe('a'.repeat(152));
    expect(splitSms('x'.repeat(66) + '😀' + 'y'.repeat(10)).segments[0]).toBe('x'.repeat(66));
  });
});

describe('submitParts', () => {
  const from = { ton: 5, npi: 0, addr: 'Ringcast' };
  const to = { ton: 1, npi: 1, addr: '447912000001' };

  it('sends a short GSM-7 text as one submit_sm, data_coding 0, no UDH, receipts on', () => {
    expect(submitParts({ from, to, text: 'Sorry we missed you', reference: 7 })).toEqual([
      {
        source_addr_ton: 5, source_addr_npi: 0, source_addr: 'Ringcast',
        dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447912000001',
        data_coding: 0, esm_class: 0, registered_delivery: 1,
        short_message: { message: 'Sorry we missed you' },
      },
    ]);
  });

  it('sends a 300-character UCS-2 text as 5 parts with a concatenation UDH (8-bit ref) and esm_class 0x40', () => {
    const text = 'Привет! '.repeat(38).slice(0, 300);
    const parts = submitParts({ from, to, text, reference: 300 });
    expect(parts).toHaveLength(5);
    parts.forEach((part, index) => {
      expect(part.data_coding).toBe(8);
      expect(part.esm_class).toBe(0x40);
      expect([...part.short_message.udh!]).toEqual([0x05, 0x00, 0x03, 300 & 0xff, 5, index + 1]);
    });
    expect(parts.map((p) => p.short_message.message).join('')).toBe(text);
  });
});

describe('delivery receipts', () => {
  const at = new Date('2026-12-04T10:00:00Z');

  it('reads id, stat and err from the appendix B text', () => {
    const text = formatReceipt({ messageId: '1a2b', stat: 'DELIVRD', submitDate: at, doneDate: at });
    expect(text).toBe('id:1a2b sub:001 dlvrd:001 submit date:2612041000 done date:2612041000 stat:DELIVRD err:000 text:');
    expect(parseReceipt(text)).toEqual({ messageId: '1a2b', state: 'delivered', stat: 'DELIVRD', error: undefined });
  });

  it('maps final states and keeps the error, preferring receipted_message_id', () => {
    expect(parseReceipt('id:9 sub:001 dlvrd:000 stat:UNDELIV err:034 text:x', 'abc')).toEqual({
      messageId: 'abc', state: 'failed', stat: 'UNDELIV', error: 'UNDELIV err:034',
    });
    expect(parseReceipt('id:9 stat:EXPIRED err:000')?.state).toBe('expired');
    expect(parseReceipt('id:9 stat:REJECTD err:001')?.state).toBe('failed');
    expect(parseReceipt('id:9 stat:ENROUTE err:000')?.state).toBe('pending');
  });

  it('answers undefined for a text that is not a receipt', () => {
    expect(parseReceipt('hello there')).toBeUndefined();
    expect(parseReceipt('id:5 without a state')).toBeUndefined();
  });
});
