// Do-not-call lists (issue 9): which lists exist, and how an uploaded line becomes a number to store.
// Pure: the importer (tenancy/suppression-import.ts) feeds lines in and stores what comes out.
import { checkCalleeNumber } from '../phone-number.js';

/**
 * client: the client's own list (its uploads and the opt-outs pressed during its calls); operator: one list the
 * operator keeps for every client; tps / ctps: the Telephone Preference Service registers (consumers and
 * corporates), which PECR reg 21 applies to marketing calls only.
 */
export const SUPPRESSION_LIST_KINDS = ['client', 'operator', 'tps', 'ctps'] as const;
export type SuppressionListKind = (typeof SUPPRESSION_LIST_KINDS)[number];

/** How a number got onto a list. */
export const SUPPRESSION_SOURCES = ['api', 'upload', 'opt-out', 'import'] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];

/** PECR reg 21 guidance: screen against TPS/CTPS data no older than 28 days. */
export const TPS_SCREENING_MAX_AGE_DAYS = 28;

export type SuppressionLine =
  | { kind: 'number'; e164: string }
  | { kind: 'skip' }
  | { kind: 'invalid'; value: string; message: string };

// A CSV cell may be quoted; the number is the first cell. Commas, semicolons and tabs all separate cells in the
// exports people upload.
const FIRST_CELL = /^\s*(?:"((?:[^"]|"")*)"|([^,;\t]*))/;

/**
 * Reads one line of an upload (a plain list, or CSV whose first column is the number). Blank lines are skipped, and
 * so is a header (`mayBeHeader`: the file's first non-blank line, when its first cell has letters and no digits, such
 * as "number" or "Telephone"). Numbers are stored
 * in E.164, with the same parsing as campaign numbers; a line that is not a callable number is reported, since a
 * number that can never be dialled needs no suppressing and is most likely a mistake in the file.
 */
export function readSuppressionLine(line: string, mayBeHeader: boolean): SuppressionLine {
  const match = FIRST_CELL.exec(line);
  const cell = (match?.[1]?.replace(/""/g, '"') ?? match?.[2] ?? '').trim();
  if (cell === '') return { kind: 'skip' };
  if (mayBeHeader && /\p{L}/u.test(cell) && !/\d/.test(cell)) return { kind: 'skip' };
  const check = checkCalleeNumber(cell);
  if (!check.ok) return { kind: 'invalid', value: cell.slice(0, 32), message: check.message };
  return { kind: 'number', e164: check.number.e164 };
}

export type ScreeningCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a marketing campaign may dial against the TPS/CTPS data it has: a register never imported, or one
 * downloaded more than 28 days before `now`, blocks it (PECR reg 21; ICO guidance: screen within 28 days).
 */
export function checkScreening(kind: 'tps' | 'ctps', downloadedAt: Date | null, now: Date): ScreeningCheck {
  const name = kind.toUpperCase();
  if (downloadedAt === null) return { ok: false, reason: `marketing calls need ${name} screening: the operator has not imported the ${name} register` };
  const ageMs = now.getTime() - downloadedAt.getTime();
  if (ageMs > TPS_SCREENING_MAX_AGE_DAYS * 86_400_000) {
    const days = Math.floor(ageMs / 86_400_000);
    return {
      ok: false,
      reason: `marketing calls need ${name} screening no older than ${TPS_SCREENING_MAX_AGE_DAYS} days: the ${name} file was downloaded ${downloadedAt.toISOString().slice(0, 10)}, ${days} days ago`,
    };
  }
  return { ok: true };
}
