import { describe, it, expect } from 'vitest';
import { parsePhoneNumberFromString, type PhoneNumberType } from 'libphonenumber-js/max';
import {
  checkCalleeNumber,
  checkCallerId,
  type NumberCheck,
  type PhoneNumberRejection,
} from '../../src/domain/phone-number.js';

function expectAccepted(check: NumberCheck, e164: string, type: string, region: string | undefined) {
  expect(check).toEqual({ ok: true, number: { e164, type, region } });
}

function expectRejected(check: NumberCheck, reason: PhoneNumberRejection) {
  expect(check.ok).toBe(false);
  if (check.ok) return;
  expect(check.reason).toBe(reason);
  expect(check.message.length).toBeGreaterThan(0);
}

describe('checkCalleeNumber: the uk-rules.md range table', () => {
  // One row of the table per case: [range, example input, expected E.164, expected libphonenumber type].
  const allowed: [string, string, string, string][] = [
    ['071', '07123 456789', '+447123456789', 'MOBILE'],
    ['072', '07212 345678', '+447212345678', 'MOBILE'],
    ['073', '07312 345678', '+447312345678', 'MOBILE'],
    ['074', '07400 123456', '+447400123456', 'MOBILE'],
    ['075', '07512 345678', '+447512345678', 'MOBILE'],
    ['077', '07722 123456', '+447722123456', 'MOBILE'],
    ['078', '07812 345678', '+447812345678', 'MOBILE'],
    ['079', '07912 345678', '+447912345678', 'MOBILE'],
    ['01', '0116 496 0000', '+441164960000', 'FIXED_LINE'],
    ['02', '020 7946 0000', '+442079460000', 'FIXED_LINE'],
    ['03', '0300 123 4567', '+443001234567', 'UAN'],
    ['055', '055 1234 5678', '+445512345678', 'UAN'],
    ['056', '056 1234 5678', '+445612345678', 'VOIP'],
    ['0800', '0800 123 4567', '+448001234567', 'TOLL_FREE'],
    ['0808', '0808 123 4567', '+448081234567', 'TOLL_FREE'],
  ];
  for (const [range, input, e164, type] of allowed) {
    it(`allows ${range} (${type}): ${input}`, () => {
      expectAccepted(checkCalleeNumber(input), e164, type, 'GB');
    });
  }

  it('refuses 09 premium rate numbers', () => {
    for (const input of ['0901 234 5678', '0911 234 5678', '0983 123 4567']) {
      expectRejected(checkCalleeNumber(input), 'premium_rate');
    }
  });

  it('refuses 0842-0845 and 0870-0873 revenue-sharing numbers', () => {
    for (const prefix of ['0842', '0843', '0844', '0845', '0870', '0871', '0872', '0873']) {
      expectRejected(checkCalleeNumber(`${prefix} 123 4567`), 'shared_cost_revenue');
    }
  });

  it('refuses 070 personal numbers with a readable message that quotes the input', () => {
    expect(checkCalleeNumber('07012345678')).toEqual({
      ok: false,
      reason: 'personal_number',
      message: '07012345678 is a personal number (070), which Ringcast does not call',
    });
  });

  it('refuses 076 pager numbers', () => {
    const check = checkCalleeNumber('07600 123456');
    expectRejected(check, 'pager');
    expect(!check.ok && check.message).toBe('07600 123456 is a pager number (076), which Ringcast does not call');
  });

  it('does not treat 07624 (Isle of Man mobile) as a pager', () => {
    expectAccepted(checkCalleeNumber('07624 123456'), '+447624123456', 'MOBILE', 'IM');
  });

  it('refuses emergency and service short codes', () => {
    for (const input of ['999', '112', '101', '111', '118118', '118 500', '116123']) {
      expectRejected(checkCalleeNumber(input), 'short_code');
    }
    const check = checkCalleeNumber('999');
    expect(!check.ok && check.message).toBe('999 is an emergency number, which Ringcast does not call');
  });

  it('allows the crown dependencies (+44 numbers in IM, GG, JE)', () => {
    expectAccepted(checkCalleeNumber('07624 123456'), '+447624123456', 'MOBILE', 'IM');
    expectAccepted(checkCalleeNumber('07781 123456'), '+447781123456', 'MOBILE', 'GG');
    expectAccepted(checkCalleeNumber('07797 123456'), '+447797123456', 'MOBILE', 'JE');
    expectAccepted(checkCalleeNumber('01534 123456'), '+441534123456', 'FIXED_LINE', 'JE');
    expectAccepted(checkCalleeNumber('+44 1534 123456'), '+441534123456', 'FIXED_LINE', 'JE');
  });

  it("refuses Ofcom's drama ranges 07700 900xxx and 01632 960xxx as invalid", () => {
    expectRejected(checkCalleeNumber('07700 900123'), 'invalid');
    expectRejected(checkCalleeNumber('01632 960123'), 'invalid');
  });

  it('accepts the 020 7946 0xxx drama range, which is a valid fixed line', () => {
    expectAccepted(checkCalleeNumber('020 7946 0123'), '+442079460123', 'FIXED_LINE', 'GB');
  });
});

