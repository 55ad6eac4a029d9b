// Which CSV column holds the number, the name and each ParameterN, guessed from the header row.
export type ColumnTarget = 'number' | 'name' | `parameter${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;
export type ColumnMapping = Partial<Record<ColumnTarget, string>>;

export const COLUMN_TARGETS: ColumnTarget[] = ['number', 'name', ...([1, 2, 3, 4, 5, 6, 7, 8, 9] as const).map((n) => `parameter${n}` as const)];

const ALIASES: Record<string, ColumnTarget> = {
  number: 'number',
  phone: 'number',
  phonenumber: 'number',
  mobile: 'number',
  msisdn: 'number',
  telephone: 'number',
  tel: 'number',
  name: 'name',
  fullname: 'name',
};

export function guessColumns(headers: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const header of headers) {
    const key = header.toLowerCase().replace(/[\s_-]/g, '');
    const parameter = key.match(/^param(?:eter)?([1-9])$/);
    const target = parameter ? (`parameter${parameter[1]}` as ColumnTarget) : ALIASES[key];
    if (target && mapping[target] === undefined) mapping[target] = header;
  }
  return mapping;
}
