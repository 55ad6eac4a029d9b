// How figures are shown: one place, so every page agrees.
import { CallOutcome, CampaignStatus, NumberStatus } from '../../src/domain/enums.js';

const integer = new Intl.NumberFormat('en-GB');
const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2, maximumFractionDigits: 4 });
const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });

export const formatInteger = (value: number) => integer.format(value);
export const formatMoney = (value: number) => money.format(value);
export const formatPercent = (fraction: number) => percent.format(fraction);

function nameOf(members: readonly { value: number; name: string }[], value: number): string {
  return members.find((member) => member.value === value)?.name ?? String(value);
}

/** "AttemptsExhausted" -> "Attempts exhausted". */
export function words(name: string): string {
  const spaced = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export const campaignStatusName = (value: number) => words(nameOf(CampaignStatus.members, value));
export const numberStatusName = (value: number) => words(nameOf(NumberStatus.members, value));
export const outcomeName = (value: number) => words(nameOf(CallOutcome.members, value));

/** A campaign-zone wall-clock time as the API gives it (YYYY-MM-DDTHH:mm:ss.SSS), shown without the T and millis. */
export function formatWallClock(value: string | null | undefined): string {
  if (!value) return '';
  return value.replace('T', ' ').replace(/\.\d+$/, '');
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A UTC timestamp of the API (ISO 8601) to the minute, as the operator's tables show it: 2026-12-04 19:33 (UTC). */
export function formatTimestamp(value: string | Date): string {
  return String(value instanceof Date ? value.toISOString() : value).slice(0, 16).replace('T', ' ');
}
