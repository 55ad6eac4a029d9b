// Per-number text placeholders: `{Name}` and `{Parameter1}`..`{Parameter9}` (the document's parameters), used by
// call-flow messages (spoken) and SMS texts. Matching is case-insensitive, like the API's property names.

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = /^(name|parameter[1-9])$/i;

/** The placeholders in `text` that Ringcast does not know, e.g. ["{Parameter10}"]. */
export function unknownPlaceholders(text: string): string[] {
  const unknown: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) if (!KNOWN.test(match[1]!.trim())) unknown.push(match[0]);
  return unknown;
}

export interface PlaceholderValues {
  name: string;
  /** parameter number (1..9) -> value */
  parameters: ReadonlyMap<number, string> | Readonly<Record<number, string>>;
}

/** Fills placeholders; a parameter the number does not have becomes an empty string. */
export function renderPlaceholders(text: string, values: PlaceholderValues): string {
  const lookup = (n: number) =>
    values.parameters instanceof Map ? values.parameters.get(n) : (values.parameters as Record<number, string>)[n];
  return text.replace(PLACEHOLDER, (whole, inner: string) => {
    const key = inner.trim().toLowerCase();
    if (key === 'name') return values.name;
    const match = /^parameter([1-9])$/.exec(key);
    return match ? (lookup(Number(match[1])) ?? '') : whole;
  });
}
