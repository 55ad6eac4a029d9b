// Which countries a client's campaigns may call. Calls abroad cost money and are the classic toll-fraud route (a
// hijacked account uploads numbers that pay the fraudster per minute), so only the UK is open by default: country
// calling code +44, which is GB and the Crown Dependencies GG, IM and JE (shared/notes/uk-rules.md). The operator
// opens further countries per client (clients.allowed_countries). Pure: no I/O; nothing runs at import.
import { isSupportedCountry } from 'libphonenumber-js/max';
import { checkCalleeNumber, type NormalisedNumber, type NumberCheck } from './phone-number.js';

/** Regions of +44: always callable, whatever the client's list says. */
export const UK_REGIONS = ['GB', 'GG', 'IM', 'JE'] as const;
const UK_REGION_SET: ReadonlySet<string> = new Set(UK_REGIONS);

/** Longest list the operator may set: there are fewer than 250 regions. */
export const MAX_ALLOWED_COUNTRIES = 250;

const ALPHA_2 = /^[A-Za-z]{2}$/;

export type DestinationCheck = { ok: true } | { ok: false; message: string };

/**
 * A number Ringcast would otherwise call, judged by its country. `allowedCountries` is the client's list beyond the
 * UK (uppercase ISO 3166 alpha-2). `written` is the number as the client wrote it, for the message.
 */
export function checkDestinationCountry(
  written: string,
  number: NormalisedNumber,
  allowedCountries: ReadonlySet<string>,
): DestinationCheck {
  const region = number.region;
  if (region !== undefined && (UK_REGION_SET.has(region) || allowedCountries.has(region))) return { ok: true };
  if (region === undefined) {
    // +800 (international freephone), +882 and the like belong to no country, so no country can be allowed for them.
    return {
      ok: false,
      message: `${written} is an international number of no country (${number.e164.slice(0, 4)}...): only numbers in the UK or in countries the operator allowed can be called.`,
    };
  }
  return {
    ok: false,
    message: `${written} is in ${countryName(region)} (${region}): calls outside the UK are not allowed for this client; the operator can allow ${region}.`,
  };
}

/**
 * A campaign's callee number: checkCalleeNumber's rules, then the country rule. A number in a country the client may
 * not call is refused like any other bad number, with reason 'country_not_allowed'.
 */
export function checkCampaignNumber(input: string, allowedCountries: ReadonlySet<string>): NumberCheck {
  const check = checkCalleeNumber(input);
  if (!check.ok) return check;
  const verdict = checkDestinationCountry(input.trim(), check.number, allowedCountries);
  return verdict.ok ? check : { ok: false, reason: 'country_not_allowed', message: verdict.message };
}

let displayNames: Intl.DisplayNames | undefined;

/** "France" for FR; the code itself when the runtime has no name for it. */
export function countryName(region: string): string {
  displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  try {
    return displayNames.of(region) ?? region;
  } catch {
    return region;
  }
}

export type AllowedCountriesCheck = { ok: true; countries: string[] } | { ok: false; errors: { index: number; message: string }[] };

/**
 * The operator's list, checked: ISO 3166 alpha-2 codes that libphonenumber has a numbering plan for, in either case,
 * stored uppercase, sorted, without repeats. GB, GG, IM and JE are accepted and left out, as they are always
 * allowed; storing them would suggest that removing them closes the UK.
 */
export function checkAllowedCountries(codes: readonly unknown[]): AllowedCountriesCheck {
  const errors: { index: number; message: string }[] = [];
  const countries = new Set<string>();
  if (codes.length > MAX_ALLOWED_COUNTRIES) {
    return { ok: false, errors: [{ index: -1, message: `At most ${MAX_ALLOWED_COUNTRIES} countries can be allowed.` }] };
  }
  codes.forEach((code, index) => {
    const text = typeof code === 'string' ? code.trim() : '';
    const upper = text.toUpperCase();
    if (!ALPHA_2.test(text) || !isSupportedCountry(upper)) {
      const shown = JSON.stringify(code)?.slice(0, 20) ?? String(code);
      errors.push({ index, message: `${shown} is not an ISO 3166 alpha-2 country code with a telephone numbering plan (such as FR or IE).` });
    } else if (!UK_REGION_SET.has(upper)) {
      countries.add(upper);
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, countries: [...countries].sort() };
}
