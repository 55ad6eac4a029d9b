// Field paths of call-flow validation errors, in the API's style (src/api/field-path.ts): the document's property
// names with a capital first letter, C#-style indexers for array positions, e.g. `Steps[2].MaxDigits`. Keys of a
// gather's `branches` are data, not property names, so they follow a dot as written: `Steps[2].Branches.1`.

export type PathSegment = string | number;

export function fieldPath(segments: readonly PathSegment[]): string {
  let path = '';
  let previous: PathSegment | undefined;
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (previous === 'branches') path += `.${segment}`;
    else path += (path === '' ? '' : '.') + segment.charAt(0).toUpperCase() + segment.slice(1);
    previous = segment;
  }
  return path;
}

/** Segments of a JSON pointer (`/steps/2/branches/1` -> ['steps', 2, 'branches', '1']); digits under `branches` stay keys. */
export function pointerSegments(pointer: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const previous = segments[segments.length - 1];
    segments.push(/^\d+$/.test(segment) && previous !== 'branches' ? Number(segment) : segment);
  }
  return segments;
}
