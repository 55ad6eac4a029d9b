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

/** A non-null element's text, or undefined when the value is not of the type. */
type ElementWriter = (value: unknown) => string | undefined;

// As the drivers did: the number's own text (PostgreSQL refuses a fraction or NaN in an integer column).
const numberText: ElementWriter = (value) => (typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined);

/** One writer per type, chosen once per array rather than per element. */
const WRITERS: Record<ArrayElementType, ElementWriter> = {
  bigint: numberText,
  int: numberText,
  smallint: numberText,
  float8: numberText,
  boolean: (value) => (typeof value === 'boolean' ? (value ? 't' : 'f') : undefined),
  // UTC with its Z: no quoting needed, and toISOString throws on an invalid Date rather than send one.
  timestamptz: (value) => (value instanceof Date ? value.toISOString() : undefined),
  // Always quoted (so that "NULL", "", commas and braces stay text), with backslashes and quotes escaped.
  text: (value) =>
    typeof value !== 'string' ? undefined : NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPED, '\\$&')}"` : `"${value}"`,
};

/** The text of a one-dimensional `type[]` holding `values` (null and undefined are SQL NULL). */
export function arrayLiteral(values: readonly unknown[], type: ArrayElementType): string {
  const write = WRITERS[type];
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    const value = values[i];
    if (value === null || value === undefined) {
      text += 'NULL';
      continue;
    }
    const element = write(value);
    if (element === undefined) throw new TypeError(`not a ${type} array element: ${typeof value} ${String(value)}`);
    text += element;
  }
  return `${text}}`;
}