describe('checkCalleeNumber: written forms', () => {
  const mobile = '+447722123456';
  const forms = [
    '07722123456',
    '+44 7722 123456',
    '+44 (0)7722 123456',
    '+44(0)7722123456',
    '(+44) 7722 123456',
    '0044 7722 123456',
    '00447722123456',
    '447722123456',
    '44 7722 123456',
    '+447722123456',
    '07722-123-456',
    '07722.123.456',
    '(07722) 123456',
    '  07722 123456\t',
    '07722\u2013123456',
  ];
  for (const input of forms) {
    it(`normalises ${JSON.stringify(input)} to ${mobile}`, () => {
      expectAccepted(checkCalleeNumber(input), mobile, 'MOBILE', 'GB');
    });
  }

  it('strips a bare 44 from a fixed-line number as well', () => {
    expectAccepted(checkCalleeNumber('442079460000'), '+442079460000', 'FIXED_LINE', 'GB');
  });

  it('refuses the empty string and whitespace as empty', () => {
    expectRejected(checkCalleeNumber(''), 'empty');
    expectRejected(checkCalleeNumber('   \t '), 'empty');
  });

  it('refuses letters, including vanity numbers and extensions, as malformed', () => {
    for (const input of ['0800 FLOWERS', 'abc', '07722 123456 ext 12', '+447722123456x1', 'tel:+447722123456']) {
      const check = checkCalleeNumber(input);
      expectRejected(check, 'malformed');
      expect(!check.ok && check.message).toContain('letters');
    }
  });

  it('refuses other garbage as malformed', () => {
    const garbage = ['07722#123456', '07722 123456;1', '++447722123456', '07722+123456', '()', '---', '*'];
    for (const input of [...garbage, '07722\t123456', '07722\n123456']) {
      expectRejected(checkCalleeNumber(input), 'malformed');
    }
  });

  it('refuses a non-string at run time (values come from JSON) as malformed', () => {
    expectRejected(checkCalleeNumber(7722123456 as unknown as string), 'malformed');
    expectRejected(checkCalleeNumber(null as unknown as string), 'malformed');
  });

  it('refuses wrong lengths as invalid', () => {
    expectRejected(checkCalleeNumber('07722 12345'), 'invalid');
    expectRejected(checkCalleeNumber('07722 1234567'), 'invalid');
    expectRejected(checkCalleeNumber('44'), 'invalid');
    expectRejected(checkCalleeNumber('0'), 'invalid');
    expectRejected(checkCalleeNumber('+44 999'), 'invalid');
  });

  it('refuses 10,000-character inputs quickly, without throwing, with a short message', () => {
    for (const input of ['7'.repeat(10_000), 'x'.repeat(10_000), `+44${' 1'.repeat(5_000)}`]) {
      const startedAtMs = performance.now();
      const check = checkCalleeNumber(input);
      expect(performance.now() - startedAtMs).toBeLessThan(50);
      expectRejected(check, 'malformed');
      expect(!check.ok && check.message.length).toBeLessThan(100);
    }
  });
});

describe('checkCalleeNumber: international numbers', () => {
  it('accepts valid foreign numbers of allowed types', () => {
    expectAccepted(checkCalleeNumber('+33 6 12 34 56 78'), '+33612345678', 'MOBILE', 'FR');
    expectAccepted(checkCalleeNumber('0033 6 12 34 56 78'), '+33612345678', 'MOBILE', 'FR');
    expectAccepted(checkCalleeNumber('+1 212 555 0123'), '+12125550123', 'FIXED_LINE_OR_MOBILE', 'US');
  });

  it('uses the default region for national forms', () => {
    expectAccepted(checkCalleeNumber('06 12 34 56 78', 'FR'), '+33612345678', 'MOBILE', 'FR');
  });

  it('refuses foreign premium rate numbers', () => {
    expectRejected(checkCalleeNumber('+33 8 99 12 34 56'), 'premium_rate');
  });

  it('refuses invalid foreign numbers', () => {
    expectRejected(checkCalleeNumber('+33 6 12 34'), 'invalid');
  });
});

