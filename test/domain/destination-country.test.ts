// The country rule for callee numbers: the UK (+44: GB, GG, IM, JE) always, other countries only when the operator
// allowed them for the client; and the operator's list itself.
import { describe, expect, it } from 'vitest';
import { checkAllowedCountries, checkCampaignNumber, countryName, UK_REGIONS } from '../../src/domain/destination-country.js';

const NONE = new Set<string>();

describe('checkCampaignNumber', () => {
  it.each([
    ['GB', '07722 123456'],
    ['IM', '07624 123456'],
    ['GG', '07781 123456'],
    ['JE', '01534 123456'],
  ])('accepts %s numbers with no country allowed', (region, number) => {
    const check = checkCampaignNumber(number, NONE);
    expect(check.ok && check.number.region).toBe(region);
  });

  it.each([
    ['+33612345678', 'France (FR)', 'FR'],
    ['+1 202 555 0123', 'United States (US)', 'US'],
    ['+1 416 555 0123', 'Canada (CA)', 'CA'],
    ['0033 6 12 34 56 78', 'France (FR)', 'FR'],
    ['+353 85 123 4567', 'Ireland (IE)', 'IE'],
  ])('refuses %s by default as country_not_allowed, naming %s', (number, country, code) => {
    expect(checkCampaignNumber(number, NONE)).toEqual({
      ok: false,
      reason: 'country_not_allowed',
      message: `${number} is in ${country}: calls outside the UK are not allowed for this client; the operator can allow ${code}.`,
    });
  });

  it('accepts a country once it is allowed, and no other', () => {
    const allowed = new Set(['FR']);
    expect(checkCampaignNumber('+33 6 12 34 56 78', allowed)).toEqual({ ok: true, number: { e164: '+33612345678', type: 'MOBILE', region: 'FR' } });
    expect(checkCampaignNumber('+1 202 555 0123', allowed).ok).toBe(false);
  });

  it('refuses non-geographic numbers (+800), which no country list can allow', () => {
    const check = checkCampaignNumber('+800 1234 5678', new Set(['US', 'FR']));
    expect(check.ok || check.reason).toBe('country_not_allowed');
    expect(check.ok || check.message).toMatch(/of no country/);
  });

  it('keeps the number rules first: an invalid or premium number abroad is refused for that', () => {
    expect(checkCampaignNumber('+33 8 99 12 34 56', NONE)).toMatchObject({ ok: false, reason: 'premium_rate' });
    expect(checkCampaignNumber('+33 6 12 34', NONE)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

describe('checkAllowedCountries', () => {
  it('uppercases, sorts, drops repeats and leaves the UK regions out (they are always allowed)', () => {
    expect(checkAllowedCountries(['ie', 'FR', ' fr ', ...UK_REGIONS, 'us'])).toEqual({ ok: true, countries: ['FR', 'IE', 'US'] });
    expect(checkAllowedCountries([])).toEqual({ ok: true, countries: [] });
  });

  it('refuses anything but ISO 3166 alpha-2 codes with a numbering plan, by index', () => {
    const checked = checkAllowedCountries(['FR', 'XX', 'FRA', '', 'F', 33, null, '001', 'UK']);
    expect(checked.ok || checked.errors.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(checked.ok || checked.errors[0]!.message).toBe('"XX" is not an ISO 3166 alpha-2 country code with a telephone numbering plan (such as FR or IE).');
  });

  it('refuses an over-long list at once', () => {
    const checked = checkAllowedCountries(Array.from({ length: 251 }, () => 'FR'));
    expect(checked.ok || checked.errors).toEqual([{ index: -1, message: 'At most 250 countries can be allowed.' }]);
  });
});

describe('countryName', () => {
  it('names regions in English', () => {
    expect(countryName('FR')).toBe('France');
    expect(countryName('GG')).toBe('Guernsey');
    expect(countryName('AC')).toBe('Ascension Island');
  });
});
