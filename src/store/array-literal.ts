// PostgreSQL array literals for statements that pass whole columns as arrays (the dialer's result write: twenty
// arrays of up to 1,000 values each, unnested in the statement). Given JavaScript arrays, node-postgres builds each
// literal element by element through its generic prepareValue and escapeElement (a local-time string per Date), and
// PGlite quotes and escapes every element in the same way: --cpu-prof had that at 3% of the dialer's time at zero talk
// time (bench/dialer-throughput.ts) with 23 MB of its 218 MB of allocation, and at 1.2% of the virtual-time campaign
// on PGlite. Both drivers send a string parameter as it is, so such statements pass these literals instead; each
// element is written knowing its column's type.

/** The element types of the arrays we pass (the SQL type names of the statement's `$n::type[]` casts). */
export type ArrayElementType = 'bigint' | 'int' | 'smallint' | 'float8' | 'boolean' | 'text' | 'timestamptz';

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;
const NUMERIC: ReadonlySet<ArrayElementType> = new Set(['bigint', 'int', 'smallint', 'float8']);

function elementText(value: unknown, type: ArrayElementType): string {
  if (value === null || value === undefined) return 'NULL';
  if (NUMERIC.has(type)) {
    // As the drivers did: the number's own text (PostgreSQL refuses a fraction or NaN in an integer column).
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  } else if (type === 'boolean') {
    if (typeof value === 'boolean') return value ? 't' : 'f';
  } else if (type === 'timestamptz') {
    // UTC with its Z: no quoting needed, and toISOString throws on an invalid Date rather than send one.
    if (value instanceof Date) return value.toISOString();
  } else if (typeof value === 'string') {
    // Always quoted (so that "NULL", "", commas and braces stay text), with backslashes and quotes escaped.
    return NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPED, '\\$&')}"` : `"${value}"`;
  }
  throw new TypeError(`not a ${type} array element: ${typeof value} ${String(value)}`);
}

/** The text of a one-dimensional `type[]` holding `values` (null and undefined are SQL NULL). */
export function arrayLiteral(values: readonly unknown[], type: ArrayElementType): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    text += elementText(values[i], type);
  }
  return `${text}}`;
}
