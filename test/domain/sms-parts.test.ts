import { describe, it, expect } from 'vitest';
import { smsParts } from '../../src/domain/sms-parts.js';

const a = (n: number) => 'a'.repeat(n);
const gsm = (parts: number, units: number) => ({ encoding: 'GSM-7', parts, units });
const ucs2 = (parts: number, units: number) => ({ encoding: 'UCS-2', parts, units });

describe('smsParts: GSM-7', () => {
  it('empty text is one part of zero units', () => {
    expect(smsParts('')).toEqual(gsm(1, 0));
  });

  it('160 characters fit one part; 161 need two', () => {
    expect(smsParts(a(160))).toEqual(gsm(1, 160));
    expect(smsParts(a(161))).toEqual(gsm(2, 161));
  });

  it('concatenated parts hold 153 each', () => {
    expect(smsParts(a(306))).toEqual(gsm(2, 306));
    expect(smsParts(a(307))).toEqual(gsm(3, 307));
    expect(smsParts(a(459))).toEqual(gsm(3, 459));
    expect(smsParts(a(460))).toEqual(gsm(4, 460));
  });

  it('extension characters (€ [ ] { } \\ ^ ~ | form feed) count 2 and stay GSM-7', () => {
    for (const c of ['€', '[', ']', '{', '}', '\\', '^', '~', '|', '\f']) {
      expect(smsParts(c)).toEqual(gsm(1, 2));
    }
    expect(smsParts('€'.repeat(80))).toEqual(gsm(1, 160));
    expect(smsParts(a(159) + '€')).toEqual(gsm(2, 161));
  });

  it('never splits an escape sequence across parts', () => {
    // 152 + 2 + 152 = 306 septets, but the € cannot straddle the boundary after septet 153: three parts.
    expect(smsParts(a(152) + '€' + a(152))).toEqual(gsm(3, 306));
    expect(smsParts(a(151) + '€' + a(153))).toEqual(gsm(2, 306));
  });

  it('the whole default alphabet is GSM-7, one septet each', () => {
    const basic =
      '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect([...basic]).toHaveLength(127);
    expect(smsParts(basic)).toEqual(gsm(1, 127));
  });

  it('a typical UK message with £ stays GSM-7', () => {
    expect(smsParts('Hi Sam, your balance is £12.50. Call 020 7946 0123.')).toEqual(gsm(1, 51));
  });
});

describe('smsParts: UCS-2', () => {
  it('one non-GSM character switches the whole message', () => {
    expect(smsParts(a(69) + 'ć')).toEqual(ucs2(1, 70));
    expect(smsParts(a(70) + 'ć')).toEqual(ucs2(2, 71));
  });

  it('70 units fit one part; 71 need two; 67 per concatenated part', () => {
    expect(smsParts('ж'.repeat(70))).toEqual(ucs2(1, 70));
    expect(smsParts('ж'.repeat(71))).toEqual(ucs2(2, 71));
    expect(smsParts('ж'.repeat(134))).toEqual(ucs2(2, 134));
    expect(smsParts('ж'.repeat(135))).toEqual(ucs2(3, 135));
  });

  it('an emoji is a surrogate pair and counts 2', () => {
    expect(smsParts('😀')).toEqual(ucs2(1, 2));
    expect(smsParts('😀'.repeat(35))).toEqual(ucs2(1, 70));
    expect(smsParts('😀'.repeat(36))).toEqual(ucs2(2, 72));
  });

  it('never splits a surrogate pair across parts', () => {
    // 66 + 2 + 66 = 134 units, but the emoji cannot straddle the boundary after unit 67: three parts.
    expect(smsParts(a(66) + '😀' + a(66))).toEqual(ucs2(3, 134));
    expect(smsParts(a(65) + '😀' + a(67))).toEqual(ucs2(2, 134));
  });

  it('extension characters count 1 in UCS-2', () => {
    expect(smsParts('€ж')).toEqual(ucs2(1, 2));
  });

  it('look-alikes outside the GSM table are UCS-2: lower-case ç, a decomposed é, a curly quote, ESC', () => {
    expect(smsParts('ç').encoding).toBe('UCS-2');
    expect(smsParts('e\u0301').encoding).toBe('UCS-2');
    expect(smsParts('it\u2019s').encoding).toBe('UCS-2');
    expect(smsParts('\u001b').encoding).toBe('UCS-2');
    expect(smsParts('\t').encoding).toBe('UCS-2');
  });
});
