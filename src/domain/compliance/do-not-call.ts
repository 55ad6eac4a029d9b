// Do-not-call lists applied to the numbers of a request (issue 9), at create and when numbers are added: a number on
// the client's list or the operator's (and, for a marketing campaign, TPS or CTPS: PECR reg 21) is treated like an
// invalid number. With ignoreInvalidPhoneNumbers it is left out and listed with the list's name; otherwise the request
// is refused at PhoneNumbers[i].Number. Which numbers are listed comes in from one lookup (the caller's I/O).
// Pure.
import type { FieldErrorCollector } from '../field-errors.js';
import type { LeftOutNumber, PhoneNumberPlan } from '../phone-number-list.js';
import { SUPPRESSION_LIST_KINDS, type SuppressionListKind } from './suppression.js';

/** The lists a campaign's numbers are screened against: TPS and CTPS only for marketing (PECR reg 21). */
export function listKindsFor(marketing: boolean): SuppressionListKind[] {
  return marketing ? ['client', 'operator', 'tps', 'ctps'] : ['client', 'operator'];
}

export interface ListedEntry {
  kind: SuppressionListKind;
  reason: string | null;
}

const LIST_NAMES: Record<SuppressionListKind, string> = {
  client: "the client's do-not-call list",
  operator: "the operator's do-not-call list",
  tps: 'the TPS register (Telephone Preference Service): no marketing calls to it (PECR reg 21)',
  ctps: 'the CTPS register (Corporate Telephone Preference Service): no marketing calls to it (PECR reg 21)',
};

/** "07722 123456 is on the client's do-not-call list (reason)". `written` is the number as the client wrote it. */
export function doNotCallMessage(written: string, entry: ListedEntry): string {
  const reason = entry.reason !== null && entry.reason.trim() !== '' && entry.kind !== 'tps' && entry.kind !== 'ctps' ? ` (${entry.reason.trim()})` : '';
  return `${written} is on ${LIST_NAMES[entry.kind]}${reason}.`;
}

export interface DoNotCallInput {
  numbers: readonly PhoneNumberPlan[];
  leftOut: readonly LeftOutNumber[];
  /** Listed numbers (E.164) and their lists, from one lookup over `numbers`. */
  listed: ReadonlyMap<string, readonly ListedEntry[]>;
  /** The number of entry `index` as the client wrote it. */
  written: (index: number) => string;
  ignoreInvalid: boolean;
}

/**
 * The numbers left to call, and the left-out list with the listed numbers added (in request order). Without
 * ignoreInvalid each listed number is an error at PhoneNumbers[i].Number instead. A request whose numbers are all
 * listed is refused as one with no valid number, as for any other kind of invalid number.
 */
export function applyDoNotCall(input: DoNotCallInput, errors: FieldErrorCollector): { numbers: PhoneNumberPlan[]; leftOut: LeftOutNumber[] } {
  if (input.listed.size === 0) return { numbers: [...input.numbers], leftOut: [...input.leftOut] };
  const numbers: PhoneNumberPlan[] = [];
  const refused: LeftOutNumber[] = [];
  for (const plan of input.numbers) {
    const entries = input.listed.get(plan.e164);
    if (entries === undefined || entries.length === 0) {
      numbers.push(plan);
      continue;
    }
    const written = input.written(plan.index);
    const ordered = [...entries].sort((a, b) => SUPPRESSION_LIST_KINDS.indexOf(a.kind) - SUPPRESSION_LIST_KINDS.indexOf(b.kind));
    const reasons = ordered.map((entry) => doNotCallMessage(written, entry));
    if (input.ignoreInvalid) refused.push({ index: plan.index, number: written, reasons });
    else for (const reason of reasons) errors.add(`PhoneNumbers[${plan.index}].Number`, reason);
  }
  if (numbers.length === 0 && !errors.hasUnder('PhoneNumbers')) errors.add('PhoneNumbers', 'At least one valid phone number is required.');
  const leftOut = refused.length === 0 ? [...input.leftOut] : [...input.leftOut, ...refused].sort((a, b) => a.index - b.index);
  return { numbers, leftOut };
}
