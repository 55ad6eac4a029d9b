import { describe, expect, it } from 'vitest';
import { findReason, formatReason, parseReason, reasonsOf } from '../../../src/telephony/sip/message/reason.js';
import {
  formatMinSe,
  formatSessionExpires,
  minSeOf,
  parseMinSe,
  parseSessionExpires,
  sessionExpiresOf,
} from '../../../src/telephony/sip/message/session-timer.js';

describe('Reason header (RFC 3326)', () => {
  it('parses Q.850 and SIP reasons with cause and quoted text', () => {
    expect(parseReason('Q.850;cause=16;text="Normal call clearing"')).toEqual([{ protocol: 'Q.850', cause: 16, text: 'Normal call clearing' }]);
    expect(parseReason('SIP;cause=200;text="Call completed elsewhere"')).toEqual([{ protocol: 'SIP', cause: 200, text: 'Call completed elsewhere' }]);
  });

  it('parses several values on one line and across lines, with spaces and escapes', () => {
    const reasons = parseReason(['SIP ; cause=480 ; text="Busy, \\"really\\"", Q.850;cause=17', 'Q.850;cause=18']);
    expect(reasons).toEqual([
      { protocol: 'SIP', cause: 480, text: 'Busy, "really"' },
      { protocol: 'Q.850', cause: 17 },
      { protocol: 'Q.850', cause: 18 },
    ]);
    expect(findReason(reasons, 'q.850')?.cause).toBe(17);
    expect(reasonsOf([['Reason', 'Q.850;cause=34']])).toEqual([{ protocol: 'Q.850', cause: 34 }]);
  });

  it('skips malformed entries and never throws', () => {
    expect(parseReason('Q.850;cause=abc')).toEqual([{ protocol: 'Q.850' }]);
    expect(parseReason('Q.850;text="unterminated, SIP;cause=1')).toEqual([]);
    for (const junk of ['', ';;;', '"', 'a b c', ',,', '<sip:x>', 'x'.repeat(5000), 'Q.850;cause=99999999999']) {
      expect(() => parseReason(junk)).not.toThrow();
    }
  });

  it('formats a reason back', () => {
    expect(formatReason({ protocol: 'Q.850', cause: 16, text: 'Normal call clearing' })).toBe('Q.850;cause=16;text="Normal call clearing"');
    expect(parseReason(formatReason({ protocol: 'SIP', cause: 487, text: 'a "b"' }))).toEqual([{ protocol: 'SIP', cause: 487, text: 'a "b"' }]);
  });
});

describe('Session-Expires and Min-SE (RFC 4028 sections 4 and 5)', () => {
  it('parses the interval and the refresher', () => {
    expect(parseSessionExpires('1800;refresher=uac')).toEqual({ ok: true, value: { deltaSeconds: 1800, refresher: 'uac' } });
    expect(parseSessionExpires(' 90 ; Refresher=UAS ; x=1')).toEqual({ ok: true, value: { deltaSeconds: 90, refresher: 'uas' } });
    expect(parseSessionExpires('3600')).toEqual({ ok: true, value: { deltaSeconds: 3600 } });
    expect(parseMinSe('90')).toEqual({ ok: true, value: 90 });
    expect(parseMinSe('120;foo=bar')).toEqual({ ok: true, value: 120 });
  });

  it('rejects bad values without throwing', () => {
    for (const bad of ['', 'abc', '-5', '1800;refresher=both', '1800;=', '99999999999', '1.5']) {
      expect(() => parseSessionExpires(bad)).not.toThrow();
      expect(parseSessionExpires(bad).ok).toBe(false);
      expect(() => parseMinSe(bad)).not.toThrow();
    }
    expect(parseMinSe('x').ok).toBe(false);
  });

  it('formats, and finds the headers in a message, the compact form x included', () => {
    expect(formatSessionExpires({ deltaSeconds: 1800, refresher: 'uac' })).toBe('1800;refresher=uac');
    expect(formatSessionExpires({ deltaSeconds: 600 })).toBe('600');
    expect(formatMinSe(90)).toBe('90');
    expect(sessionExpiresOf([['x', '900;refresher=uas']])).toEqual({ ok: true, value: { deltaSeconds: 900, refresher: 'uas' } });
    expect(sessionExpiresOf([['session-expires', '900']])).toEqual({ ok: true, value: { deltaSeconds: 900 } });
    expect(sessionExpiresOf([])).toBeUndefined();
    expect(minSeOf([['Min-SE', '300']])).toEqual({ ok: true, value: 300 });
  });
});
