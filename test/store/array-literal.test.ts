// Array literals (src/store/array-literal.ts) arrive on each backend as the values they were made from, through the
// same prepared-statement path as the dialer's result write: text that looks like syntax stays text, nulls stay
// nulls, numbers and instants keep every digit. An element of the wrong type is refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { FixedStatement, runFixed } from '../../src/store/prepared-statements.js';
import { arrayLiteral, type ArrayElementType } from '../../src/store/array-literal.js';
import type { Db } from '../../src/store/database.js';

const TRICKY_TEXT = ['plain', '', 'NULL', 'null', 'a,b', '{braces}', 'quote " inside', 'back\\slash', '\\"', ' spaced ', 'ünïcödé ☎', "it's", null];
const INSTANTS = [new Date('2027-01-12T09:00:00.250Z'), null, new Date('1999-12-31T23:59:59.999Z')];

describe('arrayLiteral', () => {
  it('writes each type as PostgreSQL reads it', () => {
    expect(arrayLiteral([], 'bigint')).toBe('{}');
    expect(arrayLiteral([1, null, 9_007_199_254_740_991, undefined], 'bigint')).toBe('{1,NULL,9007199254740991,NULL}');
    expect(arrayLiteral([true, false, null], 'boolean')).toBe('{t,f,NULL}');
    expect(arrayLiteral(['a"b', 'c\\d', null], 'text')).toBe('{"a\\"b","c\\\\d",NULL}');
    expect(arrayLiteral([new Date(Date.UTC(2027, 0, 12, 9))], 'timestamptz')).toBe('{2027-01-12T09:00:00.000Z}');
  });

  it.each<[ArrayElementType, unknown]>([
    ['bigint', '12'],
    ['float8', true],
    ['boolean', 1],
    ['text', 5],
    ['timestamptz', '2027-01-12T09:00:00Z'],
  ])('refuses a %s element given %j', (type, value) => {
    expect(() => arrayLiteral([value], type)).toThrow(TypeError);
  });

  it('refuses an invalid Date', () => {
    expect(() => arrayLiteral([new Date(Number.NaN)], 'timestamptz')).toThrow(RangeError);
  });
});

describe.each(BACKENDS)('array literals on $kind', ({ kind }) => {
  let test: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    db = test.database.db;
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it('arrive as the values they were made from', async () => {
    const statement = new FixedStatement(sql`
      select ${sql.placeholder('texts')}::text[] as texts, ${sql.placeholder('ids')}::bigint[] as ids,
             ${sql.placeholder('small')}::smallint[] as small, ${sql.placeholder('prices')}::float8[] as prices,
             ${sql.placeholder('flags')}::boolean[] as flags,
             array(select to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from unnest(${sql.placeholder('instants')}::timestamptz[]) as at) as instants`);
    // Twice: the first run prepares the statement, the second only binds it.
    for (let run = 0; run < 2; run++) {
      const [row] = await runFixed<Record<string, unknown[]>>(db, statement, {
        texts: arrayLiteral(TRICKY_TEXT, 'text'),
        ids: arrayLiteral([1, null, 9_007_199_254_740_991], 'bigint'),
        small: arrayLiteral([-32_768, 0, 32_767], 'smallint'),
        prices: arrayLiteral([0.1 + 0.2, null, 1e-7, 123.4567], 'float8'),
        flags: arrayLiteral([true, null, false], 'boolean'),
        instants: arrayLiteral(INSTANTS, 'timestamptz'),
      });
      expect(row!.texts).toEqual(TRICKY_TEXT);
      expect(row!.ids!.map((id) => (id === null ? null : String(id)))).toEqual(['1', null, '9007199254740991']);
      expect(row!.small!.map(Number)).toEqual([-32_768, 0, 32_767]);
      expect(row!.prices!.map((price) => (price === null ? null : Number(price)))).toEqual([0.1 + 0.2, null, 1e-7, 123.4567]);
      expect(row!.flags).toEqual([true, null, false]);
      expect(row!.instants).toEqual(INSTANTS.map((at) => at?.toISOString() ?? null));
    }
  });

  it('refuses a fraction in an integer column as the database does', async () => {
    const statement = new FixedStatement(sql`select ${sql.placeholder('ids')}::bigint[] as ids`);
    await expect(runFixed(db, statement, { ids: arrayLiteral([1.5], 'bigint') })).rejects.toThrow(/invalid input syntax/);
  });
});
