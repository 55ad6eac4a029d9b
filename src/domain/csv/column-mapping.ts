// Which CSV column holds the number, the name and Parameter1..9: given by the request's `columns` part, or guessed
// from the header row. Pure. Errors go to the `Columns` path (a mapping the request gave) or `File` (a header row
// that offers no number column), so the client can show them beside the part at fault.
import type { FieldErrorCollector } from '../field-errors.js';
import { MAX_PARAMETER } from '../phone-number-list.js';

export const COLUMNS_PATH = 'Columns';
export const FILE_PATH = 'File';

/** The roles a column can play, in the order the answer lists them. */
export const COLUMN_ROLES = [
  'number',
  'name',
  // parameter1..parameter9: MAX_PARAMETER of them (checked below), written out so that each is a type of its own.
  ...(['parameter1', 'parameter2', 'parameter3', 'parameter4', 'parameter5', 'parameter6', 'parameter7', 'parameter8', 'parameter9'] as const),
] as const;
if (COLUMN_ROLES.length !== MAX_PARAMETER + 2) throw new Error('COLUMN_ROLES must list parameter1..MAX_PARAMETER');
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** Role -> header text, as the answer's `columns` shows it. */
export type ColumnNames = Partial<Record<ColumnRole, string>>;

/** Role -> position in a record. */
export interface ColumnMapping {
  number: number;
  name: number | undefined;
  parameters: { parameter: number; column: number }[];
  /** The headers chosen, for the answer. */
  names: ColumnNames;
  /** How many fields a row must have: the header's. */
  width: number;
}

/** Header spellings that mean a role once case, spaces and underscores are dropped (and `-`, which spreadsheets add). */
const GUESSES: Record<string, ColumnRole> = {
  number: 'number',
  phone: 'number',
  phonenumber: 'number',
  mobile: 'number',
  msisdn: 'number',
  telephone: 'number',
  tel: 'number',
  name: 'name',
  fullname: 'name',
  ...Object.fromEntries(
    Array.from({ length: MAX_PARAMETER }, (_, i) => [
      [`parameter${i + 1}`, `parameter${i + 1}`],
      [`param${i + 1}`, `parameter${i + 1}`],
    ]).flat(),
  ),
};

const normalise = (header: string) => header.toLowerCase().replace(/[\s_-]+/g, '');

/** The roles the headers suggest: the first header that reads as a role takes it. */
export function guessColumns(headers: readonly string[]): ColumnNames {
  const names: ColumnNames = {};
  for (const header of headers) {
    const role = GUESSES[normalise(header)];
    if (role && names[role] === undefined) names[role] = header;
  }
  return names;
}

/**
 * Reads the `columns` part: a JSON object of role -> header. Keys match case-insensitively, like every field of the
 * API. Returns undefined (with errors) when it is not such an object.
 */
export function parseColumnsPart(text: string, errors: FieldErrorCollector): ColumnNames | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    errors.add(COLUMNS_PATH, 'Columns must be a JSON object such as {"number": "Phone", "name": "Customer", "parameter1": "Ref"}.');
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.add(COLUMNS_PATH, 'Columns must be a JSON object such as {"number": "Phone", "name": "Customer", "parameter1": "Ref"}.');
    return undefined;
  }
  const names: ColumnNames = {};
  const known = new Map<string, ColumnRole>(COLUMN_ROLES.map((role) => [role, role]));
  for (const [key, header] of Object.entries(value)) {
    const role = known.get(key.toLowerCase());
    if (!role) {
      errors.add(COLUMNS_PATH, `Columns.${key} is not a column role; use number, name or parameter1..parameter${MAX_PARAMETER}.`);
    } else if (header === null) {
      continue;
    } else if (typeof header !== 'string' || header.trim() === '') {
      errors.add(COLUMNS_PATH, `Columns.${role} must be the text of a header in the file's first row.`);
    } else {
      names[role] = header;
    }
  }
  return errors.has(COLUMNS_PATH) ? undefined : names;
}

/**
 * The mapping of a file with these headers: the request's names (a header matches exactly, else ignoring case and
 * surrounding spaces), or the guess. Undefined (with errors) when a name is not a header, two roles share a column,
 * or nothing holds the number.
 */
export function resolveColumns(headers: readonly string[], requested: ColumnNames | undefined, errors: FieldErrorCollector): ColumnMapping | undefined {
  const names = requested ?? guessColumns(headers);
  const path = requested ? COLUMNS_PATH : FILE_PATH;
  const shown = headers.map((header) => JSON.stringify(header)).join(', ');
  const positions = new Map<ColumnRole, number>();
  const roleAt = new Map<number, ColumnRole>();
  for (const role of COLUMN_ROLES) {
    const header = names[role];
    if (header === undefined) continue;
    let at = headers.indexOf(header);
    if (at < 0) {
      const wanted = header.trim().toLowerCase();
      at = headers.findIndex((candidate) => candidate.trim().toLowerCase() === wanted);
    }
    if (at < 0) {
      errors.add(COLUMNS_PATH, `Columns.${role} names ${JSON.stringify(header)}, which is not a header of the file (its headers: ${shown}).`);
    } else if (roleAt.has(at)) {
      errors.add(COLUMNS_PATH, `Columns.${role} and Columns.${roleAt.get(at)} both name column ${JSON.stringify(headers[at])}; one role per column.`);
    } else {
      positions.set(role, at);
      roleAt.set(at, role);
    }
  }
  if (!positions.has('number') && !errors.hasUnder(COLUMNS_PATH)) {
    errors.add(
      path,
      requested
        ? 'Columns.number is required: the header of the column that holds the phone numbers.'
        : `No column of the header row reads as the phone number (headers: ${shown}); name one with a header such as "Number" or "Phone", or send a columns part such as {"number": "<header>"}.`,
    );
  }
  if (!positions.has('number') || errors.hasUnder(COLUMNS_PATH)) return undefined;
  const parameters: ColumnMapping['parameters'] = [];
  for (let parameter = 1; parameter <= MAX_PARAMETER; parameter++) {
    const column = positions.get(`parameter${parameter}` as ColumnRole);
    if (column !== undefined) parameters.push({ parameter, column });
  }
  const chosen: ColumnNames = {};
  for (const [role, at] of positions) chosen[role] = headers[at]!;
  return { number: positions.get('number')!, name: positions.get('name'), parameters, names: chosen, width: headers.length };
}
