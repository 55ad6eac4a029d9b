// Do-not-call upload lines and the TPS screening age rule.
import { describe, expect, it } from 'vitest';
import { checkScreening, readSuppressionLine } from '../../src/domain/compliance/suppression.js';

describe('upload lines', () => {
  it('reads the first cell, quoted or not, in any usual number form', () => {
    expect(readSuppressionLine('07722 123456', false)).toEqual({ kind: 'number', e164: '+447722123456' });
    expect(readSuppressionLine('"+44 (0)7722 123456",Ann', false)).toEqual({ kind: 'number', e164: '+447722123456' });
    expect(readSuppressionLine('0044 7722 123456;x\t', false)).toEqual({ kind: 'number', e164: '+447722123456' });
  });

  it('skips blank lines and a header, and reports anything else that is not a number', () => {
    expect(readSuppressionLine('   ', false)).toEqual({ kind: 'skip' });
    expect(readSuppressionLine('Telephone,Name', true)).toEqual({ kind: 'skip' });
    expect(readSuppressionLine('Telephone,Name', false)).toMatchObject({ kind: 'invalid', value: 'Telephone' });
    expect(readSuppressionLine('0909 879 0000', false)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('premium') });
  });
});

describe('TPS screening age (PECR reg 21, 28 days)', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  it('passes a screening up to 28 days old and blocks an older or missing one with the reason', () => {
    expect(checkScreening('tps', new Date('2026-11-05T12:00:00Z'), now)).toEqual({ ok: true });
    expect(checkScreening('tps', new Date('2026-11-04T12:00:00Z'), now)).toEqual({
      ok: false,
      reason: 'marketing calls need TPS screening no older than 28 days: the TPS file was downloaded 2026-11-04, 29 days ago',
    });
    expect(checkScreening('ctps', null, now)).toMatchObject({ ok: false, reason: expect.stringContaining('not imported the CTPS register') });
  });
});