describe('checkCalleeNumber agrees with libphonenumber (the +44 fast path must never differ)', () => {
  const allowedTypes = new Set<PhoneNumberType>([
    'MOBILE',
    'FIXED_LINE',
    'FIXED_LINE_OR_MOBILE',
    'UAN',
    'VOIP',
    'TOLL_FREE',
  ]);
  // Leading digits chosen to reach every UK type and every +44 region (GB, GG, IM, JE), valid and invalid.
  const prefixes = [
    '1', '2', '3', '55', '56', '70', '71', '74', '75', '76', '77', '78', '79', '800', '808', '84', '87', '9',
    '1481', '1534', '1624', '7624', '7640', '7781', '7797', '7839', '7911', '7937', '7509', '7700', '845464',
  ];
  const forms: [string, (nationalNumber: string) => string][] = [
    ['national', (n) => `0${n}`],
    ['+44', (n) => `+44 ${n}`],
    ['+44 (0)', (n) => `+44 (0)${n}`],
    ['0044', (n) => `0044 ${n}`],
    ['bare 44', (n) => `44${n}`],
  ];
  // A fixed linear congruential generator: the same numbers on every run.
  let seed = 20240601;
  const nextDigit = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * 10);
  };
  const nationalNumbers: string[] = [];
  for (let i = 0; i < 3_000; i++) {
    let nationalNumber = prefixes[i % prefixes.length]!;
    const length = [10, 10, 10, 9, 7][i % 5]!;
    while (nationalNumber.length < length) nationalNumber += String(nextDigit());
    nationalNumbers.push(nationalNumber);
  }

  function expectSameAsLibrary(input: string): boolean {
    const library = parsePhoneNumberFromString(input, 'GB');
    const type = library?.getType();
    const check = checkCalleeNumber(input);
    if (library !== undefined && type !== undefined && allowedTypes.has(type)) {
      expect(check, input).toEqual({ ok: true, number: { e164: library.number, type, region: library.country } });
      return true;
    }
    expect(check.ok, input).toBe(false);
    if (!check.ok && type === 'PERSONAL_NUMBER') expect(check.reason, input).toBe('personal_number');
    if (!check.ok && type === 'PAGER') expect(check.reason, input).toBe('pager');
    if (!check.ok && type === 'PREMIUM_RATE') {
      expect(['premium_rate', 'shared_cost_revenue'], input).toContain(check.reason);
    }
    return false;
  }

  it('agrees on the awkward forms at the edges of the fast path', () => {
    const inputs = [
      '4407722123456', '440207946000', '44 0 7722 123456', '+4400 7722 123456', '+44 00 20 7946 0000',
      '00440 7722 123456', '004400 7722 123456', '447722123456', '44772212345', '4420794600', '448001111',
      '44 8001 111', '+44 800 1111', '0800 1111', '08001111', '+44 1481 123456', '01481 123456', '441481123456',
      '+441624123456', '07937 123456', '+44 7839 123456', '01800 20 7722 123456', '18002007722123456',
      '+44 7722 123456 7', '+447722 12345', '0044 (0) 20 7946 0000', '(+44) 20 7946 0000', '+(44) 20 7946 0000',
      // 180020 is the Relay UK prefix: libphonenumber strips it after +44.
      '+44 180020 7722 123456', '0044 180020 7722 123456', '44180020772212', '01800207722123456',
      '+44 0180020 7722 123456',
      '07722\u00a0123456', '+44', '0044', '+44 0', '4412345678901', '+44 7722 1234567890',
    ];
    for (const input of inputs) expectSameAsLibrary(input);
  });

  for (const [form, write] of forms) {
    it(`gives libphonenumber's e164, type and region for ${nationalNumbers.length} numbers written as ${form}`, () => {
      let accepted = 0;
      for (const nationalNumber of nationalNumbers) {
        if (expectSameAsLibrary(write(nationalNumber))) accepted++;
      }
      // Enough valid numbers that the comparison means something.
      expect(accepted).toBeGreaterThan(nationalNumbers.length / 10);
    });
  }
});

describe('checkCallerId', () => {
  it('accepts 020 7946 0000 and normalises it to +442079460000', () => {
    expectAccepted(checkCallerId('020 7946 0000'), '+442079460000', 'FIXED_LINE', 'GB');
  });

  it('accepts UK mobiles, 03, 0800 and crown-dependency numbers', () => {
    expectAccepted(checkCallerId('+44 7722 123456'), '+447722123456', 'MOBILE', 'GB');
    expectAccepted(checkCallerId('0300 123 4567'), '+443001234567', 'UAN', 'GB');
    expectAccepted(checkCallerId('0800 123 4567'), '+448001234567', 'TOLL_FREE', 'GB');
    expectAccepted(checkCallerId('01534 123456'), '+441534123456', 'FIXED_LINE', 'JE');
  });

  it('refuses 09 premium rate (Ofcom)', () => {
    const check = checkCallerId('0901 234 5678');
    expectRejected(check, 'premium_rate');
    expect(!check.ok && check.message).toBe(
      '0901 234 5678 is a premium rate number (09), which cannot be used as a caller ID',
    );
  });

  it('refuses 0843 and 0870 revenue sharing (Ofcom)', () => {
    expectRejected(checkCallerId('0843 123 4567'), 'shared_cost_revenue');
    expectRejected(checkCallerId('0870 123 4567'), 'shared_cost_revenue');
  });

  it('refuses 070 personal numbers and 076 pagers', () => {
    expectRejected(checkCallerId('070 1234 5678'), 'personal_number');
    expectRejected(checkCallerId('07600 123456'), 'pager');
  });

  it('refuses short codes, drama-range and malformed caller IDs', () => {
    expectRejected(checkCallerId('999'), 'short_code');
    expectRejected(checkCallerId('07700 900123'), 'invalid');
    expectRejected(checkCallerId('0800 FLOWERS'), 'malformed');
    expectRejected(checkCallerId(''), 'empty');
  });

  it('refuses non-UK numbers even when valid', () => {
    const check = checkCallerId('+33 6 12 34 56 78');
    expectRejected(check, 'invalid');
    expect(!check.ok && check.message).toContain('UK');
  });
});
