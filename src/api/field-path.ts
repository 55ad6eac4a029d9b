// Field paths in validation errors follow the document's PascalCase names with C#-style indexers,
// e.g. `PhoneNumbers[3].Number`, which is what existing clients of the Voice Campaigns API key their messages by.

/** Display names that are not simply the canonical name with a capital first letter. */
export type FieldNameOverrides = Readonly<Record<string, string>>;

export function fieldName(canonical: string, overrides: FieldNameOverrides = {}): string {
  return overrides[canonical] ?? canonical.charAt(0).toUpperCase() + canonical.slice(1);
}

/** Turns a JSON pointer such as `/phoneNumbers/3/number` into `PhoneNumbers[3].Number`. */
export function jsonPointerToFieldPath(pointer: string, overrides: FieldNameOverrides = {}): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else path += (path === '' ? '' : '.') + fieldName(segment, overrides);
  }
  return path;
}

export function joinFieldPath(parent: string, child: string | number, overrides: FieldNameOverrides = {}): string {
  if (typeof child === 'number') return `${parent}[${child}]`;
  const name = fieldName(child, overrides);
  return parent === '' ? name : `${parent}.${name}`;
}
